using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Barriers;

/// <summary>
/// The plan of a pipeline with aggregate and join stages: fusion stops at a barrier, the segment feeding it is its
/// InputSegment (and no sink when only the barrier reads it), segments after it read its output (InputBarrier) and only
/// the columns they need, a barrier nothing reads is a sink; aggregates list their keys and one output per member with
/// its function, joins their table, kind, keys and copied columns; splits sit on sinks.
/// </summary>
public sealed class BarrierPlanTests
{
    private static readonly string[] SpendStages = ["Valid", "Price", "PerUser", "Featurize"];

    [Fact]
    public void FilterMapAggregateMap_CutsSegmentsAtTheAggregate()
    {
        using var snippet = LoadedSnippet.Compile(BarrierSources.Spend);
        PipelinePlan plan = snippet.Pipeline("B.Spend").Plan;

        Assert.Equal(SpendStages, plan.Stages.Select(s => s.Name));
        Assert.Equal(new StagePlan("PerUser", StageKind.Aggregate, "Priced", "UserSpend", "Price", true, null), plan.Stages[2]);
        Assert.Equal(2, plan.Segments.Count);

        SegmentPlan before = plan.Segments[0];
        Assert.Equal(["Valid", "Price"], before.Stages);
        Assert.True(before.ReadsInput);
        Assert.False(before.IsSink); // only the aggregate reads it
        Assert.Equal("Priced", before.OutputSchema);

        SegmentPlan after = plan.Segments[1];
        Assert.Equal(["Featurize"], after.Stages);
        Assert.Null(after.InputSegment);
        Assert.Equal("PerUser", after.InputBarrier);
        Assert.False(after.ReadsInput);
        Assert.True(after.IsSink);
        Assert.Equal("UserSpend", after.InputSchema);
        Assert.Equal(["UserId", "Orders", "Total"], after.ReadColumns);
        Assert.Equal([after], plan.Sinks);
        Assert.Empty(plan.ScanPredicates(after));

        AggregatePlan aggregate = Assert.Single(plan.Aggregates);
        Assert.Equal(new AggregatePlan("PerUser", "Priced", "Price", 0, "UserSpend", aggregate.Keys, aggregate.Outputs), aggregate);
        Assert.Equal(["UserId"], aggregate.Keys);
        Assert.Null(aggregate.InputBarrier);
        Assert.False(aggregate.IsSink);
        Assert.Equal(
            [
                new AggregateOutput("UserId", AggregateFunction.Key, "UserId"),
                new AggregateOutput("Orders", AggregateFunction.Count, null),
                new AggregateOutput("Total", AggregateFunction.Sum, "Net"),
                new AggregateOutput("Items", AggregateFunction.Sum, "Items"),
                new AggregateOutput("MeanNet", AggregateFunction.Mean, "Net"),
                new AggregateOutput("StdNet", AggregateFunction.StdDev, "Net"),
                new AggregateOutput("MaxDiscount", AggregateFunction.Max, "Discount"),
                new AggregateOutput("LastTs", AggregateFunction.Max, "Ts"),
                new AggregateOutput("LastNet", AggregateFunction.Last, "Net", "Ts"),
                new AggregateOutput("Days", AggregateFunction.CountDistinct, "Ts"),
            ],
            aggregate.Outputs);
        Assert.Empty(plan.Joins);

        SplitPlan split = Assert.Single(plan.Splits);
        Assert.Equal("Featurize", split.Sink);
        Assert.Equal(["UserId"], split.Key);
        Assert.Equal(["train", "test"], split.Names);
        Assert.Equal([0.75, 0.25], split.Fractions);
        Assert.Equal(7, split.Seed);
        Assert.Equal("Frequent", split.StratifyBy);
        Assert.Empty(Dsl.Barriers.Splits.SplitPlanValidation.Problems(split, plan.Schemas["UserFeatures"]));
        Assert.Equal(2, snippet.Pipeline("B.Spend").Kernels.Count);
    }

