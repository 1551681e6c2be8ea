namespace Dsl.Generators.Model;

/// <summary>The kind of a stage (mirrors <c>Dsl.Execution.StageKind</c>).</summary>
internal enum StageKindSpec
{
    Filter,
    Map,

    /// <summary>A <c>[Check]</c>: compiled like a filter, a refused row goes where its action says.</summary>
    Check,

    /// <summary>A <c>[Fit]</c>: no kernel; it runs once on the first pass's statistics (a <see cref="FitSpec"/>).</summary>
    Fit,

    /// <summary>An <c>[Aggregate]</c>: a barrier with no kernel (an <see cref="AggregateSpec"/>); fusion stops at it.</summary>
    Aggregate,

    /// <summary>A <c>[Join]</c>: a barrier with no kernel (a <see cref="JoinSpec"/>); fusion stops at it.</summary>
    Join,
}

/// <summary>A stage of a pipeline after wiring.</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Name">The method name.</param>
/// <param name="Kind">Filter or map.</param>
/// <param name="InputSchema">The input schema's full type name.</param>
/// <param name="OutputSchema">The output schema's full type name.</param>
/// <param name="From">The producing stage, or null when it reads the pipeline input.</param>
/// <param name="Kernel">The compiled body.</param>
/// <param name="ScanPredicates">For a source filter (every input row reaches it through filters only): the
/// column-versus-constant conditions a scan may prune row groups with; empty otherwise.</param>
/// <param name="Parameters">The parameter object the stage takes after its row, or null.</param>
internal sealed record StageSpec(
    string Name,
    StageKindSpec Kind,
    string InputSchema,
    string OutputSchema,
    string? From,
    StageKernelSpec Kernel,
    Common.EquatableArray<ScanPredicateSpec> ScanPredicates = default,
    StageParametersSpec? Parameters = null)
{
    /// <summary>Whether a row the stage throws for goes to the quarantine (<c>OnRowError = Quarantine</c>) instead of failing the job.</summary>
    public bool QuarantinesRowErrors { get; init; }

    /// <summary>For a <c>[Score]</c> stage (a map fed by a model's outputs): the model and the parameters receiving them.</summary>
    public ScoreSpec? Score { get; init; }

    /// <summary>For a check: its <c>Dsl.RuleAction</c> member name.</summary>
    public string CheckAction { get; init; } = "Quarantine";

    /// <summary>For a check: its own message, or null.</summary>
    public string? CheckMessage { get; init; }

    /// <summary>For a check: its condition as written (the returned expression).</summary>
    public string CheckText { get; init; } = string.Empty;
}
