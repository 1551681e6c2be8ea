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
    /// <summary>The kernel method's name: <c>Kernel_</c> plus the stage names.</summary>
    public string KernelName => "Kernel_" + string.Join("_", Stages);
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

    /// <summary>The rules the kernel of segment <paramref name="segment"/> checks, in the order it checks them.</summary>
    public System.Collections.Generic.List<RulePlacementSpec> KernelRules(int segment)
    {
        var rules = new System.Collections.Generic.List<RulePlacementSpec>();
        foreach (RulePlacementSpec rule in Rules)
        {
            if (rule.Segment == segment && rule.InKernel)
            {
                rules.Add(rule);
            }
        }
        return rules;
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
