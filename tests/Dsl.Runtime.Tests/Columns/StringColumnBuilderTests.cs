namespace Dsl.Runtime.Tests.Columns;

public sealed class StringColumnBuilderTests
{
    [Fact]
    public void Append_Duplicates_AreStoredOnceInTheDictionary()
    {
        var builder = new StringColumnBuilder();
        foreach (string s in new[] { "a", "b", "a", "c", "b", "a" })
        {
            builder.Append(s);
        }

        StringColumn column = builder.Build();

        Assert.Equal(6, column.Length);
        Assert.Equal(3, column.Dictionary.Count);
        Assert.Equal(["a", "b", "c"], column.Dictionary.Strings);
        Assert.Equal([0, 1, 0, 2, 1, 0], column.Indices.ToArray());
        Assert.Null(column.Validity);
        Assert.Equal("c", column.GetString(3));
    }

    [Fact]
    public void Append_IsCaseAndNormalizationSensitive()
    {
        var builder = new StringColumnBuilder();
        builder.Append("é");        // precomposed
        builder.Append("e\u0301");  // decomposed
        builder.Append("E");
        builder.Append("e");

        StringColumn column = builder.Build();

        Assert.Equal(4, column.Dictionary.Count);
    }

    [Fact]
    public void Append_Null_MakesNullRows()
    {
        var builder = new StringColumnBuilder();
        builder.Append("x");
        builder.Append(null);
        builder.Append("");
        builder.Append(null);

        StringColumn column = builder.Build();

        Assert.Equal(4, column.Length);
        Assert.Equal(2, column.NullCount);
        Assert.Equal("x", column.GetString(0));
        Assert.Null(column.GetString(1));
        Assert.Equal("", column.GetString(2));
        Assert.False(column.IsNull(2));
        Assert.Null(column.GetValue(3));
        Assert.True(column.GetBytes(1).IsEmpty);
        Assert.Equal(4, column.Validity!.Length);
    }

    [Fact]
    public void Append_FirstRowNull()
    {
        var builder = new StringColumnBuilder();
        builder.Append(null);
        builder.Append("y");

        StringColumn column = builder.Build();

        Assert.True(column.IsNull(0));
        Assert.Equal("y", column.GetString(1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(1000)]
    public void Append_ManyRowsWithNulls_GrowsBitmapAndKeepsEveryRow(int firstNullRow)
    {
        // Nulls start at firstNullRow (so the bitmap is created late, after many valid rows) and then every
        // third row is null, which forces the bitmap to grow several times.
        const int rows = 5000;
        var builder = new StringColumnBuilder(capacity: 4);
        var expected = new string?[rows];
        for (int i = 0; i < rows; i++)
        {
            expected[i] = i >= firstNullRow && (i - firstNullRow) % 3 == 0 ? null : "v" + (i % 37);
            builder.Append(expected[i]);
        }

        StringColumn column = builder.Build();

        Assert.Equal(rows, column.Length);
        Assert.Equal(rows, column.Validity!.Length);
        Assert.Equal(expected.Count(e => e is null), column.NullCount);
        Assert.Equal(37, column.Dictionary.Count);
        for (int i = 0; i < rows; i++)
        {
            Assert.Equal(expected[i], column.GetString(i));
        }
    }

    [Fact]
    public void Append_AllNull()
    {
        var builder = new StringColumnBuilder();
        for (int i = 0; i < 200; i++)
        {
            builder.Append(null);
        }

        StringColumn column = builder.Build();

        Assert.Equal(200, column.NullCount);
        Assert.Equal(0, column.Dictionary.Count);
    }

    [Fact]
    public void Build_Empty()
    {
        StringColumn column = new StringColumnBuilder().Build();

        Assert.Equal(0, column.Length);
        Assert.Equal(0, column.Dictionary.Count);
        Assert.Null(column.Validity);
    }

    [Fact]
    public void Build_Binary_GetValueReturnsBytes()
    {
        var builder = new StringColumnBuilder(ColumnType.Binary);
        builder.Append("hé");

        StringColumn column = builder.Build();

        Assert.Equal(ColumnType.Binary, column.Type);
        Assert.Equal("hé"u8.ToArray(), column.GetValue(0));
    }

    [Theory]
    [InlineData(ColumnType.Int32)]
    [InlineData(ColumnType.Timestamp)]
    public void New_NonStringType_Throws(ColumnType type)
    {
        var ex = Assert.Throws<ArgumentException>(() => new StringColumnBuilder(type));
        Assert.Contains(type.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GatherFrom_SharesDictionary_CopiesSelectedRows()
    {
        StringColumn source = Build("a", null, "b", "a", "c");

        StringColumn gathered = StringColumnBuilder.GatherFrom(source, [4, 1, 0, 0]);

        Assert.Same(source.Dictionary, gathered.Dictionary);
        Assert.Equal(4, gathered.Length);
        Assert.Equal(["c", null, "a", "a"], Enumerable.Range(0, 4).Select(gathered.GetString));
        Assert.Equal(1, gathered.NullCount);
        Assert.Equal(source.Type, gathered.Type);
    }

    [Fact]
    public void GatherFrom_SelectionWithoutNulls_DropsBitmap()
    {
        StringColumn source = Build("a", null, "b");

        StringColumn gathered = StringColumnBuilder.GatherFrom(source, [2, 0]);

        Assert.Null(gathered.Validity);
        Assert.Equal(["b", "a"], Enumerable.Range(0, 2).Select(gathered.GetString));
    }

    [Fact]
    public void GatherFrom_EmptySelection()
    {
        StringColumn source = Build("a", "b");

        StringColumn gathered = StringColumnBuilder.GatherFrom(source, []);

        Assert.Equal(0, gathered.Length);
        Assert.Same(source.Dictionary, gathered.Dictionary);
    }

    [Fact]
    public void GatherFrom_RowOutOfRange_Throws()
    {
        StringColumn source = Build("a", "b");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => StringColumnBuilder.GatherFrom(source, [0, 2]));
        Assert.Contains("entry 1 refers to row 2", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => StringColumnBuilder.GatherFrom(source, [-1]));
    }

    [Fact]
    public void GatherFrom_Dispose_ReturnsIndicesAndValidity_SourceUnaffected()
    {
        StringColumn source = Build("a", null, "b", "a");
        StringColumn gathered = StringColumnBuilder.GatherFrom(source, [3, 1, 2]);
        ValidityBitmap validity = gathered.Validity!;

        gathered.Dispose();
        gathered.Dispose(); // returns nothing twice

        Assert.Throws<ObjectDisposedException>(() => gathered.Indices.Length);
        Assert.Throws<ObjectDisposedException>(() => validity.IsValid(0));
        Assert.Equal(3, validity.Length);
        Assert.Equal(["a", null, "b", "a"], Enumerable.Range(0, 4).Select(source.GetString));
    }

    [Fact]
    public void GatherFrom_RowOutOfRange_LeavesNoHalfBuiltColumnBehind()
    {
        StringColumn source = Build("a", null);

        Assert.Throws<ArgumentOutOfRangeException>(() => StringColumnBuilder.GatherFrom(source, [1, 5]));

        // The rented buffers went back; the next gather (same sizes, possibly the same arrays) is complete and clean.
        StringColumn next = StringColumnBuilder.GatherFrom(source, [0, 0]);
        Assert.Null(next.Validity);
        Assert.Equal(["a", "a"], Enumerable.Range(0, 2).Select(next.GetString));
    }

    private static StringColumn Build(params string?[] values)
    {
        var builder = new StringColumnBuilder();
        foreach (string? v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }
}
