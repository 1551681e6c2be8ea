using Dsl.Execution;

namespace Dsl.Validation;

/// <summary>
/// Where a plan's rules put what they produce besides the main output: one quarantine output per schema whose rows a
/// rule quarantines (<c>_quarantine/&lt;Schema&gt;/</c>), and one folder of sorted key hashes per dataset-wide
/// unique rule (<c>_unique/&lt;rule id&gt;/</c>). Both are committed like sinks: their task indices follow the sinks'.
/// </summary>
internal sealed record ValidationLayout(IReadOnlyList<string> QuarantineSchemas, IReadOnlyList<RulePlan> UniqueAcross, int FirstQuarantineSink)
{
    /// <summary>The folder holding the quarantine outputs.</summary>
    public const string QuarantineFolder = "_quarantine";

    /// <summary>The folder holding the unique rules' key hashes.</summary>
    public const string UniqueFolder = "_unique";

    /// <summary>The provenance columns a quarantine row has after the row's own columns.</summary>
    public static readonly ColumnField[] ProvenanceFields =
    [
        new("_rule", ColumnType.String, false),
        new("_stage", ColumnType.String, false),
        new("_reason", ColumnType.String, false),
        new("_file", ColumnType.String, false),
        new("_row_group", ColumnType.Int32, true),
        new("_row", ColumnType.Int64, true),
        new("_line", ColumnType.Int64, true),
    ];

    public int FirstUniqueSink => FirstQuarantineSink + QuarantineSchemas.Count;

    /// <summary>The run's gates, drift check and profile: which statistics each task gathers.</summary>
    public DatasetChecks Checks { get; init; } = DatasetChecks.None;

    /// <summary>Every output index this layout adds (quarantine, then unique hashes).</summary>
    public int Count => QuarantineSchemas.Count + UniqueAcross.Count;

    /// <summary>The layout of <paramref name="plan"/>'s rules, its outputs numbered from <paramref name="sinks"/>.</summary>
    public static ValidationLayout For(PipelinePlan plan, int sinks) => new(
        plan.Rules.Where(r => r.Action == RuleAction.Quarantine).Select(r => QuarantineSchemaOf(plan, r)).Distinct(StringComparer.Ordinal).ToArray(),
        plan.Rules.Where(r => r.Kind == RuleKind.Unique && r.AcrossDataset).ToArray(),
        sinks);

    /// <summary>
    /// Refuses a plan that checks its input's member rules in more than one segment (two stages that both read the
    /// input, each starting a segment): each would count, quarantine or fail a broken row once, so the counts, the
    /// quarantine and the gates would hold it twice.
    /// </summary>
    /// <exception cref="ArgumentException">The input's rules run in several segments.</exception>
    public static void CheckInputRulesRunOnce(PipelinePlan plan)
    {
        int[] segments = plan.Rules.Where(r => r.Stage == plan.InputSchema && r.Kind != RuleKind.Unique).Select(r => r.Segment).Distinct().ToArray();
        if (segments.Length > 1)
        {
            string stages = string.Join(" and ", segments.Select(s => $"'{plan.Segments[s].Stages[0]}'"));
            throw new ArgumentException($"Pipeline '{plan.Name}' checks the rules of its input schema '{plan.InputSchema}' in {segments.Length} segments, which start at stages {stages} that each read the input, so a broken row would be counted and quarantined once per segment. Give them one stage to read from, e.g. a [Filter] that keeps every row ('static bool Rows({plan.InputSchema} row) => true') with From = nameof(Rows) on both, so the rules run once.");
        }
    }

    /// <summary>The schema of the rows <paramref name="rule"/> quarantines: its segment's input (the pipeline input for unique rules).</summary>
    public static string QuarantineSchemaOf(PipelinePlan plan, RulePlan rule) =>
        rule.Kind == RuleKind.Unique ? plan.InputSchema : plan.Segments[rule.Segment].InputSchema;

    /// <summary>The folder of output <paramref name="index"/> (numbered from <see cref="FirstQuarantineSink"/>) inside the output folder.</summary>
    public string Folder(int index) => index < FirstUniqueSink
        ? QuarantineFolder + "/" + QuarantineSchemas[index - FirstQuarantineSink]
        : UniqueFolder + "/" + UniqueAcross[index - FirstUniqueSink].Id;

