using Dsl.Execution;
using Dsl.Fitting;
using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Fitting;

/// <summary>
/// The generated <c>FitParameters</c> (<see cref="CompiledPipeline.Fitter"/>) against the plan's requests: answers
/// set under each <see cref="FitRequest"/> of the plan are exactly the ones the fit methods' calls look up
/// (<see cref="FitResults.Get{T}"/> throws for any other key), so the selector text, the statistic and the constant
/// arguments the generator records are the ones the compiler passes, however the call is written; and every member of
/// each returned record lands in the stage parameter values under its type and member.
/// </summary>
public sealed class FitterTests
{
    // One record member per statistic, so each answer comes back unchanged in its own member.
    private const string EveryStatistic = TestSources.Usings + """
        namespace F;

        [Schema]
        public partial record Row(long Id, [property: Column("amount_usd")] double Amount, int Items, float Ratio, double? Score, string Country, string? City, bool Flag);

        [Schema]
        public partial record Out(long Id, double Z);

        public sealed record Stats(
            long Rows, long NullCities, long Scores, double Sum, double Mean, double Variance, double Std, double SampleVariance,
            double SampleStd, double Min, double Max, double MaxAbs, long Distinct, long ApproxDistinct, double P90, double Median,
            double[] Boundaries, string[] Vocabulary, string[] Top3, string Commonest, double CommonestItems, double Named, double Custom,
            double Spaced, double Multiline, double Commented, double Typed, double Parenthesized);

        [Pipeline("every")]
        public static partial class Every
        {
            [Map]
            static Out Use(Row r, Stats s) => new(r.Id, (r.Amount - s.Mean) / s.Std);

            [Fit]
            static Stats Fit(FitData<Row> d)
            {
                const double Tail = 0.9;
                long rows = d.Count();
                return new Stats(
                    rows,
                    d.NullCount(r => r.City),
                    d.ValueCount(r => r.Score),
                    d.Sum(r => r.Amount),
                    d.Mean(r => r.Amount),
                    d.Variance(r => r.Ratio),
                    d.Std(r => r.Amount),
                    d.SampleVariance(r => r.Items),
                    d.SampleStd(r => r.Score),
                    d.Min(r => r.Score),
                    d.Max(r => r.Items),
                    d.MaxAbs(r => r.Amount),
                    d.Distinct(r => r.Flag),
                    d.ApproxDistinct(r => r.Country),
                    d.Quantile(r => r.Amount, Tail),
                    d.Median(r => r.Amount),
                    d.QuantileBoundaries(r => r.Items, 5),
                    d.Vocabulary(r => r.Country),
                    d.Vocabulary(r => r.City, 3, minFrequency: 10L),
                    d.MostFrequent(r => r.Country),
                    d.MostFrequent(r => r.Items),
                    d.Quantile(q: 0.25f, column: r => r.Ratio),
                    d.Mean(r => r.Ratio, "ratio"),
                    d.Max(r   =>   r.Amount),
                    d.Min(
                        r => r
                            .Amount),
                    d.Sum(r => /* "usd" \ */ r.Amount),
                    d.Mean((Row r) => r.Items),
                    d.Max(static (r) => r.Ratio));
            }
        }
        """;

    [Fact]
    public void Fitter_FindsAnAnswerForEveryCall_UnderThePlansRequests_AndSetsEveryMember()
    {
        AssertRoundTrip(EveryStatistic);
    }

