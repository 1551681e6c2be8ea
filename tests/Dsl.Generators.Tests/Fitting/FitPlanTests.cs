using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Generators.Tests.Validation;
using Dsl.Validation;

namespace Dsl.Generators.Tests.Fitting;

/// <summary>
/// The plan of a pipeline with fit stages: the second pass's segments, fusion, read columns and rules are exactly
/// those of the same pipeline without the fits; each fit's From chain runs again, fused on its own, in first-pass
/// segments appended after them (FitOnly, no sink) that read only what their stages, rules and fits need and write
/// only the columns the fits read; the fits come in the order their records can be computed.
/// </summary>
public sealed class FitPlanTests
{
    // A check, a map with a rule on its output and a filter taking the fitted record, after an input rule; the fit
    // observes the map. 'At' is read by nothing: the second pass reads it only because its segment quarantines.
    private const string Rated = TestSources.Usings + """
        namespace R;

        [Schema]
        public partial record Trip(long Id, [property: Range(0, 500)] double Fare, double Miles, string Zone, DateTime At);

        [Schema]
        public partial record Rated(long Id, [property: Finite(Action = RuleAction.Drop)] double PerMile, string Zone);

        public sealed record RateStats(double MeanPerMile, string[] Zones);

        [Pipeline("rated")]
        public static partial class Rating
        {
            [Check]
            static bool Paid(Trip t) => t.Fare > 0;

            [Map(From = nameof(Paid))]
            static Rated Rate(Trip t) => new(t.Id, t.Fare / t.Miles, t.Zone);

            [Filter(From = nameof(Rate))]
            static bool Typical(Rated r, RateStats s) => r.PerMile < s.MeanPerMile * 3;

            [Fit(From = nameof(Rate))]
            static RateStats Stats(FitData<Rated> d) => new(d.Mean(r => r.PerMile), d.Vocabulary(r => r.Zone));
        }
        """;

    [Fact]
    public void TheIssuesExample_AddsOneFirstPassSegment_AndLeavesTheSecondPassAsItWas()
    {
        using var fitted = LoadedSnippet.Compile(FitSources.Scaling);
        using var configured = LoadedSnippet.Compile(FitSources.ScalingConfigured);
        PipelinePlan plan = fitted.Pipeline("Sample.FraudFeatures").Plan;
        PipelinePlan without = configured.Pipeline("Sample.FraudFeatures").Plan;

        AssertSecondPassUnchanged(without, plan);
        Assert.Equal(2, plan.Segments.Count);
        SegmentPlan main = plan.Segments[0];
        Assert.Equal(["Valid", "Featurize"], main.Stages);
        Assert.False(main.FitOnly);
        Assert.True(main.IsSink);
        Assert.Equal(["UserId", "Country", "Amount", "SessionSeconds"], main.ReadColumns);

        SegmentPlan first = plan.Segments[1];
        Assert.Equal(1, first.Index);
        Assert.True(first.FitOnly);
        Assert.False(first.IsSink);
        Assert.Equal(["Valid"], first.Stages);
        Assert.Null(first.InputSegment);
        Assert.Equal("Transaction", first.InputSchema);
        Assert.Equal("Transaction", first.OutputSchema);
        Assert.Equal(["Amount", "SessionSeconds"], first.ReadColumns);
        Assert.Equal(["Amount"], first.OutputColumns!);
        Assert.Equal(["Amount"], plan.WrittenColumns(first));
        Assert.Equal(SegmentExecution.VectorBlocks, first.Execution);

        FitPlan fit = Assert.Single(plan.Fits);
        Assert.Equal(new FitPlan("Scale", "Transaction", "Valid", 1, "AmountScaling", fit.Requests), fit);
        Assert.Equal(
            [new FitRequest(FitStatistic.Mean, "Amount", "t => t.Amount", []), new FitRequest(FitStatistic.StdDev, "Amount", "t => t.Amount", [])],
            fit.Requests.Select(r => r with { Arguments = [] }));
        Assert.All(fit.Requests, r => Assert.Empty(r.Arguments));

        StagePlan stage = plan.Stages.Single(s => s.Name == "Scale");
        Assert.Equal(new StagePlan("Scale", StageKind.Fit, "Transaction", "Transaction", "Valid", true, null), stage);
        Assert.Equal(["AmountScaling"], plan.ParameterTypes().Select(p => p.TypeName));
        Assert.Equal([main], plan.Sinks);
        Assert.Empty(plan.ConsumersOf(main));
        Assert.Empty(plan.Rules);
    }

