namespace Dsl.Barriers.Aggregation;

/// <summary>One value of a column (or of a spilled state), without allocating: the field its <see cref="Kind"/> uses is set.</summary>
internal readonly ref struct ScalarValue
{
    public ScalarValue(ValueKind kind, bool isNull, long @long = 0, double @double = 0, Int128 @decimal = default, ReadOnlySpan<byte> bytes = default)
    {
        Kind = kind;
        IsNull = isNull;
        Long = @long;
        Double = @double;
        Decimal = @decimal;
        Bytes = bytes;
    }

    public ValueKind Kind { get; }

    public bool IsNull { get; }

    /// <summary>The value of an <see cref="ValueKind.Int64"/> (or the bits of a <see cref="ValueKind.UInt64"/>).</summary>
    public long Long { get; }

    public double Double { get; }

    public Int128 Decimal { get; }

    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Whether the value is NaN (only a <see cref="ValueKind.Double"/> can be).</summary>
    public bool IsNaN => Kind == ValueKind.Double && double.IsNaN(Double);
}
