using System.Buffers.Binary;
using System.Numerics;
using Dsl.Parquet.Metadata;

namespace Dsl.Cli;

/// <summary>What <see cref="StatisticsOrder"/> means for a column, and comparisons in it.</summary>
internal static class StatisticsOrders
{
    /// <summary>The order of the leaf's statistics, from its physical, logical and legacy converted type.</summary>
    public static StatisticsOrder Of(SchemaElement leaf)
    {
        LogicalType? lt = leaf.LogicalType;
        // A logical type the reader does not know: its order is unknown too (the spec says to ignore min/max then).
        if (lt is { Kind: LogicalTypeKind.Unknown })
        {
            return StatisticsOrder.Undefined;
        }
        ConvertedType? ct = lt is null ? leaf.ConvertedType : null;
        bool isDecimal = lt is { Kind: LogicalTypeKind.Decimal } || ct == ConvertedType.Decimal;
        return leaf.Type switch
        {
            PhysicalType.Boolean => StatisticsOrder.Boolean,
            PhysicalType.Int32 or PhysicalType.Int64 when lt is { Kind: LogicalTypeKind.Integer, IsSigned: false }
                || ct is ConvertedType.UInt8 or ConvertedType.UInt16 or ConvertedType.UInt32 or ConvertedType.UInt64 => StatisticsOrder.UnsignedInteger,
            PhysicalType.Int32 or PhysicalType.Int64 => StatisticsOrder.SignedInteger,
            PhysicalType.Float or PhysicalType.Double => StatisticsOrder.Floating,
            PhysicalType.FixedLenByteArray when lt is { Kind: LogicalTypeKind.Float16 } => StatisticsOrder.Floating,
            PhysicalType.ByteArray or PhysicalType.FixedLenByteArray when isDecimal => StatisticsOrder.SignedBigEndian,
            PhysicalType.FixedLenByteArray when ct == ConvertedType.Interval => StatisticsOrder.Undefined,
            PhysicalType.ByteArray or PhysicalType.FixedLenByteArray => StatisticsOrder.UnsignedBytes,
            _ => StatisticsOrder.Undefined, // INT96 and anything unknown
        };
    }

    /// <summary>
    /// Why <paramref name="value"/> cannot serve as a bound of <paramref name="leaf"/>, or null when it can: its length
    /// does not fit the physical type, or it is NaN (which the spec says readers must ignore).
    /// </summary>
    public static string? Unusable(SchemaElement leaf, StatisticsOrder order, byte[] value)
    {
        int? width = leaf.Type switch
        {
            PhysicalType.Boolean => 1,
            PhysicalType.Int32 or PhysicalType.Float => 4,
            PhysicalType.Int64 or PhysicalType.Double => 8,
            PhysicalType.FixedLenByteArray => leaf.TypeLength,
            _ => null,
        };
        if (width is { } w && value.Length != w)
        {
            return $"a bound of {value.Length} bytes where the type has {w}";
        }
        if (order == StatisticsOrder.Floating && double.IsNaN(ToDouble(leaf, value)))
        {
            return "a NaN bound";
        }
        return null;
    }

    /// <summary>Compares two usable bounds of a column in its order: negative when <paramref name="a"/> sorts first.</summary>
    public static int Compare(SchemaElement leaf, StatisticsOrder order, byte[] a, byte[] b) => order switch
    {
        StatisticsOrder.Boolean => (a[0] & 1).CompareTo(b[0] & 1),
        StatisticsOrder.SignedInteger when leaf.Type == PhysicalType.Int32 =>
            BinaryPrimitives.ReadInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt32LittleEndian(b)),
        StatisticsOrder.SignedInteger =>
            BinaryPrimitives.ReadInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt64LittleEndian(b)),
        StatisticsOrder.UnsignedInteger when leaf.Type == PhysicalType.Int32 =>
            BinaryPrimitives.ReadUInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadUInt32LittleEndian(b)),
        StatisticsOrder.UnsignedInteger =>
            BinaryPrimitives.ReadUInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(b)),
        StatisticsOrder.Floating => CompareFloating(ToDouble(leaf, a), ToDouble(leaf, b)),
        StatisticsOrder.SignedBigEndian =>
            new BigInteger(a, isUnsigned: false, isBigEndian: true).CompareTo(new BigInteger(b, isUnsigned: false, isBigEndian: true)),
        StatisticsOrder.UnsignedBytes => a.AsSpan().SequenceCompareTo(b),
        _ => throw new InvalidOperationException($"Column statistics in order {order} cannot be compared."),
    };

    // By value, with -0.0 before +0.0: the minimum of a -0.0 and a +0.0 bound is -0.0 and the maximum +0.0, which keeps
    // both bounds true whichever zero the data holds.
    private static int CompareFloating(double a, double b)
    {
        int byValue = a.CompareTo(b);
        return byValue != 0 ? byValue : double.IsNegative(b).CompareTo(double.IsNegative(a));
    }

    private static double ToDouble(SchemaElement leaf, byte[] value) => leaf.Type switch
    {
        PhysicalType.Float => BinaryPrimitives.ReadSingleLittleEndian(value),
        PhysicalType.Double => BinaryPrimitives.ReadDoubleLittleEndian(value),
        _ => (double)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(value)),
    };
}
