using System.Globalization;
using Dsl.Parquet.Metadata;
using Dsl.Testing;

namespace Dsl.Parquet.Tests.Interop;

/// <summary>DuckDB reads the FLOAT and DOUBLE columns we write BYTE_STREAM_SPLIT, bit for bit, and sees the encoding in the footer.</summary>
public sealed class DuckDbByteStreamSplitTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-duckdb-bss");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<CompressionCodec, int> Variants => new()
    {
        { CompressionCodec.Uncompressed, 1 },
        { CompressionCodec.Zstd, 1 },
        { CompressionCodec.Snappy, 2 },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void DuckDb_ReadsByteStreamSplitColumns_BitForBit(CompressionCodec codec, int pageVersion)
    {
        const int rows = 2500;
        string path = _temp.Combine($"bss-{codec}-v{pageVersion}.parquet");
        using (RecordBatch batch = ByteStreamSplitWriterTests.CreateBatch(rows, out _, out _))
        using (var writer = new ParquetFileWriter(path, batch.Schema, new ParquetWriteOptions
        {
            Compression = codec,
            DataPageVersion = pageVersion,
            FloatingPointEncoding = FloatingPointEncoding.ByteStreamSplit,
            DataPageSize = 2000,
            RowGroupRows = 1000,
        }))
        {
            writer.WriteBatch(batch);
        }
        ByteStreamSplitWriterTests.CreateBatch(rows, out double?[] doubles, out float?[] floats).Dispose();

        using var duck = DuckDb.Open();
        string source = $"read_parquet({DuckDb.Literal(path)}, file_row_number = true)";
        // The bit patterns as integers: exact for NaN, -0.0, subnormals and the extremes, whatever the text rendering.
        IReadOnlyList<IReadOnlyList<string?>> theirs = duck.QueryRows(
            $"SELECT CASE WHEN f32 IS NULL THEN NULL WHEN isnan(f32) THEN 'NaN' ELSE f32::DOUBLE::VARCHAR END, " +
            $"CASE WHEN f64 IS NULL THEN NULL WHEN isnan(f64) THEN 'NaN' ELSE f64::VARCHAR END, signbit(f32), signbit(f64), f64_required::VARCHAR " +
            $"FROM {source} ORDER BY file_row_number");
        Assert.Equal(rows, theirs.Count);
        for (int r = 0; r < rows; r++)
        {
            IReadOnlyList<string?> row = theirs[r];
            Assert.True(Same(floats[r], row[0], row[2]), $"Row {r}: f32 is {floats[r]:R}, DuckDB read {row[0]} (sign bit {row[2]}).");
            Assert.True(Same(doubles[r], row[1], row[3]), $"Row {r}: f64 is {doubles[r]:R}, DuckDB read {row[1]} (sign bit {row[3]}).");
        }
        Assert.Equal(rows / 7, duck.QueryScalarInt64($"SELECT count(*) - count(f64) FROM {source}"));
        Assert.Equal(rows, duck.QueryScalarInt64($"SELECT count(f64_required) FROM {source}"));

        // DuckDB's view of the footer: every column chunk lists BYTE_STREAM_SPLIT.
        IReadOnlyList<IReadOnlyList<string?>> chunks = duck.QueryRows(
            $"SELECT path_in_schema, encodings FROM parquet_metadata({DuckDb.Literal(path)}) ORDER BY row_group_id, column_id");
        Assert.Equal(9, chunks.Count);
        Assert.All(chunks, c => Assert.Contains("BYTE_STREAM_SPLIT", c[1], StringComparison.Ordinal));

        // And ours, read back through our reader.
        using var reader = new ParquetFileReader(path);
        Assert.All(reader.Footer.RowGroups.SelectMany(g => g.Columns), c => Assert.Contains(ParquetEncoding.ByteStreamSplit, c.MetaData!.Encodings));
    }

    private static bool Same(double? ours, string? theirs, string? signBit)
    {
        if (ours is not double value)
        {
            return theirs is null;
        }
        if (theirs is null)
        {
            return false;
        }
        if (double.IsNaN(value))
        {
            return theirs == "NaN";
        }
        double parsed = theirs switch
        {
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            _ => double.Parse(theirs, CultureInfo.InvariantCulture),
        };
        return BitConverter.DoubleToInt64Bits(parsed) == BitConverter.DoubleToInt64Bits(value) && (signBit == "true") == double.IsNegative(value);
    }

    private static bool Same(float? ours, string? theirs, string? signBit) => Same(ours is float f ? (double?)f : null, theirs, signBit);
}
