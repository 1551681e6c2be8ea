using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>
/// The logical annotation of a schema field (the Thrift <c>LogicalType</c> union), flattened: <see cref="Kind"/>
/// says which member is set and the other properties carry that member's parameters.
/// </summary>
internal sealed class LogicalType
{
    /// <summary>Which union member is set.</summary>
    public LogicalTypeKind Kind { get; set; }

    /// <summary>For <see cref="LogicalTypeKind.Unknown"/>: the Thrift field id of the member this reader does not know.</summary>
    public short UnknownFieldId { get; set; }

    /// <summary>Decimal scale.</summary>
    public int Scale { get; set; }

    /// <summary>Decimal precision.</summary>
    public int Precision { get; set; }

    /// <summary>Time or timestamp unit.</summary>
    public TimeUnit Unit { get; set; }

    /// <summary>Whether a time or timestamp is adjusted to UTC.</summary>
    public bool IsAdjustedToUtc { get; set; }

    /// <summary>Integer bit width (8, 16, 32 or 64).</summary>
    public int BitWidth { get; set; }

    /// <summary>Whether an integer is signed.</summary>
    public bool IsSigned { get; set; }

    /// <summary>A STRING annotation.</summary>
    public static LogicalType String() => new() { Kind = LogicalTypeKind.String };

    /// <summary>A TIMESTAMP annotation.</summary>
    public static LogicalType Timestamp(TimeUnit unit, bool isAdjustedToUtc) =>
        new() { Kind = LogicalTypeKind.Timestamp, Unit = unit, IsAdjustedToUtc = isAdjustedToUtc };

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        LogicalTypeKind.Decimal => $"DECIMAL({Precision},{Scale})",
        LogicalTypeKind.Time => $"TIME({Unit.ToString().ToUpperInvariant()},{(IsAdjustedToUtc ? "UTC" : "local")})",
        LogicalTypeKind.Timestamp => $"TIMESTAMP({Unit.ToString().ToUpperInvariant()},{(IsAdjustedToUtc ? "UTC" : "local")})",
        LogicalTypeKind.Integer => $"INT({BitWidth},{(IsSigned ? "signed" : "unsigned")})",
        LogicalTypeKind.Unknown => $"UNKNOWN_LOGICAL_TYPE({UnknownFieldId})",
        LogicalTypeKind.Null => "NULL",
        _ => Kind.ToString().ToUpperInvariant(),
    };

    internal static LogicalType Read(ref ThriftCompactReader reader)
    {
        var lt = new LogicalType { Kind = LogicalTypeKind.Unknown };
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            if (type != CompactType.Struct)
            {
                reader.Skip(type);
                continue;
            }
            switch (id)
            {
                case 5:
                    lt.Kind = LogicalTypeKind.Decimal;
                    ReadDecimal(ref reader, lt);
                    break;
                case 7:
                    lt.Kind = LogicalTypeKind.Time;
                    ReadTime(ref reader, lt);
                    break;
                case 8:
                    lt.Kind = LogicalTypeKind.Timestamp;
                    ReadTime(ref reader, lt);
                    break;
                case 10:
                    lt.Kind = LogicalTypeKind.Integer;
                    ReadInteger(ref reader, lt);
                    break;
                case 1 or 2 or 3 or 4 or 6 or 11 or 12 or 13 or 14 or 15:
                    lt.Kind = (LogicalTypeKind)id;
                    reader.SkipStruct();
                    break;
                default:
                    lt.Kind = LogicalTypeKind.Unknown;
                    lt.UnknownFieldId = id;
                    reader.SkipStruct();
                    break;
            }
        }
        reader.EndStruct();
        return lt;
    }

    private static void ReadDecimal(ref ThriftCompactReader reader, LogicalType lt)
    {
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            if (id == 1 && type == CompactType.I32)
            {
                lt.Scale = reader.ReadI32();
            }
            else if (id == 2 && type == CompactType.I32)
            {
                lt.Precision = reader.ReadI32();
            }
            else
            {
                reader.Skip(type);
            }
        }
        reader.EndStruct();
    }

    private static void ReadTime(ref ThriftCompactReader reader, LogicalType lt)
    {
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            if (id == 1 && MetadataErrors.IsBool(type))
            {
                lt.IsAdjustedToUtc = ThriftCompactReader.BoolFromType(type);
            }
            else if (id == 2 && type == CompactType.Struct)
            {
                // TimeUnit is a union of empty structs: the member's field id is the unit.
                reader.BeginStruct();
                short unitLast = 0;
                while (reader.NextField(ref unitLast, out short unitId, out byte unitType))
                {
                    if (unitType == CompactType.Struct && unitId is >= 1 and <= 3)
                    {
                        lt.Unit = (TimeUnit)unitId;
                    }
                    reader.Skip(unitType);
                }
                reader.EndStruct();
            }
            else
            {
                reader.Skip(type);
            }
        }
        reader.EndStruct();
    }

    private static void ReadInteger(ref ThriftCompactReader reader, LogicalType lt)
    {
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            if (id == 1 && type == CompactType.Byte)
            {
                lt.BitWidth = (sbyte)reader.ReadRawByte();
            }
            else if (id == 2 && MetadataErrors.IsBool(type))
            {
                lt.IsSigned = ThriftCompactReader.BoolFromType(type);
            }
            else
            {
                reader.Skip(type);
            }
        }
        reader.EndStruct();
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        switch (Kind)
        {
            case LogicalTypeKind.Decimal:
                writer.StructField(5);
                writer.I32Field(1, Scale);
                writer.I32Field(2, Precision);
                writer.EndStruct();
                break;
            case LogicalTypeKind.Time:
            case LogicalTypeKind.Timestamp:
                writer.StructField((short)Kind);
                writer.BoolField(1, IsAdjustedToUtc);
                writer.StructField(2);
                writer.StructField((short)Unit);
                writer.EndStruct();
                writer.EndStruct();
                writer.EndStruct();
                break;
            case LogicalTypeKind.Integer:
                writer.StructField(10);
                writer.ByteField(1, (sbyte)BitWidth);
                writer.BoolField(2, IsSigned);
                writer.EndStruct();
                break;
            case LogicalTypeKind.Unknown:
                throw new InvalidOperationException("An unknown logical type cannot be written; choose a known kind.");
            default:
                writer.StructField((short)Kind);
                writer.EndStruct();
                break;
        }
        writer.EndStruct();
    }
}
