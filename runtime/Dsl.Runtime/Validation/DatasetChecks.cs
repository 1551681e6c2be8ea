using Dsl.Execution;
using Dsl.Validation.Drift;
using Dsl.Validation.Gates;
using Dsl.Validation.Statistics;

namespace Dsl.Validation;

/// <summary>
/// The dataset-wide checks of one run: its gates (the plan's and <see cref="ExecutionOptions.Gates"/>), the drift
/// check against a reference profile, and whether a profile is wanted (<c>profile</c>). It says which statistics the
/// tasks gather in the same pass as the stages (per schema and column), and evaluates gates and drift on their merge.
/// </summary>
internal sealed class DatasetChecks
{
    private readonly Dictionary<string, Dictionary<string, StatisticKinds>> _requirements;

    private DatasetChecks(IReadOnlyList<GatePlan> gates, DriftOptions? drift, DatasetProfile? reference, bool profile, Dictionary<string, Dictionary<string, StatisticKinds>> requirements)
    {
        Gates = gates;
        Drift = drift;
        Reference = reference;
        Profile = profile;
        _requirements = requirements;
    }

    /// <summary>A run without gates, drift or profile.</summary>
    public static DatasetChecks None { get; } = new([], null, null, false, []);

    /// <summary>Every gate checked.</summary>
    public IReadOnlyList<GatePlan> Gates { get; }

    /// <summary>The drift check, if any.</summary>
    public DriftOptions? Drift { get; }

    /// <summary>The reference profile of <see cref="Drift"/>, read when the run starts.</summary>
    public DatasetProfile? Reference { get; }

    /// <summary>Whether the run profiles every input column (the <c>profile</c> command).</summary>
    public bool Profile { get; }

    /// <summary>Whether tasks gather any statistics.</summary>
    public bool Gathers => _requirements.Count > 0;

    /// <summary>
    /// The checks of a run of <paramref name="plan"/>: the plan's gates and <paramref name="extraGates"/>, each
    /// measuring the input schema or a schema a sink writes (others are refused: no rows of theirs are counted), a
    /// drift check whose reference profile is read now (a damaged or missing file stops the run before any work), and
    /// a profile of every input column when <paramref name="profile"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A gate measures a schema the run neither reads nor writes, or the quarantine rate of a rule that quarantines no row.</exception>
    /// <exception cref="InvalidDataException">The reference profile cannot be read.</exception>
    public static DatasetChecks For(PipelinePlan plan, IReadOnlyList<GatePlan> extraGates, DriftOptions? drift, bool profile)
    {
        GatePlan[] gates = [.. plan.Gates, .. extraGates];
        HashSet<string> measured = MeasuredSchemas(plan);
        foreach (GatePlan gate in gates.Where(g => !measured.Contains(g.Schema)))
        {
            throw new ArgumentException($"Gate '{gate.Id}' ({gate.Declared}) measures schema '{gate.Schema}', which pipeline '{plan.Name}' neither reads as its input nor writes to a sink, so none of its rows would be counted. Gates measure {string.Join(" or ", measured.Select(s => $"'{s}'"))}.");
        }
        foreach (GatePlan gate in gates.Where(g => g.Metric == GateMetric.Unique && g.Schema != plan.InputSchema))
        {
            throw new ArgumentException($"Gate '{gate.Id}' ({gate.Declared}) checks a key of schema '{gate.Schema}'; keys are checked on the pipeline's input, '{plan.InputSchema}', as the rows are read.");
        }
        foreach (GatePlan gate in gates.Where(g => g.Metric == GateMetric.QuarantineRate && g.Rule is not null))
        {
            RulePlan[] placed = plan.Rules.Where(r => r.Id == gate.Rule).ToArray();
            if (placed.Length > 0 && !placed.Any(Quarantines))
            {
                // Its rate would be 0 whatever the data: a gate that cannot fail.
                throw new ArgumentException($"Gate '{gate.Id}' ({gate.Declared}) bounds the quarantine rate of rule '{gate.Rule}', whose action is {placed[0].Action}: it sends no row to the quarantine. Bound a rule whose action is Quarantine.");
            }
        }
        Dictionary<string, Dictionary<string, StatisticKinds>> requirements = GateEvaluator.Requirements(gates);
        DatasetProfile? reference = null;
        if (drift is not null)
        {
            reference = Filter(DatasetProfile.Read(Path.GetFullPath(drift.ReferenceProfile)), drift.Columns, drift.ReferenceProfile);
            foreach (SchemaProfile schema in reference.Schemas)
            {
                if (!plan.Schemas.TryGetValue(schema.Name, out BatchSchema? fields) || !measured.Contains(schema.Name))
                {
                    throw new ArgumentException($"The reference profile '{drift.ReferenceProfile}' describes schema '{schema.Name}', which pipeline '{plan.Name}' neither reads nor writes; profile the same pipeline's input (`profile`).");
                }
                Dictionary<string, StatisticKinds> columns = Columns(requirements, schema.Name);
                foreach (ColumnProfile column in schema.Columns.Where(c => fields.IndexOf(c.Name) >= 0))
                {
                    columns[column.Name] = columns.GetValueOrDefault(column.Name) | StatisticKinds.All;
                }
            }
        }
        if (profile)
        {
            Dictionary<string, StatisticKinds> columns = Columns(requirements, plan.InputSchema);
            foreach (ColumnField field in plan.Schemas[plan.InputSchema].Fields)
            {
                columns[field.Name] = columns.GetValueOrDefault(field.Name) | StatisticKinds.All;
            }
        }
        return gates.Length == 0 && drift is null && !profile ? None : new DatasetChecks(gates, drift, reference, profile, requirements);
    }

