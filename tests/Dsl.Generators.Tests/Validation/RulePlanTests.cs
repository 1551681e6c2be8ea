using System.Text.Json;
using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Hosting;

namespace Dsl.Generators.Tests.Validation;

/// <summary>
/// What the generated plan says about rules and gates: one <see cref="RulePlan"/> per placement with its parameters,
/// the gates from attributes, no scan predicates under input rules, whole rows read where a segment quarantines, and
/// <c>explain</c> listing both.
/// </summary>
public sealed class RulePlanTests
{
    private const string Gated = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Tx(
            [property: Unique] long Id,
            [property: Range(0, 1e7, MaxExclusive = true)] double Amount,
            [property: NullRate(0.2, Severity = GateSeverity.Warn)] double? SessionSeconds,
            [property: Unique(AcrossDataset = false, Action = RuleAction.Warn)] string Country,
            string Note);

        [Schema]
        public partial record Out(long Id, double LogAmount);

        [Pipeline("gated")]
        [Gate(GateMetric.RowCount, Min = 1)]
        [Gate(GateMetric.Mean, Column = "Amount", Min = 1, Max = 500, Id = "typical-amount")]
        [Gate(GateMetric.QuarantineRate, Rule = "Tx.Amount.Range", Max = 0.01)]
        [Gate(GateMetric.Max, Column = "Out.LogAmount", Max = 20, Severity = GateSeverity.Warn)]
        public static partial class Gates
        {
            [Filter]
            static bool Big(Tx t) => t.Amount > 100;

            [Map]
            static Out Log(Tx t) => new(t.Id, Math.Log(1 + t.Amount));
        }
        """;

    [Fact]
    public void Plan_ListsEachRuleWithItsParameters_AndTheGates()
    {
        using var snippet = LoadedSnippet.Compile(Gated);
        PipelinePlan plan = snippet.Pipeline("S.Gates").Plan;

        Assert.Equal(["Tx.Id.Unique", "Tx.Amount.Range", "Tx.Country.Unique"], plan.Rules.Select(r => r.Id));
        RulePlan range = plan.Rules[1];
        Assert.Equal((1, RuleKind.Range, RuleAction.Quarantine, "Tx", "Tx", 0), (range.Index, range.Kind, range.Action, range.Stage, range.Schema, range.Segment));
        Assert.Equal(["Amount"], range.Columns);
        Assert.Equal("Amount in [0, 10000000)", range.Description);
        Assert.Equal((0.0, 1e7, false, true), (range.Min, range.Max, range.MinExclusive, range.MaxExclusive));
        Assert.True(plan.Rules[0].AcrossDataset);
        Assert.Equal((RuleKind.Unique, false, RuleAction.Warn), (plan.Rules[2].Kind, plan.Rules[2].AcrossDataset, plan.Rules[2].Action));

        Assert.Equal(
            ["rowCount", "typical-amount", "quarantineRate(Tx.Amount.Range)", "max(Out.LogAmount)", "unique(Id)", "nullRate(SessionSeconds)"],
            plan.Gates.Select(g => g.Id));
        GatePlan max = plan.Gates[3];
        Assert.Equal((GateMetric.Max, "Out", null, 20.0, GateSeverity.Warn, "[Gate] on Gates"), (max.Metric, max.Schema, max.Min, max.Max, max.Severity, max.Declared));
        Assert.Equal(["LogAmount"], max.Columns);
        Assert.Equal("Tx.Amount.Range", plan.Gates[2].Rule);
        GatePlan nullRate = plan.Gates[5];
        Assert.Equal((GateMetric.NullRate, "Tx", null, 0.2, GateSeverity.Warn, "[NullRate] on Tx.SessionSeconds"),
            (nullRate.Metric, nullRate.Schema, nullRate.Min, nullRate.Max, nullRate.Severity, nullRate.Declared));
        Assert.Equal((GateMetric.Unique, GateSeverity.Fail, "[Unique] on Tx.Id"), (plan.Gates[4].Metric, plan.Gates[4].Severity, plan.Gates[4].Declared));

        // Rules on the input: the filter gives no scan predicates, and the quarantining segment reads whole rows.
        Assert.Empty(plan.Stages[0].ScanPredicates ?? []);
        Assert.Equal(["Id", "Amount", "SessionSeconds", "Country", "Note"], plan.Segments[0].ReadColumns);
    }

    [Fact]
    public void Explain_ListsEachSegmentsRules_AndTheGates()
    {
        using var snippet = LoadedSnippet.Compile(Gated);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.True(PipelineHost.Run(snippet.Pipeline("S.Gates"), ["explain"], stdout: stdout, stderr: stderr) == 0, stderr.ToString());
        string text = stdout.ToString();
        Assert.Contains("scan predicates: none, the rules on Tx must see every row (no row-group pruning)", text, StringComparison.Ordinal);
        Assert.Contains("rules, in the order a row meets them:", text, StringComparison.Ordinal);
        Assert.Contains("#0 Tx.Id.Unique (Quarantine, checked by the runtime): Id is unique within a partition", text, StringComparison.Ordinal);
        Assert.Contains("#1 Tx.Amount.Range (Quarantine, on the input): Amount in [0, 10000000)", text, StringComparison.Ordinal);
        Assert.Contains("Gates (checked on the whole run before anything is committed):", text, StringComparison.Ordinal);
        Assert.Contains("typical-amount in [1, 500] (Fail, [Gate] on Gates)", text, StringComparison.Ordinal);
        Assert.Contains("nullRate(SessionSeconds) <= 0.2 (Warn, [NullRate] on Tx.SessionSeconds)", text, StringComparison.Ordinal);

        stdout = new StringWriter();
        Assert.True(PipelineHost.Run(snippet.Pipeline("S.Gates"), ["explain", "--format", "json"], stdout: stdout, stderr: stderr) == 0, stderr.ToString());
        using JsonDocument json = JsonDocument.Parse(stdout.ToString());
        JsonElement rule = json.RootElement.GetProperty("rules")[1];
        Assert.Equal("Tx.Amount.Range", rule.GetProperty("id").GetString());
        Assert.Equal("Amount in [0, 10000000)", rule.GetProperty("description").GetString());
        Assert.Equal([0, 1, 2], json.RootElement.GetProperty("segments")[0].GetProperty("rules").EnumerateArray().Select(e => e.GetInt32()));
        JsonElement gate = json.RootElement.GetProperty("gates")[1];
        Assert.Equal(("typical-amount", "Mean", 500.0), (gate.GetProperty("id").GetString(), gate.GetProperty("metric").GetString(), gate.GetProperty("max").GetDouble()));
    }

    [Fact]
    public void RulesOnTheInput_TakeAwayScanPredicates_WhileACheckOnlyStopsThemAfterIt()
    {
        const string source = TestSources.Usings + """
            namespace S;

            [Schema]
            public partial record P(long Id, double Amount);

            [Pipeline("checked-scan")]
            public static partial class Scan
            {
                [Filter]
                static bool Positive(P p) => p.Amount > 0;

                [Check(From = nameof(Positive))]
                static bool Small(P p) => p.Amount < 100;

                [Filter(From = nameof(Small))]
                static bool Even(P p) => p.Id > 10;
            }
            """;
        using var snippet = LoadedSnippet.Compile(source);
        PipelinePlan plan = snippet.Pipeline("S.Scan").Plan;
        Assert.Equal("Amount > 0", Assert.Single(plan.Stages[0].ScanPredicates!).ToString());
        Assert.Empty(plan.Stages[1].ScanPredicates ?? []);
        Assert.Empty(plan.Stages[2].ScanPredicates ?? []);
    }
}
