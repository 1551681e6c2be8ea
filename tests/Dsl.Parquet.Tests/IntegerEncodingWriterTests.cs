using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Tests;

/// <summary>How <see cref="IntegerEncoding.Auto"/> chooses between DELTA_BINARY_PACKED and PLAIN page by page.</summary>
public sealed class IntegerEncodingWriterTests
{
    [Fact]
    public void Auto_AfterAPageWhereDeltaIsNoSmaller_WritesTheChunkPlain_AndTriesAgainInTheNextRowGroup()
    {
        // Row group 0: a page of random ids (delta no smaller than PLAIN), then two pages of sequential ids that would
        // delta-encode well. Row group 1: sequential ids from its first page.
        const int pageRows = 1000;
        var random = new Random(4);
        long[] values = new long[5 * pageRows];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i < pageRows ? random.NextInt64() : 1_000_000 + i;
        }
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false));
        var builder = new ColumnBuilder<long>(ColumnType.Int64, values.Length, nullable: false);
        values.CopyTo(builder.Values);
        using var batch = new RecordBatch(schema, [builder.Build(values.Length)], values.Length);
        var options = new ParquetWriteOptions { DataPageRows = pageRows, RowGroupRows = 3 * pageRows, Compression = CompressionCodec.Uncompressed };
        using var stream = new MemoryStream();
        using (var writer = new ParquetFileWriter(stream, schema, options, leaveOpen: true))
        {
            writer.WriteBatch(batch);
        }

        stream.Position = 0;
        using var reader = new ParquetFileReader(stream);
        Assert.Equal(2, reader.Footer.RowGroups.Count);
        Assert.DoesNotContain(ParquetEncoding.DeltaBinaryPacked, reader.Footer.RowGroups[0].Columns[0].MetaData!.Encodings);
        Assert.Contains(ParquetEncoding.DeltaBinaryPacked, reader.Footer.RowGroups[1].Columns[0].MetaData!.Encodings);
        var read = new List<long>();
        for (int g = 0; g < 2; g++)
        {
            using RecordBatch group = reader.ReadRowGroup(g);
            read.AddRange(((PrimitiveColumn<long>)group.Columns[0]).Values.ToArray());
        }
        Assert.Equal(values, read);
    }
}
