using System.Text;
using Dsl.Execution;

namespace Dsl.Hosting;

/// <summary>Renders a <see cref="PipelinePlan"/> as the human-readable text of <c>explain</c>.</summary>
internal static class PlanPrinter
{
    /// <summary>
    /// The plan as text: stages with their wiring and parameter values (from <paramref name="parameters"/>; "not set"
    /// where it has none, "fitted by" the fit stage that computes it), then the fused segments with the columns each
    /// reads. A plan with fit stages shows its two passes: pass 1, the segments only the fits observe and what each
    /// fit asks of them, then pass 2, the segments that write the outputs. Aggregate and join stages follow the
    /// segments, each with what feeds it, its keys, its outputs and how it moves rows (an aggregation shuffles partial
    /// groups by key hash; a join broadcasts its table or shuffles both sides, chosen at run time), then the splits.
    /// </summary>
    public static string ToText(PipelinePlan plan, StageParameterValues? parameters = null)
    {
        var text = new StringBuilder();
        text.AppendLine($"Pipeline '{plan.Name}' reads schema '{plan.InputSchema}' {plan.Schemas[plan.InputSchema]}");
        text.AppendLine();
        text.AppendLine("Stages:");
        int nameWidth = plan.Stages.Max(s => s.Name.Length);
        // "Aggregate" is the longest kind; without barriers the column stays 6 wide.
        int kindWidth = Math.Max(6, plan.Stages.Max(s => s.Kind.ToString().Length));
        foreach (StagePlan stage in plan.Stages)
        {
            if (stage.Kind == StageKind.Fit && plan.Fits.FirstOrDefault(f => f.Stage == stage.Name) is { } fit)
            {
                text.AppendLine($"  {stage.Name.PadRight(nameWidth)}  {stage.Kind.ToString().PadRight(kindWidth)}  {stage.InputSchema} -> {fit.ParametersType}  from {stage.From ?? "<input>"}  [statistics gathered in pass 1]");
                continue;
            }
            if (stage.Kind is StageKind.Aggregate or StageKind.Join)
            {
                text.AppendLine($"  {stage.Name.PadRight(nameWidth)}  {stage.Kind.ToString().PadRight(kindWidth)}  {stage.InputSchema} -> {stage.OutputSchema}  from {stage.From ?? "<input>"}  [barrier]");
                continue;
            }
            string kernel = stage.Vectorized ? "columnar kernel" : $"row-by-row fallback ({stage.FallbackReason})";
            text.AppendLine($"  {stage.Name.PadRight(nameWidth)}  {stage.Kind.ToString().PadRight(kindWidth)}  {stage.InputSchema} -> {stage.OutputSchema}  from {stage.From ?? "<input>"}  [{kernel}]");
            if (stage.Parameters is { } stageParameters)
            {
                string? fittedBy = plan.Fits.FirstOrDefault(f => f.ParametersType == stageParameters.TypeName)?.Stage;
                IEnumerable<string> members = stageParameters.Members.Select(m =>
                    (parameters ?? StageParameterValues.Empty).TryGet(stageParameters.TypeName, m.Name, out object? value)
                        ? $"{m.Name} = {(value is string s ? "\"" + s + "\"" : StageParameterValues.Format(value))}"
                        : fittedBy is not null ? $"{m.Name} = (fitted by {fittedBy})" : $"{m.Name} = (not set)");
                text.AppendLine($"  {new string(' ', nameWidth)}  parameters {stageParameters.TypeName} {{ {string.Join(", ", members)} }}, read once per batch");
            }
            if (stage.Model is { RunTimeName: { } name } runTime)
            {
                string file = (parameters ?? StageParameterValues.Empty).FindModel(name) is { } given
                    ? $"{given.Path} ({given.Describe()}, sha256 {given.Sha256[..12]})"
                    : $"(no file: --model {name}=PATH)";
                text.AppendLine($"  {new string(' ', nameWidth)}  model '{name}' given at run time: {file}; {runTime.Output} from {string.Join(", ", runTime.Features)}");
            }
            else if (stage.Model is { } model)
            {
                text.AppendLine($"  {new string(' ', nameWidth)}  model {model.File} ({model.Description}, sha256 {model.Sha256[..12]}), compiled into the kernel; {model.Output} from {string.Join(", ", model.Features)}");
            }
        }
        text.AppendLine();
        if (plan.Fits.Count > 0)
        {
            AppendFirstPass(text, plan);
            text.AppendLine($"Pass 2: runs every other segment, with {string.Join(", ", plan.Fits.Select(f => f.ParametersType))} bound from the fits.");
        }
        text.AppendLine("Segments (each is one fused pass over a batch):");
        foreach (SegmentPlan segment in plan.Segments.Where(s => !s.FitOnly))
        {
            AppendSegment(text, plan, segment);
        }
        if (!plan.Segments.Any(s => !s.FitOnly))
        {
            text.AppendLine("  none: every stage is an aggregate or join");
        }
        text.AppendLine();
        AppendBarriers(text, plan);
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
        string materializedText = $"materialized outputs: {string.Join(", ", materialized.Select(m => $"#{m.Index} {m.Name}"))}";
        List<string> barriers =
        [
            .. plan.Fits.Select(f => $"fit {f.Stage} (its {f.ParametersType} is computed between the passes)"),
            .. plan.Aggregates.Select(a => $"aggregate {a.Stage} (shuffle by {string.Join(", ", a.Keys)})"),
            .. plan.Joins.Select(j => $"join {j.Stage} (table {j.Table})"),
        ];
        if (barriers.Count > 0)
        {
            string all = string.Join(", ", barriers);
            text.AppendLine(materialized.Count == 0 ? $"Barriers: {all}" : $"Barriers: {all}; {materializedText}");
            return text.ToString();
        }
        text.AppendLine(materialized.Count == 0
            ? "Barriers: none (no fit, aggregation or join stages; no materialized output)"
            : $"Barriers: none (no fit, aggregation or join stages); {materializedText}");
        return text.ToString();
    }

    /// <summary>
    /// Pass 1 of a plan with fit stages: the segments that run only there (with the rules they check as pass 2 does,
    /// so the fits see the rows pass 2's stages see), then each fit with the statistics it asks for.
    /// </summary>
    private static void AppendFirstPass(StringBuilder text, PipelinePlan plan)
    {
        text.AppendLine("Pass 1 (fit): reads the input and runs only the segments below, gathering the statistics the fits ask for:");
        foreach (SegmentPlan segment in plan.Segments.Where(s => s.FitOnly))
        {
            AppendSegment(text, plan, segment);
        }
        foreach (FitPlan fit in plan.Fits)
        {
            string rows = fit.Segment is int observed
                ? $"the rows of segment #{observed} ({plan.Segments[observed].Name})"
                : "the input rows as read";
            text.AppendLine($"  fit {fit.Stage}: observes {rows}, returns {fit.ParametersType}");
            foreach (FitRequest request in fit.Requests)
            {
                IEnumerable<string> arguments = (request.Column.Length == 0 ? [] : new[] { request.Column })
                    .Concat(request.Arguments.Select(a => StageParameterValues.Format(a)));
                text.AppendLine($"      {request.Statistic}({string.Join(", ", arguments)})");
            }
        }
        text.AppendLine();
    }

    /// <summary>
    /// The aggregate and join stages, each with what feeds it and what reads it, then the splits of the outputs.
    /// </summary>
    private static void AppendBarriers(StringBuilder text, PipelinePlan plan)
    {
        if (plan.Aggregates.Count > 0)
        {
            text.AppendLine("Aggregates (barriers: every row of a group must be seen before its row is written):");
            foreach (AggregatePlan aggregate in plan.Aggregates)
            {
                text.AppendLine($"  {aggregate.Stage}: {aggregate.InputSchema} -> {aggregate.OutputSchema}, from {BarrierSource(plan, aggregate.InputSegment, aggregate.InputBarrier)}{BarrierSink(plan, aggregate.Stage, aggregate.IsSink)}");
                text.AppendLine($"      by: {string.Join(", ", aggregate.Keys)}");
                IEnumerable<string> outputs = aggregate.Outputs.Select(o => o.Function switch
                {
                    AggregateFunction.Count => $"{o.Member} = Count()",
                    AggregateFunction.First or AggregateFunction.Last => $"{o.Member} = {o.Function}({o.Column} by {o.OrderColumn})",
                    _ => $"{o.Member} = {o.Function}({o.Column})",
                });
                text.AppendLine($"      outputs: {string.Join(", ", outputs)}");
                text.AppendLine("      shuffle: partial aggregation per partition, then merge by key hash");
            }
            text.AppendLine();
        }
        if (plan.Joins.Count > 0)
        {
            text.AppendLine("Joins (barriers: the table is read before the rows it joins):");
            foreach (JoinPlan join in plan.Joins)
            {
                text.AppendLine($"  {join.Stage}: {join.LeftSchema} {join.Kind.ToString().ToLowerInvariant()} join table '{join.Table}' ({join.RightSchema}) -> {join.OutputSchema}, from {BarrierSource(plan, join.InputSegment, join.InputBarrier)}{BarrierSink(plan, join.Stage, join.IsSink)}");
                text.AppendLine($"      on: {string.Join(", ", join.LeftKeys.Zip(join.RightKeys, (l, r) => l == r ? l : $"{l} = {r}"))}");
                text.AppendLine(join.Kind is JoinKind.Semi or JoinKind.Anti
                    ? $"      outputs: the left rows {(join.Kind == JoinKind.Semi ? "with" : "without")} a match, unchanged"
                    : $"      outputs: {string.Join(", ", join.Outputs.Select(o => $"{o.Member} = {(o.Side == JoinSide.Left ? "left" : "right")}.{o.Column}"))}");
                text.AppendLine("      strategy: broadcast or shuffle, chosen at run time from the table's size");
            }
            text.AppendLine();
        }
        if (plan.Splits.Count > 0)
        {
            text.AppendLine("Splits (each output row goes to one split=NAME/ folder, by a hash of its key):");
            foreach (SplitPlan split in plan.Splits)
            {
                string subsets = string.Join(", ", split.Names.Zip(split.Fractions, (n, f) => $"{n} {StageParameterValues.Format(f)}"));
                string strata = split.StratifyBy is null ? "" : $", stratified by {split.StratifyBy}";
                text.AppendLine($"  {split.Sink}: key {string.Join(", ", split.Key)} (seed {split.Seed}) into {subsets}{strata}");
            }
            text.AppendLine();
        }
    }

    private static string BarrierSource(PipelinePlan plan, int? inputSegment, string? inputBarrier) =>
        inputSegment is int from ? $"segment #{from} ({plan.Segments[from].Name})"
        : inputBarrier is not null ? $"the output of {inputBarrier}"
        : "the input scan";

    private static string BarrierSink(PipelinePlan plan, string stage, bool isSink)
    {
        if (isSink)
        {
            return "  => output";
        }
        IEnumerable<string> readers = plan.Segments.Where(s => s.InputBarrier == stage).Select(s => $"segment #{s.Index}")
            .Concat(plan.Aggregates.Where(a => a.InputBarrier == stage).Select(a => a.Stage))
            .Concat(plan.Joins.Where(j => j.InputBarrier == stage).Select(j => j.Stage));
        return $"  => {string.Join(", ", readers)}";
    }

    private static void AppendSegment(StringBuilder text, PipelinePlan plan, SegmentPlan segment)
    {
        string source = segment.InputSegment is int from ? $"segment #{from}"
            : segment.InputBarrier is { } barrier ? $"the output of {barrier}"
            : "the input scan";
        string sink = segment.IsSink ? "  => output" : "";
        if (segment.FitOnly)
        {
            IEnumerable<string> fits = plan.Fits.Where(f => f.Segment == segment.Index).Select(f => f.Stage);
            sink = fits.Any() ? $"  => fit {string.Join(", ", fits)}" : "";
        }
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
        List<RulePlan> rules = segment.FitOnly ? FirstPassRules(plan, segment) : plan.Rules.Where(r => r.Segment == segment.Index).ToList();
        if (rules.Count > 0)
        {
            text.AppendLine(segment.FitOnly
                ? "      rules, as pass 2 checks them (pass 1 quarantines nothing: it only leaves the broken rows out):"
                : "      rules, in the order a row meets them:");
            foreach (RulePlan rule in rules)
            {
                string where = rule.Kind == RuleKind.Unique ? "checked by the runtime" : rule.Stage == plan.InputSchema ? "on the input" : $"at {rule.Stage}";
                text.AppendLine($"        #{rule.Index} {rule.Id} ({rule.Action}, {where}): {rule.Description}");
            }
        }
    }

    /// <summary>
    /// The rules a first-pass segment's kernel checks, as the generator places them: those of its stages and, when it
    /// reads the input, the input schema's member rules (of the second-pass segment that reads the input first).
    /// </summary>
    private static List<RulePlan> FirstPassRules(PipelinePlan plan, SegmentPlan segment)
    {
        int? inputRules = segment.ReadsInput
            ? plan.Segments.FirstOrDefault(s => !s.FitOnly && s.ReadsInput && s.Stages.Contains(segment.Stages[0]))?.Index
            : null;
        return plan.Rules
            .Where(r => r.Kind != RuleKind.Unique
                && (segment.Stages.Contains(r.Stage) || (r.Segment == inputRules && r.Stage == plan.InputSchema)))
            .ToList();
    }

    /// <summary>
    /// Where each segment can run: for a pipeline with GPU kernels (its project references <c>Dsl.Gpu</c>), each
    /// segment's GPU kernel and the cost estimate's choice, or why it has none; otherwise one line saying every
    /// segment runs on SIMD.
    /// </summary>
    public static string Devices(CompiledPipeline pipeline)
    {
        var text = new StringBuilder();
        if (pipeline.Devices is not { } devices)
        {
            text.AppendLine("Devices: every segment runs on SIMD (no GPU kernels: the project does not reference Dsl.Gpu).");
            text.AppendLine();
            return text.ToString();
        }
        text.AppendLine("Devices (run --device auto|cuda|cpu-emulator|simd):");
        int width = pipeline.Plan.Segments.Max(s => s.Name.Length);
        foreach (DeviceSegmentPlan segment in devices.Segments)
        {
            text.AppendLine($"  {pipeline.Plan.Segments[segment.Segment].Name.PadRight(width)}  {segment.Describe()}");
        }
        text.AppendLine();
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
        // First-pass segments run the same stages again: the chart draws each stage once, where pass 2 runs it.
        foreach (SegmentPlan segment in plan.Segments.Where(s => !s.FitOnly))
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
        foreach (FitPlan fit in plan.Fits)
        {
            // A fit observes its From stage's rows in pass 1 and hands its record to the stages taking it in pass 2.
            text.AppendLine($"    {NodeId(fit.Stage)}{{{{\"Fit: {fit.Stage}\"}}}}");
            text.AppendLine($"    {(fit.From is null ? "input" : NodeId(fit.From))} -.->|{fit.InputSchema}| {NodeId(fit.Stage)}");
            foreach (StagePlan taker in plan.Stages.Where(s => s.Parameters?.TypeName == fit.ParametersType))
            {
                text.AppendLine($"    {NodeId(fit.Stage)} -.->|{fit.ParametersType}| {NodeId(taker.Name)}");
            }
        }
        foreach (StagePlan stage in plan.Stages.Where(s => s.Kind is StageKind.Aggregate or StageKind.Join))
        {
            // A barrier belongs to no segment: its own node, shaped as a stop in the flow.
            text.AppendLine($"    {NodeId(stage.Name)}[/\"{stage.Kind}: {stage.Name}\"/]");
        }
        foreach (JoinPlan join in plan.Joins)
        {
            text.AppendLine($"    table_{join.Stage}[(\"table {Escape(join.Table)}\")] -->|{join.RightSchema}| {NodeId(join.Stage)}");
        }
        foreach (StagePlan stage in plan.Stages.Where(s => s.Kind != StageKind.Fit))
        {
            string from = stage.From is null ? "input" : NodeId(stage.From);
            SegmentPlan? producer = stage.From is null ? null : plan.Segments.FirstOrDefault(s => !s.FitOnly && s.Stages[^1] == stage.From);
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
        foreach ((string stage, string schema) in plan.Aggregates.Where(a => a.IsSink).Select(a => (a.Stage, a.OutputSchema))
            .Concat(plan.Joins.Where(j => j.IsSink).Select(j => (j.Stage, j.OutputSchema))))
        {
            text.AppendLine($"    {NodeId(stage)} -->|{schema}| out_{stage}[(\"output {stage}\")]");
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
