using System.Text;
using Dsl.Execution;

namespace Dsl.Hosting;

/// <summary>Renders a <see cref="PipelinePlan"/> as the human-readable text of <c>explain</c>.</summary>
public static class PlanPrinter
{
    /// <summary>The plan as text: stages with their wiring, then the fused segments with the columns each reads.</summary>
    public static string ToText(PipelinePlan plan)
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
        }
        text.AppendLine();
        text.AppendLine("Segments (each is one fused pass over a batch):");
        foreach (SegmentPlan segment in plan.Segments)
        {
            string source = segment.InputSegment is int from ? $"segment #{from}" : "the input scan";
            string sink = segment.IsSink ? "  => output" : "";
            text.AppendLine($"  #{segment.Index} {segment.Name}: {segment.InputSchema} -> {segment.OutputSchema}, from {source}{sink}");
            text.AppendLine($"      reads columns: {string.Join(", ", segment.ReadColumns)}");
        }
        return text.ToString();
    }

    /// <summary>
    /// The plan as a Mermaid flowchart for docs: one node per stage, grouped into one box per fused segment, with
    /// the pipeline input and each output as their own nodes.
    /// </summary>
    public static string ToMermaid(PipelinePlan plan)
    {
        var text = new StringBuilder();
        text.AppendLine("flowchart LR");
        text.AppendLine($"    input[(\"{plan.InputSchema}\")]");
        foreach (SegmentPlan segment in plan.Segments)
        {
            text.AppendLine($"    subgraph seg{segment.Index}[\"#{segment.Index} fused\"]");
            foreach (string stageName in segment.Stages)
            {
                StagePlan stage = plan.Stages.First(s => s.Name == stageName);
                text.AppendLine($"        {NodeId(stageName)}[\"{stage.Kind}: {stageName}\"]");
            }
            text.AppendLine("    end");
        }
        foreach (StagePlan stage in plan.Stages)
        {
            string from = stage.From is null ? "input" : NodeId(stage.From);
            text.AppendLine($"    {from} -->|{stage.InputSchema}| {NodeId(stage.Name)}");
        }
        foreach (SegmentPlan sink in plan.Sinks)
        {
            string last = sink.Stages[^1];
            text.AppendLine($"    {NodeId(last)} -->|{sink.OutputSchema}| out{sink.Index}[(\"output {last}\")]");
        }
        return text.ToString();
    }

    private static string NodeId(string stage) => "stage_" + stage;
}
