using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>
/// The header of a version 2 data page (Thrift <c>DataPageHeaderV2</c>): levels come first, uncompressed, and
/// only the values section is compressed (when <see cref="IsCompressed"/>).
/// </summary>
internal sealed class DataPageHeaderV2
{
    /// <summary>Number of values, nulls included.</summary>
    public int NumValues { get; set; }

    /// <summary>Number of nulls.</summary>
    public int NumNulls { get; set; }

    /// <summary>Number of rows.</summary>
    public int NumRows { get; set; }

    /// <summary>The encoding of the values.</summary>
    public ParquetEncoding Encoding { get; set; }

    /// <summary>Byte length of the definition levels (RLE/bit-packed hybrid, no length prefix).</summary>
    public int DefinitionLevelsByteLength { get; set; }

    /// <summary>Byte length of the repetition levels.</summary>
    public int RepetitionLevelsByteLength { get; set; }

    /// <summary>Whether the values section is compressed with the chunk's codec (default true).</summary>
    public bool IsCompressed { get; set; } = true;

    /// <summary>Page statistics.</summary>
    public Statistics? Statistics { get; set; }

    internal static DataPageHeaderV2 Read(ref ThriftCompactReader reader)
    {
        var h = new DataPageHeaderV2();
        int seen = 0;
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    h.NumValues = reader.ReadI32();
                    seen |= 1;
                    break;
                case 2 when type == CompactType.I32:
                    h.NumNulls = reader.ReadI32();
                    seen |= 2;
                    break;
                case 3 when type == CompactType.I32:
                    h.NumRows = reader.ReadI32();
                    seen |= 4;
                    break;
                case 4 when type == CompactType.I32:
                    h.Encoding = (ParquetEncoding)reader.ReadI32();
                    seen |= 8;
                    break;
                case 5 when type == CompactType.I32:
                    h.DefinitionLevelsByteLength = reader.ReadI32();
                    seen |= 16;
                    break;
                case 6 when type == CompactType.I32:
                    h.RepetitionLevelsByteLength = reader.ReadI32();
                    seen |= 32;
                    break;
                case 7 when MetadataErrors.IsBool(type):
                    h.IsCompressed = ThriftCompactReader.BoolFromType(type);
                    break;
                case 8 when type == CompactType.Struct:
                    h.Statistics = Statistics.Read(ref reader);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        MetadataErrors.Require((seen & 1) != 0, "DataPageHeaderV2", "num_values");
        MetadataErrors.Require((seen & 2) != 0, "DataPageHeaderV2", "num_nulls");
        MetadataErrors.Require((seen & 4) != 0, "DataPageHeaderV2", "num_rows");
        MetadataErrors.Require((seen & 8) != 0, "DataPageHeaderV2", "encoding");
        MetadataErrors.Require((seen & 16) != 0, "DataPageHeaderV2", "definition_levels_byte_length");
        MetadataErrors.Require((seen & 32) != 0, "DataPageHeaderV2", "repetition_levels_byte_length");
        return h;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        writer.I32Field(1, NumValues);
        writer.I32Field(2, NumNulls);
        writer.I32Field(3, NumRows);
        writer.I32Field(4, (int)Encoding);
        writer.I32Field(5, DefinitionLevelsByteLength);
        writer.I32Field(6, RepetitionLevelsByteLength);
        writer.BoolField(7, IsCompressed);
        if (Statistics is not null)
        {
            writer.FieldHeader(8, CompactType.Struct);
            Statistics.Write(writer);
        }
        writer.EndStruct();
    }
}
