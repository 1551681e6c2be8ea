using Dsl.Barriers.Aggregation;
using Dsl.Execution;

namespace Dsl.Runtime.Tests.Barriers.Aggregation;

/// <summary>One input row of the aggregation tests.</summary>
public sealed record AggRow(string? K, int? K2, double? X, double? F, long? I, string? S, long? T, long? O);

/// <summary>Random rows, their batches, the test stage's plan, and a helper that runs both phases of the engine.</summary>
internal static class AggregationTestData
{
    public static readonly BatchSchema Input = new(
        new ColumnField("K", ColumnType.String, true),
        new ColumnField("K2", ColumnType.Int32, true),
        new ColumnField("X", ColumnType.Double, true),
        new ColumnField("F", ColumnType.Double, true),
        new ColumnField("I", ColumnType.Int64, true),
        new ColumnField("S", ColumnType.String, true),
        new ColumnField("T", ColumnType.Timestamp, true),
        new ColumnField("O", ColumnType.Int64, true));

    /// <summary>Every output of the test stage: (member, function, column, order column, output type).</summary>
    public static readonly (string Member, AggregateFunction Function, string? Column, string? Order, ColumnType Type)[] Members =
    [
        ("K", AggregateFunction.Key, "K", null, ColumnType.String),
        ("K2", AggregateFunction.Key, "K2", null, ColumnType.Int32),
        ("N", AggregateFunction.Count, null, null, ColumnType.Int64),
        ("NX", AggregateFunction.CountValues, "X", null, ColumnType.Int64),
        ("SumX", AggregateFunction.Sum, "X", null, ColumnType.Double),
        ("SumI", AggregateFunction.Sum, "I", null, ColumnType.Int64),
        ("MeanX", AggregateFunction.Mean, "X", null, ColumnType.Double),
        ("MeanI", AggregateFunction.Mean, "I", null, ColumnType.Double),
        ("VarF", AggregateFunction.Variance, "F", null, ColumnType.Double),
        ("StdF", AggregateFunction.StdDev, "F", null, ColumnType.Double),
        ("SVarF", AggregateFunction.SampleVariance, "F", null, ColumnType.Double),
        ("SStdF", AggregateFunction.SampleStdDev, "F", null, ColumnType.Double),
        ("MinX", AggregateFunction.Min, "X", null, ColumnType.Double),
        ("MaxX", AggregateFunction.Max, "X", null, ColumnType.Double),
        ("MinS", AggregateFunction.Min, "S", null, ColumnType.String),
        ("MaxS", AggregateFunction.Max, "S", null, ColumnType.String),
        ("MinT", AggregateFunction.Min, "T", null, ColumnType.Timestamp),
        ("MaxT", AggregateFunction.Max, "T", null, ColumnType.Timestamp),
        ("DistS", AggregateFunction.CountDistinct, "S", null, ColumnType.Int64),
        ("DistI", AggregateFunction.CountDistinct, "I", null, ColumnType.Int64),
        ("DistX", AggregateFunction.CountDistinct, "X", null, ColumnType.Int64),
        ("ApproxS", AggregateFunction.ApproxCountDistinct, "S", null, ColumnType.Int64),
        ("FirstS", AggregateFunction.First, "S", "O", ColumnType.String),
        ("LastS", AggregateFunction.Last, "S", "O", ColumnType.String),
        ("FirstX", AggregateFunction.First, "X", "O", ColumnType.Double),
        ("LastX", AggregateFunction.Last, "X", "O", ColumnType.Double),
    ];

    public static AggregatePlan Plan() =>
        new("Summarize", "AggRow", null, null, "Summary", ["K", "K2"], Members.Select(m => new AggregateOutput(m.Member, m.Function, m.Column, m.Order)).ToArray());

    public static BatchSchema Output() => new(Members.Select(m => new ColumnField(m.Member, m.Type, m.Type is not ColumnType.Int64 || m.Function is AggregateFunction.Key)));

    public static AggregateLayout Layout() => AggregateLayout.For(Plan(), Input, Output());

