using System.Globalization;
using Dsl.Execution;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Dsl.Hosting;

/// <summary>
/// The drift check of <c>pipeline.yaml</c>: the run's input is profiled in the same pass and compared, column by column,
/// with a reference profile written earlier by <c>profile</c>.
/// </summary>
/// <param name="Reference">The reference profile file, as written (relative to the current directory).</param>
/// <param name="MaxPsi">The largest allowed population stability index of a numeric column; null: not checked.</param>
/// <param name="MaxKs">The largest allowed Kolmogorov–Smirnov distance of a numeric column; null: not checked.</param>
/// <param name="MinPValue">The smallest allowed chi-square p-value of a categorical column; null: not checked.</param>
/// <param name="Columns">The columns compared (empty: every column of the reference that the input has).</param>
/// <param name="Severity">Whether drift beyond a threshold stops the commit.</param>
internal sealed record DriftConfig(string Reference, double? MaxPsi, double? MaxKs, double? MinPValue, IReadOnlyList<string> Columns, GateSeverity Severity);

/// <summary>
/// Reads the <c>gates:</c> and <c>drift:</c> sections of <c>pipeline.yaml</c> and checks them against the plan, so a
/// gate naming a column that does not exist fails <c>check-config</c> (and the build), not a night's run.
/// </summary>
/// <example>
/// <code>
/// gates:
///   - metric: rowCount            # rowCount, nullRate, quarantineRate, mean, stdDev, min, max, distinctCount, unique
///     min: 1000
///   - metric: nullRate
///     column: SessionSeconds      # a column of the input schema, or Schema.Column for a schema the pipeline writes
///     max: 0.2
///     severity: warn              # fail (default): commit nothing; warn: report and commit
///   - metric: quarantineRate
///     rule: Transaction.Amount.Range   # optional: one rule's rows (default all rules together)
///     max: 0.01
///   - metric: unique
///     columns: [UserId, Ts]
/// drift:
///   reference: profiles/transactions.json   # written by `profile`
///   maxPsi: 0.2
///   maxKs: 0.1
///   minPValue: 0.001
///   columns: [Amount, Country]    # optional; default every column of the reference
/// </code>
/// </example>
internal static class GateConfig
{
    private static readonly string[] GateKeys = ["metric", "column", "columns", "rule", "min", "max", "severity", "id"];
    private static readonly string[] DriftKeys = ["reference", "maxPsi", "maxKs", "minPValue", "columns", "severity"];

    /// <summary>A <c>gates:</c> entry as written, before it is resolved against a plan.</summary>
    internal sealed record GateEntry(int Position, Mark At, GateMetric Metric, string? Column, IReadOnlyList<string> Columns, string? Rule, double? Min, double? Max, GateSeverity Severity, string? Id);

    /// <summary>The metric names as written in the file.</summary>
    public static string MetricName(GateMetric metric) => metric switch
    {
        GateMetric.RowCount => "rowCount",
        GateMetric.NullRate => "nullRate",
        GateMetric.QuarantineRate => "quarantineRate",
        GateMetric.Mean => "mean",
        GateMetric.StdDev => "stdDev",
        GateMetric.Min => "min",
        GateMetric.Max => "max",
        GateMetric.DistinctCount => "distinctCount",
        _ => "unique",
    };

    private static readonly string MetricNames = string.Join(", ", Enum.GetValues<GateMetric>().Select(MetricName));

    /// <summary>Reads the <c>gates:</c> list; problems name the line and column.</summary>
    public static List<GateEntry> ReadGates(string path, YamlNode value, List<ConfigProblem> problems)
    {
        var gates = new List<GateEntry>();
        if (value is not YamlSequenceNode list)
        {
            problems.Add(Problem(path, value.Start, "Setting 'gates' must be a list of gates, each a '- metric: NAME' entry with its settings indented below."));
            return gates;
        }
        for (int i = 0; i < list.Children.Count; i++)
        {
            if (list.Children[i] is not YamlMappingNode map)
            {
                problems.Add(Problem(path, list.Children[i].Start, $"Gate {i + 1} must be a mapping such as 'metric: nullRate' with 'column:' and 'max:' lines."));
                continue;
            }
            if (ReadGate(path, i, map, problems) is { } gate)
            {
                gates.Add(gate);
            }
        }
        return gates;
    }

