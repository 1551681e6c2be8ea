using Dsl.Execution;
using Dsl.Validation.Statistics;

namespace Dsl.Validation.Gates;

/// <summary>
/// Checks dataset gates on a run's measurements. Pure: the same plans and measurements give the same results. Rates
/// (null rate, quarantine rate) over no rows are 0; the moments (mean, population standard deviation, min, max) cover
/// the non-null, non-NaN values, and a gate on a column that has none fails, saying so; bounds are inclusive, and a
/// missing or NaN bound is no bound; a uniqueness gate without bounds allows no duplicate.
/// </summary>
internal static class GateEvaluator
{
    /// <summary>
    /// What the gates need gathered: per schema (row counts for every gate), per column the kinds of statistics.
    /// Feed it to <see cref="StatisticsSet.Create"/>. Uniqueness gates need the duplicate count measured apart.
    /// </summary>
    public static Dictionary<string, Dictionary<string, StatisticKinds>> Requirements(IEnumerable<GatePlan> gates)
    {
        var result = new Dictionary<string, Dictionary<string, StatisticKinds>>(StringComparer.Ordinal);
        foreach (GatePlan gate in gates)
        {
            if (!result.TryGetValue(gate.Schema, out Dictionary<string, StatisticKinds>? columns))
            {
                columns = new Dictionary<string, StatisticKinds>(StringComparer.Ordinal);
                result.Add(gate.Schema, columns);
            }
            StatisticKinds? kinds = gate.Metric switch
            {
                GateMetric.NullRate => StatisticKinds.None,
                GateMetric.Mean or GateMetric.StdDev or GateMetric.Min or GateMetric.Max => StatisticKinds.Moments,
                GateMetric.DistinctCount => StatisticKinds.Distinct,
                _ => null,
            };
            if (kinds is { } k)
            {
                string column = SingleColumn(gate);
                columns[column] = columns.GetValueOrDefault(column) | k;
            }
        }
        return result;
    }

    /// <summary>Checks every gate.</summary>
    public static List<GateResult> Evaluate(IEnumerable<GatePlan> gates, GateMeasurements measurements) =>
        [.. gates.Select(g => Evaluate(g, measurements))];

    /// <summary>Checks one gate.</summary>
    /// <exception cref="InvalidOperationException">The measurements lack what the gate needs (the statistics were not gathered per <see cref="Requirements"/>).</exception>
    public static GateResult Evaluate(GatePlan gate, GateMeasurements measurements)
    {
        SchemaStatistics schema = measurements.Statistics.Schema(gate.Schema)
            ?? throw new InvalidOperationException($"Gate {gate.Id} measures schema '{gate.Schema}', but the run gathered no statistics of it.");
        long rows = schema.Rows;
        string head = $"gate {gate.Id} declared by {gate.Declared}";
        switch (gate.Metric)
        {
            case GateMetric.RowCount:
                return Check(gate, rows, false, head, $"the run has {StatisticText.Count(rows)} rows of {gate.Schema}", "see the inputs in _validation.json");
            case GateMetric.QuarantineRate:
            {
                long quarantined = gate.Rule is null ? measurements.QuarantinedRows : measurements.QuarantinedByRule.GetValueOrDefault(gate.Rule);
                double rate = rows == 0 ? 0 : (double)quarantined / rows;
                string by = gate.Rule is null ? "" : $" for rule {gate.Rule}";
                return Check(gate, rate, false, head, $"the quarantine received {StatisticText.Percent(rate)} of {StatisticText.Count(rows)} rows ({StatisticText.Count(quarantined)}){by}", "see the quarantine output and _validation.json");
            }
            case GateMetric.Unique:
            {
                if (!measurements.DuplicateKeys.TryGetValue(gate.Id, out long duplicates))
                {
                    throw new InvalidOperationException($"Gate {gate.Id} checks that ({string.Join(", ", gate.Columns)}) is a key, but the run counted no duplicate keys for it.");
                }
                return Check(gate, duplicates, false, head, $"{StatisticText.Count(duplicates)} of {StatisticText.Count(rows)} rows repeat a key ({string.Join(", ", gate.Columns)}) of an earlier row", "see _validation.json");
            }
        }
        string column = SingleColumn(gate);
        ColumnStatistics stats = schema.Column(column)
            ?? throw new InvalidOperationException($"Gate {gate.Id} measures {gate.Schema}.{column}, but the run gathered no statistics of that column.");
        const string where = "see _validation.json and the column's profile";
        string name = $"{gate.Schema}.{column}";
        if (gate.Metric == GateMetric.NullRate)
        {
            double rate = rows == 0 ? 0 : (double)stats.Nulls / rows;
            return Check(gate, rate, false, head, $"{StatisticText.Percent(rate)} of {StatisticText.Count(rows)} rows are null", where);
        }
        StatisticKinds needed = gate.Metric == GateMetric.DistinctCount ? StatisticKinds.Distinct : StatisticKinds.Moments;
        bool applies = needed == StatisticKinds.Distinct || !stats.Field.Type.IsByteArray();
        if (!applies || !stats.Kinds.HasFlag(needed))
        {
            throw new InvalidOperationException(applies && ColumnStatistics.Supported(stats.Field.Type).HasFlag(needed)
                ? $"Gate {gate.Id} needs the {needed} statistics of {name}, which the run did not gather."
                : $"Gate {gate.Id} measures the {gate.Metric} of {name}, a {stats.Field.Type} column, which has none.");
        }
        if (gate.Metric == GateMetric.DistinctCount)
        {
            DistinctCounter distinct = stats.Distinct!;
            string count = distinct.IsExact
                ? $"{name} has {StatisticText.Count(distinct.Count)} distinct values"
                : $"{name} has about {StatisticText.Count(distinct.Count)} distinct values (HyperLogLog estimate, ±{StatisticText.Percent(HyperLogLog.StandardError)} standard error)";
            return Check(gate, distinct.Count, !distinct.IsExact, head, count, where);
        }
        if (stats.ValueCount == 0)
        {
            string why = stats.NaNs > 0 ? $"{StatisticText.Count(stats.NaNs)} NaN and {StatisticText.Count(stats.Nulls)} null of {StatisticText.Count(rows)} rows" : $"{StatisticText.Count(stats.Nulls)} null of {StatisticText.Count(rows)} rows";
            return new GateResult(gate, double.NaN, false, false, $"{head} failed: {name} has no value to measure the {Describe(gate.Metric)} of ({why}); {where}.");
        }
        double value = gate.Metric switch
        {
            GateMetric.Mean => stats.Mean,
            GateMetric.StdDev => stats.StdDev,
            GateMetric.Min => stats.Min,
            _ => stats.Max,
        };
        string nan = stats.NaNs > 0 ? $", {StatisticText.Count(stats.NaNs)} NaN not counted" : "";
        string text = $"the {Describe(gate.Metric)} of {name} is {StatisticText.Format(stats.Field.Type, value)} over {StatisticText.Count(stats.ValueCount)} values{nan}";
        return Check(gate, value, false, head, text, where, stats.Field.Type);
    }