    private static readonly double[] s_specialDoubles = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0];
    private static readonly string[] s_asciiStrings = ["", "a", "ab", "b", "ba", "c", "abc", "zz"];
    private static readonly string[] s_unicodeStrings = ["", "a", "é", "日本", "ß", "ab", "🙂", "Z", "null"];

    /// <summary>
    /// Random rows: keys from small sets (null, "" and, when <paramref name="unicode"/>, non-ASCII text among them),
    /// X with nulls, NaN, ±inf and -0.0; F finite; O unique when <paramref name="uniqueOrder"/>, else with ties.
    /// </summary>
    public static List<AggRow> Rows(int count, int seed, int keys = 6, bool unicode = false, bool uniqueOrder = false)
    {
        var random = new Random(seed);
        string[] strings = unicode ? s_unicodeStrings : s_asciiStrings;
        long[] orders = Enumerable.Range(0, count).Select(i => (long)i).OrderBy(_ => random.Next()).ToArray();
        var rows = new List<AggRow>(count);
        for (int i = 0; i < count; i++)
        {
            string? k = random.Next(10) == 0 ? null : strings[random.Next(Math.Min(keys, strings.Length))];
            int? k2 = random.Next(12) == 0 ? null : random.Next(keys);
            double? x = random.Next(8) switch
            {
                0 => null,
                1 => s_specialDoubles[random.Next(s_specialDoubles.Length)],
                _ => Math.Round((random.NextDouble() - 0.5) * 2000, 3),
            };
            double? f = random.Next(10) == 0 ? null : (random.NextDouble() * 100) + 1e6;
            long? n = random.Next(9) == 0 ? null : random.Next(-1000, 1000);
            string? s = random.Next(7) == 0 ? null : strings[random.Next(strings.Length)];
            long? t = random.Next(11) == 0 ? null : 1_700_000_000_000_000L + (random.Next(1_000_000) * 1000L);
            long? o = random.Next(9) == 0 ? null : uniqueOrder ? orders[i] : random.Next(20);
            rows.Add(new AggRow(k, k2, x, f, n, s, t, o));
        }
        return rows;
    }

    /// <summary>The rows as batches of at most <paramref name="batchRows"/>.</summary>
    public static List<RecordBatch> ToBatches(IReadOnlyList<AggRow> rows, int batchRows)
    {
        var batches = new List<RecordBatch>();
        for (int start = 0; start < rows.Count; start += batchRows)
        {
            AggRow[] part = rows.Skip(start).Take(batchRows).ToArray();
            batches.Add(new RecordBatch(Input,
            [
                Strings(part.Select(r => r.K)),
                Primitive(ColumnType.Int32, part.Select(r => r.K2)),
                Primitive(ColumnType.Double, part.Select(r => r.X)),
                Primitive(ColumnType.Double, part.Select(r => r.F)),
                Primitive(ColumnType.Int64, part.Select(r => r.I)),
                Strings(part.Select(r => r.S)),
                Primitive(ColumnType.Timestamp, part.Select(r => r.T)),
                Primitive(ColumnType.Int64, part.Select(r => r.O)),
            ], part.Length));
        }
        return batches;
    }

    public static PrimitiveColumn<T> Primitive<T>(ColumnType type, IEnumerable<T?> values)
        where T : unmanaged
    {
        T?[] array = values.ToArray();
        var builder = new ColumnBuilder<T>(type, array.Length, nullable: true);
        for (int i = 0; i < array.Length; i++)
        {
            builder.Values[i] = array[i] ?? default;
            builder.Validity!.Set(i, array[i] is not null);
        }
        return builder.Build(array.Length);
    }

    public static StringColumn Strings(IEnumerable<string?> values)
    {
        var builder = new StringColumnBuilder();
        foreach (string? value in values)
        {
            builder.Append(value);
        }
        return builder.Build();
    }

    /// <summary>The result of running the engine: each task's batches through a partial aggregator, then each bucket merged.</summary>
    public sealed record EngineRun(List<object?[]> Rows, int PartialSpills, IReadOnlyList<AggregateSpill> Spills);

    /// <summary>
    /// Runs <paramref name="tasks"/> (each a list of batches) through <see cref="PartialAggregator"/>s and merges every
    /// bucket with <see cref="BucketMerger"/>, in bucket order; each output row's values as <see cref="Value"/> reads them.
    /// </summary>
    public static EngineRun Run(AggregateLayout layout, IReadOnlyList<IReadOnlyList<RecordBatch>> tasks, string folder, int buckets = 4, long partialMemory = 1L << 30, long mergeMemory = 1L << 30, int batchRows = 8192)
    {
        var files = new List<string>[buckets];
        for (int b = 0; b < buckets; b++)
        {
            files[b] = [];
        }
        int spills = 0;
        var all = new List<AggregateSpill>();
        for (int t = 0; t < tasks.Count; t++)
        {
            using var partial = new PartialAggregator(layout, buckets, Path.Combine(folder, $"task-{t}"), partialMemory);
            foreach (RecordBatch batch in tasks[t])
            {
                partial.Add(batch);
            }
            foreach (AggregateSpill spill in partial.Finish())
            {
                files[spill.Bucket].Add(spill.Path);
                all.Add(spill);
            }
            spills += partial.Spills;
        }
        return new EngineRun(Merge(layout, files, folder, mergeMemory, batchRows), spills, all);
    }

    public static List<object?[]> Merge(AggregateLayout layout, IReadOnlyList<List<string>> files, string folder, long mergeMemory, int batchRows = 8192)
    {
        var rows = new List<object?[]>();
        string scratch = Path.Combine(folder, "scratch");
        Directory.CreateDirectory(scratch);
        foreach (List<string> bucket in files)
        {
            foreach (RecordBatch batch in BucketMerger.Merge(layout, bucket, mergeMemory, scratch, batchRows))
            {
                using (batch)
                {
                    Assert.Equal(layout.Output, batch.Schema);
                    for (int r = 0; r < batch.RowCount; r++)
                    {
                        rows.Add(batch.Columns.Select(c => Value(c, r)).ToArray());
                    }
                }
            }
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        return rows;
    }

    /// <summary>A value as the tests compare it: strings as strings, timestamps as their microseconds, others boxed.</summary>
    public static object? Value(Column column, int row) => column.IsNull(row) ? null : column switch
    {
        StringColumn s => s.GetString(row),
        PrimitiveColumn<long> l => l[row],
        PrimitiveColumn<int> i => i[row],
        _ => column.GetValue(row),
    };

    /// <summary>Splits <paramref name="batches"/> round-robin over <paramref name="tasks"/> tasks.</summary>
    public static List<IReadOnlyList<RecordBatch>> Tasks(IReadOnlyList<RecordBatch> batches, int tasks) =>
        Enumerable.Range(0, tasks).Select(t => (IReadOnlyList<RecordBatch>)batches.Where((_, i) => i % tasks == t).ToList()).ToList();

    /// <summary>Whether two doubles agree: both NaN, equal (so -0.0 equals 0.0), or within a relative 1e-9.</summary>
    public static bool Close(double? expected, double? actual, double relative = 1e-9)
    {
        if (expected is not double e || actual is not double a)
        {
            return expected is null && actual is null;
        }
        if (double.IsNaN(e) || double.IsNaN(a))
        {
            return double.IsNaN(e) && double.IsNaN(a);
        }
        if (double.IsInfinity(e) || double.IsInfinity(a))
        {
            return e == a;
        }
        return Math.Abs(e - a) <= relative * Math.Max(1, Math.Max(Math.Abs(e), Math.Abs(a)));
    }

    /// <summary>Asserts that two result rows agree: doubles by <see cref="Close"/>, everything else exactly.</summary>
    public static void AssertRow(object?[] expected, object?[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int c = 0; c < expected.Length; c++)
        {
            bool same = expected[c] is double || actual[c] is double
                ? Close((double?)expected[c], (double?)actual[c])
                : Equals(expected[c], actual[c]);
            Assert.True(same, $"{what}: {Members[c].Member} expected {Show(expected[c])} but got {Show(actual[c])}");
        }
    }

    public static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    public static string KeyText(object? k, object? k2) => $"{(k is string s ? "'" + s + "'" : "null")}|{k2?.ToString() ?? "null"}";
}
