using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// Map stages calling the feature operations (<c>Scale</c>, <c>Impute</c>, <c>Bucketize</c>, <c>Encode</c>,
/// <c>FeatureHashing</c>, <c>PowerTransform</c>) with fitted parameters, boundaries and category lists among them:
/// they lower to kernels (no DSL4001 fallback) with a vector block, and the vector path and the per-row path both give
/// what calling the stage methods row by row gives, on rows with nulls, NaN and unknown categories, and throw where
/// the methods throw for bad parameters (and only there: a batch whose rows a filter drops does not throw).
/// </summary>
public sealed class FeatureKernelTests
{
    private const string Source = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Txn(double Amount, double? Session, int Count, string Country, string? Device, float Ratio);

        [Schema]
        public partial record Feat(
            double AmountZ, double AmountZPerRow, double Unit, double Ranged, double AbsScaled, double RobustScaled, double SessionFilled,
            bool SessionMissing, int AmountBucket, int SessionBucket, int EqualWidth, int CountryCode, int CountryKeep, double CountryFr,
            double CountryOther, double DeviceSecond, int DeviceColumn, double Hashed, double HashedPair, int HashIndex, double Logged,
            double BoxCoxed, double YeoJohnsoned, int DeviceCode, double BucketOrZero, double CountryRest);

        public sealed record FeatureStats(
            double Mean, double Std, double Min, double Max, double MaxAbs, double Median, double Q25, double Q75, double SessionFill,
            double[] Boundaries, string[] Countries, string[] Devices, string[] SeenDevices, int Buckets, int HashColumns, double Lambda,
            double RangeMin, double RangeMax, double Cut);

        [Pipeline("features")]
        public static partial class Featurize
        {
            [Filter]
            static bool Valid(Txn t, FeatureStats s) => t.Amount > s.Cut || t.Count > 0;

            [Map(From = nameof(Valid))]
            static Feat Apply(Txn t, FeatureStats s) => new(
                Scale.Standard(t.Amount, s.Mean, s.Std),
                Scale.Standard(t.Amount, t.Ratio, s.Std),
                Scale.MinMax(t.Amount, s.Min, s.Max),
                Scale.MinMax(t.Count, s.Min, s.Max, s.RangeMin, s.RangeMax),
                Scale.MaxAbs(t.Amount, s.MaxAbs),
                Scale.Robust(t.Amount, s.Median, s.Q25, s.Q75),
                Impute.Fill(t.Session, s.SessionFill),
                Impute.IsMissing(t.Session),
                Bucketize.Index(t.Amount, s.Boundaries),
                Bucketize.Index(t.Session ?? double.NaN, s.Boundaries),
                Bucketize.Uniform(t.Amount, s.Min, s.Max, s.Buckets),
                Encode.Ordinal(t.Country, s.Countries),
                Encode.Ordinal(t.Country, s.Countries, 99),
                Encode.OneHot(t.Country, s.Countries, 0),
                Encode.OneHotOrInfrequent(t.Country, s.Countries, 3),
                Encode.OneHot(t.Device, s.Devices, s.SeenDevices, 1),
                Encode.OneHotColumn(t.Device, s.Devices, s.SeenDevices),
                FeatureHashing.Value(t.Country, s.HashColumns, 1),
                FeatureHashing.Value("country=" + t.Country, 4, 2) + FeatureHashing.Value(t.Device, 4, 2),
                FeatureHashing.Index(t.Device, s.HashColumns),
                PowerTransform.Log1p(t.Amount),
                PowerTransform.BoxCox(t.Amount, s.Lambda),
                PowerTransform.YeoJohnson(t.Amount, s.Lambda),
                Encode.Ordinal(Impute.Fill(t.Device, "missing"), s.Devices),
                t.Count > 3 ? Bucketize.Index(t.Ratio, s.Boundaries) : 0.0,
                Encode.Ordinal(t.Country, s.Countries) < 0 ? 1.0 : 0.0);
        }
        """;

    // A checked argument read per row: the segment keeps correct per-row code and says why it has no vector block.
    private const string PerRowCheck = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Txn(double Amount, int Count, string Country);

        [Schema]
        public partial record Out(int Bucket, int Hashed);

        [Pipeline("per-row-check")]
        public static partial class PerRowCheck
        {
            [Map]
            static Out Apply(Txn t) => new(Bucketize.Uniform(t.Amount, -1.0, 1.0, t.Count), FeatureHashing.Index(t.Country, 16));
        }
        """;

    public static TheoryData<string> ParameterSets => ["fitted", "degenerate", "unsorted-boundaries", "duplicate-category", "no-hash-columns", "reversed-range", "no-values"];