    [Fact]
    public void FirstPassSegment_ChecksTheSecondPassRulesOfItsStages_UnderTheSameNumbers_AndReadsOnlyWhatItNeeds()
    {
        using var snippet = LoadedSnippet.Compile(Rated);
        CompiledPipeline compiled = snippet.Pipeline("R.Rating")
            .WithParameters(new StageParameterValues().Set("RateStats", "MeanPerMile", 2.0).Set("RateStats", "Zones", new[] { "a" }));
        PipelinePlan plan = compiled.Plan;
        Assert.Equal(["Trip.Fare.Range", "Paid", "Rated.PerMile.Finite"], plan.Rules.Select(r => r.Id));
        Assert.All(plan.Rules, r => Assert.Equal(0, r.Segment));
        Assert.Equal(["Paid", "Rate", "Typical"], plan.Segments[0].Stages);
        Assert.Equal(["Id", "Fare", "Miles", "Zone", "At"], plan.Segments[0].ReadColumns); // it quarantines: the whole row

        SegmentPlan first = plan.Segments[1];
        Assert.True(first.FitOnly);
        Assert.Equal(["Paid", "Rate"], first.Stages);
        Assert.Equal("Rated", first.OutputSchema);
        Assert.Equal(["Id", "Fare", "Miles", "Zone"], first.ReadColumns); // not 'At': the first pass writes no quarantine
        Assert.Equal(["PerMile", "Zone"], first.OutputColumns!);
        Assert.Equal(1, Assert.Single(plan.Fits).Segment);
        ValidationLayout.CheckColumns(plan, plan.Segments.Where(s => s.ReadsInput).SelectMany(s => s.ReadColumns).Distinct().ToList());
        ValidationLayout.CheckInputRulesRunOnce(plan);

        Type trip = snippet.Type("R.Trip");
        var rows = new List<object>();
        for (int r = 0; r < 41; r++)
        {
            double fare = r % 7 == 0 ? 900 : r % 5 == 0 ? 0 : 3 + r; // 900: the range rule; 0: the check
            double miles = r % 6 == 0 ? 0 : 1 + (r % 4);              // 0: an infinite rate, dropped by Finite
            rows.Add(Activator.CreateInstance(trip, (long)r, fare, miles, "z" + (r % 3), new DateTime(2024, 1, 1))!);
        }
        foreach (bool vectors in new[] { true, false })
        {
            using IDisposable? scalar = vectors ? null : Dsl.Kernels.KernelDispatch.ScalarOnly();
            using RecordBatch input = LoadedSnippet.ToBatch(trip, rows);
            var mainViolations = new RowViolations();
            var firstViolations = new RowViolations();
            using RecordBatch main = compiled.Kernels[0](input, mainViolations);
            using RecordBatch observed = compiled.Kernels[1](input, firstViolations);

            var expected = new List<(int, int)>();
            var perMile = new List<double>();
            var zones = new List<string>();
            for (int r = 0; r < rows.Count; r++)
            {
                dynamic t = rows[r];
                if (!(t.Fare >= 0 && t.Fare <= 500))
                {
                    expected.Add((0, r));
                    continue;
                }
                if (!(t.Fare > 0))
                {
                    expected.Add((1, r));
                    continue;
                }
                double rate = t.Fare / t.Miles;
                if (!double.IsFinite(rate))
                {
                    expected.Add((2, r));
                    continue;
                }
                perMile.Add(rate);
                zones.Add(t.Zone);
            }
            // Vector blocks report a block's rows rule by rule: compare the pairs, not their order.
            Assert.Equal(expected.Order(), MemberRuleKernelTests.Pairs(firstViolations).Order());
            Assert.Equal(MemberRuleKernelTests.Pairs(mainViolations).Order(), MemberRuleKernelTests.Pairs(firstViolations).Order());
            Assert.Contains(expected, p => p.Item1 == 1);
            Assert.Equal(["PerMile", "Zone"], observed.Schema.Fields.Select(f => f.Name));
            Assert.Equal(perMile, observed.GetPrimitive<double>("PerMile", ColumnType.Double).Values.ToArray());
            Assert.Equal(zones, Strings(observed, "Zone"));
            Assert.True(main.RowCount < observed.RowCount, "Typical keeps fewer rows than the fit observes.");
        }
    }

