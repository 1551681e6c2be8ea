using Dsl.Execution;
using Dsl.Hosting;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary>explain's text, JSON and Mermaid for a plan whose first segment feeds two others (a materialized output).</summary>
public sealed class PlanPrinterTests
{
    private static readonly PipelinePlan Branches = new(
        "branches",
        "N",
        new Dictionary<string, BatchSchema> { ["N"] = new BatchSchema([new ColumnField("x", ColumnType.Int64, true), new ColumnField("y", ColumnType.String, false)]) },
        [
            new StagePlan("Even", StageKind.Filter, "N", "N", null, true, null, [new ScanPredicate("x", ScanOperator.IsNotNull, null), new ScanPredicate("y", ScanOperator.Equal, "US")]),
            new StagePlan("Double", StageKind.Map, "N", "N", "Even", true, null),
            new StagePlan("Negate", StageKind.Map, "N", "N", "Even", true, null),
        ],
        [
            new SegmentPlan(0, ["Even"], null, "N", "N", false, ["x", "y"]),
            new SegmentPlan(1, ["Double"], 0, "N", "N", true, ["x"]),
            new SegmentPlan(2, ["Negate"], 0, "N", "N", true, ["x"]),
        ]);

    [Fact]
    public void Text_ShowsWrittenColumnsMaterializedOutputAndScanPredicates()
    {
        string text = PlanPrinter.ToText(Branches);

        Assert.Contains("      writes columns: x, y", text, StringComparison.Ordinal);
        Assert.Contains("      materialized: its output feeds 2 segments (#1, #2), so fusion stops here", text, StringComparison.Ordinal);
        Assert.Contains("      scan predicates (row-group pruning): x is not null && y == \"US\"", text, StringComparison.Ordinal);
        Assert.Contains("materialized outputs: #0 Even", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Split("scan predicates").Length - 1);
    }

    [Fact]
    public void Json_CarriesPredicatesConsumersAndWrittenColumns()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(PlanJson.ToJson(Branches));
        var segment = doc.RootElement.GetProperty("segments")[0];

        Assert.True(segment.GetProperty("materialized").GetBoolean());
        Assert.Equal([1, 2], segment.GetProperty("consumers").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal(["x", "y"], segment.GetProperty("writtenColumns").EnumerateArray().Select(c => c.GetString()));
        var predicate = segment.GetProperty("scanPredicates")[1];
        Assert.Equal("y", predicate.GetProperty("column").GetString());
        Assert.Equal("Equal", predicate.GetProperty("operator").GetString());
        Assert.Equal("US", predicate.GetProperty("value").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, segment.GetProperty("scanPredicates")[0].GetProperty("value").ValueKind);
        Assert.False(doc.RootElement.GetProperty("segments")[1].GetProperty("materialized").GetBoolean());
        Assert.Equal(2, doc.RootElement.GetProperty("stages")[0].GetProperty("scanPredicates").GetArrayLength());
    }

    [Fact]
    public void Mermaid_DrawsTheMaterializedNodeAndTheScanLabel()
    {
        string mermaid = PlanPrinter.ToMermaid(Branches);

        Assert.Contains("input -.-|\"scan: x is not null and y == #quot;US#quot;\"| seg0", mermaid, StringComparison.Ordinal);
        Assert.Contains("mat0[[\"materialized Even\"]]", mermaid, StringComparison.Ordinal);
        Assert.Contains("stage_Even -->|N| mat0", mermaid, StringComparison.Ordinal);
        Assert.Contains("mat0 -->|N| stage_Double", mermaid, StringComparison.Ordinal);
        Assert.Contains("reads: x, y<br/>writes: x, y", mermaid, StringComparison.Ordinal);
    }
}
