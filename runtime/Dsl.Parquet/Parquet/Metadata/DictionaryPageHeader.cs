using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>The header of a dictionary page (Thrift <c>DictionaryPageHeader</c>).</summary>
internal sealed class DictionaryPageHeader
{
    /// <summary>Number of dictionary entries.</summary>
    public int NumValues { get; set; }

    /// <summary>The encoding of the entries (PLAIN, or the legacy PLAIN_DICTIONARY meaning the same).</summary>
    public ParquetEncoding Encoding { get; set; }

    /// <summary>Whether the entries are sorted.</summary>
    public bool? IsSorted { get; set; }

    internal static DictionaryPageHeader Read(ref ThriftCompactReader reader)
    {
        var h = new DictionaryPageHeader();
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
                case 3 when MetadataErrors.IsBool(type):
                    h.IsSorted = ThriftCompactReader.BoolFromType(type);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        MetadataErrors.Require((seen & 1) != 0, "DictionaryPageHeader", "num_values");
        MetadataErrors.Require((seen & 2) != 0, "DictionaryPageHeader", "encoding");
        return h;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        writer.I32Field(1, NumValues);
        writer.I32Field(2, (int)Encoding);
        if (IsSorted is { } sorted)
        {
            writer.BoolField(3, sorted);
        }
        writer.EndStruct();
    }
}
