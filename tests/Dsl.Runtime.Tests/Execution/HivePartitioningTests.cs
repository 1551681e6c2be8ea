using Dsl.Execution;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>The folder-name rules of <see cref="HivePartitioning"/>, value by value.</summary>
public sealed class HivePartitioningTests
{
    [Theory]
    [InlineData("FR", "FR")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("a\\b", "a%5Cb")]
    [InlineData("x=y", "x%3Dy")]
    [InlineData("100%", "100%25")]
    [InlineData("12:30", "12%3A30")]
    [InlineData("#?*", "%23%3F%2A")]
    [InlineData("\"'", "%22%27")]
    [InlineData("<>|", "%3C%3E%7C")]
    [InlineData("{[^]}", "%7B%5B%5E%5D}")] // Hive escapes { but not }
    [InlineData("\t\n\u0000\u007f", "%09%0A%00%7F")]
    [InlineData("..", "..")]
    [InlineData(".", ".")]
    [InlineData(" a b ", " a b ")]
    [InlineData("é€漢字🙂", "é€漢字🙂")]
    [InlineData("~-_+,;@!$&()", "~-_+,;@!$&()")]
    public void FolderValue_EscapesWhatHiveEscapes(string value, string folder) => Assert.Equal(folder, HivePartitioning.FolderValue(value));

    [Theory]
    [InlineData(null, "__HIVE_DEFAULT_PARTITION__")]
    [InlineData("", "__HIVE_DEFAULT_PARTITION__")]
    [InlineData("NULL", "%4EULL")]
    [InlineData("null", "%6Eull")]
    [InlineData("nUlL", "%6EUlL")]
    [InlineData("__HIVE_DEFAULT_PARTITION__", "%5F_HIVE_DEFAULT_PARTITION__")]
    [InlineData("nullable", "nullable")]
    public void FolderValue_NullEmptyAndWhatReadersTakeForNull(string? value, string folder) => Assert.Equal(folder, HivePartitioning.FolderValue(value));

    [Theory]
    [InlineData((int)HivePartitioning.ValueKind.Int64, -42L, "-42")]
    [InlineData((int)HivePartitioning.ValueKind.Int32, 2024L, "2024")]
    [InlineData((int)HivePartitioning.ValueKind.Boolean, 1L, "true")]
    [InlineData((int)HivePartitioning.ValueKind.Boolean, 0L, "false")]
    [InlineData((int)HivePartitioning.ValueKind.Date, 0L, "1970-01-01")]
    [InlineData((int)HivePartitioning.ValueKind.Date, -719162L, "0001-01-01")]
    public void Format_NumbersBooleansAndDates(int kind, long value, string text) => Assert.Equal(text, HivePartitioning.Format((HivePartitioning.ValueKind)kind, value));

    [Theory]
    [InlineData("Key=a/part-00000.parquet", true)]
    [InlineData("part-00000.parquet", true)]
    [InlineData("Key=../part-00000.parquet", true)] // one segment 'Key=..', not a parent
    [InlineData("../part-00000.parquet", false)]
    [InlineData("Key=a/../../x", false)]
    [InlineData("./x", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("a//b", false)]
    [InlineData("a\\b", false)]
    [InlineData("", false)]
    public void IsContained_OnlyPathsThatStayInside(string path, bool contained) => Assert.Equal(contained, HivePartitioning.IsContained(path));

    [Fact]
    public void KindOf_TheTypesThatCanNameAFolder()
    {
        ColumnType[] allowed = [ColumnType.Int32, ColumnType.Int64, ColumnType.Boolean, ColumnType.String, ColumnType.Date];
        foreach (ColumnType type in Enum.GetValues<ColumnType>())
        {
            HivePartitioning.ValueKind? kind = HivePartitioning.KindOf(new ColumnField("c", type, true), out string? whyNot);
            Assert.Equal(allowed.Contains(type), kind is not null);
            Assert.Equal(kind is null, whyNot is not null);
        }
    }
}
