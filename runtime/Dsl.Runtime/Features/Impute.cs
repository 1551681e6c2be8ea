namespace Dsl;

/// <summary>
/// Missing-value imputation with a value a <see cref="FitAttribute"/> stage computes, as scikit-learn's
/// <c>SimpleImputer(missing_values=np.nan)</c> and Spark ML's <c>Imputer</c> apply it: a missing value (null, and NaN
/// for numbers) is replaced by the fitted statistic and every other value is kept as it is.
/// </summary>
/// <remarks>
/// The strategy is the statistic passed in: <c>strategy="mean"</c> is <see cref="FitData{TRow}.Mean"/>,
/// <c>"median"</c> is <see cref="FitData{TRow}.Median"/>, <c>"most_frequent"</c> is
/// <see cref="FitData{TRow}.MostFrequent(System.Func{TRow, double?}, string)"/> and <c>"constant"</c> is a literal or a
/// configuration value. Like <c>SimpleImputer</c>, the statistics leave missing values out. One difference:
/// <c>SimpleImputer</c>'s median of an even number of values is the mean of the middle two, <c>(a + b) / 2</c>, while
/// <see cref="FitData{TRow}.Median"/> interpolates linearly between them (NumPy's <c>quantile</c>); the two can differ in the last bit.
/// </remarks>
public static class Impute
{
    /// <summary>
    /// <paramref name="value"/>, or <paramref name="fill"/> where it is null or NaN (<c>SimpleImputer</c> with
    /// <c>missing_values=np.nan</c>; Spark ML's <c>Imputer</c>).
    /// </summary>
    /// <param name="value">The value, possibly missing.</param>
    /// <param name="fill">What a missing value becomes.</param>
    public static double Fill(double? value, double fill) => value is double v && !double.IsNaN(v) ? v : fill;

    /// <summary><paramref name="value"/>, or <paramref name="fill"/> where it is null (<c>SimpleImputer</c> on strings, with <c>strategy="most_frequent"</c> or <c>"constant"</c>).</summary>
    /// <param name="value">The value, possibly null.</param>
    /// <param name="fill">What a null becomes.</param>
    public static string Fill(string? value, string fill) => value ?? fill;

    /// <summary>Whether <paramref name="value"/> is missing (null or NaN): scikit-learn's <c>MissingIndicator</c> (<c>features="all"</c>) for one column.</summary>
    /// <param name="value">The value.</param>
    public static bool IsMissing(double? value) => value is not double v || double.IsNaN(v);

    /// <summary>Whether <paramref name="value"/> is missing (null).</summary>
    /// <param name="value">The value.</param>
    public static bool IsMissing(string? value) => value is null;
}
