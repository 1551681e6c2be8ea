namespace Dsl.Pipeline1;

/// <summary>
/// Values that are the same for every row of a run: a stage takes them after its row. `FitAmount` computes these from
/// the data in a first pass over the input (or a run loads them with `--fitted FILE`, as a scoring job would); the
/// kernel reads them once per batch.
/// </summary>
public sealed record AmountScaling(double Mean, double Std);

/// <summary>
/// Turns raw transactions into fraud-model features. Each stage is plain row-wise C#; the build compiles the
/// filter and the map into one fused columnar pass (see `dotnet run -- explain`), with the input's rules checked in
/// it. The gate stops the commit when more than 1% of the input went to the quarantine: the previous output stays.
/// </summary>
[Pipeline("fraud-features")]
[Gate(GateMetric.QuarantineRate, Max = 0.01)]
public static partial class FraudFeatures
{
    /// <summary>Drops refunds (negative amounts) and transactions without a session.</summary>
    [Filter]
    public static bool Valid(Transaction t) => t.Amount >= 0 && t.SessionSeconds is not null;

    /// <summary>
    /// The amount's mean and population standard deviation over every valid transaction: a first pass computes them,
    /// saves them in the output's `_fitted.json`, and `Featurize` takes them.
    /// </summary>
    [Fit(From = nameof(Valid))]
    public static AmountScaling FitAmount(FitData<Transaction> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount));

    /// <summary>Derives the features of one valid transaction; <paramref name="s"/> standardizes the amount.</summary>
    [Map(From = nameof(Valid))]
    public static Features Featurize(Transaction t, AmountScaling s) => new(
        t.UserId,
        Math.Log(1 + t.Amount),
        (t.Amount - s.Mean) / s.Std,
        t.Ts.Hour,
        t.Ts.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
        Hashing.Bucket(t.Country, 1024),
        t.SessionSeconds.GetValueOrDefault() / 60.0,
        t.Amount > 1_000,
        t.Label);
}