    private static GateEntry? ReadGate(string path, int position, YamlMappingNode map, List<ConfigProblem> problems)
    {
        GateMetric? metric = null;
        string? column = null, rule = null, id = null;
        IReadOnlyList<string> columns = [];
        double? min = null, max = null;
        GateSeverity severity = GateSeverity.Fail;
        int before = problems.Count;
        string where = $"gates[{position}]";
        foreach ((YamlNode keyNode, YamlNode node) in map.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            string? text = (node as YamlScalarNode)?.Value;
            switch (key)
            {
                case "metric":
                    metric = Enum.GetValues<GateMetric>().Cast<GateMetric?>().FirstOrDefault(m => MetricName(m!.Value) == text);
                    if (metric is null)
                    {
                        problems.Add(Problem(path, node.Start, $"{where}: 'metric' must be one of {MetricNames}."));
                    }
                    break;
                case "column": column = NonEmpty(path, where, key, node, problems); break;
                case "rule": rule = NonEmpty(path, where, key, node, problems); break;
                case "id": id = NonEmpty(path, where, key, node, problems); break;
                case "columns": columns = Names(path, where, node, problems); break;
                case "min": min = Bound(path, where, key, node, problems); break;
                case "max": max = Bound(path, where, key, node, problems); break;
                case "severity": severity = Severity(path, where, node, problems) ?? severity; break;
                default:
                    problems.Add(Problem(path, keyNode.Start, $"{where}: unknown setting '{key}'. A gate's settings are {string.Join(", ", GateKeys)}."));
                    break;
            }
        }
        if (metric is null && problems.Count == before)
        {
            problems.Add(Problem(path, map.Start, $"{where} has no 'metric:'; it must be one of {MetricNames}."));
        }
        if (min > max)
        {
            problems.Add(Problem(path, map.Start, $"{where}: 'min' ({Format(min.Value)}) is greater than 'max' ({Format(max!.Value)}), so no value could pass."));
        }
        if (metric is not null && min is null && max is null && metric != GateMetric.Unique && problems.Count == before)
        {
            problems.Add(Problem(path, map.Start, $"{where}: a '{MetricName(metric.Value)}' gate needs 'min:', 'max:' or both."));
        }
        return problems.Count == before ? new GateEntry(position, map.Start, metric!.Value, column, columns, rule, min, max, severity, id) : null;
    }

