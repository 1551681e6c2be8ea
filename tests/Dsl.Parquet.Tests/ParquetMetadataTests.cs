using System.Buffers.Binary;
using System.Text;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Tests;

/// <summary>
/// <see cref="ParquetFileReader.Metadata"/>, the public read-only view of the footer, says what the footer says: the
/// writer, leaf columns with their types and levels, row groups, column chunks (codec, encodings, sizes,
/// statistics) and key-value metadata.
/// </summary>
public sealed class ParquetMetadataTests
{
    private static byte[] WriteSample()
    {
        var element = new ColumnField("element", ColumnType.Double, true);
        var schema = new BatchSchema(
            new ColumnField("id", ColumnType.Int64, false),
            new ColumnField("name", ColumnType.String, true),
            new ColumnField("xs", ColumnType.List, true) { Children = [element] });
        var options = new ParquetWriteOptions { Compression = CompressionCodec.Gzip };
        options.KeyValueMetadata["origin"] = "metadata tests";
        var stream = new MemoryStream();
        using (var writer = new ParquetFileWriter(stream, schema, options, leaveOpen: true))
        {
            writer.WriteBatch(Batch(schema, [5, -3, 9], ["a", null, "c"]));
            writer.FlushRowGroup();
            writer.WriteBatch(Batch(schema, [100, 7], [null, null]));
        }
        return stream.ToArray();
    }