    /// <summary>The input columns the statistics need, which the tasks must read even when no stage does.</summary>
    public IEnumerable<string> InputColumns(PipelinePlan plan) =>
        _requirements.TryGetValue(plan.InputSchema, out Dictionary<string, StatisticKinds>? columns) ? columns.Keys : [];

    /// <summary>What is gathered, as text for the run's fingerprint: other statistics recompute every partition.</summary>
    public string Fingerprint => string.Join(";", _requirements.Select(s => s.Key + ":" + string.Join(",", s.Value.Select(c => $"{c.Key}={(int)c.Value}"))));

    /// <summary>Empty statistics for one task, or null when nothing is gathered.</summary>
    public StatisticsSet? NewStatistics(PipelinePlan plan) => Gathers ? StatisticsSet.Create(plan.Schemas, _requirements) : null;

    /// <summary>
    /// The plan with a dataset-wide unique rule (action Warn) for each uniqueness gate on the input that no unique rule
    /// of the plan already counts, so the tasks hash its key; appended after the plan's rules, so kernels' rule
    /// numbers stay.
    /// </summary>
    public PipelinePlan WithKeyRules(PipelinePlan plan)
    {
        var added = new List<RulePlan>();
        foreach (GatePlan gate in Gates.Where(g => g.Metric == GateMetric.Unique && KeyRule(plan, g) is null))
        {
            added.Add(new RulePlan(plan.Rules.Count + added.Count, "gate:" + gate.Id, RuleKind.Unique, RuleAction.Warn, plan.InputSchema, plan.InputSchema, gate.Columns, 0, $"({string.Join(", ", gate.Columns)}) is unique, for gate {gate.Id}") { AcrossDataset = true });
        }
        return added.Count == 0 ? plan : plan with { Rules = [.. plan.Rules, .. added] };
    }