    [Fact]
    public void AFitWithoutFrom_ObservesTheUniqueStageProducingItsRows()
    {
        using var snippet = LoadedSnippet.Compile(FitSources.Scaling.Replace("[Fit(From = nameof(Valid))]", "[Fit]", StringComparison.Ordinal));
        FitPlan fit = Assert.Single(snippet.Pipeline("Sample.FraudFeatures").Plan.Fits);
        Assert.Equal("Valid", fit.From);
        Assert.Equal(1, fit.Segment);
    }

    [Fact]
    public void AFitOfRowsNoStageProduces_ObservesTheInputAsRead_WithNoSegment()
    {
        const string Source = TestSources.Usings + """
            namespace I;

            [Schema] public partial record In(long Id, double X);
            [Schema] public partial record Out(long Id, double Z);

            public sealed record Scaling(double Mean, double Std);

            [Pipeline("input")]
            public static partial class FromInput
            {
                [Map]
                static Out Standardize(In r, Scaling s) => new(r.Id, (r.X - s.Mean) / s.Std);

                [Fit]
                static Scaling Scale(FitData<In> d) => new(d.Mean(r => r.X), d.Std(r => r.X));
            }
            """;
        using var snippet = LoadedSnippet.Compile(Source);
        PipelinePlan plan = snippet.Pipeline("I.FromInput").Plan;
        FitPlan fit = Assert.Single(plan.Fits);
        Assert.Null(fit.From);
        Assert.Null(fit.Segment);
        Assert.Equal("X", fit.Requests[0].Column);
        Assert.DoesNotContain(plan.Segments, s => s.FitOnly);
        Assert.Equal(new StagePlan("Scale", StageKind.Fit, "In", "In", null, true, null), plan.Stages[^1]);
    }

    [Fact]
    public void TwoFitsOfOneStage_ShareOneFirstPassSegment_WrittenWithTheColumnsBothRead()
    {
        using var snippet = LoadedSnippet.Compile(Execution.ScenarioSources.Fitted);
        PipelinePlan plan = snippet.Pipeline("S.Fitting").Plan;

        Assert.Equal(["Scale", "Categorize"], plan.Fits.Select(f => f.Stage));
        Assert.All(plan.Fits, f => Assert.Equal(1, f.Segment));
        SegmentPlan first = Assert.Single(plan.Segments, s => s.FitOnly);
        Assert.Equal(["Country", "Amount", "Items"], first.OutputColumns!);
        Assert.Equal(["Country", "Amount", "Session", "Items"], first.ReadColumns);
        Assert.Equal(["Valid", "Score", "Known"], plan.Segments[0].Stages);
    }

