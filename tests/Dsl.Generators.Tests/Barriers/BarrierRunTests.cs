using System.Globalization;
using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Testing;

namespace Dsl.Generators.Tests.Barriers;

/// <summary>
/// A pipeline with an aggregate, a broadcast or shuffled join and a split, compiled by the generator and run by
/// <see cref="LocalExecutor"/> over Parquet files DuckDB wrote; every output is checked against DuckDB computing the
/// same thing in SQL over the same files.
/// </summary>
public sealed class BarrierRunTests : IDisposable
{
    private const string Source = TestSources.Usings + """
        namespace G;

        [Schema]
        public partial record Purchase(long UserId, DateTime Ts, string Country, double Amount, int Items, double? Discount);

        [Schema]
        public partial record Priced(long UserId, DateTime Ts, string Country, double Net, int Items, double? Discount);

        [Schema]
        public partial record UserSpend(long UserId, long Orders, double Total, long Items, double? MaxDiscount, DateTime LastTs, double LastNet, long Countries);

        [Schema]
        public partial record UserFeatures(long UserId, long Orders, double Total, double AverageOrder, bool Frequent, long Items, double? MaxDiscount, DateTime LastTs, double LastNet, long Countries);

        [Schema]
        public partial record Region(string Code, string Name);

        [Schema]
        public partial record PricedRegion(long UserId, double Net, string Country, string Name);

        [Pipeline("spend-run")]
        public static partial class SpendRun
        {
            [Filter]
            static bool Valid(Purchase p) => p.Amount > 0;

            [Map(From = nameof(Valid))]
            static Priced Price(Purchase p) => new(p.UserId, p.Ts, p.Country, p.Amount - (p.Discount ?? 0), p.Items, p.Discount);

            [Aggregate(By = new[] { nameof(Priced.UserId) }, From = nameof(Price))]
            static UserSpend PerUser(Group<Priced> g) => new(
                g.Key(t => t.UserId),
                g.Count(),
                g.Sum(t => t.Net),
                g.Sum(t => t.Items),
                g.Max(t => t.Discount),
                g.Max(t => t.Ts),
                g.Last(t => t.Net, t => t.Ts),
                g.CountDistinct(t => t.Country));

            [Map(From = nameof(PerUser))]
            [Split(Key = new[] { nameof(UserFeatures.UserId) }, Names = new[] { "train", "test" }, Fractions = new[] { 0.75, 0.25 }, Seed = 7)]
            static UserFeatures Featurize(UserSpend s) => new(s.UserId, s.Orders, s.Total, s.Total / s.Orders, s.Orders >= 10, s.Items, s.MaxDiscount, s.LastTs, s.LastNet, s.Countries);

            [Join(Table = "regions", On = new[] { nameof(Priced.Country) }, RightOn = new[] { nameof(Region.Code) }, From = nameof(Price))]
            static PricedRegion WithRegion(Priced p, Region r) => new(p.UserId, p.Net, p.Country, r.Name);
        }
        """;

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-barrier-run");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(1, 64L << 20)]
    [InlineData(2, 0L)]
    public void GeneratedPipeline_AggregateJoinAndSplit_EqualDuckDb(int parallelism, long broadcastThreshold)
    {
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline compiled = snippet.Pipeline("G.SpendRun");
        (string input, string regions) = WriteInput(rows: 15_000);
        using DuckDb db = DuckDb.Open();
        string output = Path.Combine(_temp.Path, "out");

        JobResult result = new LocalExecutor(new ExecutionOptions
        {
            MaxParallelism = parallelism,
            TargetPartitionRows = 2_000,
            ShuffleBuckets = 3,
            Tables = new Dictionary<string, string> { ["regions"] = regions },
            BroadcastThresholdBytes = broadcastThreshold,
        }).Run(compiled, input, output);

        Assert.Equal(2, result.Barriers.Count);
        Assert.Equal(broadcastThreshold > 0 ? "broadcast hash join" : "shuffle hash join", result.Barriers.Single(b => b.Stage == "WithRegion").Strategy);
        string priced = $"""
            (SELECT UserId, Ts, Country, Amount - coalesce(Discount, 0) AS Net, Items, Discount
             FROM read_parquet({DuckDb.Literal(Path.Combine(input, "*.parquet"))}) WHERE Amount > 0) p
            """;
        string features = Path.Combine(output, "Featurize", "**", "*.parquet");
        Same(
            db.QueryRows($"""
                SELECT UserId, count(*), sum(Net), sum(Net) / count(*), count(*) >= 10, sum(Items), max(Discount), max(Ts), arg_max(Net, (Ts, Net)), count(DISTINCT Country)
                FROM {priced} GROUP BY UserId ORDER BY UserId
                """),
            db.QueryRows($"""
                SELECT UserId, Orders, Total, AverageOrder, Frequent, Items, MaxDiscount, LastTs, LastNet, Countries
                FROM read_parquet({DuckDb.Literal(features)}, hive_partitioning = true) ORDER BY UserId
                """));
        // Every user is in exactly one subset, about three in four in train.
        Assert.Equal(0, db.QueryScalarInt64($"SELECT count(*) - count(DISTINCT UserId) FROM read_parquet({DuckDb.Literal(features)}, hive_partitioning = true)"));
        double train = db.QueryScalarDouble($"SELECT avg(CASE WHEN split = 'train' THEN 1 ELSE 0 END) FROM read_parquet({DuckDb.Literal(features)}, hive_partitioning = true)")!.Value;
        Assert.InRange(train, 0.65, 0.85);
        Same(
            db.QueryRows($"SELECT p.UserId, p.Net, p.Country, r.Name FROM {priced} JOIN read_parquet({DuckDb.Literal(regions)}) r ON p.Country = r.Code ORDER BY ALL"),
            db.QueryRows($"SELECT UserId, Net, Country, Name FROM read_parquet({DuckDb.Literal(Path.Combine(output, "WithRegion", "*.parquet"))}) ORDER BY ALL"));
    }