    [Fact]
    public void Fitter_RoundTrips_WithWindowsLineEndings()
    {
        // A multi-line selector's text holds the source's own line breaks, in the plan and in the compiler's string alike.
        AssertRoundTrip(EveryStatistic.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Requests_RecordStatisticColumnExpressionAndArguments_AsTheCallsAskForThem()
    {
        using var snippet = LoadedSnippet.Compile(EveryStatistic);
        FitPlan fit = Assert.Single(snippet.Pipeline("F.Every").Plan.Fits);
        string Row(FitRequest r) => $"{r.Statistic}|{r.Column}|{r.Expression}|{string.Join(",", r.Arguments)}";

        Assert.Equal(
            [
                "Count|||",
                "NullCount|City|r => r.City|",
                "ValueCount|Score|r => r.Score|",
                "Sum|amount_usd|r => r.Amount|",
                "Mean|amount_usd|r => r.Amount|",
                "Variance|Ratio|r => r.Ratio|",
                "StdDev|amount_usd|r => r.Amount|",
                "SampleVariance|Items|r => r.Items|",
                "SampleStdDev|Score|r => r.Score|",
                "Min|Score|r => r.Score|",
                "Max|Items|r => r.Items|",
                "MaxAbs|amount_usd|r => r.Amount|",
                "Distinct|Flag|r => r.Flag|",
                "ApproxDistinct|Country|r => r.Country|",
                "Quantile|amount_usd|r => r.Amount|0.9",
                "Quantile|amount_usd|r => r.Amount|0.5",
                "QuantileBoundaries|Items|r => r.Items|5",
                "Vocabulary|Country|r => r.Country|2147483647,1",
                "Vocabulary|City|r => r.City|3,10",
                "MostFrequent|Country|r => r.Country|",
                "MostFrequent|Items|r => r.Items|",
                "Quantile|Ratio|r => r.Ratio|0.25",
                "Mean|Ratio|ratio|",
                "Max|amount_usd|r   =>   r.Amount|",
                "Min|amount_usd|r => r\n                    .Amount|",
                "Sum|amount_usd|r => /* \"usd\" \\ */ r.Amount|",
                "Mean|Items|(Row r) => r.Items|",
                "Max|Ratio|static (r) => r.Ratio|",
            ],
            fit.Requests.Select(Row));
        Assert.Equal("Fit", fit.Stage);
        Assert.Equal("Row", fit.InputSchema);
        Assert.Null(fit.From);
        Assert.Null(fit.Segment);
        Assert.Equal("Stats", fit.ParametersType);
    }

    [Fact]
    public void AStatisticAskedTwice_IsRequestedOnce()
    {
        string source = FitSources.Scaling.Replace(
            "new(d.Mean(t => t.Amount), d.Std(t => t.Amount))",
            "new(d.Mean(t => t.Amount), d.Std(t => t.Amount) + 0 * d.Mean(t => t.Amount))",
            StringComparison.Ordinal);
        using var snippet = LoadedSnippet.Compile(source);
        FitPlan fit = Assert.Single(snippet.Pipeline("Sample.FraudFeatures").Plan.Fits);
        Assert.Equal([FitStatistic.Mean, FitStatistic.StdDev], fit.Requests.Select(r => r.Statistic));
    }

    [Fact]
    public void FittedValues_BindIntoTheSecondPassKernels()
    {
        using var snippet = LoadedSnippet.Compile(FitSources.Scaling);
        CompiledPipeline compiled = snippet.Pipeline("Sample.FraudFeatures");
        FitPlan fit = Assert.Single(compiled.Plan.Fits);
        var results = new FitResults();
        results.Set(fit.Stage, fit.Requests.Single(r => r.Statistic == FitStatistic.Mean), 10.0);
        results.Set(fit.Stage, fit.Requests.Single(r => r.Statistic == FitStatistic.StdDev), 4.0);
        var values = new StageParameterValues();

        compiled.Fitter!(results, values);
        CompiledPipeline bound = compiled.WithParameters(values);

        Type transaction = snippet.Type("Sample.Transaction");
        var rows = new List<object>
        {
            Activator.CreateInstance(transaction, 1L, new DateTime(2024, 1, 1), "FR", 18.0, (double?)3.0, false)!,
            Activator.CreateInstance(transaction, 2L, new DateTime(2024, 1, 1), "DE", 2.0, (double?)1.0, true)!,
        };
        using RecordBatch input = LoadedSnippet.ToBatch(transaction, rows);
        using RecordBatch output = bound.Kernels[0](input);
        Assert.Equal([2.0, -2.0], output.GetPrimitive<double>("AmountZ", ColumnType.Double).Values.ToArray());
    }

    [Fact]
    public void AFitReturningNull_FailsWithTheStageName()
    {
        string source = FitSources.Scaling.Replace(
            "static AmountScaling Scale(FitData<Transaction> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount));",
            "static AmountScaling Scale(FitData<Transaction> d) => d.Count() > 0 ? new(d.Mean(t => t.Amount), 1) : null!;",
            StringComparison.Ordinal);
        using var snippet = LoadedSnippet.Compile(source);
        CompiledPipeline compiled = snippet.Pipeline("Sample.FraudFeatures");
        FitPlan fit = Assert.Single(compiled.Plan.Fits);
        var results = new FitResults();
        results.Set(fit.Stage, fit.Requests.Single(r => r.Statistic == FitStatistic.Count), 0L);
        results.Set(fit.Stage, fit.Requests.Single(r => r.Statistic == FitStatistic.Mean), double.NaN);

        var error = Assert.Throws<InvalidOperationException>(() => compiled.Fitter!(results, new StageParameterValues()));
        Assert.Equal("Fit stage 'Scale' returned null instead of its AmountScaling record.", error.Message);
    }

    [Fact]
    public void APipelineWithoutFits_HasNoFitter()
    {
        using var snippet = LoadedSnippet.Compile(FitSources.ScalingConfigured);
        CompiledPipeline compiled = snippet.Pipeline("Sample.FraudFeatures");
        Assert.Null(compiled.Fitter);
        Assert.Empty(compiled.Plan.Fits);
    }

    /// <summary>
    /// Sets a distinct answer of the right type under every request of every fit, runs the Fitter, and checks that each
    /// record member holds the answer of the call that computed it (the members are declared in call order).
    /// </summary>
    private static void AssertRoundTrip(string source)
    {
        using var snippet = LoadedSnippet.Compile(source);
        CompiledPipeline compiled = snippet.Pipeline("F.Every");
        PipelinePlan plan = compiled.Plan;
        FitPlan fit = Assert.Single(plan.Fits);
        StageParametersPlan record = plan.ParameterTypes().Single(p => p.TypeName == fit.ParametersType);
        BatchSchema schema = plan.Schemas[fit.InputSchema];

        var results = new FitResults();
        var answers = new List<object>();
        for (int i = 0; i < fit.Requests.Count; i++)
        {
            FitRequest request = fit.Requests[i];
            object answer = request.Statistic switch
            {
                FitStatistic.Count or FitStatistic.NullCount or FitStatistic.ValueCount or FitStatistic.Distinct or FitStatistic.ApproxDistinct => 100L + i,
                FitStatistic.QuantileBoundaries => new[] { 1.5 + i, 2.5 + i },
                FitStatistic.Vocabulary => new[] { "v" + i, "w" + i },
                FitStatistic.MostFrequent when schema.Fields[schema.IndexOf(request.Column)].Type == ColumnType.String => "top" + i,
                _ => 0.25 + i,
            };
            results.Set(fit.Stage, request, answer);
            answers.Add(answer);
        }
        var values = new StageParameterValues();

        compiled.Fitter!(results, values);

        // The Stats members are declared in the order the body makes its calls, one member per request.
        Assert.Equal(record.Members.Count, answers.Count);
        for (int m = 0; m < record.Members.Count; m++)
        {
            StageParameterMember member = record.Members[m];
            Assert.True(values.TryGet(record.TypeName, member.Name, out object? value), member.Name + " was not set.");
            Assert.Equal(answers[m], value);
        }
        Assert.Empty(values.Missing(plan));
        Assert.NotNull(compiled.WithParameters(values).Kernels[0]);
    }
}
