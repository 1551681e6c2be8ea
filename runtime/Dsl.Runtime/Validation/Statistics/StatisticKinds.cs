namespace Dsl.Validation.Statistics;

/// <summary>
/// Which statistics a <see cref="ColumnStatistics"/> gathers beyond its row and null counts (always kept), so a gate
/// on a mean does not pay for a quantile sketch. A kind a column's type has no use for is left out (see
/// <see cref="ColumnStatistics.Supported"/>).
/// </summary>
[Flags]
internal enum StatisticKinds
{
    /// <summary>Rows and nulls only.</summary>
    None = 0,

    /// <summary>Count, mean, population variance, min and max of the non-null, non-NaN values, and the NaN count; min and max only for text.</summary>
    Moments = 1,

    /// <summary>The number of distinct non-null, non-NaN values (exact up to 65,536, then HyperLogLog).</summary>
    Distinct = 2,

    /// <summary>A KLL quantile sketch of the numeric values (also the source of histograms, PSI and KS).</summary>
    Quantiles = 4,

    /// <summary>The most frequent values with counts (text, integers, dates, timestamps, booleans).</summary>
    TopK = 8,

    /// <summary>Everything a profile holds.</summary>
    All = Moments | Distinct | Quantiles | TopK,
}
