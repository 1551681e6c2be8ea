using Dsl.Cli.Formatting;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Tests;

/// <summary>Dates, times, timestamps in every unit with their UTC flag, decimals and fixed-length binary: written, read back, printed.</summary>
public class LogicalTypeTests
{
    internal static readonly BatchSchema Schema = new(
        new ColumnField("d", ColumnType.Date, true),
        new ColumnField("t", ColumnType.Time, true) { IsAdjustedToUtc = true },
        new ColumnField("ts", ColumnType.Timestamp, true),
        new ColumnField("tsu", ColumnType.Timestamp, true) { IsAdjustedToUtc = true },
        new ColumnField("tsn", ColumnType.TimestampNanos, true) { IsAdjustedToUtc = true },
        new ColumnField("dec9", ColumnType.Decimal, true) { Precision = 9, Scale = 2 },
        new ColumnField("dec18", ColumnType.Decimal, false) { Precision = 18, Scale = 6 },
        new ColumnField("dec38", ColumnType.Decimal, true) { Precision = 38, Scale = 10 },
        new ColumnField("flba", ColumnType.Binary, true) { FixedLength = 4 });

    /// <summary>
    /// A batch of <paramref name="rows"/> rows; every third row is null in the nullable columns. With
    /// <paramref name="wholeMicros"/>, times and nanosecond timestamps are whole microseconds (DuckDB keeps UTC times
    /// and timestamps in microseconds).
    /// </summary>
    internal static RecordBatch Create(int rows, bool wholeMicros = false)
    {
        long unit = wholeMicros ? 1000 : 1;
        var d = new ColumnBuilder<int>(ColumnType.Date, rows, true);
        var t = new ColumnBuilder<long>(ColumnType.Time, rows, true);
        var ts = new ColumnBuilder<long>(ColumnType.Timestamp, rows, true);
        var tsu = new ColumnBuilder<long>(ColumnType.Timestamp, rows, true);
        var tsn = new ColumnBuilder<long>(ColumnType.TimestampNanos, rows, true);
        var dec9 = new ColumnBuilder<Int128>(ColumnType.Decimal, rows, true);
        var dec18 = new ColumnBuilder<Int128>(ColumnType.Decimal, rows, false);
        var dec38 = new ColumnBuilder<Int128>(ColumnType.Decimal, rows, true);
        Int128 big = Int128.Parse("99999999999999999999999999999999999999", System.Globalization.CultureInfo.InvariantCulture);
        for (int r = 0; r < rows; r++)
        {
            bool valid = r % 3 != 1;
            int sign = r % 2 == 0 ? 1 : -1;
            d.Values[r] = (r * 3677) - 719_000;
            t.Values[r] = ((long)r * 1_234_567_891L) % 86_400_000_000_000L / unit * unit;
            ts.Values[r] = (r * 987_654_321_987L) - 30_000_000_000_000_000L;
            tsu.Values[r] = r * 1_000_001L;
            tsn.Values[r] = ((r * 123_456_789_123_457L) - 9_000_000_000_000_000_000L) / unit * unit;
            dec9.Values[r] = sign * ((r * 7919) % 999_999_999);
            dec18.Values[r] = sign * ((r * 1_000_000_007L) % 999_999_999_999_999_999L);
            dec38.Values[r] = r == 0 ? big : r == 2 ? -big : sign * (Int128)r * 1_000_000_000_000_000_007L * 1_000_003;
            foreach (ValidityBitmap? v in new[] { d.Validity, t.Validity, ts.Validity, tsu.Validity, tsn.Validity, dec9.Validity, dec38.Validity })
            {
                v!.Set(r, valid);
            }
        }
        Column flbaColumn = BinaryOf(rows);
        return new RecordBatch(Schema, [d.Build(rows), t.Build(rows), ts.Build(rows), tsu.Build(rows), tsn.Build(rows), dec9.Build(rows), dec18.Build(rows), dec38.Build(rows), flbaColumn], rows);
    }

    private static StringColumn BinaryOf(int rows)
    {
        var data = new byte[rows * 4];
        var offsets = new int[rows + 1];
        var indices = new int[rows];
        var validity = new ValidityBitmap(rows);
        for (int r = 0; r < rows; r++)
        {
            data[r * 4] = (byte)r;
            data[(r * 4) + 1] = (byte)(r >> 8);
            data[(r * 4) + 2] = (byte)'\\';
            data[(r * 4) + 3] = (byte)'z';
            offsets[r + 1] = (r + 1) * 4;
            indices[r] = r;
            validity.Set(r, r % 3 != 1);
        }
        return new StringColumn(ColumnType.Binary, new Utf8Dictionary(data, offsets), indices, rows, validity);
    }

    internal static byte[] Write(int rows, ParquetWriteOptions? options = null, bool wholeMicros = false)
    {
        using var stream = new MemoryStream();
        using (RecordBatch batch = Create(rows, wholeMicros))
        using (var writer = new ParquetFileWriter(stream, Schema, options, leaveOpen: true))
        {
            writer.WriteBatch(batch);
        }
        return stream.ToArray();
    }

