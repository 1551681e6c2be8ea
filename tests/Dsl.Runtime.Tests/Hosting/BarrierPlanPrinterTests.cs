using System.Text.Json;
using Dsl.Execution;
using Dsl.Hosting;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary>
/// explain's text, JSON and Mermaid for a plan with barriers: an aggregate of the input, a semi join reading the
/// aggregate's output, a segment after the join and a split of its output.
/// </summary>
public sealed class BarrierPlanPrinterTests
{
    private static readonly BatchSchema Visits = new([new ColumnField("page", ColumnType.String, false), new ColumnField("user", ColumnType.Int64, false), new ColumnField("seconds", ColumnType.Double, true)]);
    private static readonly BatchSchema PageStats = new([new ColumnField("page", ColumnType.String, false), new ColumnField("users", ColumnType.Int64, false), new ColumnField("longest", ColumnType.Double, true)]);
    private static readonly BatchSchema Pages = new([new ColumnField("page", ColumnType.String, false)]);

    private static readonly PipelinePlan Barriers = new(
        "barriers",
        "Visit",
        new Dictionary<string, BatchSchema> { ["Visit"] = Visits, ["PageStat"] = PageStats, ["Page"] = Pages },
        [
            new StagePlan("PerPage", StageKind.Aggregate, "Visit", "PageStat", null, true, null),
            new StagePlan("Listed", StageKind.Join, "PageStat", "PageStat", "PerPage", true, null),
            new StagePlan("Busy", StageKind.Filter, "PageStat", "PageStat", "Listed", true, null),
        ],
        [
            new SegmentPlan(0, ["Busy"], null, "PageStat", "PageStat", true, ["page", "users", "longest"]) { InputBarrier = "Listed" },
        ])
    {
        Aggregates =
        [
            new AggregatePlan("PerPage", "Visit", null, null, "PageStat", ["page"],
            [
                new AggregateOutput("page", AggregateFunction.Key, "page"),
                new AggregateOutput("users", AggregateFunction.ApproxCountDistinct, "user"),
                new AggregateOutput("longest", AggregateFunction.First, "seconds", "user"),
            ]),
        ],
        Joins =
        [
            new JoinPlan("Listed", "PageStat", "Page", "pages", "PerPage", null, "PageStat", JoinKind.Semi, ["page"], ["page"],
                [new JoinOutput("page", JoinSide.Left, "page"), new JoinOutput("users", JoinSide.Left, "users"), new JoinOutput("longest", JoinSide.Left, "longest")])
            {
                InputBarrier = "PerPage",
            },
        ],
        Splits = [new SplitPlan("Busy", ["page"], ["train", "test"], [0.9, 0.1], 3, null)],
    };

    [Fact]
    public void Text_ShowsEachBarrierWithWhatFeedsItAndWhatReadsIt()
    {
        string[] lines = PlanPrinter.ToText(Barriers).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        Assert.Contains("  PerPage  Aggregate  Visit -> PageStat  from <input>  [barrier]", lines);
        Assert.Contains("  #0 Busy: PageStat -> PageStat, from the output of Listed  => output", lines);
        Assert.Contains("  PerPage: Visit -> PageStat, from the input scan  => Listed", lines);
        Assert.Contains("      outputs: page = Key(page), users = ApproxCountDistinct(user), longest = First(seconds by user)", lines);
        Assert.Contains("  Listed: PageStat semi join table 'pages' (Page) -> PageStat, from the output of PerPage  => segment #0", lines);
        Assert.Contains("      on: page", lines);
        Assert.Contains("      outputs: the left rows with a match, unchanged", lines);
        Assert.Contains("  Busy: key page (seed 3) into train 0.9, test 0.1", lines);
        Assert.Contains("Barriers: aggregate PerPage (shuffle by page), join Listed (table pages)", lines);
        Assert.Single(lines, l => l == "      shuffle: partial aggregation per partition, then merge by key hash");
        Assert.Single(lines, l => l == "      strategy: broadcast or shuffle, chosen at run time from the table's size");
    }

    [Fact]
    public void Json_CarriesTheBarriersAndTheSegmentsInputBarrier()
    {
        using var doc = JsonDocument.Parse(PlanJson.ToJson(Barriers));
        JsonElement root = doc.RootElement;

        Assert.Equal("Listed", root.GetProperty("segments")[0].GetProperty("inputBarrier").GetString());
        JsonElement aggregate = root.GetProperty("aggregates")[0];
        Assert.Equal(JsonValueKind.Null, aggregate.GetProperty("from").ValueKind);
        Assert.Equal(JsonValueKind.Null, aggregate.GetProperty("inputSegment").ValueKind);
        Assert.Equal(JsonValueKind.Null, aggregate.GetProperty("inputBarrier").ValueKind);
        Assert.False(aggregate.GetProperty("isSink").GetBoolean());
        Assert.Equal("user", aggregate.GetProperty("outputs")[2].GetProperty("orderColumn").GetString());
        Assert.False(aggregate.GetProperty("outputs")[0].TryGetProperty("orderColumn", out _));

        JsonElement join = root.GetProperty("joins")[0];
        Assert.Equal(("Semi", "pages", "Page", "PerPage"), (join.GetProperty("kind").GetString(), join.GetProperty("table").GetString(), join.GetProperty("rightSchema").GetString(), join.GetProperty("inputBarrier").GetString()));
        Assert.Equal(["page"], join.GetProperty("rightKeys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("Left", join.GetProperty("outputs")[1].GetProperty("side").GetString());

        JsonElement split = root.GetProperty("splits")[0];
        Assert.Equal(("Busy", 3L), (split.GetProperty("sink").GetString(), split.GetProperty("seed").GetInt64()));
        Assert.Equal(["train", "test"], split.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(JsonValueKind.Null, split.GetProperty("stratifyBy").ValueKind);
    }

    [Fact]
    public void Mermaid_DrawsBarrierNodesAndTheirEdges()
    {
        string mermaid = PlanPrinter.ToMermaid(Barriers);

        Assert.Contains("    stage_PerPage[/\"Aggregate: PerPage\"/]", mermaid, StringComparison.Ordinal);
        Assert.Contains("    input -->|Visit| stage_PerPage", mermaid, StringComparison.Ordinal);
        Assert.Contains("    stage_PerPage -->|PageStat| stage_Listed", mermaid, StringComparison.Ordinal);
        Assert.Contains("    table_Listed[(\"table pages\")] -->|Page| stage_Listed", mermaid, StringComparison.Ordinal);
        Assert.Contains("    stage_Listed -->|PageStat| stage_Busy", mermaid, StringComparison.Ordinal);
        Assert.Contains("    stage_Busy -->|PageStat| out0[(\"output Busy\")]", mermaid, StringComparison.Ordinal);
    }
}
