using System.Text;

namespace Dsl.Runtime.Tests.Columns;

public sealed class Utf8DictionaryTests
{
    [Fact]
    public void New_ValidOffsets_ExposesEntries()
    {
        var dict = new Utf8Dictionary("abcdef"u8.ToArray(), [0, 2, 2, 6]);

        Assert.Equal(3, dict.Count);
        Assert.Equal("ab", dict.GetString(0));
        Assert.Equal("", dict.GetString(1));
        Assert.Equal("cdef", dict.GetString(2));
        Assert.True(dict.GetBytes(1).IsEmpty);
        Assert.Equal("cdef"u8.ToArray(), dict.GetBytes(2).ToArray());
    }

    [Fact]
    public void New_DataLongerThanLastOffset_IsAllowed()
    {
        var dict = new Utf8Dictionary("abcXYZ"u8.ToArray(), [0, 3]);

        Assert.Equal(1, dict.Count);
        Assert.Equal("abc", dict.GetString(0));
    }

    [Fact]
    public void New_NoOffsets_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Utf8Dictionary([], []));
    }

    [Fact]
    public void New_FirstOffsetNotZero_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Utf8Dictionary("abc"u8.ToArray(), [1, 3]));
    }

    [Fact]
    public void New_LastOffsetPastData_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Utf8Dictionary("abc"u8.ToArray(), [0, 4]));
        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_DecreasingOffsets_ThrowsNamingTheOffset()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Utf8Dictionary("abcdef"u8.ToArray(), [0, 4, 2, 6]));
        Assert.Contains("offset 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_HasNoEntries()
    {
        Assert.Equal(0, Utf8Dictionary.Empty.Count);
        Assert.Empty(Utf8Dictionary.Empty.Strings);
    }

    [Fact]
    public void FromStrings_NonAscii_EncodesUtf8WithByteOffsets()
    {
        string[] values = ["é", "日本", "🙂", "", "a"];

        Utf8Dictionary dict = Utf8Dictionary.FromStrings(values);

        Assert.Equal([0, 2, 8, 12, 12, 13], dict.Offsets.ToArray());
        Assert.Equal(Encoding.UTF8.GetBytes(string.Concat(values)), dict.Data.ToArray());
        Assert.Equal(values, dict.Strings);
        Assert.Equal("日本"u8.ToArray(), dict.GetBytes(1).ToArray());
    }

    [Fact]
    public void New_FromRawUtf8_DecodesNonAscii()
    {
        Utf8Dictionary source = Utf8Dictionary.FromStrings(["Zürich", "東京", "🙂x"]);

        var dict = new Utf8Dictionary(source.Data.ToArray(), source.Offsets.ToArray());

        Assert.Equal(["Zürich", "東京", "🙂x"], dict.Strings);
        Assert.Same(dict.Strings, dict.Strings);
    }

    [Fact]
    public void FromStrings_LoneSurrogate_GetStringMatchesTheStoredBytes()
    {
        Utf8Dictionary dict = Utf8Dictionary.FromStrings(["ok", "bad\ud800"]);

        Assert.Equal("bad\ufffd", dict.GetString(1));
        Assert.Equal("ok", dict.GetString(0));
        Assert.Equal(Encoding.UTF8.GetBytes("bad\ufffd"), dict.GetBytes(1).ToArray());
    }
}
