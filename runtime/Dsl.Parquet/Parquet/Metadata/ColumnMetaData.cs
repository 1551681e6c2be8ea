using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>Where a column chunk's pages are and how they are encoded (Thrift <c>ColumnMetaData</c>).</summary>
internal sealed class ColumnMetaData
{
    /// <summary>The physical type.</summary>
    public PhysicalType Type { get; set; }

    /// <summary>Every encoding used in the chunk (levels included).</summary>
    public List<ParquetEncoding> Encodings { get; set; } = [];

    /// <summary>The path of the leaf from the root (excluded).</summary>
    public List<string> PathInSchema { get; set; } = [];

    /// <summary>The compression of the pages.</summary>
    public CompressionCodec Codec { get; set; }

    /// <summary>Number of values, nulls included.</summary>
    public long NumValues { get; set; }

    /// <summary>Bytes of all pages, headers included, before compression.</summary>
    public long TotalUncompressedSize { get; set; }

    /// <summary>Bytes of all pages, headers included, as stored.</summary>
    public long TotalCompressedSize { get; set; }

    /// <summary>Optional metadata of the chunk.</summary>
    public List<KeyValue>? KeyValueMetadata { get; set; }

    /// <summary>File offset of the first data page.</summary>
    public long DataPageOffset { get; set; }

    /// <summary>File offset of the index page, if any.</summary>
    public long? IndexPageOffset { get; set; }

    /// <summary>File offset of the dictionary page, if any.</summary>
    public long? DictionaryPageOffset { get; set; }

    /// <summary>Chunk statistics.</summary>
    public Statistics? Statistics { get; set; }

    /// <summary>File offset of the bloom filter, if any.</summary>
    public long? BloomFilterOffset { get; set; }

    /// <summary>Byte length of the bloom filter, if known.</summary>
    public int? BloomFilterLength { get; set; }

    internal static ColumnMetaData Read(ref ThriftCompactReader reader)
    {
        var m = new ColumnMetaData();
        int seen = 0;
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    m.Type = (PhysicalType)reader.ReadI32();
                    seen |= 1;
                    break;
                case 2:
                {
                    int count = MetadataErrors.ListOf(ref reader, type, CompactType.I32, "encodings");
                    m.Encodings = new List<ParquetEncoding>(count);
                    for (int i = 0; i < count; i++)
                    {
                        m.Encodings.Add((ParquetEncoding)reader.ReadI32());
                    }
                    seen |= 2;
                    break;
                }
                case 3:
                {
                    int count = MetadataErrors.ListOf(ref reader, type, CompactType.Binary, "path_in_schema");
                    m.PathInSchema = new List<string>(count);
                    for (int i = 0; i < count; i++)
                    {
                        m.PathInSchema.Add(reader.ReadString());
                    }
                    seen |= 4;
                    break;
                }
                case 4 when type == CompactType.I32:
                    m.Codec = (CompressionCodec)reader.ReadI32();
                    seen |= 8;
                    break;
                case 5 when type == CompactType.I64:
                    m.NumValues = reader.ReadI64();
                    seen |= 16;
                    break;
                case 6 when type == CompactType.I64:
                    m.TotalUncompressedSize = reader.ReadI64();
                    seen |= 32;
                    break;
                case 7 when type == CompactType.I64:
                    m.TotalCompressedSize = reader.ReadI64();
                    seen |= 64;
                    break;
                case 8:
                    m.KeyValueMetadata = KeyValue.ReadList(ref reader, type);
                    break;
                case 9 when type == CompactType.I64:
                    m.DataPageOffset = reader.ReadI64();
                    seen |= 128;
                    break;
                case 10 when type == CompactType.I64:
                    m.IndexPageOffset = reader.ReadI64();
                    break;
                case 11 when type == CompactType.I64:
                    m.DictionaryPageOffset = reader.ReadI64();
                    break;
                case 12 when type == CompactType.Struct:
                    m.Statistics = Statistics.Read(ref reader);
                    break;
                case 14 when type == CompactType.I64:
                    m.BloomFilterOffset = reader.ReadI64();
                    break;
                case 15 when type == CompactType.I32:
                    m.BloomFilterLength = reader.ReadI32();
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        MetadataErrors.Require((seen & 1) != 0, "ColumnMetaData", "type");
        MetadataErrors.Require((seen & 4) != 0, "ColumnMetaData", "path_in_schema");
        MetadataErrors.Require((seen & 8) != 0, "ColumnMetaData", "codec");
        MetadataErrors.Require((seen & 16) != 0, "ColumnMetaData", "num_values");
        MetadataErrors.Require((seen & 64) != 0, "ColumnMetaData", "total_compressed_size");
        MetadataErrors.Require((seen & 128) != 0, "ColumnMetaData", "data_page_offset");
        return m;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        writer.I32Field(1, (int)Type);
        writer.ListField(2, CompactType.I32, Encodings.Count);
        foreach (ParquetEncoding e in Encodings)
        {
            writer.WriteI32((int)e);
        }
        writer.ListField(3, CompactType.Binary, PathInSchema.Count);
        foreach (string p in PathInSchema)
        {
            writer.WriteString(p);
        }
        writer.I32Field(4, (int)Codec);
        writer.I64Field(5, NumValues);
        writer.I64Field(6, TotalUncompressedSize);
        writer.I64Field(7, TotalCompressedSize);
        if (KeyValueMetadata is { Count: > 0 })
        {
            KeyValue.WriteList(writer, 8, KeyValueMetadata);
        }
        writer.I64Field(9, DataPageOffset);
        if (IndexPageOffset is { } index)
        {
            writer.I64Field(10, index);
        }
        if (DictionaryPageOffset is { } dict)
        {
            writer.I64Field(11, dict);
        }
        if (Statistics is not null)
        {
            writer.FieldHeader(12, CompactType.Struct);
            Statistics.Write(writer);
        }
        if (BloomFilterOffset is { } bloom)
        {
            writer.I64Field(14, bloom);
        }
        if (BloomFilterLength is { } bloomLength)
        {
            writer.I32Field(15, bloomLength);
        }
        writer.EndStruct();
    }
}
