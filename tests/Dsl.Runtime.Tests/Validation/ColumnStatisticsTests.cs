using System.Text.Json;
using Dsl.Validation.Statistics;

namespace Dsl.Runtime.Tests.Validation;

public class ColumnStatisticsTests
{
    private static ColumnStatistics New(ColumnType type = ColumnType.Double, StatisticKinds kinds = StatisticKinds.All) =>
        new(Columns.Field("x", type), kinds);

    [Fact]
    public void Merged_moments_of_uneven_partitions_match_numpy_population_variance()
    {
        // Large offset, small spread: a naive Σx² formula loses every digit here.
        double[] values = Columns.Normal(seed: 1, n: 300_001, mean: 1e9, sd: 3);
        var parts = new List<ColumnStatistics>();
        int[] cuts = [0, 7, 65_536, 100_000, 250_123, values.Length];
        for (int p = 0; p + 1 < cuts.Length; p++)
        {
            ColumnStatistics part = New(kinds: StatisticKinds.Moments);
            Columns.ObserveInBatches(part, values[cuts[p]..cuts[p + 1]], batch: 4_096 + p);
            parts.Add(part);
        }
        ColumnStatistics merged = parts[0];
        foreach (ColumnStatistics part in parts.Skip(1))
        {
            merged.Merge(part);
        }
        JsonElement numpy = PythonOracle.Run("a = load(1); print(json.dumps([float(a.mean()), float(a.var(ddof=0)), float(a.min()), float(a.max())]))", values);
        double[] expected = numpy.Doubles();
        Assert.Equal(values.Length, merged.ValueCount);
        Assert.Equal(expected[0], merged.Mean, 1e-15 * 1e9);
        Assert.True(Math.Abs(merged.Variance - expected[1]) <= 1e-9 * expected[1], $"variance {merged.Variance} vs numpy {expected[1]}");
        Assert.Equal(expected[2], merged.Min);
        Assert.Equal(expected[3], merged.Max);
    }

    [Fact]
    public void NaN_is_counted_apart_from_the_moments_and_distinct_values()
    {
        ColumnStatistics stats = New();
        stats.Observe(Columns.Doubles([1, double.NaN, 3, double.NaN, 5], nulls: [false, false, false, false, true]));
        stats.Observe(Columns.Doubles([.. Enumerable.Range(0, 40).Select(i => i % 10 == 0 ? double.NaN : 2.0)]));
        Assert.Equal(45, stats.Rows);
        Assert.Equal(1, stats.Nulls);
        Assert.Equal(6, stats.NaNs);
        Assert.Equal(38, stats.ValueCount);
        Assert.Equal((1 + 3 + (36 * 2.0)) / 38, stats.Mean, 1e-12);
        Assert.Equal(1, stats.Min);
        Assert.Equal(3, stats.Max);
        Assert.Equal(3, stats.Distinct!.Count);
        Assert.Equal(38, stats.Quantiles!.Count);
    }

    [Fact]
    public void Nulls_are_skipped_in_every_type()
    {
        ColumnStatistics ints = New(ColumnType.Int32);
        ints.Observe(Columns.Ints([5, 999, 7, 5], nulls: [false, true, false, false]));
        Assert.Equal(3, ints.ValueCount);
        Assert.Equal(17 / 3.0, ints.Mean, 1e-12);
        Assert.Equal(7, ints.Max);
        Assert.Equal([KeyValuePair.Create("5", 2L), KeyValuePair.Create("7", 1L)], ints.TopValues());

        ColumnStatistics text = New(ColumnType.String);
        text.Observe(Columns.Strings(["b", null, "é", "a", "b", ""]));
        Assert.Equal(1, text.Nulls);
        Assert.Equal(5, text.ValueCount);
        Assert.Equal("", text.MinText);
        Assert.Equal("é", text.MaxText);
        Assert.Equal(4, text.Distinct!.Count);
        Assert.Equal(KeyValuePair.Create("b", 2L), text.TopValues()[0]);

        ColumnStatistics flags = New(ColumnType.Boolean);
        var validity = Columns.Validity([false, false, true, false], 4);
        flags.Observe(PrimitiveColumn<bool>.FromArray(ColumnType.Boolean, [true, false, true, true], validity));
        Assert.Equal(2 / 3.0, flags.Mean, 1e-12);
        Assert.Equal([KeyValuePair.Create("true", 2L), KeyValuePair.Create("false", 1L)], flags.TopValues());
    }

