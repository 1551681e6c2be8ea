using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Cli.Tests;

/// <summary>
/// A small file written by our writer with the logical types the corpus lacks (UTC and local timestamps, DATE,
/// DECIMAL in INT32 and FIXED_LEN_BYTE_ARRAY, JSON, a list), two row groups, ZSTD and BYTE_STREAM_SPLIT doubles.
/// </summary>
internal static class SampleFile
{
    public const int Rows = 5;

    public static readonly BatchSchema Schema = new(
        new ColumnField("id", ColumnType.Int64, false),
        new ColumnField("ts", ColumnType.Timestamp, true) { IsAdjustedToUtc = true },
        new ColumnField("local_ns", ColumnType.TimestampNanos, true),
        new ColumnField("day", ColumnType.Date, true),
        new ColumnField("price", ColumnType.Decimal, true) { Precision = 9, Scale = 2 },
        new ColumnField("big", ColumnType.Decimal, false) { Precision = 30, Scale = 4 },
        new ColumnField("name", ColumnType.String, true),
        new ColumnField("doc", ColumnType.String, true) { IsJson = true },
        new ColumnField("x", ColumnType.Double, true),
        new ColumnField("tags", ColumnType.List, true) { Children = [new ColumnField("element", ColumnType.String, true)] });

    /// <summary>The rows as <c>dsl parquet cat</c> must print them.</summary>
    public static readonly string[] ExpectedRows =
    [
        "{\"id\":1,\"ts\":\"2020-01-01 00:00:00+00\",\"local_ns\":\"2021-06-30 12:34:56.123456789\",\"day\":\"2020-01-01\",\"price\":12.34,\"big\":12345678901234567890.1234,\"name\":\"alpha\",\"doc\":{\"k\":[1,2]},\"x\":1.5,\"tags\":[\"a\",\"b\"]}",
        "{\"id\":2,\"ts\":null,\"local_ns\":null,\"day\":null,\"price\":null,\"big\":-0.0001,\"name\":null,\"doc\":null,\"x\":null,\"tags\":null}",
        "{\"id\":3,\"ts\":\"2024-02-29 23:59:59.5+00\",\"local_ns\":\"1969-12-31 23:59:59.999999999\",\"day\":\"1999-12-31\",\"price\":-0.05,\"big\":0.0000,\"name\":\"gamma \\\"q\\\"\",\"doc\":\"not json\",\"x\":-0.0,\"tags\":[]}",
        "{\"id\":4,\"ts\":\"1970-01-01 00:00:00+00\",\"local_ns\":\"2000-01-01 00:00:00\",\"day\":\"1970-01-01\",\"price\":9999999.99,\"big\":1.0000,\"name\":\"delta\",\"doc\":[true,null],\"x\":NaN,\"tags\":[null,\"z\"]}",
        "{\"id\":5,\"ts\":\"2030-05-05 05:05:05+00\",\"local_ns\":\"2030-05-05 05:05:05\",\"day\":\"2030-05-05\",\"price\":0.0,\"big\":-99.9900,\"name\":\"epsilon\",\"doc\":\"s\",\"x\":-2.25,\"tags\":[\"e\"]}",
    ];

    public static void Write(string path)
    {
        var id = new ColumnBuilder<long>(ColumnType.Int64, Rows, nullable: false);
        var ts = new ColumnBuilder<long>(ColumnType.Timestamp, Rows, nullable: true);
        var localNs = new ColumnBuilder<long>(ColumnType.TimestampNanos, Rows, nullable: true);
        var day = new ColumnBuilder<int>(ColumnType.Date, Rows, nullable: true);
        var price = new ColumnBuilder<Int128>(ColumnType.Decimal, Rows, nullable: true);
        var big = new ColumnBuilder<Int128>(ColumnType.Decimal, Rows, nullable: false);
        var name = new StringColumnBuilder();
        var doc = new StringColumnBuilder();
        var x = new ColumnBuilder<double>(ColumnType.Double, Rows, nullable: true);
        var tagValues = new StringColumnBuilder();

        long[] tsValues = [1_577_836_800_000_000L, 0, 1_709_251_199_500_000L, 0, 1_904_187_905_000_000L];
        long[] nsValues = [1_625_056_496_123_456_789L, 0, -1L, 946_684_800_000_000_000L, 1_904_187_905_000_000_000L];
        int[] days = [18262, 0, 10956, 0, 22039];
        Int128[] prices = [1234, 0, -5, 999_999_999, 0];
        Int128[] bigs = [Int128.Parse("123456789012345678901234", System.Globalization.CultureInfo.InvariantCulture), -1, 0, 10_000, -999_900];
        string?[] names = ["alpha", null, "gamma \"q\"", "delta", "epsilon"];
        string?[] docs = ["{\"k\": [1, 2]}", null, "not json", "[true, null]", "\"s\""];
        double[] xs = [1.5, 0, -0.0, double.NaN, -2.25];
        for (int r = 0; r < Rows; r++)
        {
            bool valid = r != 1;
            id.Values[r] = r + 1;
            ts.Values[r] = tsValues[r];
            ts.Validity!.Set(r, valid);
            localNs.Values[r] = nsValues[r];
            localNs.Validity!.Set(r, valid);
            day.Values[r] = days[r];
            day.Validity!.Set(r, valid);
            price.Values[r] = prices[r];
            price.Validity!.Set(r, valid);
            big.Values[r] = bigs[r];
            name.Append(names[r]);
            doc.Append(docs[r]);
            x.Values[r] = xs[r];
            x.Validity!.Set(r, valid);
        }
        foreach (string? tag in new[] { "a", "b", null, "z", "e" })
        {
            tagValues.Append(tag);
        }
        var tagsValidity = new ValidityBitmap(Rows);
        tagsValidity.Set(1, false);
        var tags = new ListColumn(ColumnType.List, [0, 2, 2, 2, 4, 5], Rows, tagValues.Build(), tagsValidity);
        using var batch = new RecordBatch(
            Schema,
            [id.Build(Rows), ts.Build(Rows), localNs.Build(Rows), day.Build(Rows), price.Build(Rows), big.Build(Rows), name.Build(), doc.Build(), x.Build(Rows), tags],
            Rows);
        var options = new ParquetWriteOptions
        {
            Compression = CompressionCodec.Zstd,
            RowGroupRows = 3,
            FloatingPointEncoding = FloatingPointEncoding.ByteStreamSplit,
            IntegerEncoding = IntegerEncoding.DeltaBinaryPacked,
        };
        options.KeyValueMetadata["origin"] = "dsl cli tests";
        using var writer = new ParquetFileWriter(path, Schema, options);
        writer.WriteBatch(batch);
    }
}
