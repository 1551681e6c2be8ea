using Dsl.Execution;

namespace Dsl.Generators.Tests;

/// <summary>Snippets shared by the tests.</summary>
internal static class TestSources
{
    public const string Usings = """
        using System;
        using Dsl;

        """;

    public const string TransactionSchema = """
        [Schema]
        public partial record Transaction(long UserId, DateTime Ts, string Country, double Amount, double? SessionSeconds, bool Label);

        """;

    /// <summary>The design document's sample: a filter fused with a map that takes a stage parameter object.</summary>
    public const string FraudFeatures = Usings + """
        namespace Sample;

        """ + TransactionSchema + """
        [Schema]
        public partial record Features(long UserId, double LogAmount, double AmountZ, int Hour, bool IsWeekend, int CountryBucket, string Country, double? Session);

        public sealed record AmountScaling(double Mean, double Std);

        [Pipeline("fraud-features")]
        public static partial class FraudFeatures
        {
            [Filter]
            static bool Valid(Transaction t) => t.Amount >= 0 && t.SessionSeconds is not null;

            [Map(From = nameof(Valid))]
            static Features Featurize(Transaction t, AmountScaling s) => new(
                t.UserId,
                Math.Log(1 + t.Amount),
                (t.Amount - s.Mean) / s.Std,
                t.Ts.Hour,
                t.Ts.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
                Hashing.Bucket(t.Country, 1024),
                t.Country,
                t.SessionSeconds * 2);
        }
        """;

    /// <summary>Values for <see cref="FraudFeatures"/>' <c>AmountScaling</c>, as a run takes them from pipeline.yaml.</summary>
    public static StageParameterValues FraudFeaturesParameters() => new StageParameterValues()
        .Set("AmountScaling", "Mean", 371.5)
        .Set("AmountScaling", "Std", 645.5);
}