    /// <summary>
    /// The gates as <see cref="GatePlan"/>s of <paramref name="plan"/>, with a problem for each that does not fit it (a
    /// column the schema lacks, a rule the plan has not, a metric the column's type cannot give).
    /// </summary>
    public static List<GatePlan> Resolve(string path, IReadOnlyList<GateEntry> entries, PipelinePlan plan, List<ConfigProblem> problems)
    {
        var gates = new List<GatePlan>();
        foreach (GateEntry entry in entries)
        {
            string where = $"gates[{entry.Position}]";
            string metric = MetricName(entry.Metric);
            int before = problems.Count;
            string schema = plan.InputSchema;
            IReadOnlyList<string> columns = [];
            switch (entry.Metric)
            {
                case GateMetric.RowCount:
                    if (entry.Column is { } rowSchema)
                    {
                        schema = rowSchema; // rowCount takes a schema name: the rows of that schema the run reads or writes
                        if (!plan.Schemas.ContainsKey(schema))
                        {
                            problems.Add(Problem(path, entry.At, $"{where}: 'column' of a rowCount gate names the schema whose rows are counted, and pipeline '{plan.Name}' has no schema '{schema}'. Its schemas are {string.Join(", ", plan.Schemas.Keys)}."));
                        }
                    }
                    break;
                case GateMetric.QuarantineRate:
                    if (entry.Rule is { } rule && !plan.Rules.Any(r => r.Id == rule))
                    {
                        string known = plan.Rules.Count == 0 ? "the pipeline has no row rules" : "its rules are " + string.Join(", ", plan.Rules.Select(r => r.Id).Distinct());
                        problems.Add(Problem(path, entry.At, $"{where}: rule '{rule}' is not a rule of pipeline '{plan.Name}'; {known}."));
                    }
                    else if (entry.Rule is { } bounded && plan.Rules.Where(r => r.Id == bounded).ToArray() is { Length: > 0 } placed
                        && !placed.Any(r => r.Action == RuleAction.Quarantine || r.Kind == RuleKind.RowError))
                    {
                        problems.Add(Problem(path, entry.At, $"{where}: rule '{bounded}' has action {placed[0].Action}, so it sends no row to the quarantine and its quarantine rate is always 0. Bound a rule whose action is Quarantine."));
                    }
                    break;
                case GateMetric.Unique:
                    if (entry.Columns.Count == 0 && entry.Column is null)
                    {
                        problems.Add(Problem(path, entry.At, $"{where}: a unique gate needs 'columns: [A, B]' (the key) or 'column:'."));
                        break;
                    }
                    IReadOnlyList<string> key = entry.Columns.Count > 0 ? entry.Columns : [entry.Column!];
                    (schema, columns) = ResolveColumns(path, where, entry, key, plan, problems);
                    if (problems.Count == before && schema != plan.InputSchema)
                    {
                        problems.Add(Problem(path, entry.At, $"{where}: a unique gate checks a key of the pipeline's input, '{plan.InputSchema}', as the rows are read; '{schema}' is not it."));
                    }
                    break;
                default:
                    if (entry.Column is null)
                    {
                        problems.Add(Problem(path, entry.At, $"{where}: a '{metric}' gate needs 'column:'."));
                        break;
                    }
                    (schema, columns) = ResolveColumns(path, where, entry, [entry.Column], plan, problems);
                    if (problems.Count == before && entry.Metric is GateMetric.Mean or GateMetric.StdDev or GateMetric.Min or GateMetric.Max)
                    {
                        ColumnField field = plan.Schemas[schema][plan.Schemas[schema].IndexOf(columns[0])];
                        if (!IsNumeric(field.Type))
                        {
                            problems.Add(Problem(path, entry.At, $"{where}: '{metric}' needs a numeric column, and '{schema}.{field.Name}' is {field.Type}."));
                        }
                    }
                    if (entry.Metric is GateMetric.NullRate && (entry.Min is < 0 or > 1 || entry.Max is < 0 or > 1))
                    {
                        problems.Add(Problem(path, entry.At, $"{where}: a null rate is a fraction from 0 to 1."));
                    }
                    break;
            }
            if (entry.Metric is GateMetric.QuarantineRate && (entry.Min is < 0 or > 1 || entry.Max is < 0 or > 1))
            {
                problems.Add(Problem(path, entry.At, $"{where}: a quarantine rate is a fraction from 0 to 1."));
            }
            if (problems.Count == before && schema != plan.InputSchema && !plan.SinkNodes().Any(k => k.OutputSchema == schema))
            {
                problems.Add(Problem(path, entry.At, $"{where}: schema '{schema}' is neither the pipeline's input nor written by a sink, so the run counts none of its rows; gates measure {string.Join(" or ", new[] { plan.InputSchema }.Concat(plan.SinkNodes().Select(k => k.OutputSchema)).Distinct().Select(n => $"'{n}'"))}."));
            }
            if (problems.Count > before)
            {
                continue;
            }
            string id = entry.Id ?? DefaultId(entry.Metric, columns, entry.Rule, entry.Metric == GateMetric.RowCount ? (schema == plan.InputSchema ? null : schema) : null);
            gates.Add(new GatePlan(id, entry.Metric, schema, columns, entry.Min, entry.Max, entry.Severity, $"{Path.GetFileName(path)} {where}") { Rule = entry.Rule });
        }
        return gates;
    }

    /// <summary>The id a gate gets when none is given: <c>nullRate(SessionSeconds)</c>, <c>unique(UserId, Ts)</c>, <c>rowCount</c>.</summary>
    public static string DefaultId(GateMetric metric, IReadOnlyList<string> columns, string? rule, string? schema)
    {
        string name = MetricName(metric);
        string inside = metric == GateMetric.QuarantineRate ? rule ?? "" : metric == GateMetric.RowCount ? schema ?? "" : string.Join(", ", columns);
        return inside.Length == 0 ? name : $"{name}({inside})";
    }

    /// <summary>Reads the <c>drift:</c> section.</summary>
    public static DriftConfig? ReadDrift(string path, YamlNode value, List<ConfigProblem> problems)
    {
        if (value is not YamlMappingNode map)
        {
            problems.Add(Problem(path, value.Start, "Setting 'drift' must be a mapping with 'reference: PROFILE.json' and thresholds such as 'maxPsi: 0.2'."));
            return null;
        }
        string? reference = null;
        double? psi = null, ks = null, p = null;
        IReadOnlyList<string> columns = [];
        GateSeverity severity = GateSeverity.Fail;
        int before = problems.Count;
        foreach ((YamlNode keyNode, YamlNode node) in map.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            switch (key)
            {
                case "reference": reference = NonEmpty(path, "drift", key, node, problems); break;
                case "maxPsi": psi = Threshold(path, key, node, 0, double.MaxValue, problems); break;
                case "maxKs": ks = Threshold(path, key, node, 0, 1, problems); break;
                case "minPValue": p = Threshold(path, key, node, 0, 1, problems); break;
                case "columns": columns = Names(path, "drift", node, problems); break;
                case "severity": severity = Severity(path, "drift", node, problems) ?? severity; break;
                default:
                    problems.Add(Problem(path, keyNode.Start, $"drift: unknown setting '{key}'. Its settings are {string.Join(", ", DriftKeys)}."));
                    break;
            }
        }
        if (reference is null && problems.Count == before)
        {
            problems.Add(Problem(path, map.Start, "drift: 'reference:' is missing: the profile file to compare with (write one with `profile --input DATA --profile FILE`)."));
        }
        if (psi is null && ks is null && p is null && problems.Count == before)
        {
            problems.Add(Problem(path, map.Start, "drift: give at least one threshold: 'maxPsi:', 'maxKs:' or 'minPValue:'."));
        }
        return problems.Count == before ? new DriftConfig(reference!, psi, ks, p, columns, severity) : null;
    }