    private static RecordBatch Batch(BatchSchema schema, long[] ids, string?[] names)
    {
        var strings = new StringColumnBuilder();
        foreach (string? name in names)
        {
            strings.Append(name);
        }
        // Each row holds one list: [id + 0.5].
        var elements = new ColumnBuilder<double>(ColumnType.Double, ids.Length, nullable: true);
        int[] offsets = new int[ids.Length + 1];
        for (int i = 0; i < ids.Length; i++)
        {
            elements.Values[i] = ids[i] + 0.5;
            offsets[i + 1] = i + 1;
        }
        var list = new ListColumn(ColumnType.List, offsets, ids.Length, elements.Build(ids.Length), null);
        return new RecordBatch(schema, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, ids), strings.Build(), list], ids.Length);
    }

    [Fact]
    public void Metadata_DescribesTheWriterRowsAndKeyValues()
    {
        using var reader = new ParquetFileReader(new MemoryStream(WriteSample()));
        ParquetMetadata meta = reader.Metadata;
        Assert.Equal(ParquetFileWriter.CreatedBy, meta.CreatedBy);
        Assert.Equal(5, meta.NumRows);
        Assert.Equal([3L, 2L], meta.RowGroups.Select(g => g.NumRows));
        Assert.Contains(new KeyValuePair<string, string?>("origin", "metadata tests"), meta.KeyValueMetadata);
        Assert.Same(meta, reader.Metadata);
    }

    [Fact]
    public void LeafColumns_GivePathsTypesAndLevels_InChunkOrder()
    {
        using var reader = new ParquetFileReader(new MemoryStream(WriteSample()));
        ParquetLeafColumn[] leaves = [.. reader.Metadata.LeafColumns];
        Assert.Equal(["id", "name", "xs.list.element"], leaves.Select(l => l.Path));
        Assert.Equal([PhysicalType.Int64, PhysicalType.ByteArray, PhysicalType.Double], leaves.Select(l => l.PhysicalType));
        Assert.Equal(["INT64", "BYTE_ARRAY", "DOUBLE"], leaves.Select(l => l.PhysicalTypeName));
        Assert.Equal(["", "STRING", ""], leaves.Select(l => l.LogicalTypeName));
        Assert.Equal(["REQUIRED", "OPTIONAL", "OPTIONAL"], leaves.Select(l => l.RepetitionName));
        // xs (optional) > list (repeated) > element (optional): three definition levels, one repetition level.
        Assert.Equal([0, 1, 3], leaves.Select(l => l.MaxDefinitionLevel));
        Assert.Equal([0, 0, 1], leaves.Select(l => l.MaxRepetitionLevel));
        Assert.Equal("element", leaves[2].Name);
        Assert.All(leaves, l => Assert.Null(l.TypeLength));
    }

    [Fact]
    public void ColumnChunks_CarryCodecEncodingsSizesAndStatistics_AsTheFooterHasThem()
    {
        using var reader = new ParquetFileReader(new MemoryStream(WriteSample()));
        ParquetMetadata meta = reader.Metadata;
        for (int g = 0; g < meta.RowGroups.Count; g++)
        {
            Assert.Equal(reader.Footer.RowGroups[g].TotalByteSize, meta.RowGroups[g].TotalByteSize);
            for (int c = 0; c < meta.LeafColumns.Count; c++)
            {
                ColumnMetaData thrift = reader.Footer.RowGroups[g].Columns[c].MetaData!;
                ParquetColumnChunkMetadata chunk = meta.RowGroups[g].Columns[c]!;
                Assert.Equal(meta.LeafColumns[c].Path, chunk.Path);
                Assert.Equal(meta.LeafColumns[c].PhysicalType, chunk.PhysicalType);
                Assert.Equal(CompressionCodec.Gzip, chunk.Codec);
                Assert.Equal(thrift.Encodings, chunk.Encodings);
                Assert.NotEmpty(chunk.Encodings);
                Assert.Equal(thrift.TotalCompressedSize, chunk.TotalCompressedSize);
                Assert.Equal(thrift.TotalUncompressedSize, chunk.TotalUncompressedSize);
                Assert.True(chunk.TotalCompressedSize > 0);
                Assert.Equal(meta.RowGroups[g].NumRows, chunk.NumValues);
            }
        }
        ParquetStatistics ids = meta.RowGroups[0].Columns[0]!.Statistics!;
        Assert.Equal(0, ids.NullCount);
        Assert.Equal(-3, BinaryPrimitives.ReadInt64LittleEndian(ids.MinValue!.Value.Span));
        Assert.Equal(9, BinaryPrimitives.ReadInt64LittleEndian(ids.MaxValue!.Value.Span));
        ParquetStatistics names = meta.RowGroups[0].Columns[1]!.Statistics!;
        Assert.Equal(1, names.NullCount);
        Assert.Equal("a", Encoding.UTF8.GetString(names.MinValue!.Value.Span));
        Assert.Equal("c", Encoding.UTF8.GetString(names.MaxValue!.Value.Span));
        Assert.Equal(2, meta.RowGroups[1].Columns[1]!.Statistics!.NullCount);
    }

    [Fact]
    public void Metadata_IsReadOnly()
    {
        using var reader = new ParquetFileReader(new MemoryStream(WriteSample()));
        ParquetMetadata meta = reader.Metadata;
        Assert.Throws<NotSupportedException>(() => ((IList<ParquetRowGroupMetadata>)meta.RowGroups).Clear());
        Assert.Throws<NotSupportedException>(() => ((IList<ParquetLeafColumn>)meta.LeafColumns).Clear());
        Assert.Throws<NotSupportedException>(() => ((IList<ParquetEncoding>)meta.RowGroups[0].Columns[0]!.Encodings).Clear());
        // The bounds are copies: changing the footer the reader holds does not reach the view.
        reader.Footer.RowGroups[0].Columns[0].MetaData!.Statistics!.MinValue![0] ^= 0xFF;
        Assert.Equal(-3, BinaryPrimitives.ReadInt64LittleEndian(meta.RowGroups[0].Columns[0]!.Statistics!.MinValue!.Value.Span));
    }

    [Fact]
    public void AChunkWithoutMetadata_IsNull()
    {
        var group = new ParquetRowGroupMetadata(new RowGroup { NumRows = 1, Columns = [new ColumnChunk()] });
        Assert.Single(group.Columns);
        Assert.Null(group.Columns[0]);
    }

    [Theory]
    [InlineData((int)ConvertedType.TimestampMillis, "TIMESTAMP_MILLIS")]
    [InlineData((int)ConvertedType.UInt16, "UINT_16")]
    [InlineData((int)ConvertedType.Decimal, "DECIMAL(9,2)")]
    public void LegacyConvertedTypes_AreSpelledAsTheSpecSpellsThem(int converted, string expected)
    {
        var schema = new List<SchemaElement>
        {
            new() { Name = "root", NumChildren = 1 },
            new() { Name = "v", Type = PhysicalType.Int64, Repetition = FieldRepetition.Optional, ConvertedType = (ConvertedType)converted, Precision = 9, Scale = 2 },
        };
        ParquetLeafColumn leaf = Assert.Single(ParquetLeafColumn.Leaves(schema));
        Assert.Equal(expected, leaf.LogicalTypeName);
    }
}
