using System.Runtime.CompilerServices;
using Dsl.Execution;
using Dsl.Fitting;

namespace Dsl;

/// <summary>
/// What a <see cref="FitAttribute"/> stage reads: statistics of every row that reaches it, merged over all partitions.
/// Each method names its column with a lambda reading one member (<c>t =&gt; t.Amount</c>); nulls (and NaN, for the
/// numeric statistics) are left out of every statistic but <see cref="NullCount{TValue}"/>. The last parameter of each
/// method is filled in by the C# compiler: leave it out.
/// </summary>
/// <typeparam name="TRow">The schema of the rows the fit sees.</typeparam>
public sealed class FitData<TRow>
{
    private readonly FitResults _results;
    private readonly string _stage;

    /// <summary>The answers of <paramref name="stage"/> in <paramref name="results"/> (generated code creates these).</summary>
    public FitData(FitResults results, string stage)
    {
        _results = results;
        _stage = stage;
    }

    /// <summary>The number of rows the fit saw.</summary>
    public long Count() => _results.Get<long>(_stage, FitStatistic.Count, "");

    /// <summary>The number of null values of the column.</summary>
    public long NullCount<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<long>(_stage, FitStatistic.NullCount, expression);

    /// <summary>The number of non-null (and, for floating point, non-NaN) values of the column.</summary>
    public long ValueCount<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<long>(_stage, FitStatistic.ValueCount, expression);

    /// <summary>The sum of the values (0 when there are none).</summary>
    public double Sum(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.Sum, expression);

    /// <summary>The mean of the values (NaN when there are none).</summary>
    public double Mean(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.Mean, expression);

    /// <summary>The population variance: the mean squared distance from the mean, divided by n (NaN when there are no values).</summary>
    public double Variance(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.Variance, expression);

    /// <summary>The population standard deviation (divided by n, as scikit-learn's <c>StandardScaler</c> and NumPy's <c>std</c>).</summary>
    public double Std(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.StdDev, expression);

    /// <summary>The sample variance (divided by n - 1; NaN for fewer than two values).</summary>
    public double SampleVariance(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.SampleVariance, expression);

    /// <summary>The sample standard deviation (divided by n - 1, as Spark's <c>stddev</c> and pandas' <c>std</c>).</summary>
    public double SampleStd(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.SampleStdDev, expression);

    /// <summary>The smallest value (NaN when there are none).</summary>
    public double Min(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.Min, expression);

    /// <summary>The largest value (NaN when there are none).</summary>
    public double Max(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.Max, expression);

    /// <summary>The largest absolute value (0 when there are none, as scikit-learn's <c>MaxAbsScaler</c>).</summary>
    public double MaxAbs(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.MaxAbs, expression);

    /// <summary>The exact number of distinct non-null values.</summary>
    public long Distinct<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<long>(_stage, FitStatistic.Distinct, expression);

    /// <summary>The number of distinct non-null values estimated by HyperLogLog (relative standard error about 0.8%).</summary>
    public long ApproxDistinct<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<long>(_stage, FitStatistic.ApproxDistinct, expression);

    /// <summary>
    /// The <paramref name="q"/> quantile (0 to 1) of the values, interpolated linearly between the two nearest ranks
    /// (NumPy's default <c>linear</c> method, which scikit-learn uses). Exact while the fit has seen few enough values
    /// to keep them all; beyond that a KLL sketch answers within the rank error docs/fit.md states.
    /// </summary>
    public double Quantile(Func<TRow, double?> column, double q, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.Quantile, expression, q);

    /// <summary>The median: <see cref="Quantile"/> at 0.5.</summary>
    public double Median(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.Quantile, expression, 0.5);

    /// <summary>
    /// The inner boundaries of <paramref name="buckets"/> equal-frequency buckets (the quantiles at 1/n, 2/n, ...,
    /// as scikit-learn's <c>KBinsDiscretizer(strategy="quantile")</c> places its inner edges), duplicates removed.
    /// </summary>
    public double[] QuantileBoundaries(Func<TRow, double?> column, int buckets, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double[]>(_stage, FitStatistic.QuantileBoundaries, expression, buckets);

    /// <summary>
    /// The values that occur at least <paramref name="minFrequency"/> times, most frequent first (ties in ordinal
    /// order), at most <paramref name="maxSize"/> of them: the categories of an ordinal or one-hot encoding.
    /// </summary>
    public string[] Vocabulary(Func<TRow, string?> column, int maxSize = int.MaxValue, long minFrequency = 1, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<string[]>(_stage, FitStatistic.Vocabulary, expression, maxSize, minFrequency);

    /// <summary>The most frequent value (ties: the ordinally smallest), as <c>SimpleImputer(strategy="most_frequent")</c>.</summary>
    public string MostFrequent(Func<TRow, string?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<string>(_stage, FitStatistic.MostFrequent, expression);

    /// <summary>The most frequent number (ties: the smallest), as <c>SimpleImputer(strategy="most_frequent")</c>.</summary>
    public double MostFrequent(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _results.Get<double>(_stage, FitStatistic.MostFrequent, expression);
}
