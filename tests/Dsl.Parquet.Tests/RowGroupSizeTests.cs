using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Tests;

/// <summary>Row groups end at RowGroupRows rows or once the writer holds RowGroupBytes, whichever comes first.</summary>
public sealed class RowGroupSizeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dsl-rg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RowGroupBytes_CutsRowGroupsBeforeRowGroupRows()
    {
        var schema = new BatchSchema(new ColumnField("a", ColumnType.Int64, false), new ColumnField("b", ColumnType.Double, false));
        string path = Path.Combine(_dir, "a.parquet");
        // Uncompressed random values: what the writer holds is what it writes, 16 bytes a row, so 1 MiB is about
        // 65,536 rows, and a row group may overshoot by one piece of 8,192 rows.
        var random = new Random(5);
        long[] all = Enumerable.Range(0, 300_000).Select(_ => random.NextInt64()).ToArray();
        var options = new ParquetWriteOptions { RowGroupRows = 1 << 20, RowGroupBytes = 1 << 20, Compression = CompressionCodec.Uncompressed, IntegerEncoding = IntegerEncoding.Plain };
        using (var writer = new ParquetFileWriter(path, schema, options))
        {
            for (int b = 0; b < 10; b++)
            {
                long[] a = all.AsSpan(b * 30_000, 30_000).ToArray();
                double[] d = a.Select(x => x * 0.5).ToArray();
                writer.WriteBatch(new RecordBatch(schema, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, a), PrimitiveColumn<double>.FromArray(ColumnType.Double, d)], a.Length));
            }
        }

        using var reader = new ParquetFileReader(path);
        List<RowGroup> groups = reader.Footer.RowGroups;
        Assert.True(groups.Count is >= 4 and <= 5, $"{groups.Count} row groups: {string.Join(", ", groups.Select(g => g.NumRows))}");
        foreach (RowGroup group in groups.SkipLast(1))
        {
            Assert.InRange(group.NumRows, 65_536 - 1_000, 65_536 + 8_192);
            Assert.InRange(group.TotalCompressedSize ?? 0, 1 << 20, (1 << 20) + (8_192 * 16) + (64 << 10));
        }
        Assert.Equal(300_000, reader.RowCount);
        Assert.Equal(all, reader.ReadBatches(["a"]).SelectMany(batch => { using (batch) { return batch.GetPrimitive<long>("a", ColumnType.Int64).Values.ToArray(); } }));
    }

    [Fact]
    public void RowGroupBytes_CountsCompressedPages_SoCompressibleRowsMakeLargerRowGroups()
    {
        var schema = new BatchSchema(new ColumnField("a", ColumnType.Int64, false));
        string path = Path.Combine(_dir, "b.parquet");
        // A constant column compresses to almost nothing: 1 MiB of held bytes is far more than 65,536 rows.
        using (var writer = new ParquetFileWriter(path, schema, new ParquetWriteOptions { RowGroupRows = 1 << 20, RowGroupBytes = 1 << 20, Compression = CompressionCodec.Snappy }))
        {
            for (int b = 0; b < 10; b++)
            {
                writer.WriteBatch(new RecordBatch(schema, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, new long[30_000])], 30_000));
            }
        }

        using var reader = new ParquetFileReader(path);
        Assert.Equal([300_000L], reader.Metadata.RowGroups.Select(g => g.NumRows));
    }
}