    [Fact]
    public void Dates_and_timestamps_are_kept_in_their_storage_unit_and_formatted_as_dates()
    {
        ColumnStatistics dates = New(ColumnType.Date);
        dates.Observe(Columns.Ints([19_000, 19_010, 19_010], type: ColumnType.Date));
        Assert.Equal(19_000, dates.Min);
        Assert.Equal("2022-01-08", StatisticText.Format(ColumnType.Date, dates.Min));
        Assert.Equal("2022-01-18", dates.TopValues()[0].Key);

        ColumnStatistics stamps = New(ColumnType.Timestamp);
        long micros = Timestamps.ToMicros(new DateTime(2024, 2, 29, 13, 45, 0));
        stamps.Observe(Columns.Longs([micros], type: ColumnType.Timestamp));
        Assert.Equal("2024-02-29 13:45:00", StatisticText.Format(ColumnType.Timestamp, stamps.Max));
    }

    [Fact]
    public void Distinct_count_is_exact_up_to_the_limit_then_a_hyperloglog_estimate_within_three_standard_errors()
    {
        var random = new Random(7);
        double[] values = [.. Enumerable.Range(0, 400_000).Select(_ => (double)random.Next(0, 250_000))];
        ColumnStatistics a = New(kinds: StatisticKinds.Distinct);
        ColumnStatistics b = New(kinds: StatisticKinds.Distinct);
        Columns.ObserveInBatches(a, values[..200_000], 65_536);
        Columns.ObserveInBatches(b, values[200_000..], 10_000);
        a.Merge(b);
        long truth = PythonOracle.Run("print(json.dumps(int(np.unique(load(1)).size)))", values).GetInt64();
        Assert.False(a.Distinct!.IsExact);
        double error = Math.Abs(a.Distinct.Count - truth) / (double)truth;
        Assert.True(error <= 3 * HyperLogLog.StandardError, $"estimate {a.Distinct.Count} vs {truth}: {error:P3} off, more than 3 × {HyperLogLog.StandardError:P3}");

        ColumnStatistics exact = New(kinds: StatisticKinds.Distinct);
        Columns.ObserveInBatches(exact, [.. Enumerable.Range(0, DistinctCounter.ExactLimit).Select(i => (double)i), -0.0, 0.0], 1_000);
        Assert.True(exact.Distinct!.IsExact);
        Assert.Equal(DistinctCounter.ExactLimit, exact.Distinct.Count);
    }

    [Fact]
    public void Hyperloglog_estimates_stay_within_three_standard_errors_across_cardinalities()
    {
        foreach (int n in new[] { 70_000, 300_000, 2_000_000 })
        {
            var sketch = new HyperLogLog();
            for (long i = 0; i < n; i++)
            {
                sketch.Add(StableHash.OfInt64((i * 7919) + n));
            }
            double error = Math.Abs(sketch.Estimate() - n) / n;
            Assert.True(error <= 3 * HyperLogLog.StandardError, $"n = {n}: estimate {sketch.Estimate():F0} is {error:P3} off");
        }
    }