    [Fact]
    public void CommandLine_TableOptionAndTablesSetting_RunTheJoin_AndTheSummaryNamesEachBarrier()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline compiled = snippet.Pipeline("G.SpendRun");
        (string input, string regions) = WriteInput(rows: 3_000);
        string output = Path.Combine(_temp.Path, "out");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = PipelineHost.Run(compiled, ["run", "--input", input, "--output", output, "--table", $"regions={regions}"], stdout: stdout, stderr: stderr);

        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("  aggregate PerUser: hash aggregate, ", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("  join WithRegion: broadcast hash join (table 'regions' is ", stdout.ToString(), StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(output, "Featurize", "split=train")));

        // The same table from pipeline.yaml, with broadcasting off.
        string config = Path.Combine(_temp.Path, "pipeline.yaml");
        File.WriteAllText(config, $"pipeline: spend-run\ntables:\n  regions: {regions}\nbroadcastThreshold: 0\nshuffleBuckets: 2\n");
        stdout = new StringWriter();
        code = PipelineHost.Run(compiled, ["run", "--input", input, "--output", Path.Combine(_temp.Path, "out2"), "--config", config], stdout: stdout, stderr: stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("  join WithRegion: shuffle hash join, 2 buckets, ", stdout.ToString(), StringComparison.Ordinal);

        // validate runs the row stages before the first cut (this pipeline has no rules: nothing to report).
        Assert.Equal(0, PipelineHost.Run(compiled, ["validate", "--input", input, "--config", config], stdout: new StringWriter(), stderr: stderr));

        // explain shows the choice a run would make from the table's size now, from the file's tables or --table.
        var explained = new StringWriter();
        Assert.Equal(0, PipelineHost.Run(compiled, ["explain", "--config", config], stdout: explained, stderr: stderr));
        Assert.Contains("  WithRegion: table 'regions' is ", explained.ToString(), StringComparison.Ordinal);
        Assert.Contains("the broadcast threshold is 0 (broadcasting off)", explained.ToString(), StringComparison.Ordinal);
        explained = new StringWriter();
        string plain = Path.Combine(_temp.Path, "plain.yaml");
        File.WriteAllText(plain, "pipeline: spend-run\n");
        Assert.Equal(0, PipelineHost.Run(compiled, ["explain", "--config", plain, "--table", $"regions={regions}"], stdout: explained, stderr: stderr));
        Assert.Contains("below the broadcast threshold of 64 MiB: broadcast hash join", explained.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CommandLine_UnknownOrMalformedTable_IsRefusedBeforeAnythingRuns()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline compiled = snippet.Pipeline("G.SpendRun");
        string output = Path.Combine(_temp.Path, "out");
        var stderr = new StringWriter();

        Assert.Equal(2, PipelineHost.Run(compiled, ["run", "--input", _temp.Path, "--output", output, "--table", "users=x.parquet"], stdout: new StringWriter(), stderr: stderr));
        Assert.Contains("--table names 'users', which no join stage reads: its joins read 'regions'.", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, PipelineHost.Run(compiled, ["run", "--input", _temp.Path, "--output", output, "--table", "regions"], stdout: new StringWriter(), stderr: stderr));
        Assert.Contains("--table 'regions' must be NAME=PATH", stderr.ToString(), StringComparison.Ordinal);
        string config = Path.Combine(_temp.Path, "pipeline.yaml");
        File.WriteAllText(config, "pipeline: spend-run\ntables:\n  users: u.parquet\n");
        Assert.Equal(2, PipelineHost.Run(compiled, ["run", "--input", _temp.Path, "--output", output, "--config", config], stdout: new StringWriter(), stderr: stderr));
        Assert.Contains("Table 'users' is read by no join stage: its joins read 'regions'.", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void GeneratedPipeline_FitThenAggregate_FitsFirstAndAggregatesTheScoredRows()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.Usings + """
            namespace F;

            [Schema]
            public partial record Sale(long UserId, double Amount);

            [Schema]
            public partial record Scored(long UserId, double Z);

            [Schema]
            public partial record UserZ(long UserId, long N, double MeanZ);

            public sealed record AmountStats(double Mean, double Std);

            [Pipeline("fit-then-aggregate")]
            public static partial class FitThenAggregate
            {
                [Filter]
                static bool Valid(Sale s) => s.Amount > 0;

                [Fit(From = nameof(Valid))]
                static AmountStats Fit(FitData<Sale> d) => new(d.Mean(s => s.Amount), d.Std(s => s.Amount));

                [Map(From = nameof(Valid))]
                static Scored Score(Sale s, AmountStats a) => new(s.UserId, (s.Amount - a.Mean) / a.Std);

                [Aggregate(By = new[] { nameof(Scored.UserId) }, From = nameof(Score))]
                static UserZ PerUser(Group<Scored> g) => new(g.Key(t => t.UserId), g.Count(), g.Mean(t => t.Z));
            }
            """);
        CompiledPipeline compiled = snippet.Pipeline("F.FitThenAggregate");
        string input = Path.Combine(_temp.Path, "sales");
        Directory.CreateDirectory(input);
        using DuckDb db = DuckDb.Open();
        db.CopyToParquet("SELECT (i % 97)::BIGINT AS UserId, ((i * 37 % 1000) - 100) / 7.0 AS Amount FROM range(0, 20000) t(i)", Path.Combine(input, "part-0.parquet"), "ROW_GROUP_SIZE 3000");
        string output = Path.Combine(_temp.Path, "out");

        JobResult result = new LocalExecutor(new ExecutionOptions { MaxParallelism = 2, TargetPartitionRows = 3_000, ShuffleBuckets = 2 }).Run(compiled, input, output);

        Assert.NotNull(result.Fit);
        Same(
            db.QueryRows($"""
                WITH v AS (SELECT * FROM read_parquet({DuckDb.Literal(Path.Combine(input, "*.parquet"))}) WHERE Amount > 0),
                     st AS (SELECT avg(Amount) AS m, stddev_pop(Amount) AS s FROM v)
                SELECT UserId, count(*), avg((Amount - m) / s) FROM v, st GROUP BY UserId ORDER BY UserId
                """),
            db.QueryRows($"SELECT UserId, N, MeanZ FROM read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))}) ORDER BY UserId"));
    }

    [Fact]
    public void GeneratedAggregate_AMillionSkewedRows_EqualsDuckDb_ExactlyAndWithinTheSketchBound()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.Usings + """
            namespace W;

            [Schema]
            public partial record Tx(long UserId, long MerchantId, double? Amount);

            [Schema]
            public partial record UserStats(long UserId, long Transactions, double Total, double Mean, double? Max, long Merchants, long ApproxMerchants);

            [Pipeline("per-user")]
            public static partial class PerUserStats
            {
                [Aggregate(By = new[] { nameof(Tx.UserId) })]
                static UserStats PerUser(Group<Tx> g) => new(
                    g.Key(t => t.UserId), g.Count(), g.Sum(t => t.Amount), g.Mean(t => t.Amount), g.Max(t => t.Amount),
                    g.CountDistinct(t => t.MerchantId), g.ApproxCountDistinct(t => t.MerchantId));
            }
            """);
        string input = Path.Combine(_temp.Path, "tx");
        Directory.CreateDirectory(input);
        using DuckDb db = DuckDb.Open();
        // A million rows over two files: user 1 holds 30% of them (a hot key), the rest spread over about 200,000
        // users; 5,000 merchants; every 50th amount null.
        for (int f = 0; f < 2; f++)
        {
            db.CopyToParquet($"""
                SELECT (CASE WHEN i % 10 < 3 THEN 1 ELSE 2 + hash(i) % 200000 END)::BIGINT AS UserId,
                       (hash(i * 7 + 1) % 5000)::BIGINT AS MerchantId,
                       CASE WHEN i % 50 = 0 THEN NULL ELSE (hash(i * 13) % 100000) / 100.0 END AS Amount
                FROM range({f * 500_000}, {(f + 1) * 500_000}) t(i)
                """, Path.Combine(input, $"part-{f}.parquet"), "ROW_GROUP_SIZE 100000");
        }
        string output = Path.Combine(_temp.Path, "out");

