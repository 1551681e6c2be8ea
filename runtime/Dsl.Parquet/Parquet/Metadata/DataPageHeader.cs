using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>The header of a version 1 data page (Thrift <c>DataPageHeader</c>).</summary>
internal sealed class DataPageHeader
{
    /// <summary>Number of values, nulls included.</summary>
    public int NumValues { get; set; }

    /// <summary>The encoding of the values.</summary>
    public ParquetEncoding Encoding { get; set; }

    /// <summary>The encoding of the definition levels.</summary>
    public ParquetEncoding DefinitionLevelEncoding { get; set; }

    /// <summary>The encoding of the repetition levels.</summary>
    public ParquetEncoding RepetitionLevelEncoding { get; set; }

    /// <summary>Page statistics.</summary>
    public Statistics? Statistics { get; set; }

    internal static DataPageHeader Read(ref ThriftCompactReader reader)
    {
        var h = new DataPageHeader();
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
                    h.Encoding = (ParquetEncoding)reader.ReadI32();
                    seen |= 2;
                    break;
                case 3 when type == CompactType.I32:
                    h.DefinitionLevelEncoding = (ParquetEncoding)reader.ReadI32();
                    seen |= 4;
                    break;
                case 4 when type == CompactType.I32:
                    h.RepetitionLevelEncoding = (ParquetEncoding)reader.ReadI32();
                    seen |= 8;
                    break;
                case 5 when type == CompactType.Struct:
                    h.Statistics = Statistics.Read(ref reader);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        MetadataErrors.Require((seen & 1) != 0, "DataPageHeader", "num_values");
        MetadataErrors.Require((seen & 2) != 0, "DataPageHeader", "encoding");
        return h;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        writer.I32Field(1, NumValues);
        writer.I32Field(2, (int)Encoding);
        writer.I32Field(3, (int)DefinitionLevelEncoding);
        writer.I32Field(4, (int)RepetitionLevelEncoding);
        if (Statistics is not null)
        {
            writer.FieldHeader(5, CompactType.Struct);
            Statistics.Write(writer);
        }
        writer.EndStruct();
    }
}
