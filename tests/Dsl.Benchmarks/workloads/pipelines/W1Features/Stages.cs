namespace Dsl.Workloads;

/// <summary>What the fit computes from the kept rows (w1-features.sql's `fit` CTE).</summary>
public sealed record AmountFit(double Mean, double Std, double SessionMedian, double[] Deciles);

/// <summary>One output row of W1.</summary>
[Schema]
public partial record Features(
    long TxId,
    long UserId,
    double AmountZ,
    double LogAmount,
    double SessionSeconds,
    int Hour,
    bool IsWeekend,
    int CountryBucket,
    int AmountDecile,
    bool Label);

/// <summary>
/// W1 features (w1-features.sql): keep the rows with a non-negative amount, fit the amount's mean, population
/// standard deviation and deciles and the session's median on them, then derive the features of every kept row.
/// </summary>
[Pipeline("w1-features")]
public static partial class W1Features
{
    /// <summary>`WHERE Amount >= 0`: a null amount compares false, as in SQL.</summary>
    [Filter]
    public static bool Valid(Transaction t) => t.Amount >= 0;

    /// <summary>`avg`, `stddev_pop`, `quantile_cont(SessionSeconds, 0.5)` and the distinct deciles of Amount.</summary>
    [Fit(From = nameof(Valid))]
    public static AmountFit Fit(FitData<Transaction> d) => new(
        d.Mean(t => t.Amount),
        d.Std(t => t.Amount),
        d.Median(t => t.SessionSeconds),
        d.QuantileBoundaries(t => t.Amount, 10));

    /// <summary>
    /// The SQL's select list. CountryBucket is FNV-1a (Hashing.Bucket) where DuckDB uses its own hash; AmountDecile is
    /// the number of deciles at or below the amount, as `len(list_filter(deciles, b -> b <= Amount))`. The bucket is
    /// Hashing.Bucket(t.Country, 1024) (null: 0) written so that the kernel hashes each dictionary entry of the
    /// nullable column once (it has a vector form only on a string that cannot be null).
    /// </summary>
    [Map(From = nameof(Valid))]
    public static Features Featurize(Transaction t, AmountFit f) => new(
        t.TxId,
        t.UserId,
        Scale.Standard(t.Amount ?? double.NaN, f.Mean, f.Std),
        Math.Log(1 + (t.Amount ?? double.NaN)),
        Impute.Fill(t.SessionSeconds, f.SessionMedian),
        t.Ts.Hour,
        t.Ts.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
        t.Country == null ? 0 : Hashing.Bucket(t.Country ?? "", 1024),
        Bucketize.Index(t.Amount ?? double.NaN, f.Deciles),
        t.Label);
}
