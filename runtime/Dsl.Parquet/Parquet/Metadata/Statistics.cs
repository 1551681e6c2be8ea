using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>
/// Column chunk or page statistics. <see cref="MinValue"/>/<see cref="MaxValue"/> are PLAIN-encoded values ordered
/// by the column's sort order; <see cref="Min"/>/<see cref="Max"/> are the deprecated signed-byte-order fields.
/// </summary>
internal sealed class Statistics
{
    /// <summary>Deprecated maximum (field 1).</summary>
    public byte[]? Max { get; set; }

    /// <summary>Deprecated minimum (field 2).</summary>
    public byte[]? Min { get; set; }

    /// <summary>Number of null values.</summary>
    public long? NullCount { get; set; }

    /// <summary>Number of distinct values.</summary>
    public long? DistinctCount { get; set; }

    /// <summary>Maximum value, PLAIN-encoded (for byte arrays: the bytes without a length prefix).</summary>
    public byte[]? MaxValue { get; set; }

    /// <summary>Minimum value, PLAIN-encoded (for byte arrays: the bytes without a length prefix).</summary>
    public byte[]? MinValue { get; set; }

    /// <summary>Whether <see cref="MaxValue"/> is an actual value (not truncated).</summary>
    public bool? IsMaxValueExact { get; set; }

    /// <summary>Whether <see cref="MinValue"/> is an actual value (not truncated).</summary>
    public bool? IsMinValueExact { get; set; }

    internal static Statistics Read(ref ThriftCompactReader reader)
    {
        var s = new Statistics();
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id)
            {
                case 1 when type == CompactType.Binary:
                    s.Max = reader.ReadBinary().ToArray();
                    break;
                case 2 when type == CompactType.Binary:
                    s.Min = reader.ReadBinary().ToArray();
                    break;
                case 3 when type == CompactType.I64:
                    s.NullCount = reader.ReadI64();
                    break;
                case 4 when type == CompactType.I64:
                    s.DistinctCount = reader.ReadI64();
                    break;
                case 5 when type == CompactType.Binary:
                    s.MaxValue = reader.ReadBinary().ToArray();
                    break;
                case 6 when type == CompactType.Binary:
                    s.MinValue = reader.ReadBinary().ToArray();
                    break;
                case 7 when MetadataErrors.IsBool(type):
                    s.IsMaxValueExact = ThriftCompactReader.BoolFromType(type);
                    break;
                case 8 when MetadataErrors.IsBool(type):
                    s.IsMinValueExact = ThriftCompactReader.BoolFromType(type);
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        return s;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        if (Max is not null)
        {
            writer.BinaryField(1, Max);
        }
        if (Min is not null)
        {
            writer.BinaryField(2, Min);
        }
        if (NullCount is { } nulls)
        {
            writer.I64Field(3, nulls);
        }
        if (DistinctCount is { } distinct)
        {
            writer.I64Field(4, distinct);
        }
        if (MaxValue is not null)
        {
            writer.BinaryField(5, MaxValue);
        }
        if (MinValue is not null)
        {
            writer.BinaryField(6, MinValue);
        }
        if (IsMaxValueExact is { } maxExact)
        {
            writer.BoolField(7, maxExact);
        }
        if (IsMinValueExact is { } minExact)
        {
            writer.BoolField(8, minExact);
        }
        writer.EndStruct();
    }
}
