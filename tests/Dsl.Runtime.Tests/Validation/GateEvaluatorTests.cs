using Dsl.Execution;
using Dsl.Validation.Gates;
using Dsl.Validation.Statistics;

namespace Dsl.Runtime.Tests.Validation;

public class GateEvaluatorTests
{
    private static readonly BatchSchema s_schema = new(Columns.Field("x", ColumnType.Double), Columns.Field("s", ColumnType.String));

    private static GatePlan Gate(GateMetric metric, double? min, double? max, string column = "x", string? rule = null, GateSeverity severity = GateSeverity.Fail) =>
        new($"{metric.ToString().ToLowerInvariant()}({column})", metric, "T", metric is GateMetric.RowCount or GateMetric.QuarantineRate ? [] : [column], min, max, severity, $"[Gate] on P")
        {
            Rule = rule,
        };

    /// <summary>Gathers what <paramref name="gate"/> needs over rows of x (null: a null row) and evaluates it.</summary>
    private static GateResult Evaluate(GatePlan gate, double?[] x, long quarantined = 0, long duplicates = 0)
    {
        StatisticsSet stats = StatisticsSet.Create(new Dictionary<string, BatchSchema> { ["T"] = s_schema }, GateEvaluator.Requirements([gate]));
        if (x.Length > 0)
        {
            double[] values = [.. x.Select(v => v ?? 0)];
            bool[] nulls = [.. x.Select(v => v is null)];
            string?[] text = [.. x.Select(v => v is null ? null : v.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            using var batch = new RecordBatch(s_schema, [Columns.Doubles(values, nulls), Columns.Strings(text)], x.Length);
            stats.Schemas[0].Observe(batch);
        }
        var measurements = new GateMeasurements(stats, new Dictionary<string, long> { ["T.x.Range"] = quarantined }, quarantined, new Dictionary<string, long> { [gate.Id] = duplicates });
        return GateEvaluator.Evaluate(gate, measurements);
    }

    private static double?[] Values(params double?[] values) => values;

    [Fact]
    public void Row_count_passes_on_the_bound_and_fails_just_over_or_when_empty()
    {
        Assert.True(Evaluate(Gate(GateMetric.RowCount, 3, 5), Values(1, 2, 3)).Passed);
        Assert.True(Evaluate(Gate(GateMetric.RowCount, 3, 5), Values(1, 2, 3, 4, 5)).Passed);
        GateResult over = Evaluate(Gate(GateMetric.RowCount, 3, 5), Values(1, 2, 3, 4, 5, 6));
        Assert.False(over.Passed);
        Assert.Equal("gate rowcount(x) declared by [Gate] on P failed: the run has 6 rows of T, above the maximum 5; see the inputs in _validation.json.", over.Message);
        GateResult empty = Evaluate(Gate(GateMetric.RowCount, 1_000, null), Values());
        Assert.False(empty.Passed);
        Assert.Equal(0, empty.Measured);
        Assert.Contains("the run has 0 rows of T, below the minimum 1,000", empty.Message);
    }

    [Fact]
    public void Null_rate_is_the_fraction_of_null_rows_and_zero_over_no_rows()
    {
        Assert.True(Evaluate(Gate(GateMetric.NullRate, null, 0.2), Values(null, 1, 2, 3, 4)).Passed);
        GateResult over = Evaluate(Gate(GateMetric.NullRate, null, 0.2), Values(null, null, 1, 2, 3, 4, 5, 6, 7));
        Assert.False(over.Passed);
        Assert.Equal(2 / 9.0, over.Measured);
        Assert.Equal("gate nullrate(x) declared by [Gate] on P failed: 22.22% of 9 rows are null, above the maximum 20%; see _validation.json and the column's profile.", over.Message);
        Assert.True(Evaluate(Gate(GateMetric.NullRate, null, 0.2), Values(double.NaN, double.NaN)).Passed);
        GateResult allNull = Evaluate(Gate(GateMetric.NullRate, null, 0.2), Values(null, null));
        Assert.Equal(1, allNull.Measured);
        Assert.False(allNull.Passed);
        GateResult empty = Evaluate(Gate(GateMetric.NullRate, null, 0.2), Values());
        Assert.True(empty.Passed);
        Assert.Equal(0, empty.Measured);
    }

    [Fact]
    public void Quarantine_rate_counts_all_rules_or_one_rule_over_the_schemas_rows()
    {
        double?[] ten = Values(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        Assert.True(Evaluate(Gate(GateMetric.QuarantineRate, null, 0.1), ten, quarantined: 1).Passed);
        GateResult over = Evaluate(Gate(GateMetric.QuarantineRate, null, 0.1, rule: "T.x.Range"), ten, quarantined: 2);
        Assert.False(over.Passed);
        Assert.Equal("gate quarantinerate(x) declared by [Gate] on P failed: the quarantine received 20% of 10 rows (2) for rule T.x.Range, above the maximum 10%; see the quarantine output and _validation.json.", over.Message);
        Assert.Equal(0, Evaluate(Gate(GateMetric.QuarantineRate, null, 0.1, rule: "Other.Rule"), ten, quarantined: 5).Measured);
        Assert.True(Evaluate(Gate(GateMetric.QuarantineRate, null, 0), Values()).Passed);
    }

    [Theory]
    [InlineData(GateMetric.Mean, 2.0, 2.0, true)]
    [InlineData(GateMetric.Mean, 1.0, 1.9999999, false)]
    [InlineData(GateMetric.StdDev, null, 0.816496580927726, true)]
    [InlineData(GateMetric.StdDev, null, 0.8164, false)]
    [InlineData(GateMetric.Min, 1.0, null, true)]
    [InlineData(GateMetric.Min, 1.0000001, null, false)]
    [InlineData(GateMetric.Max, null, 3.0, true)]
    [InlineData(GateMetric.Max, null, 2.9999, false)]
    public void Moment_gates_measure_the_non_null_non_nan_values_with_inclusive_bounds(GateMetric metric, double? min, double? max, bool passes)
    {
        GateResult result = Evaluate(Gate(metric, min, max), Values(1, null, 2, double.NaN, 3));
        Assert.Equal(passes, result.Passed);
        Assert.Contains("over 3 values, 1 NaN not counted", result.Message);
    }

    [Fact]
    public void Moment_gates_fail_with_a_reason_when_there_is_no_value_to_measure()
    {
        GateResult allNull = Evaluate(Gate(GateMetric.Mean, 0, 10), Values(null, null));
        Assert.False(allNull.Passed);
        Assert.True(double.IsNaN(allNull.Measured));
        Assert.Equal("gate mean(x) declared by [Gate] on P failed: T.x has no value to measure the mean of (2 null of 2 rows); see _validation.json and the column's profile.", allNull.Message);
        GateResult allNaN = Evaluate(Gate(GateMetric.Max, null, 10), Values(double.NaN, null));
        Assert.Contains("T.x has no value to measure the largest value of (1 NaN and 1 null of 2 rows)", allNaN.Message);
        Assert.False(Evaluate(Gate(GateMetric.StdDev, null, 10), Values()).Passed);
        GateResult infinite = Evaluate(Gate(GateMetric.StdDev, null, 10), Values(1, double.PositiveInfinity));
        Assert.False(infinite.Passed);
        Assert.Contains("which is not a number", infinite.Message);
    }

    [Fact]
    public void Distinct_count_is_exact_for_few_values_and_flagged_as_an_estimate_beyond_the_limit()
    {
        Assert.True(Evaluate(Gate(GateMetric.DistinctCount, 3, 3), Values(1, 2, 3, 3, null, double.NaN)).Passed);
        GateResult over = Evaluate(Gate(GateMetric.DistinctCount, null, 2, column: "s"), Values(1, 2, 3, 3));
        Assert.False(over.Passed);
        Assert.False(over.Estimated);
        Assert.Equal("gate distinctcount(s) declared by [Gate] on P failed: T.s has 3 distinct values, above the maximum 2; see _validation.json and the column's profile.", over.Message);
        double?[] many = [.. Enumerable.Range(0, 100_000).Select(i => (double?)i)];
        GateResult estimate = Evaluate(Gate(GateMetric.DistinctCount, 99_000, 101_000), many);
        Assert.True(estimate.Estimated);
        Assert.True(estimate.Passed, estimate.Message);
        Assert.Contains("T.x has about ", estimate.Message);
        Assert.Contains("(HyperLogLog estimate, ±0.81% standard error)", estimate.Message);
        Assert.StartsWith("about ", estimate.MeasuredText);
        Assert.True(Evaluate(Gate(GateMetric.DistinctCount, null, 0), Values()).Passed);
    }

    [Fact]
    public void Unique_allows_no_duplicate_by_default()
    {
        GatePlan unique = new("unique(UserId, Ts)", GateMetric.Unique, "T", ["UserId", "Ts"], null, null, GateSeverity.Fail, "[Unique] on T.UserId");
        Assert.True(Evaluate(unique, Values(1, 2), duplicates: 0).Passed);
        GateResult result = Evaluate(unique, Values(1, 2), duplicates: 1);
        Assert.False(result.Passed);
        Assert.Equal("≤ 0", result.Bounds);
        Assert.Equal("gate unique(UserId, Ts) declared by [Unique] on T.UserId failed: 1 of 2 rows repeat a key (UserId, Ts) of an earlier row, above the maximum 0; see _validation.json.", result.Message);
    }

    [Fact]
    public void A_warning_gate_does_not_block_the_commit_and_missing_statistics_are_a_clear_error()
    {
        GateResult warn = Evaluate(Gate(GateMetric.Max, null, 1, severity: GateSeverity.Warn), Values(5));
        Assert.False(warn.Passed);
        Assert.False(warn.BlocksCommit);
        Assert.True(Evaluate(Gate(GateMetric.Max, null, 1), Values(5)).BlocksCommit);
        Assert.True(Evaluate(Gate(GateMetric.Max, double.NaN, double.NaN), Values(5)).Passed);

        var empty = new GateMeasurements(new StatisticsSet([]), new Dictionary<string, long>(), 0, new Dictionary<string, long>());
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => GateEvaluator.Evaluate(Gate(GateMetric.Mean, 0, 1), empty));
        Assert.Equal("Gate mean(x) measures schema 'T', but the run gathered no statistics of it.", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => Evaluate(Gate(GateMetric.Mean, 0, 1, column: "s"), Values(1)));
        Assert.Equal("Gate mean(s) measures the Mean of T.s, a String column, which has none.", e.Message);
    }

    [Fact]
    public void Requirements_ask_only_for_what_the_gates_measure()
    {
        Dictionary<string, Dictionary<string, StatisticKinds>> needs = GateEvaluator.Requirements(
            [Gate(GateMetric.Mean, 0, 1), Gate(GateMetric.DistinctCount, 0, 1), Gate(GateMetric.NullRate, 0, 1, column: "s"), Gate(GateMetric.RowCount, 1, null)]);
        Assert.Equal(["T"], needs.Keys);
        Assert.Equal(StatisticKinds.Moments | StatisticKinds.Distinct, needs["T"]["x"]);
        Assert.Equal(StatisticKinds.None, needs["T"]["s"]);
    }
}
