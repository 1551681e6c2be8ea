using System.Linq;
using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>A fused run of stages executed by one kernel.</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
internal sealed record SegmentSpec(
    int Index,
    EquatableArray<string> Stages,
    int? InputSegment,
    string InputSchema,
    string OutputSchema,
    bool IsSink,
    EquatableArray<string> ReadColumns)
{
    /// <summary>
    /// Whether the segment runs only in the first pass of a pipeline with fit stages: the stages up to a fit's
    /// <c>From</c>, fused on their own, whose output only the fits observe.
    /// </summary>
    public bool FitOnly { get; init; }

    /// <summary>
    /// The columns of the output schema the kernel writes, in schema order, when it writes only some (a first-pass
    /// segment writes just the columns its fits read, possibly none); null when it writes them all.
    /// </summary>
    public EquatableArray<string>? OutputColumns { get; init; }

    /// <summary>The aggregate or join stage whose output the segment reads, or null (then <see cref="InputSegment"/> says).</summary>
    public string? InputBarrier { get; init; }

    /// <summary>Whether the segment reads the pipeline input as scanned (no segment's or barrier's output).</summary>
    public bool ReadsInput => InputSegment is null && InputBarrier is null;

    /// <summary>
    /// The kernel method's name: <c>Kernel_</c> plus the stage names; <c>KernelFit_</c> plus the stage names for a
    /// first-pass segment, which may run the same stages as a segment of the second pass.
    /// </summary>
    public string KernelName => (FitOnly ? "KernelFit_" : "Kernel_") + string.Join("_", Stages);
}

/// <summary>A wired, fused pipeline ready for emission.</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Namespace">The pipeline class's namespace.</param>
/// <param name="ContainingTypes">Declarations of enclosing types, outermost first.</param>
/// <param name="ClassName">The pipeline class's simple name.</param>
/// <param name="FullTypeName">The pipeline class's qualified name with <c>global::</c>.</param>
/// <param name="PipelineName">The name given to [Pipeline].</param>
/// <param name="InputSchema">The full type name of the pipeline input schema.</param>
/// <param name="Schemas">Every schema the stages touch.</param>
/// <param name="Stages">The stages in topological order.</param>
/// <param name="Segments">The fused segments in topological order.</param>
/// <param name="CheckOverflow">Whether the compilation's default arithmetic context is checked.</param>
internal sealed record PipelineSpec(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string ClassName,
    string FullTypeName,
    string PipelineName,
    string InputSchema,
    EquatableArray<SchemaSpec> Schemas,
    EquatableArray<StageSpec> Stages,
    EquatableArray<SegmentSpec> Segments,
    bool CheckOverflow)
{
    /// <summary>Every row rule the plan lists, by index: member rules where kernels check them, checks, row errors, uniqueness.</summary>
    public EquatableArray<RulePlacementSpec> Rules { get; init; } = EquatableArray<RulePlacementSpec>.Empty;

    /// <summary>The dataset gates declared in code.</summary>
    public EquatableArray<GateSpec> Gates { get; init; } = EquatableArray<GateSpec>.Empty;

    /// <summary>The fit stages, in the order their records can be computed (a fit observing a stage that takes
    /// another fit's record comes after that fit).</summary>
    public EquatableArray<FitSpec> Fits { get; init; } = EquatableArray<FitSpec>.Empty;

    /// <summary>The aggregate stages, in topological order.</summary>
    public EquatableArray<AggregateSpec> Aggregates { get; init; } = EquatableArray<AggregateSpec>.Empty;

    /// <summary>The join stages, in topological order.</summary>
    public EquatableArray<JoinSpec> Joins { get; init; } = EquatableArray<JoinSpec>.Empty;

    /// <summary>The splits of sink outputs, in stage order.</summary>
    public EquatableArray<SplitSpec> Splits { get; init; } = EquatableArray<SplitSpec>.Empty;

    /// <summary>
    /// The rules the kernel of segment <paramref name="segment"/> checks, in the order it checks them. A first-pass
    /// segment (<see cref="SegmentSpec.FitOnly"/>) checks the rules the second pass checks on the same stages, under
    /// the same numbers, so its fits see exactly the rows those stages see there: the input schema's member rules
    /// (when it reads the input, as placed in the second-pass segment that reads it), and each of its stages' row
    /// errors, check and output member rules.
    /// </summary>
    public System.Collections.Generic.List<RulePlacementSpec> KernelRules(int segment)
    {
        var rules = new System.Collections.Generic.List<RulePlacementSpec>();
        if (segment >= 0 && segment < Segments.Count && Segments[segment].FitOnly)
        {
            return FitOnlyRules(Segments[segment], Segments, Rules, Schema(InputSchema).Name);
        }
        foreach (RulePlacementSpec rule in Rules)
        {
            if (rule.Segment == segment && rule.InKernel)
            {
                rules.Add(rule);
            }
        }
        return rules;
    }

    /// <summary>
    /// The rules first-pass segment <paramref name="segment"/> checks (see <see cref="KernelRules"/>), from the
    /// second pass's <paramref name="segments"/> and <paramref name="rules"/>; <paramref name="inputSchemaName"/> is
    /// the pipeline input schema's simple name (the stage its member rules are placed at).
    /// </summary>
    public static System.Collections.Generic.List<RulePlacementSpec> FitOnlyRules(
        SegmentSpec segment,
        System.Collections.Generic.IEnumerable<SegmentSpec> segments,
        System.Collections.Generic.IEnumerable<RulePlacementSpec> rules,
        string inputSchemaName)
    {
        int inputRulesAt = -1;
        if (segment.ReadsInput)
        {
            foreach (SegmentSpec other in segments)
            {
                if (!other.FitOnly && other.ReadsInput && other.Stages.Contains(segment.Stages[0]))
                {
                    inputRulesAt = other.Index;
                }
            }
        }
        string inputName = inputSchemaName;
        var checks = new System.Collections.Generic.List<RulePlacementSpec>();
        foreach (RulePlacementSpec rule in rules)
        {
            if (!rule.InKernel)
            {
                continue;
            }
            bool onInput = rule.Segment == inputRulesAt && rule.After is null && rule.Predicate is not null && rule.Stage == inputName;
            bool onStage = segment.Stages.Contains(rule.Stage) && (rule.Rule.Kind is "RowError" or "Check" || rule.After == rule.Stage);
            if (onInput || onStage)
            {
                checks.Add(rule);
            }
        }
        return checks;
    }

    public SchemaSpec Schema(string fullTypeName)
    {
        foreach (SchemaSpec schema in Schemas)
        {
            if (schema.FullTypeName == fullTypeName)
            {
                return schema;
            }
        }
        throw new System.InvalidOperationException($"Schema '{fullTypeName}' is not part of pipeline '{PipelineName}'.");
    }

    public StageSpec Stage(string name)
    {
        foreach (StageSpec stage in Stages)
        {
            if (stage.Name == name)
            {
                return stage;
            }
        }
        throw new System.InvalidOperationException($"Stage '{name}' is not part of pipeline '{PipelineName}'.");
    }
}
