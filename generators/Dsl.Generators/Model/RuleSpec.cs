using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>One row rule declared on a schema member (<c>[Range]</c>, <c>[NotNull]</c>, ...), as parsed.</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Kind">A <c>Dsl.Execution.RuleKind</c> member name.</param>
/// <param name="Action">A <c>Dsl.RuleAction</c> member name.</param>
/// <param name="Id">The rule's id (the one given, else <c>Schema.Member.Rule</c>).</param>
internal sealed record RuleSpec(string Kind, string Action, string Id)
{
    /// <summary>A range rule's lower bound.</summary>
    public double? Min { get; init; }

    /// <summary>A range rule's upper bound.</summary>
    public double? Max { get; init; }

    /// <summary>Whether a range rule refuses <see cref="Min"/> itself.</summary>
    public bool MinExclusive { get; init; }

    /// <summary>Whether a range rule refuses <see cref="Max"/> itself.</summary>
    public bool MaxExclusive { get; init; }

    /// <summary>A one-of rule's strings (empty for an integer rule).</summary>
    public EquatableArray<string> Strings { get; init; } = EquatableArray<string>.Empty;

    /// <summary>A one-of rule's integers (empty for a string rule).</summary>
    public EquatableArray<long> Integers { get; init; } = EquatableArray<long>.Empty;

    /// <summary>A length rule's bound.</summary>
    public int Length { get; init; }

    /// <summary>A regex rule's pattern.</summary>
    public string? Pattern { get; init; }

    /// <summary>For a unique rule: whether the dataset-wide gate applies too.</summary>
    public bool AcrossDataset { get; init; }
}

/// <summary>
/// One row rule where a kernel checks it (mirrors <c>Dsl.Execution.RulePlan</c>): a member rule at the pipeline input
/// or after a map producing its schema, a <c>[Check]</c> stage, a stage's row errors, or a partition's uniqueness.
/// </summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Index">Its position in the plan's rules (the number kernels report it under).</param>
/// <param name="Rule">The rule: kind, action, id and parameters.</param>
/// <param name="Stage">The check stage, the map whose output it guards, the stage whose row errors it catches, or the input schema's name.</param>
/// <param name="Schema">The schema's simple name (a check's input schema).</param>
/// <param name="Columns">The column names it reads.</param>
/// <param name="Segment">The segment whose kernel checks it.</param>
/// <param name="Description">The rule in words.</param>
/// <param name="After">For a member rule: the map stage after which the kernel checks it, or null before the segment's first stage.</param>
/// <param name="Predicate">For a member rule the kernel checks: the condition a row must meet, over the schema's members; null otherwise.</param>
internal sealed record RulePlacementSpec(
    int Index,
    RuleSpec Rule,
    string Stage,
    string Schema,
    EquatableArray<string> Columns,
    int Segment,
    string Description,
    string? After,
    KernelExpr? Predicate)
{
    /// <summary>A check's own message.</summary>
    public string? Message { get; init; }

    /// <summary>Whether the kernel checks it (everything but uniqueness, which the runtime checks).</summary>
    public bool InKernel => Rule.Kind != "Unique";
}

/// <summary>One dataset gate declared in code (mirrors <c>Dsl.Execution.GatePlan</c>).</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
internal sealed record GateSpec(
    string Id,
    string Metric,
    string Schema,
    EquatableArray<string> Columns,
    double? Min,
    double? Max,
    string Severity,
    string Declared)
{
    /// <summary>For a quarantine-rate gate: the rule id it counts, or null for all rules.</summary>
    public string? Rule { get; init; }
}