    [Fact]
    public void Top_k_is_exact_when_the_values_fit_and_within_its_error_bound_when_they_do_not()
    {
        var random = new Random(3);
        // Zipf-like: value v with weight 1 / (v + 1), 5,000 possible values against 1,024 counters.
        double[] weights = [.. Enumerable.Range(0, 5_000).Select(v => 1.0 / (v + 1))];
        double total = weights.Sum();
        long[] values = new long[200_000];
        var truth = new Dictionary<long, long>();
        for (int i = 0; i < values.Length; i++)
        {
            double u = random.NextDouble() * total;
            int v = 0;
            while (u > weights[v] && v < weights.Length - 1)
            {
                u -= weights[v++];
            }
            values[i] = v;
            truth[v] = truth.GetValueOrDefault(v) + 1;
        }
        ColumnStatistics stats = New(ColumnType.Int64, StatisticKinds.TopK);
        for (int start = 0; start < values.Length; start += 8_192)
        {
            stats.Observe(Columns.Longs(values[start..Math.Min(values.Length, start + 8_192)]));
        }
        long bound = stats.TopErrorBound!.Value;
        Assert.True(bound > 0 && bound <= values.Length / (FrequentItems<long>.DefaultCapacity + 1), $"error bound {bound}");
        foreach ((string key, long count) in stats.TopValues())
        {
            long real = truth[long.Parse(key, System.Globalization.CultureInfo.InvariantCulture)];
            Assert.InRange(count, real - bound, real);
        }
        foreach ((long key, long real) in truth.Where(kv => kv.Value > bound))
        {
            Assert.Contains(stats.TopValues(), kv => kv.Key == key.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(truth.OrderByDescending(kv => kv.Value).First().Key.ToString(System.Globalization.CultureInfo.InvariantCulture), stats.TopValues()[0].Key);

        ColumnStatistics small = New(ColumnType.Int64, StatisticKinds.TopK);
        small.Observe(Columns.Longs([3, 1, 3, 2, 3, 1]));
        Assert.Equal(0, small.TopErrorBound);
        Assert.Equal(["3:3", "1:2", "2:1"], small.TopValues().Select(kv => $"{kv.Key}:{kv.Value}"));
    }

    [Fact]
    public void Merging_states_read_back_from_json_equals_merging_the_live_states()
    {
        var random = new Random(11);
        BatchSchema schema = new(
            Columns.Field("d", ColumnType.Double),
            Columns.Field("i", ColumnType.Int64),
            Columns.Field("s", ColumnType.String),
            Columns.Field("b", ColumnType.Boolean));
        var parts = new List<StatisticsSet>();
        for (int p = 0; p < 4; p++)
        {
            SchemaStatistics stats = SchemaStatistics.ForProfile("T", schema);
            for (int batch = 0; batch < 3; batch++)
            {
                int n = 20_000 + random.Next(5_000);
                // Partition 1 has many distinct values so that its distinct counter turns into a HyperLogLog.
                double[] d = [.. Enumerable.Range(0, n).Select(_ => p == 1 ? random.NextDouble() : Math.Round(random.NextDouble() * 100) / 4)];
                d[0] = p == 2 ? double.PositiveInfinity : double.NaN;
                long[] i = [.. Enumerable.Range(0, n).Select(_ => (long)random.Next(0, p == 1 ? 3_000 : 50))];
                string?[] s = [.. Enumerable.Range(0, n).Select(k => k % 17 == 0 ? null : "v" + random.Next(0, 2_000))];
                bool[] b = [.. Enumerable.Range(0, n).Select(_ => random.Next(3) == 0)];
                using var rb = new RecordBatch(schema, [Columns.Doubles(d), Columns.Longs(i), Columns.Strings(s), PrimitiveColumn<bool>.FromArray(ColumnType.Boolean, b)], n);
                stats.Observe(rb);
            }
            parts.Add(new StatisticsSet([stats]));
        }
        List<StatisticsSet> readBack = [.. parts.Select((part, k) => StatisticsSet.Parse(part.ToJson(), $"part-{k}.json"))];
        for (int k = 0; k < parts.Count; k++)
        {
            Assert.Equal(parts[k].ToJson(), readBack[k].ToJson());
        }
        StatisticsSet live = parts[0];
        StatisticsSet fromFiles = readBack[0];
        for (int k = 1; k < parts.Count; k++)
        {
            live.Merge(parts[k]);
            fromFiles.Merge(readBack[k]);
        }
        Assert.Equal(System.Text.Encoding.UTF8.GetString(live.ToJson()), System.Text.Encoding.UTF8.GetString(fromFiles.ToJson()));
        ColumnStatistics d0 = live.Schemas[0].Column("d")!;
        Assert.False(d0.Distinct!.IsExact);
        Assert.False(d0.Quantiles!.IsExact);
        Assert.Equal(double.PositiveInfinity, d0.Max);
        Assert.Equal(9, d0.NaNs);
    }

    [Fact]
    public void A_damaged_statistics_file_is_refused_naming_the_file_and_the_place()
    {
        var stats = new StatisticsSet([SchemaStatistics.ForProfile("T", new BatchSchema(Columns.Field("x", ColumnType.Double)))]);
        string json = System.Text.Encoding.UTF8.GetString(stats.ToJson());
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => StatisticsSet.Parse(System.Text.Encoding.UTF8.GetBytes(json.Replace("\"mean\":0", "\"mean\":\"zero\"")), "part-3.stats.json"));
        Assert.Equal("part-3.stats.json: schemas[0].columns[0].moments: \"mean\" is the string \"zero\", expected a number (or \"NaN\", \"Infinity\", \"-Infinity\").", e.Message);
        e = Assert.Throws<InvalidDataException>(() => StatisticsSet.Parse(System.Text.Encoding.UTF8.GetBytes(json.Replace("dsl-stats/1", "dsl-stats/2")), "p.json"));
        Assert.StartsWith("p.json: format is \"dsl-stats/2\", expected \"dsl-stats/1\"", e.Message);
        e = Assert.Throws<InvalidDataException>(() => StatisticsSet.Parse(System.Text.Encoding.UTF8.GetBytes(json[..^5]), "cut.json"));
        Assert.StartsWith("cut.json: not a JSON document", e.Message);
    }

    [Fact]
    public void Observing_a_column_of_another_type_names_the_column()
    {
        ColumnStatistics stats = New(ColumnType.Int64);
        ArgumentException e = Assert.Throws<ArgumentException>(() => stats.Observe(Columns.Doubles([1])));
        Assert.StartsWith("Statistics of column 'x' (Int64) were given a Double column.", e.Message);
        e = Assert.Throws<ArgumentException>(() => SchemaStatistics.Create("T", new BatchSchema(Columns.Field("a", ColumnType.Double)), new Dictionary<string, StatisticKinds> { ["b"] = StatisticKinds.Moments }));
        Assert.StartsWith("Schema 'T' has no column 'b' to gather statistics of; its columns are a.", e.Message);
    }
}
