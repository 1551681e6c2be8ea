using System.Text;
using Dsl.Execution;

namespace Dsl.Hosting;

/// <summary>Renders a <see cref="PipelinePlan"/> as the human-readable text of <c>explain</c>.</summary>
internal static class PlanPrinter
{
    /// <summary>
    /// The plan as text: stages with their wiring and parameter values (from <paramref name="parameters"/>; "not set"
    /// where it has none), then the fused segments with the columns each reads.
    /// </summary>
    public static string ToText(PipelinePlan plan, StageParameterValues? parameters = null)
    {
        var text = new StringBuilder();
        text.AppendLine($"Pipeline '{plan.Name}' reads schema '{plan.InputSchema}' {plan.Schemas[plan.InputSchema]}");
        text.AppendLine();
        text.AppendLine("Stages:");
        int nameWidth = plan.Stages.Max(s => s.Name.Length);
        foreach (StagePlan stage in plan.Stages)
        {
            string kernel = stage.Vectorized ? "columnar kernel" : $"row-by-row fallback ({stage.FallbackReason})";
            text.AppendLine($"  {stage.Name.PadRight(nameWidth)}  {stage.Kind,-6}  {stage.InputSchema} -> {stage.OutputSchema}  from {stage.From ?? "<input>"}  [{kernel}]");
            if (stage.Parameters is { } stageParameters)
            {
                IEnumerable<string> members = stageParameters.Members.Select(m =>
                    (parameters ?? StageParameterValues.Empty).TryGet(stageParameters.TypeName, m.Name, out object? value)
                        ? $"{m.Name} = {(value is string s ? "\"" + s + "\"" : StageParameterValues.Format(value))}"
                        : $"{m.Name} = (not set)");
                text.AppendLine($"  {new string(' ', nameWidth)}  parameters {stageParameters.TypeName} {{ {string.Join(", ", members)} }}, read once per batch");
            }
        }
        text.AppendLine();
        text.AppendLine("Segments (each is one fused pass over a batch):");
        foreach (SegmentPlan segment in plan.Segments)
        {
            string source = segment.InputSegment is int from ? $"segment #{from}" : "the input scan";
            string sink = segment.IsSink ? "  => output" : "";
            text.AppendLine($"  #{segment.Index} {segment.Name}: {segment.InputSchema} -> {segment.OutputSchema}, from {source}{sink}");
            text.AppendLine($"      reads columns: {string.Join(", ", segment.ReadColumns)}");
            text.AppendLine($"      writes columns: {string.Join(", ", plan.WrittenColumns(segment))}");
            if (Execution(segment) is { } execution)
            {
                text.AppendLine($"      runs as: {execution}");
            }
            IReadOnlyList<SegmentPlan> consumers = plan.ConsumersOf(segment);
            if (consumers.Count >= 2)
            {
                text.AppendLine($"      materialized: its output feeds {consumers.Count} segments ({string.Join(", ", consumers.Select(c => "#" + c.Index))}), so fusion stops here");
            }
            IReadOnlyList<ScanPredicate> predicates = plan.ScanPredicates(segment);
            if (predicates.Count > 0)
            {
                text.AppendLine($"      scan predicates (row-group pruning): {string.Join(" && ", predicates)}");
            }
            else if (segment.ReadsInput && plan.Rules.Any(r => r.Stage == plan.InputSchema))
            {
                text.AppendLine($"      scan predicates: none, the rules on {plan.InputSchema} must see every row (no row-group pruning)");
            }
            List<RulePlan> rules = plan.Rules.Where(r => r.Segment == segment.Index).ToList();
            if (rules.Count > 0)
            {
                text.AppendLine("      rules, in the order a row meets them:");
                foreach (RulePlan rule in rules)
                {
                    string where = rule.Kind == RuleKind.Unique ? "checked by the runtime" : rule.Stage == plan.InputSchema ? "on the input" : $"at {rule.Stage}";
                    text.AppendLine($"        #{rule.Index} {rule.Id} ({rule.Action}, {where}): {rule.Description}");
                }
            }
        }
        text.AppendLine();
        if (plan.Gates.Count > 0)
        {
            text.AppendLine("Gates (checked on the whole run before anything is committed):");
            foreach (GatePlan gate in plan.Gates)
            {
                string bounds = (gate.Min, gate.Max) switch
                {
                    (null, null) => "",
                    ({ } min, null) => $" >= {StageParameterValues.Format(min)}",
                    (null, { } max) => $" <= {StageParameterValues.Format(max)}",
                    ({ } min, { } max) => $" in [{StageParameterValues.Format(min)}, {StageParameterValues.Format(max)}]",
                };
                text.AppendLine($"  {gate.Id}{bounds} ({gate.Severity}, {gate.Declared})");
            }
            text.AppendLine();
        }
        var materialized = plan.Segments.Where(plan.IsMaterialized).ToList();
        text.AppendLine(materialized.Count == 0
            ? "Barriers: none (no fit, aggregation or join stages; no materialized output)"
            : $"Barriers: none (no fit, aggregation or join stages); materialized outputs: {string.Join(", ", materialized.Select(m => $"#{m.Index} {m.Name}"))}");
        return text.ToString();
    }

    /// <summary>
    /// The plan as a Mermaid flowchart for docs: one node per stage, grouped into one box per fused segment, with
    /// the pipeline input and each output as their own nodes. Each segment box names the columns it reads and
    /// writes; predicates pushed into the scan label the input; a materialized output gets its own node.
    /// </summary>
    public static string ToMermaid(PipelinePlan plan)
    {
        var text = new StringBuilder();
        text.AppendLine("flowchart LR");
        text.AppendLine($"    input[(\"{plan.InputSchema}\")]");
        foreach (SegmentPlan segment in plan.Segments)
        {
            IReadOnlyList<ScanPredicate> predicates = plan.ScanPredicates(segment);
            if (predicates.Count > 0)
            {
                text.AppendLine($"    input -.-|\"scan: {Escape(string.Join(" and ", predicates))}\"| seg{segment.Index}");
            }
            string columns = $"reads: {string.Join(", ", segment.ReadColumns)}<br/>writes: {string.Join(", ", plan.WrittenColumns(segment))}";
            text.AppendLine($"    subgraph seg{segment.Index}[\"#{segment.Index} fused<br/>{Escape(columns)}\"]");
            foreach (string stageName in segment.Stages)
            {
                StagePlan stage = plan.Stages.First(s => s.Name == stageName);
                text.AppendLine($"        {NodeId(stageName)}[\"{stage.Kind}: {stageName}\"]");
            }
            text.AppendLine("    end");
        }
        foreach (SegmentPlan segment in plan.Segments.Where(plan.IsMaterialized))
        {
            string last = segment.Stages[^1];
            text.AppendLine($"    mat{segment.Index}[[\"materialized {last}\"]]");
        }
        foreach (StagePlan stage in plan.Stages)
        {
            string from = stage.From is null ? "input" : NodeId(stage.From);
            SegmentPlan? producer = stage.From is null ? null : plan.Segments.FirstOrDefault(s => s.Stages[^1] == stage.From);
            if (producer is not null && plan.IsMaterialized(producer))
            {
                from = "mat" + producer.Index;
            }
            text.AppendLine($"    {from} -->|{stage.InputSchema}| {NodeId(stage.Name)}");
        }
        foreach (SegmentPlan segment in plan.Segments.Where(plan.IsMaterialized))
        {
            text.AppendLine($"    {NodeId(segment.Stages[^1])} -->|{segment.OutputSchema}| mat{segment.Index}");
        }
        foreach (SegmentPlan sink in plan.Sinks)
        {
            string last = sink.Stages[^1];
            text.AppendLine($"    {NodeId(last)} -->|{sink.OutputSchema}| out{sink.Index}[(\"output {last}\")]");
        }
        return text.ToString();
    }

    /// <summary>How the segment's kernel runs rows and, without vector blocks, why; null when the plan does not say.</summary>
    private static string? Execution(SegmentPlan segment)
    {
        string why = segment.NoVectorBlock is { } decline ? $" ({decline})" : "";
        return segment.Execution switch
        {
            SegmentExecution.VectorBlocks => "vector blocks (the rows after the last whole block: per-row code)",
            SegmentExecution.PerRowCode => $"per-row code, no vector block{why} [DSL4002]",
            SegmentExecution.MethodPerRow => $"the user's method called per row, no vector block{why} [DSL4001]",
            _ => null,
        };
    }

    private static string NodeId(string stage) => "stage_" + stage;

    // Mermaid labels are quoted; a quote inside one is written as an entity.
    private static string Escape(string label) => label.Replace("\"", "#quot;", StringComparison.Ordinal);
}
