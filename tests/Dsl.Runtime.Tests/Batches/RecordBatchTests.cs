namespace Dsl.Runtime.Tests.Batches;

public sealed class RecordBatchTests
{
    private static readonly BatchSchema s_schema = new(
        new ColumnField("id", ColumnType.Int64, false),
        new ColumnField("amount", ColumnType.Double, true),
        new ColumnField("country", ColumnType.String, true));

    [Fact]
    public void New_MatchingColumns_ExposesThem()
    {
        using RecordBatch batch = Sample();

        Assert.Equal(3, batch.RowCount);
        Assert.Same(s_schema, batch.Schema);
        Assert.Equal(3, batch.Columns.Count);
        Assert.Equal(2L, batch.GetPrimitive<long>("id", ColumnType.Int64)[1]);
        Assert.Null(batch["amount"].GetValue(2));
        Assert.Equal("FR", batch.GetString("country").GetString(1));
        Assert.Same(batch[2], batch["country"]);
    }

    [Fact]
    public void New_WrongColumnCount_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RecordBatch(s_schema, [Ids(3)], 3));
        Assert.Contains("3 columns", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1 were given", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_ColumnTypeMismatch_ThrowsNamingColumnAndTypes()
    {
        Column wrong = PrimitiveColumn<float>.FromArray(ColumnType.Float, [1f, 2f, 3f]);

        var ex = Assert.Throws<ArgumentException>(() => new RecordBatch(s_schema, [Ids(3), wrong, Countries()], 3));

        Assert.Contains("'amount'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Double", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Float", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_RowCountMismatch_ThrowsNamingColumn()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RecordBatch(s_schema, [Ids(2), Amounts(), Countries()], 3));

        Assert.Contains("'id'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 rows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_NullsInNonNullableColumn_ThrowsNamingColumn()
    {
        var validity = new ValidityBitmap(3);
        validity.Set(0, false);
        Column ids = PrimitiveColumn<long>.FromArray(ColumnType.Int64, [1, 2, 3], validity);

        var ex = Assert.Throws<ArgumentException>(() => new RecordBatch(s_schema, [ids, Amounts(), Countries()], 3));

        Assert.Contains("'id'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1 null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_NonNullableColumnWithAllValidBitmap_IsAccepted()
    {
        Column ids = PrimitiveColumn<long>.FromArray(ColumnType.Int64, [1, 2, 3], new ValidityBitmap(3));

        using var batch = new RecordBatch(s_schema, [ids, Amounts(), Countries()], 3);

        Assert.Equal(3, batch.RowCount);
    }

    [Fact]
    public void GetPrimitive_WrongType_ThrowsNamingColumn()
    {
        using RecordBatch batch = Sample();

        var ex = Assert.Throws<InvalidOperationException>(() => batch.GetPrimitive<double>("id", ColumnType.Double));
        Assert.Contains("'id'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Double", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Int64", ex.Message, StringComparison.Ordinal);

        // Right logical type, wrong storage type parameter.
        Assert.Throws<InvalidOperationException>(() => batch.GetPrimitive<int>("id", ColumnType.Int64));

        // A string column requested as primitive.
        Assert.Throws<InvalidOperationException>(() => batch.GetPrimitive<long>("country", ColumnType.String));
    }

    [Fact]
    public void GetString_OnPrimitiveColumn_ThrowsNamingColumn()
    {
        using RecordBatch batch = Sample();

        var ex = Assert.Throws<InvalidOperationException>(() => batch.GetString("amount"));
        Assert.Contains("'amount'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => batch.GetString("country", ColumnType.Binary));
    }

    [Fact]
    public void Indexer_MissingColumn_ThrowsListingColumns()
    {
        using RecordBatch batch = Sample();

        var ex = Assert.Throws<KeyNotFoundException>(() => batch["price"]);
        Assert.Contains("'price'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("amount", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_DisposesColumns()
    {
        RecordBatch batch = Sample();
        PrimitiveColumn<long> ids = batch.GetPrimitive<long>("id", ColumnType.Int64);

        batch.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ids.Values.Length);
    }

    [Fact]
    public void New_NoColumns_IsAllowed()
    {
        using var batch = new RecordBatch(new BatchSchema(), [], 10);

        Assert.Equal(10, batch.RowCount);
        Assert.Empty(batch.Columns);
    }

    private static RecordBatch Sample() => new(s_schema, [Ids(3), Amounts(), Countries()], 3);

    private static PrimitiveColumn<long> Ids(int n) =>
        PrimitiveColumn<long>.FromArray(ColumnType.Int64, [.. Enumerable.Range(1, n).Select(i => (long)i)]);

    private static PrimitiveColumn<double> Amounts()
    {
        var builder = new ColumnBuilder<double>(ColumnType.Double, 3, nullable: true);
        builder.Values[0] = 1.5;
        builder.Values[1] = 2.5;
        builder.Validity!.Set(2, false);
        return builder.Build(3);
    }

    private static StringColumn Countries()
    {
        var builder = new StringColumnBuilder();
        builder.Append("US");
        builder.Append("FR");
        builder.Append(null);
        return builder.Build();
    }
}