    /// <summary>The quarantine output index of <paramref name="schema"/>.</summary>
    public int QuarantineSink(string schema) => FirstQuarantineSink + IndexOf(QuarantineSchemas, schema);

    /// <summary>A quarantine file's schema: the rows' own columns, then <see cref="ProvenanceFields"/>.</summary>
    public static BatchSchema QuarantineSchema(PipelinePlan plan, string schema) =>
        new(plan.Schemas[schema].Fields.Concat(ProvenanceFields));

    /// <summary>
    /// Refuses a plan whose rules need columns that the task would not read: a quarantined row keeps every column of
    /// its schema, so a quarantining segment that reads the pipeline input must read them all (the generator lists
    /// them in its <see cref="SegmentPlan.ReadColumns"/>), and a unique rule's key columns must be read.
    /// </summary>
    public static void CheckColumns(PipelinePlan plan, IReadOnlyCollection<string> readColumns)
    {
        foreach (RulePlan rule in plan.Rules)
        {
            if (rule.Index < 0 || rule.Index >= plan.Rules.Count || plan.Rules[rule.Index] != rule)
            {
                throw new ArgumentException($"Rule '{rule.Id}' of pipeline '{plan.Name}' has index {rule.Index} but is at position {IndexOf(plan.Rules, rule)} of the plan's rules.");
            }
            if (rule.Kind == RuleKind.Unique)
            {
                string[] missingKey = rule.Columns.Where(c => !readColumns.Contains(c)).ToArray();
                if (missingKey.Length > 0)
                {
                    throw new ArgumentException($"Rule '{rule.Id}' checks column(s) {Names(missingKey)} of schema '{plan.InputSchema}', which no segment reads; the plan must list them in the ReadColumns of a segment reading the input.");
                }
                string[] missingRow = plan.Schemas[plan.InputSchema].Fields.Select(f => f.Name).Where(c => !readColumns.Contains(c)).ToArray();
                if (rule.Action == RuleAction.Quarantine && missingRow.Length > 0)
                {
                    throw new ArgumentException($"Rule '{rule.Id}' quarantines rows of schema '{plan.InputSchema}', but no segment reads column(s) {Names(missingRow)}; a quarantined row keeps every column of its schema.");
                }
                continue;
            }
            SegmentPlan segment = plan.Segments[rule.Segment];
            if (rule.Action != RuleAction.Quarantine || !segment.ReadsInput)
            {
                continue;
            }
            BatchSchema schema = plan.Schemas[segment.InputSchema];
            string[] missing = schema.Fields.Select(f => f.Name).Where(c => !segment.ReadColumns.Contains(c)).ToArray();
            if (missing.Length > 0)
            {
                throw new ArgumentException($"Rule '{rule.Id}' quarantines rows of schema '{segment.InputSchema}', but segment '{segment.Name}' does not read column(s) {Names(missing)}; a quarantined row keeps every column of its schema, so the segment's ReadColumns must list them all.");
            }
            if (schema.Fields.FirstOrDefault(f => ProvenanceFields.Any(p => p.Name == f.Name)) is { } clash)
            {
                throw new ArgumentException($"Schema '{segment.InputSchema}' has a column '{clash.Name}', a name the quarantine gives its provenance columns; rename the member.");
            }
            if (schema.Fields.FirstOrDefault(f => f.Type is ColumnType.Struct or ColumnType.Map) is { } nested)
            {
                throw new ArgumentException($"Rule '{rule.Id}' quarantines rows of schema '{segment.InputSchema}', whose column '{nested.Name}' is a {nested.Type}; the quarantine writes flat columns and lists only. Use the Drop or Fail action for this rule.");
            }
        }
    }

    private static string Names(IEnumerable<string> columns) => string.Join(", ", columns.Select(c => $"'{c}'"));

    private static int IndexOf<T>(IReadOnlyList<T> list, T item)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(list[i], item))
            {
                return i;
            }
        }
        return -1;
    }
}