    /// <summary>A bound of a plan, or null for none (absent or NaN).</summary>
    public static double? Bound(double? bound) => bound is { } b && !double.IsNaN(b) ? b : null;

    /// <summary>The gate's bounds in words.</summary>
    public static string DescribeBounds(GatePlan gate, ColumnType type = ColumnType.Double)
    {
        double? min = Bound(gate.Min);
        double? max = Bound(gate.Max) ?? (gate.Metric == GateMetric.Unique && min is null ? 0 : null);
        return (min, max) switch
        {
            ({ } lo, { } hi) => $"[{BoundText(gate, lo, type)}, {BoundText(gate, hi, type)}]",
            ({ } lo, null) => $"≥ {BoundText(gate, lo, type)}",
            (null, { } hi) => $"≤ {BoundText(gate, hi, type)}",
            _ => "no bound",
        };
    }

    /// <summary>A measured value in words, in the gate's unit.</summary>
    public static string DescribeValue(GatePlan gate, double value, bool estimated) =>
        double.IsNaN(value) ? "none" : (estimated ? "about " : "") + BoundText(gate, value, ColumnType.Double);

    private static GateResult Check(GatePlan gate, double value, bool estimated, string head, string measured, string where, ColumnType type = ColumnType.Double)
    {
        double? min = Bound(gate.Min);
        double? max = Bound(gate.Max) ?? (gate.Metric == GateMetric.Unique && min is null ? 0 : null);
        string message;
        bool passed;
        if (double.IsNaN(value))
        {
            passed = false;
            message = $"{head} failed: {measured}, which is not a number; {where}.";
        }
        else if (min is { } lo && value < lo)
        {
            passed = false;
            message = $"{head} failed: {measured}, below the minimum {BoundText(gate, lo, type)}; {where}.";
        }
        else if (max is { } hi && value > hi)
        {
            passed = false;
            message = $"{head} failed: {measured}, above the maximum {BoundText(gate, hi, type)}; {where}.";
        }
        else
        {
            passed = true;
            message = $"{head} passed: {measured}, within {DescribeBounds(gate, type)}.";
        }
        return new GateResult(gate, value, passed, estimated, message);
    }

    private static string BoundText(GatePlan gate, double value, ColumnType type) => gate.Metric switch
    {
        GateMetric.NullRate or GateMetric.QuarantineRate => StatisticText.Percent(value),
        GateMetric.RowCount or GateMetric.DistinctCount or GateMetric.Unique when value == Math.Floor(value) && Math.Abs(value) < 1e18 => StatisticText.Count((long)value),
        GateMetric.Min or GateMetric.Max or GateMetric.Mean => StatisticText.Format(type, value),
        _ => StatisticText.Number(value),
    };

    private static string Describe(GateMetric metric) => metric switch
    {
        GateMetric.Mean => "mean",
        GateMetric.StdDev => "population standard deviation",
        GateMetric.Min => "smallest value",
        _ => "largest value",
    };

    private static string SingleColumn(GatePlan gate) => gate.Columns.Count == 1
        ? gate.Columns[0]
        : throw new InvalidOperationException($"Gate {gate.Id} measures {gate.Metric}, which needs exactly one column, but it names {gate.Columns.Count}.");
}
