using System.Text.Json;
using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Hosting;

namespace Dsl.Generators.Tests.Barriers;

/// <summary>
/// <c>explain</c> of a compiled pipeline with barriers: the stages with their barrier kind, the segments reading a
/// barrier's output, each aggregate (keys, outputs, how it shuffles), each join (table, kind, keys, strategy) and the
/// splits; the JSON form carries the same.
/// </summary>
public sealed class BarrierExplainTests
{
    [Fact]
    public void Explain_ShowsTheAggregate_TheSegmentAfterIt_AndTheSplit()
    {
        using var snippet = LoadedSnippet.Compile(BarrierSources.Spend);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.True(PipelineHost.Run(snippet.Pipeline("B.Spend"), ["explain"], stdout: stdout, stderr: stderr) == 0, stderr.ToString());

        string[] lines = Lines(stdout.ToString());
        AssertBlock(lines,
            "  Valid      Filter     Purchase -> Purchase  from <input>  [columnar kernel]",
            "  Price      Map        Purchase -> Priced  from Valid  [columnar kernel]",
            "  PerUser    Aggregate  Priced -> UserSpend  from Price  [barrier]",
            "  Featurize  Map        UserSpend -> UserFeatures  from PerUser  [columnar kernel]");
        AssertBlock(lines,
            "  #0 Valid+Price: Purchase -> Priced, from the input scan",
            "      reads columns: UserId, Ts, Amount, Items, Discount");
        AssertBlock(lines,
            "  #1 Featurize: UserSpend -> UserFeatures, from the output of PerUser  => output",
            "      reads columns: UserId, Orders, Total");
        AssertBlock(lines,
            "Aggregates (barriers: every row of a group must be seen before its row is written):",
            "  PerUser: Priced -> UserSpend, from segment #0 (Valid+Price)  => segment #1",
            "      by: UserId",
            "      outputs: UserId = Key(UserId), Orders = Count(), Total = Sum(Net), Items = Sum(Items), MeanNet = Mean(Net), StdNet = StdDev(Net), MaxDiscount = Max(Discount), LastTs = Max(Ts), LastNet = Last(Net by Ts), Days = CountDistinct(Ts)",
            "      shuffle: partial aggregation per partition, then merge by key hash",
            "",
            "Splits (each output row goes to one split=NAME/ folder, by a hash of its key):",
            "  Featurize: key UserId (seed 7) into train 0.75, test 0.25, stratified by Frequent");
        Assert.Contains("Barriers: aggregate PerUser (shuffle by UserId)", lines);
    }

    [Fact]
    public void Explain_ShowsTheJoin_WithItsTableKeysAndStrategy()
    {
        using var snippet = LoadedSnippet.Compile(BarrierSources.Enriched);
        string[] lines = Lines(PlanPrinter.ToText(snippet.Pipeline("J.Enrich").Plan));

        AssertBlock(lines,
            "Segments (each is one fused pass over a batch):",
            "  none: every stage is an aggregate or join",
            "",
            "Joins (barriers: the table is read before the rows it joins):",
            "  WithUser: Click left join table 'users' (User) -> EnrichedClick, from the input scan  => output",
            "      on: UserId = Id",
            "      outputs: UserId = left.UserId, Page = left.Page, Country = right.Country, SignupYear = right.signup_year, Score = right.Score",
            "      strategy: broadcast or shuffle, chosen at run time from the table's size");
        Assert.Contains("Barriers: join WithUser (table users)", lines);

        string mermaid = PlanPrinter.ToMermaid(snippet.Pipeline("J.Enrich").Plan);
        Assert.Contains("    stage_WithUser[/\"Join: WithUser\"/]", mermaid, StringComparison.Ordinal);
        Assert.Contains("    table_WithUser[(\"table users\")] -->|User| stage_WithUser", mermaid, StringComparison.Ordinal);
        Assert.Contains("    input -->|Click| stage_WithUser", mermaid, StringComparison.Ordinal);
        Assert.Contains("    stage_WithUser -->|EnrichedClick| out_WithUser[(\"output WithUser\")]", mermaid, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainJson_CarriesAggregatesSplitsAndTheSegmentsInputBarrier()
    {
        using var snippet = LoadedSnippet.Compile(BarrierSources.Spend);
        var stdout = new StringWriter();
        Assert.Equal(0, PipelineHost.Run(snippet.Pipeline("B.Spend"), ["explain", "--format", "json"], stdout: stdout, stderr: new StringWriter()));
        using var json = JsonDocument.Parse(stdout.ToString());
        JsonElement root = json.RootElement;

        JsonElement segments = root.GetProperty("segments");
        Assert.Equal(JsonValueKind.Null, segments[0].GetProperty("inputBarrier").ValueKind);
        Assert.Equal("PerUser", segments[1].GetProperty("inputBarrier").GetString());
        Assert.False(segments[0].GetProperty("isSink").GetBoolean());

        JsonElement aggregate = Assert.Single(root.GetProperty("aggregates").EnumerateArray());
        Assert.Equal("PerUser", aggregate.GetProperty("stage").GetString());
        Assert.Equal(0, aggregate.GetProperty("inputSegment").GetInt32());
        Assert.Equal(["UserId"], aggregate.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        JsonElement last = aggregate.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("member").GetString() == "LastNet");
        Assert.Equal(("Last", "Net", "Ts"), (last.GetProperty("function").GetString(), last.GetProperty("column").GetString(), last.GetProperty("orderColumn").GetString()));
        Assert.Equal(JsonValueKind.Null, aggregate.GetProperty("outputs")[1].GetProperty("column").ValueKind);
        Assert.Empty(root.GetProperty("joins").EnumerateArray());
        JsonElement split = Assert.Single(root.GetProperty("splits").EnumerateArray());
        Assert.Equal([0.75, 0.25], split.GetProperty("fractions").EnumerateArray().Select(f => f.GetDouble()));
        Assert.Equal("Frequent", split.GetProperty("stratifyBy").GetString());
        Assert.Equal(7, split.GetProperty("seed").GetInt64());
    }

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    private static void AssertBlock(string[] lines, params string[] block)
    {
        int start = Array.IndexOf(lines, block[0]);
        Assert.True(start >= 0, "Missing line: " + block[0] + Environment.NewLine + string.Join(Environment.NewLine, lines));
        Assert.Equal(block, lines.Skip(start).Take(block.Length));
    }
}
