namespace Dsl.Generators.Tests.Fitting;

/// <summary>Pipelines with fit stages shared by the fit tests.</summary>
internal static class FitSources
{
    /// <summary>The example: a filter fused with a map taking <c>AmountScaling</c>, which a fit of the filter's rows computes.</summary>
    public const string Scaling = TestSources.Usings + """
        namespace Sample;

        """ + TestSources.TransactionSchema + """
        [Schema]
        public partial record Features(long UserId, double LogAmount, double AmountZ, string Country);

        public sealed record AmountScaling(double Mean, double Std);

        [Pipeline("fraud-features")]
        public static partial class FraudFeatures
        {
            [Filter]
            static bool Valid(Transaction t) => t.Amount >= 0 && t.SessionSeconds is not null;

            [Map(From = nameof(Valid))]
            static Features Featurize(Transaction t, AmountScaling s) => new(t.UserId, Math.Log(1 + t.Amount), (t.Amount - s.Mean) / s.Std, t.Country);

            [Fit(From = nameof(Valid))]
            static AmountScaling Scale(FitData<Transaction> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount));
        }
        """;

    /// <summary><see cref="Scaling"/> without the fit: the parameters come from the configuration.</summary>
    public const string ScalingConfigured = TestSources.Usings + """
        namespace Sample;

        """ + TestSources.TransactionSchema + """
        [Schema]
        public partial record Features(long UserId, double LogAmount, double AmountZ, string Country);

        public sealed record AmountScaling(double Mean, double Std);

        [Pipeline("fraud-features")]
        public static partial class FraudFeatures
        {
            [Filter]
            static bool Valid(Transaction t) => t.Amount >= 0 && t.SessionSeconds is not null;

            [Map(From = nameof(Valid))]
            static Features Featurize(Transaction t, AmountScaling s) => new(t.UserId, Math.Log(1 + t.Amount), (t.Amount - s.Mean) / s.Std, t.Country);
        }
        """;
}
