namespace Dsl.Runtime.Tests.Columns;

public sealed class PrimitiveColumnTests
{
    [Fact]
    public void FromArray_WrapsValues_WithoutNulls()
    {
        double[] values = [1.5, -2, double.NaN];

        using PrimitiveColumn<double> column = PrimitiveColumn<double>.FromArray(ColumnType.Double, values);

        Assert.Equal(ColumnType.Double, column.Type);
        Assert.Equal(3, column.Length);
        Assert.Null(column.Validity);
        Assert.Equal(0, column.NullCount);
        Assert.Equal(-2.0, column[1]);
        Assert.Equal(1.5, column.GetValue(0));
        Assert.True(double.IsNaN((double)column.GetValue(2)!));
    }

    [Fact]
    public void FromArray_WithValidity_ReportsNulls()
    {
        var validity = new ValidityBitmap(3);
        validity.Set(1, false);

        using PrimitiveColumn<int> column = PrimitiveColumn<int>.FromArray(ColumnType.Int32, [7, 8, 9], validity);

        Assert.True(column.IsNull(1));
        Assert.False(column.IsNull(0));
        Assert.Equal(1, column.NullCount);
        Assert.Null(column.GetValue(1));
        Assert.Equal(9, column.GetValue(2));
    }

    [Fact]
    public void GetValue_Timestamp_ReturnsDateTime()
    {
        var moment = new DateTime(2024, 2, 29, 13, 45, 30, 123, DateTimeKind.Unspecified).AddTicks(4560);
        long[] micros = [Timestamps.ToMicros(moment), Timestamps.ToMicros(new DateTime(1960, 1, 1))];

        using PrimitiveColumn<long> column = PrimitiveColumn<long>.FromArray(ColumnType.Timestamp, micros);

        Assert.Equal(moment, column.GetValue(0));
        Assert.Equal(new DateTime(1960, 1, 1), column.GetValue(1));
        Assert.IsType<DateTime>(column.GetValue(0));
    }

    [Fact]
    public void GetValue_Int64_ReturnsLongNotDateTime()
    {
        using PrimitiveColumn<long> column = PrimitiveColumn<long>.FromArray(ColumnType.Int64, [5]);

        Assert.Equal(5L, column.GetValue(0));
    }

    [Fact]
    public void GetValue_Boolean()
    {
        using PrimitiveColumn<bool> column = PrimitiveColumn<bool>.FromArray(ColumnType.Boolean, [true, false]);

        Assert.Equal(true, column.GetValue(0));
        Assert.Equal(false, column.GetValue(1));
    }

    [Theory]
    [InlineData(ColumnType.Int32)]
    [InlineData(ColumnType.Double)]
    [InlineData(ColumnType.String)]
    [InlineData(ColumnType.Binary)]
    public void FromArray_TypeDoesNotMatchStorage_Throws(ColumnType type)
    {
        var ex = Assert.Throws<ArgumentException>(() => PrimitiveColumn<long>.FromArray(type, [1L]));
        Assert.Contains(type.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromArray_ValidityLengthMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => PrimitiveColumn<int>.FromArray(ColumnType.Int32, [1, 2, 3], new ValidityBitmap(2)));
        Assert.Contains("2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_ThenRead_ThrowsClearError()
    {
        PrimitiveColumn<int> column = PrimitiveColumn<int>.FromArray(ColumnType.Int32, [1, 2]);
        column.Dispose();

        var ex = Assert.Throws<ObjectDisposedException>(() => column.Values.Length);
        Assert.Contains("disposed", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => column[0]);
        Assert.Throws<ObjectDisposedException>(() => column.GetValue(0));

        // Disposing twice is harmless.
        column.Dispose();
    }

    [Fact]
    public void Dispose_PooledColumn_ThenRead_Throws()
    {
        var builder = new ColumnBuilder<double>(ColumnType.Double, 8, nullable: false);
        PrimitiveColumn<double> column = builder.Build(8);
        column.Dispose();

        Assert.Throws<ObjectDisposedException>(() => column.Values.Length);
    }
}
