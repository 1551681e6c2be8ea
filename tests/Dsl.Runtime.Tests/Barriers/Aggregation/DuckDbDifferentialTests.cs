using System.Globalization;
using Dsl.Barriers.Aggregation;
using Dsl.Execution;
using Dsl.Parquet;
using Dsl.Testing;
using static Dsl.Runtime.Tests.Barriers.Aggregation.AggregationTestData;

namespace Dsl.Runtime.Tests.Barriers.Aggregation;

/// <summary>
/// The engine against DuckDB's <c>GROUP BY</c> on the same rows, written as Parquet: nulls, NaN (which DuckDB counts
/// as a value and the engine skips, so the SQL turns it into NULL), ±inf, -0.0, empty and non-ASCII strings.
/// </summary>
public sealed class DuckDbDifferentialTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-agg-duck-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // DuckDB's expression for each of AggregationTestData.Members, in order; XN is X with NaN as NULL.
    private static readonly string[] s_sql =
    [
        "K", "K2", "count(*)", "count(XN)", "coalesce(sum(XN), 0)", "coalesce(sum(I), 0)::BIGINT", "avg(XN)", "avg(I)",
        "var_pop(F)", "stddev_pop(F)", "var_samp(F)", "stddev_samp(F)", "min(XN)", "max(XN)", "min(S)", "max(S)",
        "epoch_us(min(T))", "epoch_us(max(T))", "count(DISTINCT S)", "count(DISTINCT I)", "count(DISTINCT XN)", "count(DISTINCT S)",
        "first(S ORDER BY O) FILTER (WHERE O IS NOT NULL)", "last(S ORDER BY O) FILTER (WHERE O IS NOT NULL)",
        "first(X ORDER BY O) FILTER (WHERE O IS NOT NULL)", "last(X ORDER BY O) FILTER (WHERE O IS NOT NULL)",
    ];

    [Theory]
    [InlineData(21, 1, 1L << 30)]
    [InlineData(22, 3, 6_000)]
    public void RandomRows_MatchDuckDbGroupBy(int seed, int tasks, long memory)
    {
        List<AggRow> rows = Rows(6000, seed, keys: 9, unicode: true, uniqueOrder: true);
        List<RecordBatch> batches = ToBatches(rows, 700);
        string data = Directory.CreateDirectory(Path.Combine(_root, "data")).FullName;
        for (int b = 0; b < batches.Count; b++)
        {
            using var writer = new ParquetFileWriter(Path.Combine(data, $"part-{b:D3}.parquet"), Input);
            writer.WriteBatch(batches[b]);
        }

        EngineRun run = Run(Layout(), Tasks(batches, tasks), _root, buckets: 5, memory, memory);

        Assert.Equal(s_sql.Length, Members.Length);
        using var duck = DuckDb.Open();
        string source = $"(SELECT *, CASE WHEN isnan(X) THEN NULL ELSE X END AS XN FROM read_parquet({DuckDb.Literal(Path.Combine(data, "*.parquet"))}))";
        IReadOnlyList<IReadOnlyList<string?>> expected = duck.QueryRows($"SELECT {string.Join(", ", s_sql)} FROM {source} GROUP BY K, K2");
        var actual = run.Rows.ToDictionary(r => KeyText(r[0], r[1]));
        Assert.Equal(expected.Count, actual.Count);
        Assert.Contains(actual.Keys, k => k.Contains('日', StringComparison.Ordinal));
        Assert.Contains(actual.Keys, k => k.StartsWith("''|", StringComparison.Ordinal));
        foreach (IReadOnlyList<string?> duckRow in expected)
        {
            object?[] want = Parse(duckRow);
            string key = KeyText(want[0], want[1]);
            Assert.True(actual.TryGetValue(key, out object?[]? got), $"DuckDB has the group {key}, the engine does not.");
            // The approximate count is exact for groups this small; DuckDB's exact count stands in for it.
            AssertRow(want, got, key);
        }
    }

    [Fact]
    public void ApproxCountDistinct_OnDuckDbWrittenParquet_IsWithinThreeStandardErrorsOfTheExactCount()
    {
        string path = Path.Combine(_root, "distinct.parquet");
        using var duck = DuckDb.Open();
        duck.CopyToParquet("SELECT (i % 4)::INTEGER AS g, CASE WHEN i % 97 = 0 THEN NULL ELSE (i * 7919) % (50000 * (1 + i % 4)) END::BIGINT AS v FROM range(400000) t(i)", path, "ROW_GROUP_SIZE 50000");
        var plan = new AggregatePlan("Distinct", "R", null, null, "O", ["g"],
        [
            new AggregateOutput("g", AggregateFunction.Key, "g"),
            new AggregateOutput("approx", AggregateFunction.ApproxCountDistinct, "v"),
            new AggregateOutput("exact", AggregateFunction.CountDistinct, "v"),
        ]);
        using var reader = new ParquetFileReader(path);
        var output = new BatchSchema(reader.Schema[0] with { Name = "g" }, new ColumnField("approx", ColumnType.Int64, false), new ColumnField("exact", ColumnType.Int64, false));
        AggregateLayout layout = AggregateLayout.For(plan, reader.Schema, output);
        List<RecordBatch> batches = reader.ReadBatches().ToList();

        List<object?[]> rows = Run(layout, Tasks(batches, 3), _root, buckets: 2).Rows;

        IReadOnlyList<IReadOnlyList<string?>> exact = duck.QueryRows($"SELECT g, count(DISTINCT v) FROM read_parquet({DuckDb.Literal(path)}) GROUP BY g ORDER BY g");
        Assert.Equal(4, rows.Count);
        foreach (IReadOnlyList<string?> row in exact)
        {
            object?[] ours = Assert.Single(rows, r => r[0]!.ToString() == row[0]);
            long count = long.Parse(row[1]!, CultureInfo.InvariantCulture);
            Assert.Equal(count, ours[2]);
            double bound = 3 * Dsl.Validation.Statistics.HyperLogLog.StandardError * count;
            Assert.True(Math.Abs((long)ours[1]! - count) <= bound, $"Group {row[0]}: {ours[1]} estimated for {count} distinct values; bound ±{bound:F0}.");
        }
    }

    private static object?[] Parse(IReadOnlyList<string?> row)
    {
        var values = new object?[row.Count];
        for (int c = 0; c < row.Count; c++)
        {
            (string member, AggregateFunction function, _, _, ColumnType type) = Members[c];
            string? text = row[c];
            values[c] = type switch
            {
                ColumnType.String => text,
                ColumnType.Int32 => text is null ? null : int.Parse(text, CultureInfo.InvariantCulture),
                ColumnType.Int64 or ColumnType.Timestamp => text is null ? null : long.Parse(text, CultureInfo.InvariantCulture),
                // SQL gives NULL where Group<TRow> gives NaN: the mean of no values, the sample variance of one.
                ColumnType.Double when text is null => function is AggregateFunction.Min or AggregateFunction.Max or AggregateFunction.First or AggregateFunction.Last ? null : double.NaN,
                ColumnType.Double => ParseDouble(text!),
                _ => throw new InvalidOperationException($"No parsing for {member}."),
            };
        }
        return values;
    }

    private static double ParseDouble(string text) => text switch
    {
        "nan" or "-nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };
}
