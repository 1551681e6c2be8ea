namespace Dsl.Barriers.Aggregation;

/// <summary>How the aggregation holds and compares the values of a column, whatever its storage width.</summary>
internal enum ValueKind
{
    /// <summary>Booleans, signed integers, UInt8..UInt32, dates, timestamps and times: a <see cref="long"/>.</summary>
    Int64,

    /// <summary>UInt64: a <see cref="ulong"/> (stored in the same slot as <see cref="Int64"/>, compared unsigned).</summary>
    UInt64,

    /// <summary>Float16, Float and Double: a <see cref="double"/>.</summary>
    Double,

    /// <summary>Decimal: the unscaled <see cref="Int128"/> (every value of a column has the column's scale).</summary>
    Decimal,

    /// <summary>String and Binary: the value's bytes, compared byte by byte (UTF-8 order is code point order).</summary>
    Bytes,
}

/// <summary>The <see cref="ValueKind"/> of each column type.</summary>
internal static class ValueKinds
{
    /// <summary>The kind of <paramref name="type"/>'s values, or null when the aggregation does not hold them.</summary>
    public static ValueKind? Of(ColumnType type) => type switch
    {
        ColumnType.Boolean or ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64
            or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32
            or ColumnType.Date or ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Time => ValueKind.Int64,
        ColumnType.UInt64 => ValueKind.UInt64,
        ColumnType.Float16 or ColumnType.Float or ColumnType.Double => ValueKind.Double,
        ColumnType.Decimal => ValueKind.Decimal,
        ColumnType.String or ColumnType.Binary => ValueKind.Bytes,
        _ => null,
    };

    /// <summary>Whether <paramref name="type"/> is a number that sums and averages (not a boolean, date or time).</summary>
    public static bool IsNumeric(ColumnType type) => type is ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64
        or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 or ColumnType.UInt64
        or ColumnType.Float16 or ColumnType.Float or ColumnType.Double or ColumnType.Decimal;

    /// <summary>Whether <paramref name="type"/> is a whole-number type, whose sum is a checked <see cref="long"/>.</summary>
    public static bool IsInteger(ColumnType type) => type is ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64
        or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 or ColumnType.UInt64;

    /// <summary>
    /// Orders two values of one kind: numbers by value with -0.0 before 0.0 and NaN before every number (callers that
    /// skip NaN never pass it), bytes lexicographically. A total order, so a group's result never depends on row order.
    /// </summary>
    public static int Compare(in ScalarValue a, in ScalarValue b) => a.Kind switch
    {
        ValueKind.Int64 => a.Long.CompareTo(b.Long),
        ValueKind.UInt64 => ((ulong)a.Long).CompareTo((ulong)b.Long),
        ValueKind.Double => CompareDoubles(a.Double, b.Double),
        ValueKind.Decimal => a.Decimal.CompareTo(b.Decimal),
        _ => a.Bytes.SequenceCompareTo(b.Bytes),
    };

    internal static int CompareDoubles(double a, double b)
    {
        if (a < b)
        {
            return -1;
        }
        if (a > b)
        {
            return 1;
        }
        bool aNaN = double.IsNaN(a);
        bool bNaN = double.IsNaN(b);
        if (aNaN || bNaN)
        {
            return aNaN == bNaN ? 0 : aNaN ? -1 : 1;
        }
        // Equal numbers: only -0.0 and 0.0 differ, by sign.
        return double.IsNegative(b).CompareTo(double.IsNegative(a));
    }
}
