using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>A horizontal slice of the file: one <see cref="ColumnChunk"/> per leaf column (Thrift <c>RowGroup</c>).</summary>
internal sealed class RowGroup
{
    /// <summary>The column chunks, in schema leaf order.</summary>
    public List<ColumnChunk> Columns { get; set; } = [];

    /// <summary>Total uncompressed bytes of the column data.</summary>
    public long TotalByteSize { get; set; }

    /// <summary>Number of rows.</summary>
    public long NumRows { get; set; }

    /// <summary>File offset of the first page of the first column chunk.</summary>
    public long? FileOffset { get; set; }

    /// <summary>Total compressed bytes of the column chunks.</summary>
    public long? TotalCompressedSize { get; set; }

    /// <summary>The index of the row group in the file.</summary>
    public short? Ordinal { get; set; }

    internal static RowGroup Read(ref ThriftCompactReader reader)
    {
        var g = new RowGroup();
        bool hasColumns = false;
        bool hasRows = false;
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id)
            {
                case 1:
                {
                    int count = MetadataErrors.ListOf(ref reader, type, CompactType.Struct, "columns");
                    g.Columns = new List<ColumnChunk>(count);
                    for (int i = 0; i < count; i++)
                    {
                        g.Columns.Add(ColumnChunk.Read(ref reader));
                    }
                    hasColumns = true;
                    break;
                }
                case 2 when type == CompactType.I64:
                    g.TotalByteSize = reader.ReadI64();
                    break;
                case 3 when type == CompactType.I64:
                    g.NumRows = reader.ReadI64();
                    hasRows = true;
                    break;
                case 5 when type == CompactType.I64:
                    g.FileOffset = reader.ReadI64();
                    break;
                case 6 when type == CompactType.I64:
                    g.TotalCompressedSize = reader.ReadI64();
                    break;
                case 7 when type == CompactType.I16:
                    g.Ordinal = reader.ReadI16();
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        MetadataErrors.Require(hasColumns, "RowGroup", "columns");
        MetadataErrors.Require(hasRows, "RowGroup", "num_rows");
        return g;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        writer.ListField(1, CompactType.Struct, Columns.Count);
        foreach (ColumnChunk c in Columns)
        {
            c.Write(writer);
        }
        writer.I64Field(2, TotalByteSize);
        writer.I64Field(3, NumRows);
        if (FileOffset is { } fo)
        {
            writer.I64Field(5, fo);
        }
        if (TotalCompressedSize is { } tcs)
        {
            writer.I64Field(6, tcs);
        }
        if (Ordinal is { } ordinal)
        {
            writer.FieldHeader(7, CompactType.I16);
            writer.WriteI32(ordinal);
        }
        writer.EndStruct();
    }
}