    /// <summary>Whether a column of this type has a mean, a standard deviation and an order the gates can bound.</summary>
    public static bool IsNumeric(ColumnType type) => type is ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64
        or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 or ColumnType.UInt64 or ColumnType.Float16 or ColumnType.Float
        or ColumnType.Double or ColumnType.Decimal;

    // "Column" names a column of the input schema; "Schema.Column" one of another schema of the plan.
    private static (string Schema, IReadOnlyList<string> Columns) ResolveColumns(string path, string where, GateEntry entry, IReadOnlyList<string> names, PipelinePlan plan, List<ConfigProblem> problems)
    {
        string schema = plan.InputSchema;
        var columns = new List<string>();
        foreach (string name in names)
        {
            string s = plan.InputSchema, column = name;
            int dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && plan.Schemas.ContainsKey(name[..dot]))
            {
                s = name[..dot];
                column = name[(dot + 1)..];
            }
            if (columns.Count > 0 && s != schema)
            {
                problems.Add(Problem(path, entry.At, $"{where}: the key columns must belong to one schema, and '{name}' is in '{s}' while the others are in '{schema}'."));
                continue;
            }
            schema = s;
            if (plan.Schemas[s].IndexOf(column) < 0)
            {
                problems.Add(Problem(path, entry.At, $"{where}: schema '{s}' has no column '{column}'. Its columns are {string.Join(", ", plan.Schemas[s].Fields.Select(f => f.Name))}{(s == plan.InputSchema ? $"; name a column of another schema as Schema.Column ({string.Join(", ", plan.Schemas.Keys.Where(k => k != s))})" : "")}."));
                continue;
            }
            columns.Add(column);
        }
        return (schema, columns);
    }

    private static string? NonEmpty(string path, string where, string key, YamlNode node, List<ConfigProblem> problems)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } text })
        {
            return text;
        }
        problems.Add(Problem(path, node.Start, $"{where}: '{key}' must be a non-empty text value."));
        return null;
    }

    private static IReadOnlyList<string> Names(string path, string where, YamlNode node, List<ConfigProblem> problems)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { Length: > 0 } text }:
                return PipelineConfig.SplitColumns(text);
            case YamlSequenceNode list when list.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }):
                return list.Children.Select(c => ((YamlScalarNode)c).Value!.Trim()).ToArray();
            default:
                problems.Add(Problem(path, node.Start, $"{where}: 'columns' must be a list of column names, such as [UserId, Ts]."));
                return [];
        }
    }

    private static double? Bound(string path, string where, string key, YamlNode node, List<ConfigProblem> problems)
    {
        if (node is YamlScalarNode { Value: { } text } && double.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
        {
            return value;
        }
        problems.Add(Problem(path, node.Start, $"{where}: '{key}' must be a finite number (invariant culture, such as 0.25 or 1e6)."));
        return null;
    }

    private static double? Threshold(string path, string key, YamlNode node, double min, double max, List<ConfigProblem> problems)
    {
        double? value = Bound(path, "drift", key, node, problems);
        if (value is < 0 || value < min || value > max)
        {
            problems.Add(Problem(path, node.Start, $"drift: '{key}' must be from {Format(min)} to {(max == double.MaxValue ? "any positive number" : Format(max))}."));
            return null;
        }
        return value;
    }

    private static GateSeverity? Severity(string path, string where, YamlNode node, List<ConfigProblem> problems)
    {
        switch ((node as YamlScalarNode)?.Value)
        {
            case "fail": return GateSeverity.Fail;
            case "warn": return GateSeverity.Warn;
            default:
                problems.Add(Problem(path, node.Start, $"{where}: 'severity' must be 'fail' (commit nothing) or 'warn' (report and commit)."));
                return null;
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static ConfigProblem Problem(string path, Mark at, string message) => new(path, (int)at.Line, (int)at.Column, message);
}