    /// <summary>
    /// Evaluates the gates and the drift check on <paramref name="statistics"/> (the partitions' merged statistics)
    /// and the rules' results; adds them to <paramref name="report"/>, with the run's profile when one is wanted or a
    /// drift check needs it.
    /// </summary>
    public ValidationReport Evaluate(PipelinePlan plan, ValidationReport report, StatisticsSet? statistics, DateTime utcNow)
    {
        if (statistics is null)
        {
            return report;
        }
        var quarantinedByRule = report.Rules.Where(r => Quarantines(r.Rule))
            .GroupBy(r => r.Rule.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Broken), StringComparer.Ordinal);
        long quarantined = report.QuarantinedRows;
        var duplicates = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (GatePlan gate in Gates.Where(g => g.Metric == GateMetric.Unique))
        {
            RulePlan? rule = KeyRule(plan, gate) ?? plan.Rules.FirstOrDefault(r => r.Id == "gate:" + gate.Id);
            RuleResult? counted = rule is null ? null : report.Rules.First(r => r.Rule.Index == rule.Index);
            // The gate is about the rows the run keeps: repeats within a partition that the rule already sent to the
            // quarantine or dropped are not in the output, so only the keys still repeated count.
            bool removed = counted?.Rule.Action is RuleAction.Quarantine or RuleAction.Drop;
            duplicates[gate.Id] = counted is null ? 0 : counted.DuplicateKeys - (removed ? counted.Broken : 0);
        }
        List<GateResult> gates = GateEvaluator.Evaluate(Gates, new GateMeasurements(statistics, quarantinedByRule, quarantined, duplicates));
        DatasetProfile? profile = Profile || Reference is not null ? DatasetProfile.From(statistics, utcNow) : null;
        List<ColumnDrift> drift = Reference is null || Drift is null
            ? []
            : DriftEvaluator.Compare(profile!, Reference, new DriftThresholds(Drift.MaxPsi ?? double.PositiveInfinity, Drift.MaxKs ?? double.PositiveInfinity, Drift.MinPValue ?? 0));
        return report with { Gates = gates, Drift = drift, GateResults = gates, DriftResults = drift, Profile = profile, DriftSeverity = Drift?.Severity ?? GateSeverity.Fail };
    }

    private static bool Quarantines(RulePlan rule) => rule.Action == RuleAction.Quarantine || rule.Kind == RuleKind.RowError;

    // The unique rule of the plan that counts this gate's key (the one [Unique] on the member declares).
    private static RulePlan? KeyRule(PipelinePlan plan, GatePlan gate) => plan.Rules.FirstOrDefault(r =>
        r.Kind == RuleKind.Unique && r.AcrossDataset && r.Schema == gate.Schema && r.Columns.SequenceEqual(gate.Columns, StringComparer.Ordinal));

    // The input, and the output schemas of sinks: the batches a task sees whole.
    private static HashSet<string> MeasuredSchemas(PipelinePlan plan) =>
        [plan.InputSchema, .. plan.SinkNodes().Select(s => s.OutputSchema)];

    private static Dictionary<string, StatisticKinds> Columns(Dictionary<string, Dictionary<string, StatisticKinds>> requirements, string schema)
    {
        if (!requirements.TryGetValue(schema, out Dictionary<string, StatisticKinds>? columns))
        {
            columns = new Dictionary<string, StatisticKinds>(StringComparer.Ordinal);
            requirements.Add(schema, columns);
        }
        return columns;
    }

    // Only the columns the drift check names (all when it names none); a named column the profile lacks is an error.
    private static DatasetProfile Filter(DatasetProfile reference, IReadOnlyList<string> columns, string path)
    {
        if (columns.Count == 0)
        {
            return reference;
        }
        foreach (string column in columns.Where(c => !reference.Schemas.Any(s => s.Column(c) is not null)))
        {
            throw new ArgumentException($"drift names column '{column}', which the reference profile '{path}' does not describe; its columns are {string.Join(", ", reference.Schemas.SelectMany(s => s.Columns.Select(c => c.Name)))}.");
        }
        return new DatasetProfile(
            reference.Schemas.Select(s => s with { Columns = s.Columns.Where(c => columns.Contains(c.Name, StringComparer.Ordinal)).ToArray() }).ToArray(),
            reference.CreatedUtc);
    }
}

/// <summary>
/// A drift check: the run's input is profiled in the same pass and compared column by column with
/// <see cref="ReferenceProfile"/>, a file written by <c>profile</c>.
/// </summary>
/// <param name="ReferenceProfile">The reference profile file.</param>
/// <param name="MaxPsi">The largest allowed population stability index of a numeric column; null: not checked.</param>
/// <param name="MaxKs">The largest allowed Kolmogorov–Smirnov distance of a numeric column; null: not checked.</param>
/// <param name="MinPValue">The smallest allowed chi-square p-value of a categorical column; null: not checked.</param>
/// <param name="Columns">The columns compared (empty: every column of the reference).</param>
/// <param name="Severity">Whether drift beyond a threshold stops the commit.</param>
public sealed record DriftOptions(string ReferenceProfile, double? MaxPsi, double? MaxKs, double? MinPValue, IReadOnlyList<string> Columns, GateSeverity Severity);