        JobResult result = new LocalExecutor(new ExecutionOptions { MaxParallelism = 2, ShuffleBuckets = 8, BarrierSpillBytes = 1L << 20 })
            .Run(snippet.Pipeline("W.PerUserStats"), input, output);

        Assert.True(result.Barriers[0].SpilledRows > 200_000, $"{result.Barriers[0].SpilledRows} partial groups spilled");
        string expected = $"""
            SELECT UserId, count(*), coalesce(sum(Amount), 0), coalesce(avg(Amount), 'NaN'::DOUBLE), max(Amount), count(DISTINCT MerchantId)
            FROM read_parquet({DuckDb.Literal(Path.Combine(input, "*.parquet"))}) GROUP BY UserId ORDER BY UserId
            """;
        string actual = $"SELECT UserId, Transactions, Total, Mean, Max, Merchants FROM read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))}) ORDER BY UserId";
        IReadOnlyList<IReadOnlyList<string?>> rows = db.QueryRows(expected);
        Assert.True(rows.Count > 150_000, $"{rows.Count} users");
        Same(rows, db.QueryRows(actual));
        // HyperLogLog: exact up to 256 distinct values per group, then within three standard errors (3 × 0.81%).
        double worst = db.QueryScalarDouble($"""
            SELECT max(abs(o.ApproxMerchants - e.n) / e.n) FROM read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))}) o
            JOIN (SELECT UserId, count(DISTINCT MerchantId) AS n FROM read_parquet({DuckDb.Literal(Path.Combine(input, "*.parquet"))}) GROUP BY UserId) e USING (UserId)
            """)!.Value;
        Assert.InRange(worst, 0, 3 * 0.0081);
    }

    [Theory]
    [InlineData(64L << 20)]
    [InlineData(0L)]
    public void GeneratedLeftJoinOfTheInput_WithIntKeysAgainstLongKeys_EqualsDuckDb(long broadcastThreshold)
    {
        using var snippet = LoadedSnippet.Compile(BarrierSources.Enriched);
        string input = Path.Combine(_temp.Path, "clicks");
        string users = Path.Combine(_temp.Path, "users");
        Directory.CreateDirectory(input);
        Directory.CreateDirectory(users);
        using DuckDb db = DuckDb.Open();
        db.CopyToParquet("SELECT (i % 700)::BIGINT AS UserId, (i % 13)::INTEGER AS Page, TIMESTAMP '2026-02-01' + INTERVAL (i) SECOND AS At FROM range(0, 9000) t(i)", Path.Combine(input, "part-0.parquet"), "ROW_GROUP_SIZE 2000");
        // Users 0-499 (ids as INT), user 7 twice, some without a score; users 500-699 have no row, so their clicks keep nulls.
        db.CopyToParquet("SELECT i::INTEGER AS Id, ['FR', 'DE', 'JP'][1 + (i % 3)::INTEGER] AS Country, (2000 + i % 20)::INTEGER AS signup_year, CASE WHEN i % 4 = 0 THEN NULL ELSE i / 10.0 END AS Score FROM range(0, 500) t(i) UNION ALL SELECT 7, 'US', 2024, 1.5", Path.Combine(users, "users.parquet"));
        string output = Path.Combine(_temp.Path, "out");

        JobResult result = new LocalExecutor(new ExecutionOptions { MaxParallelism = 2, TargetPartitionRows = 2_000, ShuffleBuckets = 3, Tables = new Dictionary<string, string> { ["users"] = users }, BroadcastThresholdBytes = broadcastThreshold })
            .Run(snippet.Pipeline("J.Enrich"), input, output);

        Assert.Equal(broadcastThreshold > 0 ? "broadcast hash join" : "shuffle hash join", Assert.Single(result.Barriers).Strategy);
        Same(
            db.QueryRows($"SELECT c.UserId, c.Page, u.Country, u.signup_year, u.Score FROM read_parquet({DuckDb.Literal(Path.Combine(input, "*.parquet"))}) c LEFT JOIN read_parquet({DuckDb.Literal(Path.Combine(users, "*.parquet"))}) u ON c.UserId = u.Id ORDER BY ALL"),
            db.QueryRows($"SELECT UserId, Page, Country, SignupYear, Score FROM read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))}) ORDER BY ALL"));
    }

    // Purchases over three files by DuckDB: users 0-299 (a few with many rows), amounts with some zero and negative,
    // discounts with nulls, timestamps with ties broken by Net in Last (the largest Net wins); and the regions table.
    private (string Input, string Regions) WriteInput(int rows)
    {
        string input = Path.Combine(_temp.Path, "in");
        string regions = Path.Combine(_temp.Path, "regions.parquet");
        using DuckDb db = DuckDb.Open();
        Directory.CreateDirectory(input);
        int perFile = rows / 3;
        for (int f = 0; f < 3; f++)
        {
            db.CopyToParquet($"""
                SELECT (i * 7919 % 300)::BIGINT AS UserId,
                       TIMESTAMP '2026-01-01' + INTERVAL (i % 977) MINUTE AS Ts,
                       ['DE', 'FR', 'IT', 'ES', 'US'][1 + (i % 5)::INTEGER] AS Country,
                       ((i * 31 % 1000) - 50) / 10.0 AS Amount,
                       (i % 4)::INTEGER AS Items,
                       CASE WHEN i % 6 = 0 THEN NULL ELSE (i % 9) / 10.0 END AS Discount
                FROM range({f * perFile}, {(f + 1) * perFile}) t(i)
                """, Path.Combine(input, $"part-{f}.parquet"), "ROW_GROUP_SIZE 2000");
        }
        db.CopyToParquet("SELECT * FROM (VALUES ('DE', 'Germany'), ('FR', 'France'), ('FR', 'Frankreich'), ('IT', 'Italy'), ('XX', 'None')) v(Code, Name)", regions);
        return (input, regions);
    }

    // Rows equal value by value; numbers that print differently are compared with a relative tolerance of 1e-9 (sums
    // added in another order).
    private static void Same(IReadOnlyList<IReadOnlyList<string?>> expected, IReadOnlyList<IReadOnlyList<string?>> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.NotEmpty(expected);
        for (int row = 0; row < expected.Count; row++)
        {
            for (int c = 0; c < expected[row].Count; c++)
            {
                string? e = expected[row][c];
                string? a = actual[row][c];
                if (e == a)
                {
                    continue;
                }
                bool numbers = double.TryParse(e, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) & double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out double y);
                Assert.True(numbers && Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Abs(x)), $"row {row}, column {c}: expected {e ?? "NULL"}, got {a ?? "NULL"}");
            }
        }
    }
}
