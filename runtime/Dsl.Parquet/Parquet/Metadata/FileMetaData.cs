using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>The footer of a Parquet file (Thrift <c>FileMetaData</c>).</summary>
internal sealed class FileMetaData
{
    /// <summary>The format version the writer followed.</summary>
    public int Version { get; set; }

    /// <summary>The schema, flattened depth-first; element 0 is the root.</summary>
    public List<SchemaElement> Schema { get; set; } = [];

    /// <summary>Total number of rows.</summary>
    public long NumRows { get; set; }

    /// <summary>The row groups.</summary>
    public List<RowGroup> RowGroups { get; set; } = [];

    /// <summary>File-level key/value metadata.</summary>
    public List<KeyValue>? KeyValueMetadata { get; set; }

    /// <summary>The writing application, e.g. <c>parquet-mr version 1.8.0</c>.</summary>
    public string? CreatedBy { get; set; }

    /// <summary>The sort order of each leaf column's statistics, if given.</summary>
    public List<ColumnOrder>? ColumnOrders { get; set; }

    /// <summary>Whether the footer declares an encryption algorithm (encrypted columns are not supported).</summary>
    public bool IsEncrypted { get; set; }

    /// <summary>Parses a serialized footer.</summary>
    /// <exception cref="ParquetFormatException">The bytes are not a valid FileMetaData.</exception>
    public static FileMetaData Parse(ReadOnlySpan<byte> data)
    {
        var reader = new ThriftCompactReader(data);
        return Read(ref reader);
    }

    /// <summary>Serializes this footer with the Thrift compact protocol.</summary>
    public byte[] Serialize()
    {
        var writer = new ThriftCompactWriter();
        Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    internal static FileMetaData Read(ref ThriftCompactReader reader)
    {
        var f = new FileMetaData();
        int seen = 0;
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    f.Version = reader.ReadI32();
                    break;
                case 2:
                {
                    int count = MetadataErrors.ListOf(ref reader, type, CompactType.Struct, "schema");
                    f.Schema = new List<SchemaElement>(count);
                    for (int i = 0; i < count; i++)
                    {
                        f.Schema.Add(SchemaElement.Read(ref reader));
                    }
                    seen |= 1;
                    break;
                }
                case 3 when type == CompactType.I64:
                    f.NumRows = reader.ReadI64();
                    seen |= 2;
                    break;
                case 4:
                {
                    int count = MetadataErrors.ListOf(ref reader, type, CompactType.Struct, "row_groups");
                    f.RowGroups = new List<RowGroup>(count);
                    for (int i = 0; i < count; i++)
                    {
                        f.RowGroups.Add(RowGroup.Read(ref reader));
                    }
                    seen |= 4;
                    break;
                }
                case 5:
                    f.KeyValueMetadata = KeyValue.ReadList(ref reader, type);
                    break;
                case 6 when type == CompactType.Binary:
                    f.CreatedBy = reader.ReadString();
                    break;
                case 7:
                {
                    int count = MetadataErrors.ListOf(ref reader, type, CompactType.Struct, "column_orders");
                    f.ColumnOrders = new List<ColumnOrder>(count);
                    for (int i = 0; i < count; i++)
                    {
                        f.ColumnOrders.Add(ReadColumnOrder(ref reader));
                    }
                    break;
                }
                case 8:
                    f.IsEncrypted = true;
                    reader.Skip(type);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        MetadataErrors.Require((seen & 1) != 0, "FileMetaData", "schema");
        MetadataErrors.Require((seen & 2) != 0, "FileMetaData", "num_rows");
        MetadataErrors.Require((seen & 4) != 0, "FileMetaData", "row_groups");
        return f;
    }

    private static ColumnOrder ReadColumnOrder(ref ThriftCompactReader reader)
    {
        ColumnOrder order = ColumnOrder.Unknown;
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            if (id == 1 && type == CompactType.Struct)
            {
                order = ColumnOrder.TypeDefined;
            }
            reader.Skip(type);
        }
        reader.EndStruct();
        return order;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        writer.I32Field(1, Version);
        writer.ListField(2, CompactType.Struct, Schema.Count);
        foreach (SchemaElement e in Schema)
        {
            e.Write(writer);
        }
        writer.I64Field(3, NumRows);
        writer.ListField(4, CompactType.Struct, RowGroups.Count);
        foreach (RowGroup g in RowGroups)
        {
            g.Write(writer);
        }
        if (KeyValueMetadata is { Count: > 0 })
        {
            KeyValue.WriteList(writer, 5, KeyValueMetadata);
        }
        if (CreatedBy is not null)
        {
            writer.StringField(6, CreatedBy);
        }
        if (ColumnOrders is { Count: > 0 })
        {
            writer.ListField(7, CompactType.Struct, ColumnOrders.Count);
            foreach (ColumnOrder order in ColumnOrders)
            {
                writer.BeginStruct();
                if (order == ColumnOrder.TypeDefined)
                {
                    writer.StructField(1);
                    writer.EndStruct();
                }
                writer.EndStruct();
            }
        }
        writer.EndStruct();
    }
}