    [Fact]
    public void FitsObservingStagesThatTakeAnotherFitsRecord_ComeAfterThatFit()
    {
        // Bounds is declared first but observes Scaled, which takes Scale's record.
        const string Source = TestSources.Usings + """
            namespace O;

            [Schema] public partial record In(long Id, double X);
            [Schema] public partial record Scaled(long Id, double Z);
            [Schema] public partial record Binned(long Id, int Bin);

            public sealed record Scaling(double Mean, double Std);
            public sealed record Bins(double Low, double High);

            [Pipeline("ordered")]
            public static partial class Ordered
            {
                [Map]
                static Scaled Standardize(In r, Scaling s) => new(r.Id, (r.X - s.Mean) / s.Std);

                [Map]
                static Binned Bin(Scaled r, Bins b) => new(r.Id, r.Z < b.Low ? 0 : r.Z < b.High ? 1 : 2);

                [Fit(From = nameof(Standardize))]
                static Bins Bounds(FitData<Scaled> d) => new(d.Quantile(r => r.Z, 0.25), d.Quantile(r => r.Z, 0.75));

                [Fit]
                static Scaling Scale(FitData<In> d) => new(d.Mean(r => r.X), d.Std(r => r.X));
            }
            """;
        using var snippet = LoadedSnippet.Compile(Source);
        PipelinePlan plan = snippet.Pipeline("O.Ordered").Plan;

        Assert.Equal(["Scale", "Bounds"], plan.Fits.Select(f => f.Stage));
        Assert.Null(plan.Fits[0].Segment);
        SegmentPlan observed = plan.Segments[plan.Fits[1].Segment!.Value];
        Assert.True(observed.FitOnly);
        Assert.Equal(["Standardize"], observed.Stages);
        Assert.Equal(["Z"], observed.OutputColumns!);
        Assert.Equal(["Standardize", "Bin"], plan.Segments[0].Stages);
    }

    [Fact]
    public void AChainCrossingSchemas_SplitsIntoFirstPassSegments_AsTheSecondPassDoes()
    {
        // Wide reads Narrow's rows by column name: a segment of its own in both passes.
        const string Source = TestSources.Usings + """
            namespace C;

            [Schema] public partial record In(long Id, double X, string Tag);
            [Schema] public partial record Narrow(long Id, double X);
            [Schema] public partial record Wide(long Id, double X);

            public sealed record Center(double Mean);

            [Pipeline("crossing")]
            public static partial class Crossing
            {
                [Map]
                static Narrow Shrink(In r) => new(r.Id, r.X * 2);

                [Filter(From = nameof(Shrink))]
                static bool Positive(Wide w) => w.X > 0;

                [Map(From = nameof(Positive))]
                static Narrow Shift(Wide w, Center c) => new(w.Id, w.X - c.Mean);

                [Fit(From = nameof(Positive))]
                static Center Centered(FitData<Wide> d) => new(d.Mean(w => w.X));
            }
            """;
        using var snippet = LoadedSnippet.Compile(Source);
        PipelinePlan plan = snippet.Pipeline("C.Crossing").Plan;

        Assert.Equal([["Shrink"], ["Positive", "Shift"]], plan.Segments.Where(s => !s.FitOnly).Select(s => s.Stages));
        List<SegmentPlan> first = plan.Segments.Where(s => s.FitOnly).ToList();
        Assert.Equal([["Shrink"], ["Positive"]], first.Select(s => s.Stages));
        Assert.Null(first[0].InputSegment);
        Assert.Null(first[0].OutputColumns); // the next first-pass segment reads it by column name
        Assert.Equal(first[0].Index, first[1].InputSegment);
        Assert.Equal(["X"], first[1].OutputColumns!);
        Assert.Equal(first[1].Index, Assert.Single(plan.Fits).Segment);
        Assert.Equal(0, plan.Segments[1].InputSegment); // the second pass is wired as before
    }

    [Fact]
    public void FirstPassKernels_AreBoundWithTheStageParametersTheirStagesTake()
    {
        using var snippet = LoadedSnippet.Compile(Execution.ScenarioSources.Fitted);
        CompiledPipeline compiled = snippet.Pipeline("S.Fitting");
        PipelinePlan plan = compiled.Plan;
        Assert.Equal(plan.Segments.Count, compiled.WithParameters(new StageParameterValues()
            .Set("AmountScaling", "Mean", 1.0).Set("AmountScaling", "Std", 2.0).Set("AmountScaling", "Seen", 3L)
            .Set("Categories", "Countries", new[] { "FR" }).Set("Categories", "ItemBounds", new[] { 1.0, 2.0 })).Kernels.Count);
        Assert.Equal(
            [new StageParameterMember("Countries", ParameterType.StringArray), new StageParameterMember("ItemBounds", ParameterType.DoubleArray)],
            plan.ParameterTypes().Single(p => p.TypeName == "Categories").Members);
    }

