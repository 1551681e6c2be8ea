using System.Globalization;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;
using Dsl.Testing;

namespace Dsl.Parquet.Tests.Interop;

/// <summary>
/// Our reader and writer against a real, independent implementation: DuckDB reads what we write and we read what
/// DuckDB writes, value by value.
/// </summary>
public sealed class DuckDbInteropTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-duckdb-interop");

    public void Dispose() => _temp.Dispose();

    /// <summary>Every codec, both data page versions, checksums, and each integer encoding (forced delta puts full 64-bit deltas through DuckDB).</summary>
    public static TheoryData<CompressionCodec, int, bool, IntegerEncoding> WriteVariants => new()
    {
        { CompressionCodec.Uncompressed, 1, false, IntegerEncoding.Plain },
        { CompressionCodec.Snappy, 1, false, IntegerEncoding.Auto },
        { CompressionCodec.Gzip, 1, false, IntegerEncoding.Auto },
        { CompressionCodec.Zstd, 1, false, IntegerEncoding.Auto },
        { CompressionCodec.Lz4Raw, 1, false, IntegerEncoding.Auto },
        { CompressionCodec.Brotli, 1, false, IntegerEncoding.Auto },
        { CompressionCodec.Snappy, 2, false, IntegerEncoding.Auto },
        { CompressionCodec.Zstd, 2, true, IntegerEncoding.DeltaBinaryPacked },
        { CompressionCodec.Uncompressed, 2, true, IntegerEncoding.DeltaBinaryPacked },
        { CompressionCodec.Snappy, 1, true, IntegerEncoding.DeltaBinaryPacked },
    };

    [Theory]
    [MemberData(nameof(WriteVariants))]
    public void DuckDb_ReadsEveryTypeWeWrite_ValueForValue(CompressionCodec codec, int pageVersion, bool checksums, IntegerEncoding integers)
    {
        const int rows = 5_000;
        var schema = new BatchSchema(
            new ColumnField("i32", ColumnType.Int32, true),
            new ColumnField("i64", ColumnType.Int64, false),
            new ColumnField("f32", ColumnType.Float, true),
            new ColumnField("f64", ColumnType.Double, true),
            new ColumnField("flag", ColumnType.Boolean, true),
            new ColumnField("name", ColumnType.String, true),
            new ColumnField("ts", ColumnType.Timestamp, true));
        string path = _temp.Combine($"ours-{codec}-v{pageVersion}-{checksums}-{integers}.parquet");
        var random = new Random(7);
        var i32 = new ColumnBuilder<int>(ColumnType.Int32, rows, nullable: true);
        var i64 = new ColumnBuilder<long>(ColumnType.Int64, rows, nullable: false);
        var f32 = new ColumnBuilder<float>(ColumnType.Float, rows, nullable: true);
        var f64 = new ColumnBuilder<double>(ColumnType.Double, rows, nullable: true);
        var flag = new ColumnBuilder<bool>(ColumnType.Boolean, rows, nullable: true);
        var name = new StringColumnBuilder(ColumnType.String, rows);
        var ts = new ColumnBuilder<long>(ColumnType.Timestamp, rows, nullable: true);
        for (int r = 0; r < rows; r++)
        {
            bool isNull = r % 7 == 3;
            i32.Values[r] = random.Next(int.MinValue, int.MaxValue);
            i32.Validity!.Set(r, !isNull);
            i64.Values[r] = random.NextInt64(long.MinValue, long.MaxValue);
            f32.Values[r] = (float)(random.NextDouble() * 1e6 - 5e5);
            f32.Validity!.Set(r, !isNull);
            f64.Values[r] = random.NextDouble() * 1e12 - 5e11;
            f64.Validity!.Set(r, !isNull);
            flag.Values[r] = random.Next(2) == 1;
            flag.Validity!.Set(r, !isNull);
            name.Append(isNull ? null : $"name-{random.Next(300)}-é");
            ts.Values[r] = random.NextInt64(-2_000_000_000_000_000, 4_000_000_000_000_000);
            ts.Validity!.Set(r, !isNull);
        }
        using (var batch = new RecordBatch(schema, [i32.Build(rows), i64.Build(rows), f32.Build(rows), f64.Build(rows), flag.Build(rows), name.Build(), ts.Build(rows)], rows))
        using (var writer = new ParquetFileWriter(path, schema, new ParquetWriteOptions { Compression = codec, RowGroupRows = 2_000, DataPageVersion = pageVersion, WritePageChecksums = checksums, IntegerEncoding = integers, DataPageSize = 4096 }))
        {
            writer.WriteBatch(batch);
        }

        using var duck = DuckDb.Open();
        // DuckDB renders each value as text; ours goes through the same rendering rules to compare exactly.
        IReadOnlyList<IReadOnlyList<string?>> theirs = duck.QueryRows(
            $"SELECT i32, i64, f32::DOUBLE, f64, flag, name, strftime(ts, '%Y-%m-%d %H:%M:%S.%f') FROM read_parquet({DuckDb.Literal(path)})");
        Assert.Equal(rows, theirs.Count);
        using var reader = new ParquetFileReader(path);
        int row = 0;
        for (int rg = 0; rg < reader.RowGroupCount; rg++)
        {
            using RecordBatch batch = reader.ReadRowGroup(rg, null);
            for (int r = 0; r < batch.RowCount; r++, row++)
            {
                IReadOnlyList<string?> expected = theirs[row];
                Assert.Equal(expected[0], Text(batch[0].GetValue(r)));
                Assert.Equal(expected[1], Text(batch[1].GetValue(r)));
                Assert.Equal(expected[2] is null ? null : double.Parse(expected[2]!, CultureInfo.InvariantCulture), batch[2].GetValue(r) is float f ? (double?)f : null);
                Assert.Equal(expected[3] is null ? null : double.Parse(expected[3]!, CultureInfo.InvariantCulture), (double?)batch[3].GetValue(r));
                Assert.Equal(expected[4], batch[4].GetValue(r) is bool b ? (b ? "true" : "false") : null);
                Assert.Equal(expected[5], (string?)batch[5].GetValue(r));
                Assert.Equal(expected[6], batch[6].GetValue(r) is DateTime d ? d.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) : null);
            }
        }
        Assert.Equal(rows, row);
    }

    /// <summary>DuckDB's own writer with each codec, and its version 2 format (DELTA encodings, BYTE_STREAM_SPLIT, data page v2).</summary>
    public static TheoryData<string> DuckDbWriteOptions =>
    [
        "COMPRESSION snappy",
        "COMPRESSION zstd",
        "COMPRESSION lz4_raw",
        "COMPRESSION brotli",
        "COMPRESSION gzip",
        "COMPRESSION zstd, PARQUET_VERSION V2",
        "COMPRESSION uncompressed, PARQUET_VERSION V2",
    ];

    [Theory]
    [MemberData(nameof(DuckDbWriteOptions))]
    public void Reader_ReadsWhatDuckDbWrites_ValueForValue(string options)
    {
        string path = _temp.Combine("theirs-" + options.Replace(' ', '_').Replace(',', '_') + ".parquet");
        using var duck = DuckDb.Open();
        const string select = """
            SELECT i::INTEGER AS i32,
                   (i * 1000003)::BIGINT AS i64,
                   CASE WHEN i % 5 = 0 THEN NULL ELSE i::DOUBLE / 7.0 END AS f64,
                   (i::DOUBLE / 3.0)::FLOAT AS f32,
                   i % 2 = 0 AS flag,
                   CASE WHEN i % 11 = 0 THEN NULL ELSE 'v' || (i % 97)::VARCHAR END AS name,
                   TIMESTAMP '2020-01-01 00:00:00' + to_microseconds(i * 1234567) AS ts
            FROM range(30000) t(i)
            """;
        duck.CopyToParquet(select, path, "ROW_GROUP_SIZE 8192, " + options);

        using var reader = new ParquetFileReader(path);
        long rows = 0;
        long sumI64 = 0;
        double sumF64 = 0;
        int nullNames = 0;
        for (int rg = 0; rg < reader.RowGroupCount; rg++)
        {
            using RecordBatch batch = reader.ReadRowGroup(rg, null);
            for (int r = 0; r < batch.RowCount; r++, rows++)
            {
                long i = rows;
                Assert.Equal((int)i, batch["i32"].GetValue(r));
                Assert.Equal(i * 1000003, batch["i64"].GetValue(r));
                Assert.Equal(i % 5 == 0 ? null : i / 7.0, (double?)batch["f64"].GetValue(r));
                Assert.Equal((float)(i / 3.0), batch["f32"].GetValue(r));
                Assert.Equal(i % 2 == 0, batch["flag"].GetValue(r));
                Assert.Equal(i % 11 == 0 ? null : "v" + (i % 97).ToString(CultureInfo.InvariantCulture), batch["name"].GetValue(r));
                Assert.Equal(new DateTime(2020, 1, 1).AddTicks(i * 1234567 * 10), batch["ts"].GetValue(r));
                sumI64 += i * 1000003;
                sumF64 += i % 5 == 0 ? 0 : i / 7.0;
                nullNames += i % 11 == 0 ? 1 : 0;
            }
        }
        Assert.Equal(30_000, rows);
        Assert.Equal(sumI64, duck.QueryScalarInt64($"SELECT sum(i64) FROM read_parquet({DuckDb.Literal(path)})"));
        Assert.Equal(nullNames, duck.QueryScalarInt64($"SELECT count(*) - count(name) FROM read_parquet({DuckDb.Literal(path)})"));
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