    [Fact]
    public void FeatureStage_LowersWithoutFallback_AndKeepsAVectorBlock()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        Assert.All(snippet.Pipeline("S.Featurize").Plan.Stages, s => Assert.True(s.Vectorized, s.FallbackReason));
        Assert.DoesNotContain(snippet.Run.GeneratorDiagnostics, d => d.Id is "DSL4001" or "DSL4002");
        string generated = snippet.Run.GeneratedSource("S.Featurize.Pipeline.g.cs");
        Assert.DoesNotContain("// No vector block", generated, StringComparison.Ordinal);
        Assert.Contains("for (; i < vectorEnd; i += 4)", generated, StringComparison.Ordinal);
        // Parameters checked once per batch; strings once per dictionary entry; the scalers' scale once per batch.
        Assert.Contains("FeatureChecks.Boundaries(", generated, StringComparison.Ordinal);
        Assert.Contains("FeatureChecks.Categories(", generated, StringComparison.Ordinal);
        Assert.Contains("FeatureChecks.HashFeatures(", generated, StringComparison.Ordinal);
        Assert.Contains("once per dictionary entry of Country", generated, StringComparison.Ordinal);
        Assert.Contains("once per dictionary entry of Device", generated, StringComparison.Ordinal);
        Assert.Contains("Scale.StandardScale(", generated, StringComparison.Ordinal);
        Assert.Equal(
            [new StageParameterMember("Boundaries", ParameterType.DoubleArray), new StageParameterMember("Countries", ParameterType.StringArray)],
            snippet.Pipeline("S.Featurize").Plan.Stages[1].Parameters!.Members.Where(m => m.Name is "Boundaries" or "Countries"));
    }

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void FeatureStage_VectorAndPerRowKernels_MatchTheStageMethods(string set)
    {
        using var snippet = LoadedSnippet.Compile(Source);
        DifferentialRunner.Verify(snippet, "S.Featurize", "S.Txn", seeds: 3, parameters: Values(set));
    }

    [Fact]
    public void BadParameters_WithEveryRowFilteredOut_DoNotThrow_AsTheStageMethodsDoNot()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        Type txn = snippet.Type("S.Txn");
        // Count 0 and an amount below the cut: the filter drops every row, so the map never runs.
        List<object> rows = [.. Enumerable.Range(0, 300).Select(i => Activator.CreateInstance(txn, -1e9 - i, null, 0, i % 2 == 0 ? "FR" : "xx", null, 1f)!)];
        foreach (string set in new[] { "unsorted-boundaries", "duplicate-category", "no-hash-columns", "reversed-range", "no-values" })
        {
            DifferentialRunner.VerifyRows(snippet, "S.Featurize", "S.Txn", rows, Values(set));
        }
    }

    [Fact]
    public void CheckedArgumentReadPerRow_RunsPerRow_AndTheKernelSaysWhy()
    {
        using var snippet = LoadedSnippet.Compile(PerRowCheck);
        Assert.All(snippet.Pipeline("S.PerRowCheck").Plan.Stages, s => Assert.True(s.Vectorized, s.FallbackReason));
        string generated = snippet.Run.GeneratedSource("S.PerRowCheck.Pipeline.g.cs");
        Assert.Contains("checks its parameters once per batch", generated, StringComparison.Ordinal);
        DifferentialRunner.Verify(snippet, "S.PerRowCheck", "S.Txn", seeds: 2);
    }

    private static StageParameterValues Values(string set)
    {
        var values = new StageParameterValues();
        void Set(string member, object value) => values.Set("FeatureStats", member, value);
        Set("Mean", 12.5);
        Set("Std", 40.0);
        Set("Min", -100.0);
        Set("Max", 300.0);
        Set("MaxAbs", 300.0);
        Set("Median", 7.0);
        Set("Q25", -2.5);
        Set("Q75", 55.0);
        Set("SessionFill", 30.0);
        Set("Boundaries", new[] { -10.0, 0.0, 0.0, 2.5, 150.0 });
        Set("Countries", new[] { "FR", "de", "a" });
        Set("Devices", new[] { "A", "FR" });
        Set("SeenDevices", new[] { "A", "FR", "naïve", "" });
        Set("Buckets", 5);
        Set("HashColumns", 16);
        Set("Lambda", 0.37);
        Set("RangeMin", -1.0);
        Set("RangeMax", 1.0);
        Set("Cut", -1e6);
        switch (set)
        {
            case "degenerate":
                // Zero spreads (scale 1), a constant column's bounds, lambda 0 and 2 branches, empty lists.
                Set("Std", 0.0);
                Set("Min", 4.0);
                Set("Max", 4.0);
                Set("MaxAbs", 0.0);
                Set("Q25", 1.0);
                Set("Q75", 1.0);
                Set("Boundaries", Array.Empty<double>());
                Set("Countries", Array.Empty<string>());
                Set("Lambda", 0.0);
                Set("Buckets", 1);
                Set("HashColumns", 1);
                break;
            case "unsorted-boundaries":
                Set("Boundaries", new[] { 3.0, 1.0 });
                break;
            case "duplicate-category":
                Set("Countries", new[] { "FR", "de", "FR" });
                break;
            case "no-hash-columns":
                Set("HashColumns", 0);
                break;
            case "reversed-range":
                Set("RangeMin", 1.0);
                Set("RangeMax", 1.0);
                break;
            case "no-values":
                // What a fit over a column without values gives: NaN statistics, which Uniform refuses.
                Set("Mean", double.NaN);
                Set("Std", double.NaN);
                Set("Min", double.NaN);
                Set("Max", double.NaN);
                break;
        }
        return values;
    }
}
