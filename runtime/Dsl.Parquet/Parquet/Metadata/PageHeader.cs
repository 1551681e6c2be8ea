using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>The header that precedes every page (Thrift <c>PageHeader</c>).</summary>
internal sealed class PageHeader
{
    /// <summary>The kind of page.</summary>
    public PageType Type { get; set; }

    /// <summary>Bytes of the page body after decompression (levels included).</summary>
    public int UncompressedPageSize { get; set; }

    /// <summary>Bytes of the page body as stored.</summary>
    public int CompressedPageSize { get; set; }

    /// <summary>CRC-32 of the stored page body, if written.</summary>
    public int? Crc { get; set; }

    /// <summary>Set for <see cref="PageType.DataPage"/>.</summary>
    public DataPageHeader? DataPageHeader { get; set; }

    /// <summary>Set for <see cref="PageType.DictionaryPage"/>.</summary>
    public DictionaryPageHeader? DictionaryPageHeader { get; set; }

    /// <summary>Set for <see cref="PageType.DataPageV2"/>.</summary>
    public DataPageHeaderV2? DataPageHeaderV2 { get; set; }

    /// <summary>Parses a page header from the start of <paramref name="data"/>; <paramref name="consumed"/> is its length.</summary>
    /// <exception cref="ParquetFormatException">The bytes are not a valid page header.</exception>
    public static PageHeader Parse(ReadOnlySpan<byte> data, out int consumed)
    {
        var reader = new ThriftCompactReader(data);
        PageHeader header = Read(ref reader);
        consumed = reader.Position;
        return header;
    }

    internal static PageHeader Read(ref ThriftCompactReader reader)
    {
        var h = new PageHeader();
        int seen = 0;
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    h.Type = (PageType)reader.ReadI32();
                    seen |= 1;
                    break;
                case 2 when type == CompactType.I32:
                    h.UncompressedPageSize = reader.ReadI32();
                    seen |= 2;
                    break;
                case 3 when type == CompactType.I32:
                    h.CompressedPageSize = reader.ReadI32();
                    seen |= 4;
                    break;
                case 4 when type == CompactType.I32:
                    h.Crc = reader.ReadI32();
                    break;
                case 5 when type == CompactType.Struct:
                    h.DataPageHeader = DataPageHeader.Read(ref reader);
                    break;
                case 7 when type == CompactType.Struct:
                    h.DictionaryPageHeader = DictionaryPageHeader.Read(ref reader);
                    break;
                case 8 when type == CompactType.Struct:
                    h.DataPageHeaderV2 = DataPageHeaderV2.Read(ref reader);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        MetadataErrors.Require((seen & 1) != 0, "PageHeader", "type");
        MetadataErrors.Require((seen & 2) != 0, "PageHeader", "uncompressed_page_size");
        MetadataErrors.Require((seen & 4) != 0, "PageHeader", "compressed_page_size");
        return h;
    }

    /// <summary>Serializes this header with the Thrift compact protocol.</summary>
    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        writer.I32Field(1, (int)Type);
        writer.I32Field(2, UncompressedPageSize);
        writer.I32Field(3, CompressedPageSize);
        if (Crc is { } crc)
        {
            writer.I32Field(4, crc);
        }
        if (DataPageHeader is not null)
        {
            writer.FieldHeader(5, CompactType.Struct);
            DataPageHeader.Write(writer);
        }
        if (DictionaryPageHeader is not null)
        {
            writer.FieldHeader(7, CompactType.Struct);
            DictionaryPageHeader.Write(writer);
        }
        if (DataPageHeaderV2 is not null)
        {
            writer.FieldHeader(8, CompactType.Struct);
            DataPageHeaderV2.Write(writer);
        }
        writer.EndStruct();
    }
}
