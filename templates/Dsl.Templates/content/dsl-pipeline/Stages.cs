namespace Dsl.Pipeline1;

/// <summary>
/// Turns raw transactions into fraud-model features. Each stage is plain row-wise C#; the build compiles the
/// filter and the map into one fused columnar pass (see `dotnet run -- explain`).
/// </summary>
[Pipeline("fraud-features")]
public static partial class FraudFeatures
{
    /// <summary>Drops refunds (negative amounts) and transactions without a session.</summary>
    [Filter]
    public static bool Valid(Transaction t) => t.Amount >= 0 && t.SessionSeconds is not null;

    /// <summary>Derives the features of one valid transaction.</summary>
    [Map(From = nameof(Valid))]
    public static Features Featurize(Transaction t) => new(
        t.UserId,
        Math.Log(1 + t.Amount),
        t.Ts.Hour,
        t.Ts.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
        Hashing.Bucket(t.Country, 1024),
        t.SessionSeconds.GetValueOrDefault() / 60.0,
        t.Amount > 1_000,
        t.Label);
}