    [Fact]
    public void AFitAskingOnlyForTheRowCount_ObservesASegmentThatWritesNoColumn()
    {
        const string Source = TestSources.Usings + """
            namespace K;

            [Schema] public partial record In(long Id, double X);
            [Schema] public partial record Out(long Id, double Share);

            public record struct Total(long Rows);

            public sealed record Unit(double Scale);

            [Pipeline("counted")]
            public static partial class Counted
            {
                [Map]
                static Out Share(In r, Unit u) => new(r.Id, r.X * u.Scale);

                [Filter(From = nameof(Share))]
                static bool Positive(Out o) => o.Share > 0;

                [Map(From = nameof(Positive))]
                static Out PerRow(Out o, Total t) => new(o.Id, o.Share / t.Rows);

                [Fit(From = nameof(Positive))]
                static Total Count(FitData<Out> d) => new(d.Count());
            }
            """;
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline compiled = snippet.Pipeline("K.Counted");
        SegmentPlan first = compiled.Plan.Segments[1];
        Assert.True(first.FitOnly);
        Assert.Equal(["Share", "Positive"], first.Stages);
        Assert.Empty(first.OutputColumns!);
        Assert.Equal(["Id", "X"], first.ReadColumns);

        var results = new Dsl.Fitting.FitResults();
        FitPlan fit = Assert.Single(compiled.Plan.Fits);
        results.Set(fit.Stage, Assert.Single(fit.Requests), 4L);
        var values = new StageParameterValues().Set("Unit", "Scale", 1.0);
        compiled.Fitter!(results, values);
        Assert.Equal(4L, values.Get<long>("Total", "Rows"));

        Type input = snippet.Type("K.In");
        using RecordBatch batch = LoadedSnippet.ToBatch(input, [Activator.CreateInstance(input, 1L, 2.0)!, Activator.CreateInstance(input, 2L, -2.0)!, Activator.CreateInstance(input, 3L, 1.0)!]);
        using RecordBatch observed = compiled.WithParameters(values).Kernels[1](batch);
        Assert.Equal(0, observed.Schema.Count);
        Assert.Equal(2, observed.RowCount);
    }

    /// <summary>The second pass of <paramref name="plan"/> is <paramref name="without"/>'s plan: same segments, columns and rules.</summary>
    internal static void AssertSecondPassUnchanged(PipelinePlan without, PipelinePlan plan)
    {
        List<SegmentPlan> second = plan.Segments.Where(s => !s.FitOnly).ToList();
        Assert.Equal(without.Segments.Count, second.Count);
        for (int s = 0; s < second.Count; s++)
        {
            SegmentPlan a = without.Segments[s];
            SegmentPlan b = second[s];
            Assert.Equal(a.Index, b.Index);
            Assert.Equal(a.Stages, b.Stages);
            Assert.Equal(a.InputSegment, b.InputSegment);
            Assert.Equal(a.InputSchema, b.InputSchema);
            Assert.Equal(a.OutputSchema, b.OutputSchema);
            Assert.Equal(a.IsSink, b.IsSink);
            Assert.Equal(a.ReadColumns, b.ReadColumns);
            Assert.Equal(a.Execution, b.Execution);
            Assert.Equal(a.NoVectorBlock, b.NoVectorBlock);
            Assert.Null(b.OutputColumns);
            Assert.Equal(without.IsMaterialized(a), plan.IsMaterialized(b));
        }
        Assert.Equal(without.Rules, plan.Rules);
        Assert.Equal(without.Stages.Select(s => s.Name), plan.Stages.Where(s => s.Kind != StageKind.Fit).Select(s => s.Name));
    }

    private static List<string> Strings(RecordBatch batch, string column)
    {
        StringColumn strings = batch.GetString(column);
        return strings.Indices.ToArray().Select(i => strings.Dictionary.Strings[i]).ToList();
    }
}