    [Fact]
    public void KernelAfterTheAggregate_IsAnOrdinaryMapOverTheAggregateOutput()
    {
        using var snippet = LoadedSnippet.Compile(BarrierSources.Spend);
        CompiledPipeline compiled = snippet.Pipeline("B.Spend");
        Type spend = snippet.Type("B.UserSpend");
        var rows = new List<object>
        {
            Activator.CreateInstance(spend, 1L, 12L, 120.0, 30L, 10.0, 2.0, (double?)0.5, new DateTime(2024, 1, 2), 9.0, 3L)!,
            Activator.CreateInstance(spend, 2L, 2L, 10.0, 3L, 5.0, 1.0, (double?)null, new DateTime(2024, 1, 3), 4.0, 1L)!,
        };
        using RecordBatch input = LoadedSnippet.ToBatch(spend, rows);
        using RecordBatch output = compiled.Kernels[1](input, new Dsl.Validation.RowViolations());
        List<object> features = LoadedSnippet.ReadRows(snippet.Type("B.UserFeatures"), output);
        Assert.Equal(2, features.Count);
        dynamic first = features[0];
        dynamic second = features[1];
        Assert.Equal(10.0, (double)first.AverageOrder);
        Assert.True((bool)first.Frequent);
        Assert.Equal(5.0, (double)second.AverageOrder);
        Assert.False((bool)second.Frequent);
    }

