using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>One column's data within a row group (Thrift <c>ColumnChunk</c>).</summary>
internal sealed class ColumnChunk
{
    /// <summary>The file holding the chunk when it is not this file (not supported for reading).</summary>
    public string? FilePath { get; set; }

    /// <summary>Deprecated offset; readers should not rely on it.</summary>
    public long FileOffset { get; set; }

    /// <summary>The chunk's metadata (absent when encrypted).</summary>
    public ColumnMetaData? MetaData { get; set; }

    /// <summary>File offset of the offset index, if any.</summary>
    public long? OffsetIndexOffset { get; set; }

    /// <summary>Byte length of the offset index.</summary>
    public int? OffsetIndexLength { get; set; }

    /// <summary>File offset of the column index, if any.</summary>
    public long? ColumnIndexOffset { get; set; }

    /// <summary>Byte length of the column index.</summary>
    public int? ColumnIndexLength { get; set; }

    /// <summary>Whether the chunk carries encryption metadata (not supported for reading).</summary>
    public bool IsEncrypted { get; set; }

    internal static ColumnChunk Read(ref ThriftCompactReader reader)
    {
        var c = new ColumnChunk();
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id)
            {
                case 1 when type == CompactType.Binary:
                    c.FilePath = reader.ReadString();
                    break;
                case 2 when type == CompactType.I64:
                    c.FileOffset = reader.ReadI64();
                    break;
                case 3 when type == CompactType.Struct:
                    c.MetaData = ColumnMetaData.Read(ref reader);
                    break;
                case 4 when type == CompactType.I64:
                    c.OffsetIndexOffset = reader.ReadI64();
                    break;
                case 5 when type == CompactType.I32:
                    c.OffsetIndexLength = reader.ReadI32();
                    break;
                case 6 when type == CompactType.I64:
                    c.ColumnIndexOffset = reader.ReadI64();
                    break;
                case 7 when type == CompactType.I32:
                    c.ColumnIndexLength = reader.ReadI32();
                    break;
                case 8 or 9:
                    c.IsEncrypted = true;
                    reader.Skip(type);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        return c;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        if (FilePath is not null)
        {
            writer.StringField(1, FilePath);
        }
        writer.I64Field(2, FileOffset);
        if (MetaData is not null)
        {
            writer.FieldHeader(3, CompactType.Struct);
            MetaData.Write(writer);
        }
        if (OffsetIndexOffset is { } oi)
        {
            writer.I64Field(4, oi);
        }
        if (OffsetIndexLength is { } oil)
        {
            writer.I32Field(5, oil);
        }
        if (ColumnIndexOffset is { } ci)
        {
            writer.I64Field(6, ci);
        }
        if (ColumnIndexLength is { } cil)
        {
            writer.I32Field(7, cil);
        }
        writer.EndStruct();
    }
}
