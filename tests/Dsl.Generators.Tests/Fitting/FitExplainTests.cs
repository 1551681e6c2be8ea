using System.Text.Json;
using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Hosting;

namespace Dsl.Generators.Tests.Fitting;

/// <summary>
/// <c>explain</c> of a pipeline with fit stages shows its two passes: pass 1, the segments only the fits observe and
/// the statistics each fit asks of them; pass 2, the segments that write the outputs, with the fitted parameters;
/// the JSON form carries the fits and which segments run only in pass 1.
/// </summary>
public sealed class FitExplainTests
{
    [Fact]
    public void Explain_ShowsPassOneWithEachFitsStatistics_ThenPassTwo()
    {
        using var snippet = LoadedSnippet.Compile(FitSources.Scaling);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.True(PipelineHost.Run(snippet.Pipeline("Sample.FraudFeatures"), ["explain"], stdout: stdout, stderr: stderr) == 0, stderr.ToString());

        string[] lines = stdout.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        AssertBlock(lines,
            "  Featurize  Map     Transaction -> Features  from Valid  [columnar kernel]",
            "             parameters AmountScaling { Mean = (fitted by Scale), Std = (fitted by Scale) }, read once per batch",
            "  Scale      Fit     Transaction -> AmountScaling  from Valid  [statistics gathered in pass 1]");
        AssertBlock(lines,
            "Pass 1 (fit): reads the input and runs only the segments below, gathering the statistics the fits ask for:",
            "  #1 Valid: Transaction -> Transaction, from the input scan  => fit Scale",
            "      reads columns: Amount, SessionSeconds",
            "      writes columns: Amount",
            "      runs as: vector blocks (the rows after the last whole block: per-row code)",
            "      scan predicates (row-group pruning): Amount >= 0 && SessionSeconds is not null",
            "  fit Scale: observes the rows of segment #1 (Valid), returns AmountScaling",
            "      Mean(Amount)",
            "      StdDev(Amount)",
            "",
            "Pass 2: runs every other segment, with AmountScaling bound from the fits.",
            "Segments (each is one fused pass over a batch):",
            "  #0 Valid+Featurize: Transaction -> Features, from the input scan  => output");
        Assert.Contains("Barriers: fit Scale (its AmountScaling is computed between the passes)", lines);
        Assert.Single(lines, l => l.StartsWith("  #1 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_ShowsTheRulesAFirstPassSegmentChecks_AndEveryArgument()
    {
        using var snippet = LoadedSnippet.Compile(Execution.ScenarioSources.Fitted);
        string[] lines = PlanPrinter.ToText(snippet.Pipeline("S.Fitting").Plan).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        AssertBlock(lines,
            "  #1 Valid: Purchase -> Purchase, from the input scan  => fit Scale, Categorize",
            "      reads columns: Country, Amount, Session, Items",
            "      writes columns: Country, Amount, Items",
            "      runs as: vector blocks (the rows after the last whole block: per-row code)",
            "      scan predicates: none, the rules on Purchase must see every row (no row-group pruning)",
            "      rules, as pass 2 checks them (pass 1 quarantines nothing: it only leaves the broken rows out):",
            "        #0 Purchase.Amount.Range (Quarantine, on the input): Amount in [0, 1000000]",
            "  fit Scale: observes the rows of segment #1 (Valid), returns AmountScaling",
            "      Mean(Amount)",
            "      StdDev(Amount)",
            "      Count()",
            "  fit Categorize: observes the rows of segment #1 (Valid), returns Categories",
            "      Vocabulary(Country, 50, 1)",
            "      QuantileBoundaries(Items, 4)");
    }

    [Fact]
    public void ExplainJson_ListsTheFits_AndMarksFirstPassSegments()
    {
        using var snippet = LoadedSnippet.Compile(FitSources.Scaling);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.True(PipelineHost.Run(snippet.Pipeline("Sample.FraudFeatures"), ["explain", "--format", "json"], stdout: stdout, stderr: stderr) == 0, stderr.ToString());

        using JsonDocument json = JsonDocument.Parse(stdout.ToString());
        JsonElement[] segments = json.RootElement.GetProperty("segments").EnumerateArray().ToArray();
        Assert.Equal([false, true], segments.Select(s => s.GetProperty("fitOnly").GetBoolean()));
        Assert.Equal(["Amount"], segments[1].GetProperty("writtenColumns").EnumerateArray().Select(c => c.GetString()));
        JsonElement fit = Assert.Single(json.RootElement.GetProperty("fits").EnumerateArray());
        Assert.Equal("Scale", fit.GetProperty("stage").GetString());
        Assert.Equal("Transaction", fit.GetProperty("inputSchema").GetString());
        Assert.Equal("Valid", fit.GetProperty("from").GetString());
        Assert.Equal(1, fit.GetProperty("segment").GetInt32());
        Assert.Equal("AmountScaling", fit.GetProperty("parametersType").GetString());
        JsonElement[] requests = fit.GetProperty("requests").EnumerateArray().ToArray();
        Assert.Equal(["Mean", "StdDev"], requests.Select(r => r.GetProperty("statistic").GetString()));
        Assert.All(requests, r => Assert.Equal("Amount", r.GetProperty("column").GetString()));
        Assert.All(requests, r => Assert.Equal("t => t.Amount", r.GetProperty("expression").GetString()));
        Assert.All(requests, r => Assert.Equal(0, r.GetProperty("arguments").GetArrayLength()));
        Assert.Equal("Fit", json.RootElement.GetProperty("stages")[2].GetProperty("kind").GetString());
    }

    [Fact]
    public void ExplainJson_WritesArguments_AsNumbers()
    {
        using var snippet = LoadedSnippet.Compile(Execution.ScenarioSources.Fitted);
        using JsonDocument json = JsonDocument.Parse(PlanJson.ToJson(snippet.Pipeline("S.Fitting").Plan));
        JsonElement vocabulary = json.RootElement.GetProperty("fits")[1].GetProperty("requests")[0];
        Assert.Equal([50.0, 1.0], vocabulary.GetProperty("arguments").EnumerateArray().Select(a => a.GetDouble()));
    }

    [Fact]
    public void Mermaid_DrawsEachFitBetweenTheStageItObserves_AndTheStagesTakingItsRecord()
    {
        using var snippet = LoadedSnippet.Compile(FitSources.Scaling);
        string mermaid = PlanPrinter.ToMermaid(snippet.Pipeline("Sample.FraudFeatures").Plan);

        Assert.Contains("    stage_Scale{{\"Fit: Scale\"}}", mermaid, StringComparison.Ordinal);
        Assert.Contains("    stage_Valid -.->|Transaction| stage_Scale", mermaid, StringComparison.Ordinal);
        Assert.Contains("    stage_Scale -.->|AmountScaling| stage_Featurize", mermaid, StringComparison.Ordinal);
        Assert.DoesNotContain("seg1", mermaid, StringComparison.Ordinal); // pass 1's copy of Valid is not drawn twice
        Assert.Equal(1, mermaid.Split("stage_Valid[").Length - 1);
    }

    private static void AssertBlock(string[] lines, params string[] block)
    {
        int at = Array.IndexOf(lines, block[0]);
        Assert.True(at >= 0, block[0] + " is not in:\n" + string.Join("\n", lines));
        Assert.Equal(block, lines.Skip(at).Take(block.Length));
    }
}