    [Fact]
    public void LeftJoinOfTheInput_IsASinkBarrier_WithNoSegment_AndItsTableSchemaInThePlan()
    {
        using var snippet = LoadedSnippet.Compile(BarrierSources.Enriched);
        PipelinePlan plan = snippet.Pipeline("J.Enrich").Plan;

        Assert.Empty(plan.Segments);
        Assert.Empty(plan.Sinks);
        Assert.Equal(["Click", "EnrichedClick", "User"], plan.Schemas.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("signup_year", plan.Schemas["User"].Fields[2].Name);
        Assert.Equal(new StagePlan("WithUser", StageKind.Join, "Click", "EnrichedClick", null, true, null), Assert.Single(plan.Stages));

        JoinPlan join = Assert.Single(plan.Joins);
        Assert.Equal(new JoinPlan("WithUser", "Click", "User", "users", null, null, "EnrichedClick", JoinKind.Left, join.LeftKeys, join.RightKeys, join.Outputs) { IsSink = true }, join);
        Assert.Equal(["UserId"], join.LeftKeys);
        Assert.Equal(["Id"], join.RightKeys);
        Assert.Null(join.InputBarrier);
        Assert.Equal(
            [
                new JoinOutput("UserId", JoinSide.Left, "UserId"),
                new JoinOutput("Page", JoinSide.Left, "Page"),
                new JoinOutput("Country", JoinSide.Right, "Country"),
                new JoinOutput("SignupYear", JoinSide.Right, "signup_year"),
                new JoinOutput("Score", JoinSide.Right, "Score"),
            ],
            join.Outputs);
    }

    private const string Chained = TestSources.Usings + """
        namespace C;

        [Schema] public partial record Order(long UserId, long ShopId, double Amount, bool Refunded);
        [Schema] public partial record Shop(long ShopId, string Region);
        [Schema] public partial record Placed(long UserId, long ShopId, double Amount, bool Refunded, string Region);
        [Schema] public partial record RegionTotal(string Region, double Total, long Orders);
        [Schema] public partial record Busy(string Region, double Total, long Orders);

        [Pipeline("chained")]
        public static partial class Chain
        {
            [Filter] static bool Kept(Order o) => !o.Refunded;

            [Join(Table = "shops", On = new[] { nameof(Order.ShopId) }, From = nameof(Kept))]
            static Placed InShop(Order o, Shop s) => new(o.UserId, o.ShopId, o.Amount, o.Refunded, s.Region);

            [Join(Table = "blocked", On = new[] { nameof(Placed.ShopId) }, RightOn = new[] { nameof(Shop.ShopId) }, Kind = JoinKind.Anti, From = nameof(InShop))]
            static Placed Allowed(Placed p, Shop s) => p;

            [Aggregate(By = new[] { nameof(Placed.Region) }, From = nameof(Allowed))]
            [Split(Key = new[] { nameof(RegionTotal.Region) })]
            static RegionTotal PerRegion(Group<Placed> g) => new(g.Key(t => t.Region), g.Sum(t => t.Amount), g.Count());

            [Filter(From = nameof(Allowed))]
            static bool Large(Placed p) => p.Amount > 100;

            [Aggregate(By = new[] { nameof(Placed.Region) }, From = nameof(Large))]
            static Busy LargePerRegion(Group<Placed> g) => new(g.Key(t => t.Region), g.Sum(t => t.Amount), g.Count());
        }
        """;

    [Fact]
    public void BarriersReadingBarriers_ChainByInputBarrier_AndUnreadBarriersAreSinks()
    {
        using var snippet = LoadedSnippet.Compile(Chained);
        PipelinePlan plan = snippet.Pipeline("C.Chain").Plan;

        Assert.Equal(["Kept", "InShop", "Allowed", "PerRegion", "Large", "LargePerRegion"], plan.Stages.Select(s => s.Name));
        Assert.Equal([StageKind.Filter, StageKind.Join, StageKind.Join, StageKind.Aggregate, StageKind.Filter, StageKind.Aggregate], plan.Stages.Select(s => s.Kind));
        Assert.Equal(2, plan.Segments.Count);
        Assert.Equal(["Kept"], plan.Segments[0].Stages);
        Assert.False(plan.Segments[0].IsSink);
        Assert.Equal(["Large"], plan.Segments[1].Stages);
        Assert.Equal("Allowed", plan.Segments[1].InputBarrier);
        Assert.False(plan.Segments[1].IsSink);
        Assert.Equal(["UserId", "ShopId", "Amount", "Refunded", "Region"], plan.Segments[1].ReadColumns); // a filter passes the whole row on

        Assert.Equal(["InShop", "Allowed"], plan.Joins.Select(j => j.Stage));
        JoinPlan inShop = plan.Joins[0];
        Assert.Equal((0, (string?)null, false, JoinKind.Inner), (inShop.InputSegment!.Value, inShop.InputBarrier, inShop.IsSink, inShop.Kind));
        Assert.Equal(JoinSide.Right, inShop.Outputs.Single(o => o.Member == "Region").Side);
        JoinPlan allowed = plan.Joins[1];
        Assert.Equal(((int?)null, "InShop", false, JoinKind.Anti, "Placed"), (allowed.InputSegment, allowed.InputBarrier, allowed.IsSink, allowed.Kind, allowed.OutputSchema));
        Assert.Equal(["UserId", "ShopId", "Amount", "Refunded", "Region"], allowed.Outputs.Select(o => o.Column));
        Assert.All(allowed.Outputs, o => Assert.Equal(JoinSide.Left, o.Side));

        Assert.Equal(["PerRegion", "LargePerRegion"], plan.Aggregates.Select(a => a.Stage));
        Assert.Equal(((int?)null, "Allowed", true), (plan.Aggregates[0].InputSegment, plan.Aggregates[0].InputBarrier, plan.Aggregates[0].IsSink));
        Assert.Equal(((int?)1, (string?)null, true), (plan.Aggregates[1].InputSegment, plan.Aggregates[1].InputBarrier, plan.Aggregates[1].IsSink));
        Assert.Equal("PerRegion", Assert.Single(plan.Splits).Sink);
        Assert.Equal(["train", "validation", "test"], plan.Splits[0].Names);
        Assert.Equal([0.8, 0.1, 0.1], plan.Splits[0].Fractions);
        Assert.Null(plan.Splits[0].StratifyBy);
        Assert.Equal(["Order", "Placed", "Shop", "RegionTotal", "Busy"], plan.Schemas.Keys);
    }

    [Fact]
    public void AggregateOfTheInput_HasNoInputSegment_AndTheSegmentsAfterItReadItsOutput()
    {
        const string Source = TestSources.Usings + """
            namespace A;

            [Schema] public partial record Visit(string Page, long UserId, double Seconds, string? Referrer);
            [Schema] public partial record PageStats(string Page, long Visitors, double Mean, double Spread, string? FirstReferrer, double? Longest);

            [Pipeline("pages")]
            public static partial class Pages
            {
                [Aggregate(By = new[] { nameof(Visit.Page) })]
                static PageStats PerPage(Group<Visit> g)
                {
                    return new(g.Key(v => v.Page), g.ApproxCountDistinct(v => v.UserId), g.Mean(v => v.Seconds), g.SampleStd(v => v.Seconds), g.ArgMin(v => v.Referrer, v => v.Seconds), null)
                    {
                        Longest = g.Max(v => v.Seconds),
                    };
                }

                [Filter] static bool Popular(PageStats s) => s.Visitors > 100;
            }
            """;
        using var snippet = LoadedSnippet.Compile(Source);
        PipelinePlan plan = snippet.Pipeline("A.Pages").Plan;

        AggregatePlan aggregate = Assert.Single(plan.Aggregates);
        Assert.Null(aggregate.From);
        Assert.Null(aggregate.InputSegment);
        Assert.Null(aggregate.InputBarrier);
        Assert.False(aggregate.IsSink);
        Assert.Equal(
            [
                new AggregateOutput("Page", AggregateFunction.Key, "Page"),
                new AggregateOutput("Visitors", AggregateFunction.ApproxCountDistinct, "UserId"),
                new AggregateOutput("Mean", AggregateFunction.Mean, "Seconds"),
                new AggregateOutput("Spread", AggregateFunction.SampleStdDev, "Seconds"),
                new AggregateOutput("FirstReferrer", AggregateFunction.First, "Referrer", "Seconds"),
                new AggregateOutput("Longest", AggregateFunction.Max, "Seconds"),
            ],
            aggregate.Outputs);
        SegmentPlan popular = Assert.Single(plan.Segments);
        Assert.Equal(("PerPage", (int?)null, true), (popular.InputBarrier, popular.InputSegment, popular.IsSink));
        Assert.Equal(["Visit", "PageStats"], plan.Schemas.Keys);
        Assert.Equal(["PerPage", "Popular"], plan.Stages.Select(s => s.Name));
        Assert.Equal("PerPage", plan.Stages[1].From);
    }

    [Fact]
    public void ASegmentFeedingABarrierAndARowStage_StopsFusion_AndIsNoSink()
    {
        const string Source = TestSources.Usings + """
            namespace F;

            [Schema] public partial record Row(long Id, double X);
            [Schema] public partial record Total(long Id, double Sum);

            [Pipeline("fan")]
            public static partial class Fan
            {
                [Filter] static bool Positive(Row r) => r.X > 0;
                [Aggregate(By = new[] { nameof(Row.Id) }, From = nameof(Positive))] static Total Sum(Group<Row> g) => new(g.Key(r => r.Id), g.Sum(r => r.X));
                [Filter(From = nameof(Positive))] static bool Big(Row r) => r.X > 10;
            }
            """;
        using var snippet = LoadedSnippet.Compile(Source);
        PipelinePlan plan = snippet.Pipeline("F.Fan").Plan;

        Assert.Equal([["Positive"], ["Big"]], plan.Segments.Select(s => s.Stages));
        Assert.False(plan.Segments[0].IsSink);
        Assert.Equal(0, plan.Segments[1].InputSegment);
        Assert.True(plan.Segments[1].IsSink);
        AggregatePlan sum = Assert.Single(plan.Aggregates);
        Assert.Equal((0, true), (sum.InputSegment!.Value, sum.IsSink));
    }

    [Fact]
    public void PipelinesWithoutBarriers_HaveNoBarrierPlans()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.FraudFeatures);
        PipelinePlan plan = snippet.Pipeline("Sample.FraudFeatures").Plan;
        Assert.Empty(plan.Aggregates);
        Assert.Empty(plan.Joins);
        Assert.Empty(plan.Splits);
        Assert.All(plan.Segments, s => Assert.Null(s.InputBarrier));
    }
}
