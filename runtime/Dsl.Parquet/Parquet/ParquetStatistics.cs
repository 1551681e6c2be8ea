using Dsl.Parquet.Metadata;

namespace Dsl.Parquet;

/// <summary>
/// A column chunk's statistics (Thrift <c>Statistics</c>). Bounds are the PLAIN encoding of one value of the physical
/// type (little-endian numbers; the bytes of a BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY), as the file stores them; every
/// figure is null where the writer left it out.
/// </summary>
public sealed class ParquetStatistics
{
    internal ParquetStatistics(Statistics stats)
    {
        NullCount = stats.NullCount;
        DistinctCount = stats.DistinctCount;
        MinValue = Copy(stats.MinValue);
        MaxValue = Copy(stats.MaxValue);
        IsMinValueExact = stats.IsMinValueExact;
        IsMaxValueExact = stats.IsMaxValueExact;
        DeprecatedMin = Copy(stats.Min);
        DeprecatedMax = Copy(stats.Max);
    }

    /// <summary>Null values in the chunk (<c>null_count</c>).</summary>
    public long? NullCount { get; }

    /// <summary>Distinct values in the chunk (<c>distinct_count</c>); few writers record it.</summary>
    public long? DistinctCount { get; }

    /// <summary>The lower bound in the column's sort order (<c>min_value</c>); NaN is never counted.</summary>
    public ReadOnlyMemory<byte>? MinValue { get; }

    /// <summary>The upper bound in the column's sort order (<c>max_value</c>); NaN is never counted.</summary>
    public ReadOnlyMemory<byte>? MaxValue { get; }

    /// <summary>Whether <see cref="MinValue"/> is a value of the chunk (true) or a truncated bound (false); null when not said.</summary>
    public bool? IsMinValueExact { get; }

    /// <summary>Whether <see cref="MaxValue"/> is a value of the chunk (true) or a truncated bound (false); null when not said.</summary>
    public bool? IsMaxValueExact { get; }

    /// <summary>The deprecated <c>min</c> field: a bound in signed byte order, right only for signed numbers and booleans.</summary>
    public ReadOnlyMemory<byte>? DeprecatedMin { get; }

    /// <summary>The deprecated <c>max</c> field, as <see cref="DeprecatedMin"/>.</summary>
    public ReadOnlyMemory<byte>? DeprecatedMax { get; }

    private static ReadOnlyMemory<byte>? Copy(byte[]? value) => value is null ? null : (byte[])value.Clone();
}