    [Theory]
    [InlineData(CompressionCodec.Uncompressed)]
    [InlineData(CompressionCodec.Snappy)]
    public void LogicalTypes_RoundTrip(CompressionCodec codec)
    {
        const int rows = 700;
        byte[] file = Write(rows, new ParquetWriteOptions { Compression = codec, RowGroupRows = 300 });
        using var reader = new ParquetFileReader(new MemoryStream(file));
        Assert.Equal(Schema, reader.Schema);
        using RecordBatch expected = Create(rows);
        var json = new JsonLinesWriter(TextWriter.Null);
        int row = 0;
        foreach (RecordBatch batch in reader.ReadBatches())
        {
            using (batch)
            {
                for (int r = 0; r < batch.RowCount; r++, row++)
                {
                    for (int c = 0; c < Schema.Count; c++)
                    {
                        object? want = expected[c].GetValue(row);
                        object? got = batch[c].GetValue(r);
                        Assert.True(Equals(want, got) || (want is byte[] a && got is byte[] b && a.AsSpan().SequenceEqual(b)), $"Row {row}, column {Schema[c].Name}: wrote {want}, read {got}.");
                    }
                    Assert.Equal(json.FormatRow(expected, row), json.FormatRow(batch, r));
                }
            }
        }
        Assert.Equal(rows, row);
    }

    [Fact]
    public void LogicalTypes_WriteTheirAnnotations()
    {
        using var reader = new ParquetFileReader(new MemoryStream(Write(10)));
        Dictionary<string, SchemaElement> e = reader.Footer.Schema.Skip(1).ToDictionary(x => x.Name);
        Assert.Equal((PhysicalType.Int32, LogicalTypeKind.Date), (e["d"].Type!.Value, e["d"].LogicalType!.Kind));
        Assert.Equal((TimeUnit.Nanos, true), (e["t"].LogicalType!.Unit, e["t"].LogicalType!.IsAdjustedToUtc));
        Assert.Equal((TimeUnit.Micros, false), (e["ts"].LogicalType!.Unit, e["ts"].LogicalType!.IsAdjustedToUtc));
        Assert.Null(e["ts"].ConvertedType);
        Assert.Equal(ConvertedType.TimestampMicros, e["tsu"].ConvertedType);
        Assert.Equal((TimeUnit.Nanos, true), (e["tsn"].LogicalType!.Unit, e["tsn"].LogicalType!.IsAdjustedToUtc));
        Assert.Equal(PhysicalType.Int32, e["dec9"].Type);
        Assert.Equal(PhysicalType.Int64, e["dec18"].Type);
        Assert.Equal((PhysicalType.FixedLenByteArray, 16), (e["dec38"].Type!.Value, e["dec38"].TypeLength!.Value));
        Assert.Equal((38, 10), (e["dec38"].LogicalType!.Precision, e["dec38"].LogicalType!.Scale));
        Assert.Equal((PhysicalType.FixedLenByteArray, 4), (e["flba"].Type!.Value, e["flba"].TypeLength!.Value));
    }

    [Fact]
    public void Json_PrintsLogicalTypesLikeDuckDb()
    {
        Assert.Equal("1970-01-01", JsonLinesWriter.FormatDate(0));
        Assert.Equal("0001-12-31 (BC)", JsonLinesWriter.FormatDate(-719163));
        Assert.Equal("23:59:59.999999999+00", JsonLinesWriter.FormatTime(86_399_999_999_999L, adjustedToUtc: true));
        Assert.Equal("1677-09-21 00:12:43.145224192", JsonLinesWriter.FormatTimestampNanos(long.MinValue));
        Assert.Equal("-0.05", JsonLinesWriter.FormatDecimal(-5, 2));
        Assert.Equal("12.00", JsonLinesWriter.FormatDecimal(1200, 2));
        Assert.Equal("-170141183460469231731687303715884105728", JsonLinesWriter.FormatDecimal(Int128.MinValue, 0));
    }

    [Fact]
    public void Decimal_TooManyDigits_IsRefusedNotTruncated()
    {
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Decimal, false) { Precision = 3, Scale = 1 });
        using var batch = new RecordBatch(schema, [PrimitiveColumn<Int128>.FromArray(ColumnType.Decimal, [999, 1000])], 2);
        using var writer = new ParquetFileWriter(new MemoryStream(), schema);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => writer.WriteBatch(batch));
        Assert.Contains("more than the 3 digits", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FixedLengthBinary_WrongLength_IsRefused()
    {
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Binary, false) { FixedLength = 2 });
        var builder = new StringColumnBuilder(ColumnType.Binary);
        builder.Append("abc");
        using var batch = new RecordBatch(schema, [builder.Build()], 1);
        using var writer = new ParquetFileWriter(new MemoryStream(), schema);
        Assert.Throws<ArgumentException>(() => writer.WriteBatch(batch));
    }

    [Fact]
    public void BatchWithOtherScale_IsRefused()
    {
        var fileSchema = new BatchSchema(new ColumnField("x", ColumnType.Decimal, false) { Precision = 5, Scale = 2 });
        var batchSchema = new BatchSchema(new ColumnField("x", ColumnType.Decimal, false) { Precision = 5, Scale = 3 });
        using var batch = new RecordBatch(batchSchema, [PrimitiveColumn<Int128>.FromArray(ColumnType.Decimal, [1])], 1);
        using var writer = new ParquetFileWriter(new MemoryStream(), fileSchema);
        Assert.Throws<ArgumentException>(() => writer.WriteBatch(batch));
    }

    [Fact]
    public void ColumnField_ComparesChildrenByValue()
    {
        ColumnField a = new("l", ColumnType.List, true) { Children = [new ColumnField("e", ColumnType.Int32, true)] };
        ColumnField b = new("l", ColumnType.List, true) { Children = [new ColumnField("e", ColumnType.Int32, true)] };
        ColumnField c = new("l", ColumnType.List, true) { Children = [new ColumnField("e", ColumnType.Int64, true)] };
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.Equal("l: List<e: Int32?>?", a.ToString());
    }
}
