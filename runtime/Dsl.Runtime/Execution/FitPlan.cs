namespace Dsl.Execution;

/// <summary>A statistic a fit stage asks of its rows (one method of <see cref="FitData{TRow}"/>).</summary>
public enum FitStatistic
{
    /// <summary>The number of rows the fit saw (<see cref="FitData{TRow}.Count"/>); no column.</summary>
    Count,

    /// <summary>The number of null values of a column.</summary>
    NullCount,

    /// <summary>The number of non-null, non-NaN values of a column.</summary>
    ValueCount,

    /// <summary>The sum of the non-null, non-NaN values.</summary>
    Sum,

    /// <summary>The mean of the non-null, non-NaN values.</summary>
    Mean,

    /// <summary>The population variance (divided by n, as scikit-learn's <c>StandardScaler</c>).</summary>
    Variance,

    /// <summary>The population standard deviation (the square root of <see cref="Variance"/>).</summary>
    StdDev,

    /// <summary>The sample variance (divided by n - 1).</summary>
    SampleVariance,

    /// <summary>The sample standard deviation.</summary>
    SampleStdDev,

    /// <summary>The smallest value.</summary>
    Min,

    /// <summary>The largest value.</summary>
    Max,

    /// <summary>The largest absolute value (scikit-learn's <c>MaxAbsScaler</c>).</summary>
    MaxAbs,

    /// <summary>The exact number of distinct non-null values.</summary>
    Distinct,

    /// <summary>The number of distinct non-null values estimated by HyperLogLog.</summary>
    ApproxDistinct,

    /// <summary>One quantile (argument 0: the fraction, 0 to 1).</summary>
    Quantile,

    /// <summary>The boundaries of equal-frequency buckets (argument 0: the bucket count; the result holds one
    /// fewer boundary than buckets).</summary>
    QuantileBoundaries,

    /// <summary>The most frequent values, most frequent first, ties in ordinal order (argument 0: the most values
    /// kept, argument 1: the fewest occurrences a value needs).</summary>
    Vocabulary,

    /// <summary>The most frequent value (ties: the ordinally smallest), as scikit-learn's <c>most_frequent</c>.</summary>
    MostFrequent,
}

/// <summary>
/// One statistic a fit stage asks for: what the first pass gathers of <see cref="Column"/>, and the key its
/// <see cref="FitData{TRow}"/> call looks the merged answer up by.
/// </summary>
/// <param name="Statistic">What is computed.</param>
/// <param name="Column">The column of the fit's input schema it reads (empty for <see cref="FitStatistic.Count"/>).</param>
/// <param name="Expression">The selector's source text as the C# compiler passes it to the call's
/// <c>[CallerArgumentExpression]</c> parameter (for example <c>t =&gt; t.Amount</c>): the lookup key.</param>
/// <param name="Arguments">The call's constant arguments after the selector, in order.</param>
public sealed record FitRequest(FitStatistic Statistic, string Column, string Expression, IReadOnlyList<double> Arguments);

/// <summary>
/// A fit stage of a <see cref="PipelinePlan"/>: the rows it sees, the parameter record it produces and what it asks
/// of the rows.
/// </summary>
/// <param name="Stage">The fit method's name.</param>
/// <param name="InputSchema">The schema of the rows it sees.</param>
/// <param name="From">The stage feeding it, or null when it reads the pipeline input.</param>
/// <param name="Segment">The index of the segment whose output it observes in the first pass (a segment with
/// <see cref="SegmentPlan.FitOnly"/> set), or null when it observes the pipeline input as read.</param>
/// <param name="ParametersType">The parameter record it returns (one of <see cref="PipelinePlan.ParameterTypes"/>).</param>
/// <param name="Requests">What it asks for, in source order.</param>
public sealed record FitPlan(
    string Stage,
    string InputSchema,
    string? From,
    int? Segment,
    string ParametersType,
    IReadOnlyList<FitRequest> Requests);
