using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>
/// One node of the flattened (depth-first) Parquet schema: a group when <see cref="Type"/> is null, otherwise a
/// leaf column.
/// </summary>
internal sealed class SchemaElement
{
    /// <summary>The physical type of a leaf; null for a group.</summary>
    public PhysicalType? Type { get; set; }

    /// <summary>The byte length of a FIXED_LEN_BYTE_ARRAY.</summary>
    public int? TypeLength { get; set; }

    /// <summary>The repetition (absent on the root).</summary>
    public FieldRepetition? Repetition { get; set; }

    /// <summary>The field name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Number of children of a group.</summary>
    public int? NumChildren { get; set; }

    /// <summary>The legacy annotation.</summary>
    public ConvertedType? ConvertedType { get; set; }

    /// <summary>Decimal scale (legacy).</summary>
    public int? Scale { get; set; }

    /// <summary>Decimal precision (legacy).</summary>
    public int? Precision { get; set; }

    /// <summary>An id assigned by the writing system.</summary>
    public int? FieldId { get; set; }

    /// <summary>The logical annotation.</summary>
    public LogicalType? LogicalType { get; set; }

    internal static SchemaElement Read(ref ThriftCompactReader reader)
    {
        var e = new SchemaElement();
        bool hasName = false;
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id)
            {
                case 1 when type == CompactType.I32:
                    e.Type = (PhysicalType)reader.ReadI32();
                    break;
                case 2 when type == CompactType.I32:
                    e.TypeLength = reader.ReadI32();
                    break;
                case 3 when type == CompactType.I32:
                    e.Repetition = (FieldRepetition)reader.ReadI32();
                    break;
                case 4 when type == CompactType.Binary:
                    e.Name = reader.ReadString();
                    hasName = true;
                    break;
                case 5 when type == CompactType.I32:
                    e.NumChildren = reader.ReadI32();
                    break;
                case 6 when type == CompactType.I32:
                    e.ConvertedType = (ConvertedType)reader.ReadI32();
                    break;
                case 7 when type == CompactType.I32:
                    e.Scale = reader.ReadI32();
                    break;
                case 8 when type == CompactType.I32:
                    e.Precision = reader.ReadI32();
                    break;
                case 9 when type == CompactType.I32:
                    e.FieldId = reader.ReadI32();
                    break;
                case 10 when type == CompactType.Struct:
                    e.LogicalType = LogicalType.Read(ref reader);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        MetadataErrors.Require(hasName, "SchemaElement", "name");
        return e;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        if (Type is { } t)
        {
            writer.I32Field(1, (int)t);
        }
        if (TypeLength is { } len)
        {
            writer.I32Field(2, len);
        }
        if (Repetition is { } rep)
        {
            writer.I32Field(3, (int)rep);
        }
        writer.StringField(4, Name);
        if (NumChildren is { } children)
        {
            writer.I32Field(5, children);
        }
        if (ConvertedType is { } ct)
        {
            writer.I32Field(6, (int)ct);
        }
        if (Scale is { } scale)
        {
            writer.I32Field(7, scale);
        }
        if (Precision is { } precision)
        {
            writer.I32Field(8, precision);
        }
        if (FieldId is { } fieldId)
        {
            writer.I32Field(9, fieldId);
        }
        if (LogicalType is not null)
        {
            writer.FieldHeader(10, CompactType.Struct);
            LogicalType.Write(writer);
        }
        writer.EndStruct();
    }
}
