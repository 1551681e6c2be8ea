namespace Dsl.Runtime.Tests.Batches;

public sealed class BatchSchemaTests
{
    [Fact]
    public void New_DuplicateName_ThrowsNamingTheColumn()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BatchSchema(
            new ColumnField("id", ColumnType.Int64, false),
            new ColumnField("amount", ColumnType.Double, true),
            new ColumnField("id", ColumnType.String, true)));

        Assert.Contains("'id'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_NamesDifferingOnlyInCase_AreDistinct()
    {
        var schema = new BatchSchema(new ColumnField("a", ColumnType.Int32, false), new ColumnField("A", ColumnType.Int32, false));

        Assert.Equal(0, schema.IndexOf("a"));
        Assert.Equal(1, schema.IndexOf("A"));
    }

    [Fact]
    public void IndexOf_And_Indexer()
    {
        BatchSchema schema = Sample();

        Assert.Equal(2, schema.Count);
        Assert.Equal(1, schema.IndexOf("country"));
        Assert.Equal(-1, schema.IndexOf("missing"));
        Assert.Equal("id", schema[0].Name);
        Assert.Equal(ColumnType.String, schema.Fields[1].Type);
    }

    [Fact]
    public void Equals_SameFields_AreEqualWithEqualHashCodes()
    {
        BatchSchema a = Sample();
        BatchSchema b = new([new ColumnField("id", ColumnType.Int64, false), new ColumnField("country", ColumnType.String, true)]);

        Assert.Equal(a, b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Equals_DifferentNullabilityTypeNameOrOrder_AreNotEqual()
    {
        BatchSchema a = Sample();

        Assert.NotEqual(a, new BatchSchema(new ColumnField("id", ColumnType.Int64, true), new ColumnField("country", ColumnType.String, true)));
        Assert.NotEqual(a, new BatchSchema(new ColumnField("id", ColumnType.Int32, false), new ColumnField("country", ColumnType.String, true)));
        Assert.NotEqual(a, new BatchSchema(new ColumnField("Id", ColumnType.Int64, false), new ColumnField("country", ColumnType.String, true)));
        Assert.NotEqual(a, new BatchSchema(new ColumnField("country", ColumnType.String, true), new ColumnField("id", ColumnType.Int64, false)));
        Assert.NotEqual(a, new BatchSchema(new ColumnField("id", ColumnType.Int64, false)));
        Assert.False(a.Equals(null));
        Assert.False(a.Equals("not a schema"));
    }

    [Fact]
    public void Empty_SchemasAreEqual()
    {
        Assert.Equal(new BatchSchema(), new BatchSchema([]));
    }

    [Fact]
    public void ToString_ListsFieldsWithNullability()
    {
        Assert.Equal("(id: Int64, country: String?)", Sample().ToString());
    }

    private static BatchSchema Sample() =>
        new(new ColumnField("id", ColumnType.Int64, false), new ColumnField("country", ColumnType.String, true));
}
