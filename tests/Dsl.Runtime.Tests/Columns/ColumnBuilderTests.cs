namespace Dsl.Runtime.Tests.Columns;

public sealed class ColumnBuilderTests
{
    [Fact]
    public void Build_NullableWithoutNulls_DropsBitmap()
    {
        var builder = new ColumnBuilder<long>(ColumnType.Int64, 4, nullable: true);
        builder.Values[0] = 10;
        builder.Values[1] = 20;
        builder.Values[2] = 30;

        using PrimitiveColumn<long> column = builder.Build(3);

        Assert.Null(column.Validity);
        Assert.Equal(0, column.NullCount);
        Assert.Equal(3, column.Length);
        Assert.Equal([10L, 20L, 30L], column.Values.ToArray());
    }

    [Fact]
    public void Build_WithNulls_KeepsBitmapOfBuiltLength()
    {
        var builder = new ColumnBuilder<double>(ColumnType.Double, 100, nullable: true);
        for (int i = 0; i < 70; i++)
        {
            builder.Values[i] = i * 1.5;
        }
        builder.Validity!.Set(3, false);
        builder.Validity.Set(65, false);

        using PrimitiveColumn<double> column = builder.Build(70);

        Assert.NotNull(column.Validity);
        Assert.Equal(70, column.Validity.Length);
        Assert.Equal(2, column.NullCount);
        Assert.True(column.IsNull(3));
        Assert.True(column.IsNull(65));
        Assert.Null(column.GetValue(65));
        Assert.Equal(66 * 1.5, column.GetValue(66));
    }

    [Fact]
    public void Build_NullsOnlyPastLength_DropsBitmap()
    {
        var builder = new ColumnBuilder<int>(ColumnType.Int32, 10, nullable: true);
        builder.Validity!.Set(8, false);

        using PrimitiveColumn<int> column = builder.Build(5);

        Assert.Null(column.Validity);
    }

    [Fact]
    public void Build_NotNullable_HasNoBitmap()
    {
        var builder = new ColumnBuilder<bool>(ColumnType.Boolean, 2, nullable: false);
        Assert.Null(builder.Validity);
        // Values come from the shared pool unzeroed (a builder's writer sets every slot), so both are written.
        builder.Values[0] = false;
        builder.Values[1] = true;

        using PrimitiveColumn<bool> column = builder.Build(2);

        Assert.Null(column.Validity);
        Assert.Equal([false, true], column.Values.ToArray());
    }

    [Fact]
    public void Build_ZeroCapacity_GivesEmptyColumn()
    {
        var builder = new ColumnBuilder<float>(ColumnType.Float, 0, nullable: true);

        using PrimitiveColumn<float> column = builder.Build(0);

        Assert.Equal(0, column.Length);
        Assert.True(column.Values.IsEmpty);
    }

    [Fact]
    public void Build_Twice_ThrowsClearError()
    {
        var builder = new ColumnBuilder<long>(ColumnType.Int64, 1, nullable: false);
        using PrimitiveColumn<long> column = builder.Build(1);

        var ex = Assert.Throws<InvalidOperationException>(() => builder.Build(1));
        Assert.Contains("already built", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => builder.Values.Length);
    }

    [Fact]
    public void Build_LongerThanCapacity_Throws()
    {
        var builder = new ColumnBuilder<long>(ColumnType.Int64, 3, nullable: false);

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Build(4));
    }

    [Fact]
    public void Build_NegativeLength_Throws()
    {
        var builder = new ColumnBuilder<long>(ColumnType.Int64, 3, nullable: true);

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Build(-1));
    }

    [Fact]
    public void Build_Timestamp_StoresLongs()
    {
        var builder = new ColumnBuilder<long>(ColumnType.Timestamp, 1, nullable: false);
        builder.Values[0] = 1_000_000;

        using PrimitiveColumn<long> column = builder.Build(1);

        Assert.Equal(ColumnType.Timestamp, column.Type);
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(1), column.GetValue(0));
    }

    [Theory]
    [InlineData(ColumnType.Int64)]
    [InlineData(ColumnType.Double)]
    [InlineData(ColumnType.Timestamp)]
    public void New_StorageTypeMismatch_ThrowsNamingBothTypes(ColumnType type)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ColumnBuilder<int>(type, 4, nullable: false));
        Assert.Contains(type.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("Int32", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ColumnType.String)]
    [InlineData(ColumnType.Binary)]
    public void New_ByteArrayType_Throws(ColumnType type)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ColumnBuilder<long>(type, 4, nullable: false));
        Assert.Contains(type.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_NegativeCapacity_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ColumnBuilder<long>(ColumnType.Int64, -1, nullable: false));
    }
}
