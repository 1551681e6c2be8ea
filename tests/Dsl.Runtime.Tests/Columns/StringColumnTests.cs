namespace Dsl.Runtime.Tests.Columns;

public sealed class StringColumnTests
{
    private static readonly Utf8Dictionary s_dict = Utf8Dictionary.FromStrings(["x", "y"]);

    [Fact]
    public void New_ValidIndices()
    {
        var column = new StringColumn(ColumnType.String, s_dict, [1, 0, 1], 3, null);

        Assert.Equal(["y", "x", "y"], Enumerable.Range(0, 3).Select(column.GetString));
        Assert.Equal([1, 0, 1], column.Indices.ToArray());
    }

    [Fact]
    public void New_IndicesLongerThanLength_OnlyLengthRowsUsed()
    {
        var column = new StringColumn(ColumnType.String, s_dict, [0, 1, 99], 2, null);

        Assert.Equal(2, column.Length);
        Assert.Equal(2, column.Indices.Length);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public void New_IndexOutsideDictionary_ThrowsNamingRowAndEntry(int bad)
    {
        var ex = Assert.Throws<ArgumentException>(() => new StringColumn(ColumnType.String, s_dict, [0, bad], 2, null));
        Assert.Contains("Row 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains(bad.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_IndexOutsideDictionaryOnNullRow_IsAllowed()
    {
        var validity = new ValidityBitmap(2);
        validity.Set(1, false);

        var column = new StringColumn(ColumnType.String, s_dict, [0, 12345], 2, validity);

        Assert.Null(column.GetString(1));
        Assert.Null(column.GetValue(1));
    }

    [Fact]
    public void New_TooFewIndices_Throws()
    {
        Assert.Throws<ArgumentException>(() => new StringColumn(ColumnType.String, s_dict, [0], 2, null));
    }

    [Fact]
    public void New_NonStringType_Throws()
    {
        Assert.Throws<ArgumentException>(() => new StringColumn(ColumnType.Int32, s_dict, [0], 1, null));
    }

    [Fact]
    public void New_EmptyDictionary_RequiresAllRowsNull()
    {
        var allNull = new ValidityBitmap(2, allValid: false);
        var column = new StringColumn(ColumnType.String, Utf8Dictionary.Empty, [0, 0], 2, allNull);
        Assert.Equal(2, column.NullCount);

        Assert.Throws<ArgumentException>(() => new StringColumn(ColumnType.String, Utf8Dictionary.Empty, [0], 1, null));
    }
}
