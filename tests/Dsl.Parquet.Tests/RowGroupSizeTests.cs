namespace Dsl.Parquet.Tests;

/// <summary>Row groups end at RowGroupRows rows or RowGroupBytes buffered bytes, whichever comes first.</summary>
public sealed class RowGroupSizeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dsl-rg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RowGroupBytes_CutsRowGroupsBeforeRowGroupRows()
    {
        var schema = new BatchSchema(new ColumnField("a", ColumnType.Int64, false), new ColumnField("b", ColumnType.Double, false));
        string path = Path.Combine(_dir, "a.parquet");
        // 16 bytes a row buffered: 1 MiB holds 65,536 rows.
        using (var writer = new ParquetFileWriter(path, schema, new ParquetWriteOptions { RowGroupRows = 1 << 20, RowGroupBytes = 1 << 20 }))
        {
            for (int b = 0; b < 10; b++)
            {
                long[] a = Enumerable.Range(b * 30_000, 30_000).Select(i => (long)i).ToArray();
                double[] d = a.Select(x => x * 0.5).ToArray();
                writer.WriteBatch(new RecordBatch(schema, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, a), PrimitiveColumn<double>.FromArray(ColumnType.Double, d)], a.Length));
            }
        }

        using var reader = new ParquetFileReader(path);
        Assert.Equal([65_536L, 65_536L, 65_536L, 65_536L, 37_856L], reader.Metadata.RowGroups.Select(g => g.NumRows));
        Assert.Equal(300_000, reader.RowCount);
        Assert.Equal(Enumerable.Range(0, 300_000).Select(i => (long)i), reader.ReadBatches(["a"]).SelectMany(batch => { using (batch) { return batch.GetPrimitive<long>("a", ColumnType.Int64).Values.ToArray(); } }));
    }
}
