namespace Dsl.Execution;

/// <summary>What a row rule checks.</summary>
public enum RuleKind
{
    /// <summary><see cref="RangeAttribute"/>: <see cref="RulePlan.Min"/> ≤ value ≤ <see cref="RulePlan.Max"/> (or exclusive), NaN refused.</summary>
    Range,

    /// <summary><see cref="NotNullAttribute"/>.</summary>
    NotNull,

    /// <summary><see cref="OneOfAttribute"/>: the value is one of <see cref="RulePlan.Values"/>.</summary>
    OneOf,

    /// <summary><see cref="MinLengthAttribute"/>: <see cref="string.Length"/> ≥ <see cref="RulePlan.Length"/>.</summary>
    MinLength,

    /// <summary><see cref="MaxLengthAttribute"/>: <see cref="string.Length"/> ≤ <see cref="RulePlan.Length"/>.</summary>
    MaxLength,

    /// <summary><see cref="RegexAttribute"/>: the value matches <see cref="RulePlan.Pattern"/>.</summary>
    Regex,

    /// <summary><see cref="FiniteAttribute"/>: neither NaN nor ±∞.</summary>
    Finite,

    /// <summary><see cref="UniqueAttribute"/>: no earlier row of the partition holds the value (checked by the runtime, not the kernel).</summary>
    Unique,

    /// <summary>A <see cref="CheckAttribute"/> stage: its method returned false.</summary>
    Check,

    /// <summary>A stage with <see cref="RowErrorAction.Quarantine"/> threw for the row.</summary>
    RowError,
}

/// <summary>
/// One row rule of a plan. Kernels report a broken row by <see cref="Index"/> and its position in the kernel's input
/// batch; the runtime routes it by <see cref="Action"/> and writes the reason from the rule's parameters and the
/// row's values.
/// </summary>
/// <param name="Index">Its position in <see cref="PipelinePlan.Rules"/>.</param>
/// <param name="Id">Its id in reports and the quarantine (<c>Schema.Member.Rule</c>, a check's method name, <c>Stage.RowError</c>).</param>
/// <param name="Kind">What it checks.</param>
/// <param name="Action">Where a row that breaks it goes.</param>
/// <param name="Stage">The stage it runs in: the check stage, the stage whose output schema it guards, the stage whose
/// row errors it catches, or the pipeline's input schema name for rules checked on the input before any stage.</param>
/// <param name="Schema">The schema the rule is declared on (for a check: its input schema).</param>
/// <param name="Columns">The columns it reads, in the schema's column names (one for a member rule).</param>
/// <param name="Segment">The segment whose kernel checks it (its row positions index that segment's input batch).</param>
/// <param name="Description">The rule in words, for reports: <c>Amount in [0, 100]</c>, <c>Country is one of "FR", "DE"</c>.</param>
public sealed record RulePlan(
    int Index,
    string Id,
    RuleKind Kind,
    RuleAction Action,
    string Stage,
    string Schema,
    IReadOnlyList<string> Columns,
    int Segment,
    string Description)
{
    /// <summary>A range rule's lower bound.</summary>
    public double? Min { get; init; }

    /// <summary>A range rule's upper bound.</summary>
    public double? Max { get; init; }

    /// <summary>Whether a range rule refuses <see cref="Min"/> itself.</summary>
    public bool MinExclusive { get; init; }

    /// <summary>Whether a range rule refuses <see cref="Max"/> itself.</summary>
    public bool MaxExclusive { get; init; }

    /// <summary>A one-of rule's allowed values, as invariant-culture text.</summary>
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>A length rule's bound.</summary>
    public int? Length { get; init; }

    /// <summary>A regex rule's pattern.</summary>
    public string? Pattern { get; init; }

    /// <summary>A check's own message (<see cref="CheckAttribute.Message"/>), when it has one.</summary>
    public string? Message { get; init; }

    /// <summary>For a <see cref="RuleKind.Unique"/> rule: whether the dataset-wide gate applies too.</summary>
    public bool AcrossDataset { get; init; }

    /// <summary>Writes what names the rule (id, kind, action, stage, schema, columns) as properties of the current JSON object: the plan (<c>explain --json</c>) and <c>_validation.json</c> share them.</summary>
    internal void WriteIdentity(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteString("id", Id);
        json.WriteString("kind", Kind.ToString());
        json.WriteString("action", Action.ToString());
        json.WriteString("stage", Stage);
        json.WriteString("schema", Schema);
        json.WriteStartArray("columns");
        foreach (string column in Columns)
        {
            json.WriteStringValue(column);
        }
        json.WriteEndArray();
    }
}

/// <summary>
/// One dataset gate of a plan, checked on statistics of the whole run before the commit.
/// </summary>
/// <param name="Id">Its id in reports (<c>nullRate(SessionSeconds)</c>, or the one given).</param>
/// <param name="Metric">What it measures.</param>
/// <param name="Schema">The schema whose rows it measures (the pipeline input's, or a sink's output schema).</param>
/// <param name="Columns">The column measured (one), the key columns of a uniqueness gate, or none.</param>
/// <param name="Min">The smallest allowed value, included; null for none.</param>
/// <param name="Max">The largest allowed value, included; null for none.</param>
/// <param name="Severity">Whether a breach stops the commit.</param>
/// <param name="Declared">Where it was declared, for messages: <c>[NullRate] on Transaction.SessionSeconds</c>, <c>pipeline.yaml gates[2]</c>.</param>
public sealed record GatePlan(
    string Id,
    GateMetric Metric,
    string Schema,
    IReadOnlyList<string> Columns,
    double? Min,
    double? Max,
    GateSeverity Severity,
    string Declared)
{
    /// <summary>For a <see cref="GateMetric.QuarantineRate"/> gate: the rule id it counts, or null for all rules.</summary>
    public string? Rule { get; init; }
}
