using System.Text.Json;
using Dsl.Execution;
using Dsl.Hosting;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary>explain's text and JSON say per segment how its kernel runs rows, and why without vector blocks.</summary>
public sealed class PlanExecutionTests
{
    private static PipelinePlan Plan(SegmentExecution execution, VectorDecline? decline) => new(
        "modes",
        "N",
        new Dictionary<string, BatchSchema> { ["N"] = new BatchSchema(new ColumnField("x", ColumnType.Int64, false)) },
        [new StagePlan("Keep", StageKind.Filter, "N", "N", null, execution != SegmentExecution.MethodPerRow, execution == SegmentExecution.MethodPerRow ? "a block body" : null)],
        [new SegmentPlan(0, ["Keep"], null, "N", "N", true, ["x"], execution, decline)]);

    public static TheoryData<SegmentExecution, string?> Modes => new()
    {
        { SegmentExecution.VectorBlocks, "      runs as: vector blocks (the rows after the last whole block: per-row code)" },
        { SegmentExecution.PerRowCode, "      runs as: per-row code, no vector block (in Keep, 'x / 3': no exact vector form) [DSL4002]" },
        { SegmentExecution.MethodPerRow, "      runs as: the user's method called per row, no vector block (in Keep, 'x / 3': no exact vector form) [DSL4001]" },
        { SegmentExecution.Unspecified, null },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Text_SaysHowTheSegmentRuns(SegmentExecution execution, string? expected)
    {
        VectorDecline? decline = execution is SegmentExecution.PerRowCode or SegmentExecution.MethodPerRow ? new VectorDecline("Keep", "'x / 3'", "no exact vector form") : null;
        string[] lines = PlanPrinter.ToText(Plan(execution, decline)).Split(Environment.NewLine);

        string[] runsAs = lines.Where(l => l.Contains("runs as:", StringComparison.Ordinal)).ToArray();
        if (expected is null)
        {
            Assert.Empty(runsAs);
        }
        else
        {
            Assert.Equal(expected, Assert.Single(runsAs));
            // Under its segment, after the columns it reads and writes.
            Assert.StartsWith("      writes columns:", lines[Array.IndexOf(lines, expected) - 1], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Json_GivesTheExecutionAndTheDecline_OnlyWhenThePlanHasThem()
    {
        using (JsonDocument json = JsonDocument.Parse(PlanJson.ToJson(Plan(SegmentExecution.PerRowCode, new VectorDecline("Keep", "'x / 3'", "no exact vector form")))))
        {
            JsonElement segment = json.RootElement.GetProperty("segments")[0];
            Assert.Equal("PerRowCode", segment.GetProperty("execution").GetString());
            Assert.Equal("Keep", segment.GetProperty("noVectorBlock").GetProperty("stage").GetString());
            Assert.Equal("'x / 3'", segment.GetProperty("noVectorBlock").GetProperty("construct").GetString());
            Assert.Equal("no exact vector form", segment.GetProperty("noVectorBlock").GetProperty("reason").GetString());
        }
        using (JsonDocument json = JsonDocument.Parse(PlanJson.ToJson(Plan(SegmentExecution.Unspecified, null))))
        {
            JsonElement segment = json.RootElement.GetProperty("segments")[0];
            Assert.False(segment.TryGetProperty("execution", out _));
            Assert.False(segment.TryGetProperty("noVectorBlock", out _));
        }
    }
}
