using System.Globalization;
using System.Text.Json;
using Dsl.Execution;
using Dsl.Runtime.Tests.Fitting;
using Dsl.Testing;

namespace Dsl.Runtime.Tests.Execution.Flow;

/// <summary>
/// Pipelines with aggregate, join and split stages run through <see cref="LocalExecutor"/> over Parquet input, each
/// output checked against DuckDB computing the same query over the same input files: with one and two threads, one
/// and several buckets, and a memory budget small enough to force spills.
/// </summary>
public sealed class BarrierRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-barrier-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Input(int files = 3, int rowsPerFile = 4_000)
    {
        string input = Path.Combine(_root, "in");
        if (!Directory.Exists(input))
        {
            FitPipelines.WriteInput(input, files, rowsPerFile, rowGroupRows: 1_000);
        }
        return input;
    }

    private static string Glob(string folder) => DuckDb.Literal(Path.Combine(folder, "**", "*.parquet"));

    // DuckDB's GROUP BY over the kept input, with the Group<T> rules: NaN left out of the amount statistics.
    private static string ExpectedAggregateSql(string input) => $"""
        WITH kept AS (SELECT *, CASE WHEN isnan(Amount) THEN NULL ELSE Amount END AS A FROM read_parquet({Glob(input)}) WHERE Id % 3 != 0)
        SELECT Country, count(*) AS N, count(A) AS Amounts, coalesce(sum(A), 0) AS Total, coalesce(avg(A), 'NaN'::DOUBLE) AS Avg,
               coalesce(stddev_pop(A), 'NaN'::DOUBLE) AS Sd, min(A) AS Low, coalesce(sum("Count"), 0) AS Items,
               count(DISTINCT "Count") AS Kinds, arg_max(Id, A) AS LastId
        FROM kept GROUP BY Country ORDER BY Country NULLS FIRST
        """;

    [Theory]
    [InlineData(1, 1, 0L)]
    [InlineData(2, 4, 0L)]
    [InlineData(2, 3, 2_000L)]
    public void Aggregate_SinkEqualsDuckDbGroupBy(int parallelism, int buckets, long memoryBudget)
    {
        string input = Input();
        string output = Path.Combine(_root, $"out-{parallelism}-{buckets}-{memoryBudget}");
        var options = new ExecutionOptions { MaxParallelism = parallelism, ShuffleBuckets = buckets, TargetPartitionRows = 1_500 };
        if (memoryBudget > 0)
        {
            // Whole files as partitions: four batches per task, each past the spill size.
            options = options with { BarrierSpillBytes = memoryBudget, TargetPartitionRows = 4_000 };
        }

        JobResult result = new LocalExecutor(options).Run(BarrierPipelines.Aggregate(sinkAggregate: true), input, output);

        using DuckDb db = DuckDb.Open();
        AssertSameRows(
            db.QueryRows(ExpectedAggregateSql(input)),
            db.QueryRows($"SELECT Country, N, Amounts, Total, Avg, Sd, Low, Items, Kinds, LastId FROM read_parquet({Glob(output)}) ORDER BY Country NULLS FIRST"));
        BarrierResult barrier = Assert.Single(result.Barriers);
        Assert.Equal("hash aggregate", barrier.Strategy);
        Assert.Equal(buckets, barrier.Buckets);
        Assert.True(barrier.SpilledRows > 0);
        if (memoryBudget > 0)
        {
            // Tasks spilled their partial groups more than once: more partial groups than tasks times the 7 groups.
            Assert.True(barrier.SpilledRows > result.Partitions * 7L, $"{barrier.SpilledRows} partial groups spilled by {result.Partitions} tasks");
        }
    }

    [Fact]
    public void Aggregate_ThenMap_TheMapRunsOnTheMergedGroups()
    {
        string input = Input();
        string output = Path.Combine(_root, "out");

        new LocalExecutor(new ExecutionOptions { MaxParallelism = 2, ShuffleBuckets = 3, TargetPartitionRows = 1_500 }).Run(BarrierPipelines.Aggregate(), input, output);

        using DuckDb db = DuckDb.Open();
        AssertSameRows(
            db.QueryRows($"SELECT Country, N, Avg, N > 100 AS Busy FROM ({ExpectedAggregateSql(input)}) ORDER BY Country NULLS FIRST"),
            db.QueryRows($"SELECT Country, N, Avg, Busy FROM read_parquet({Glob(output)}) ORDER BY Country NULLS FIRST"));
    }

    [Fact]
    public void Buckets_ByDefault_AreTwiceTheParallelismForASmallInput()
    {
        JobResult result = new LocalExecutor(new ExecutionOptions { MaxParallelism = 3, TargetPartitionRows = 1_500 }).Run(BarrierPipelines.Aggregate(), Input(), Path.Combine(_root, "out"));

        Assert.Equal(6, Assert.Single(result.Barriers).Buckets);
        Assert.Equal(6, result.BucketTasks);
    }

    [Fact]
    public void Aggregate_OutputBytesDoNotDependOnParallelism()
    {
        string input = Input();
        string a = Path.Combine(_root, "a");
        string b = Path.Combine(_root, "b");

        JobResult first = new LocalExecutor(new ExecutionOptions { MaxParallelism = 1, ShuffleBuckets = 4, TargetPartitionRows = 1_500 }).Run(BarrierPipelines.Aggregate(sinkAggregate: true), input, a);
        JobResult second = new LocalExecutor(new ExecutionOptions { MaxParallelism = 2, ShuffleBuckets = 4, TargetPartitionRows = 1_500 }).Run(BarrierPipelines.Aggregate(sinkAggregate: true), input, b);
        Assert.Equal(first.Barriers[0].SpilledRows, second.Barriers[0].SpilledRows);

        string[] partsA = Directory.GetFiles(a, "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(partsA, Directory.GetFiles(b, "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        Assert.All(partsA, p => Assert.Equal(File.ReadAllBytes(Path.Combine(a, p)), File.ReadAllBytes(Path.Combine(b, p))));
    }

    [Fact]
    public void Aggregate_UnchangedRerun_DoesNothing_AndTheManifestListsBucketTasks()
    {
        string input = Input();
        string output = Path.Combine(_root, "out");
        var executor = new LocalExecutor(new ExecutionOptions { MaxParallelism = 2, ShuffleBuckets = 2, TargetPartitionRows = 1_500 });

        JobResult first = executor.Run(BarrierPipelines.Aggregate(), input, output);
        JobResult second = executor.Run(BarrierPipelines.Aggregate(), input, output);

        Assert.False(first.UpToDate);
        Assert.True(second.UpToDate);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, LocalExecutor.ManifestFile)));
        JsonElement[] buckets = manifest.RootElement.GetProperty("partitions").EnumerateArray().Where(p => p.TryGetProperty("bucket", out _)).ToArray();
        Assert.Equal(2, buckets.Length);
        Assert.All(buckets, b => Assert.Equal("ByCountry", b.GetProperty("bucket").GetProperty("stage").GetString()));
        JsonElement barrier = Assert.Single(manifest.RootElement.GetProperty("barriers").EnumerateArray().ToArray());
        Assert.Equal("hash aggregate", barrier.GetProperty("strategy").GetString());
    }

    [Fact]
    public void Aggregate_CancelledInTheBucketWave_PublishesNothing_AndTheRerunReusesTheCommittedTasks()
    {
        string input = Input();
        var options = new ExecutionOptions { MaxParallelism = 1, ShuffleBuckets = 4, TargetPartitionRows = 1_500 };
        string reference = Path.Combine(_root, "reference");
        JobResult clean = new LocalExecutor(options).Run(BarrierPipelines.Aggregate(), input, reference);
        Assert.Equal(4, clean.BucketTasks);

        // Cancelled once every input partition and one bucket task are done: nothing is published.
        string output = Path.Combine(_root, "out");
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new LocalExecutor(options with { Progress = new CancelAt(clean.Partitions + 1, stop) }).Run(BarrierPipelines.Aggregate(), input, output, stop.Token));
        Assert.False(File.Exists(Path.Combine(output, LocalExecutor.SuccessMarker)));

        // The rerun takes the committed tasks, spill files included, computes the other buckets, and writes the same bytes.
        JobResult rerun = new LocalExecutor(options).Run(BarrierPipelines.Aggregate(), input, output);
        Assert.Equal(clean.Partitions, rerun.PartitionsReused);
        Assert.Equal(1, rerun.BucketTasksReused);
        string[] parts = Directory.GetFiles(reference, "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(parts, Directory.GetFiles(output, "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        Assert.All(parts, p => Assert.Equal(File.ReadAllBytes(Path.Combine(reference, p)), File.ReadAllBytes(Path.Combine(output, p))));
    }

    // Cancels the run once the progress reports that many tasks done.
    private sealed class CancelAt(int tasks, CancellationTokenSource stop) : IProgress<RunProgress>
    {
        public void Report(RunProgress value)
        {
            if (value.PartitionsDone >= tasks)
            {
                stop.Cancel();
            }
        }
    }

    [Theory]
    [InlineData(JoinKind.Inner, true)]
    [InlineData(JoinKind.Inner, false)]
    [InlineData(JoinKind.Left, true)]
    [InlineData(JoinKind.Left, false)]
    [InlineData(JoinKind.Semi, true)]
    [InlineData(JoinKind.Semi, false)]
    [InlineData(JoinKind.Anti, true)]
    [InlineData(JoinKind.Anti, false)]
    public void Join_EqualsDuckDbJoin_BroadcastOrShuffled(JoinKind kind, bool broadcast)
    {
        string input = Input();
        string regions = BarrierPipelines.WriteRegions(Path.Combine(_root, "tables", "regions.parquet"));
        string output = Path.Combine(_root, "out");
        var options = new ExecutionOptions
        {
            MaxParallelism = 2,
            TargetPartitionRows = 1_500,
            ShuffleBuckets = 3,
            Tables = new Dictionary<string, string> { ["regions"] = regions },
            BroadcastThresholdBytes = broadcast ? 64L << 20 : 0,
        };

        JobResult result = new LocalExecutor(options).Run(BarrierPipelines.Join(kind), input, output);

        BarrierResult barrier = Assert.Single(result.Barriers);
        Assert.Equal(broadcast ? "broadcast hash join" : "shuffle hash join", barrier.Strategy);
        Assert.Contains("regions", barrier.Reason);
        string kept = $"(SELECT * FROM read_parquet({Glob(input)}) WHERE Id % 3 != 0) t";
        string r = $"read_parquet({DuckDb.Literal(regions)}) r";
        string expected = kind switch
        {
            JoinKind.Inner => $"SELECT t.Id, t.Country, t.Amount, r.Region, r.Weight FROM {kept} JOIN {r} ON t.Country = r.Code",
            JoinKind.Left => $"SELECT t.Id, t.Country, t.Amount, r.Region, r.Weight FROM {kept} LEFT JOIN {r} ON t.Country = r.Code",
            JoinKind.Semi => $"SELECT t.Id, t.Country, t.Amount, NULL, NULL FROM {kept} SEMI JOIN {r} ON t.Country = r.Code",
            _ => $"SELECT t.Id, t.Country, t.Amount, NULL, NULL FROM {kept} ANTI JOIN {r} ON t.Country = r.Code",
        };
        string actual = kind is JoinKind.Semi or JoinKind.Anti
            ? $"SELECT Id, Country, Amount, NULL, NULL FROM read_parquet({Glob(output)})"
            : $"SELECT Id, Country, Amount, Region, Weight FROM read_parquet({Glob(output)})";
        using DuckDb db = DuckDb.Open();
        string order = " ORDER BY 1, 4 NULLS FIRST, 5 NULLS FIRST";
        AssertSameRows(db.QueryRows(expected + order), db.QueryRows(actual + order));
        Assert.True(db.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Glob(output)})") > 0);
    }

    [Fact]
    public void Join_TableNotGiven_FailsNamingTheJoinAndTable_BeforeReadingInput()
    {
        string input = Input();
        string output = Path.Combine(_root, "out");

        var e = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(BarrierPipelines.Join(JoinKind.Inner), input, output));

        Assert.Contains("Join 'WithRegion' reads table 'regions'", e.Message);
        Assert.Contains("--table regions=PATH", e.Message);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Split_WritesEachKeptRowOnceUnderItsSubsetFolder_TheSameForAnyParallelism()
    {
        string input = Input();
        string a = Path.Combine(_root, "a");
        string b = Path.Combine(_root, "b");

        new LocalExecutor(new ExecutionOptions { MaxParallelism = 1, TargetPartitionRows = 1_500 }).Run(BarrierPipelines.Split(), input, a);
        new LocalExecutor(new ExecutionOptions { MaxParallelism = 2, TargetPartitionRows = 4_000 }).Run(BarrierPipelines.Split(), input, b);

        Assert.True(Directory.Exists(Path.Combine(a, "split=train")));
        Assert.True(Directory.Exists(Path.Combine(a, "split=test")));
        using DuckDb db = DuckDb.Open();
        string Rows(string folder) => $"read_parquet({Glob(folder)}, hive_partitioning = true)";
        Assert.Equal(
            db.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Glob(input)}) WHERE Id % 3 != 0"),
            db.QueryScalarInt64($"SELECT count(DISTINCT Id) FROM {Rows(a)}"));
        Assert.Equal(db.QueryScalarInt64($"SELECT count(DISTINCT Id) FROM {Rows(a)}"), db.QueryScalarInt64($"SELECT count(*) FROM {Rows(a)}"));
        // The same row lands in the same subset whatever the partitioning.
        Assert.Equal(0, db.QueryScalarInt64($"SELECT count(*) FROM {Rows(a)} x JOIN {Rows(b)} y USING (Id) WHERE x.split != y.split"));
        double train = db.QueryScalarDouble($"SELECT avg(CASE WHEN split = 'train' THEN 1 ELSE 0 END) FROM {Rows(a)}")!.Value;
        Assert.InRange(train, 0.77, 0.83);
    }

    [Fact]
    public void StratifiedSplit_AssignsEachRowAsTheSplitOverAllKeptRowsDoes_ForAnyParallelism()
    {
        string input = Input();
        CompiledPipeline pipeline = BarrierPipelines.Split(stratifyBy: "Country");
        string a = Path.Combine(_root, "a");
        string b = Path.Combine(_root, "b");

        JobResult first = new LocalExecutor(new ExecutionOptions { MaxParallelism = 1, TargetPartitionRows = 1_500, ShuffleBuckets = 3 }).Run(pipeline, input, a);
        new LocalExecutor(new ExecutionOptions { MaxParallelism = 2, TargetPartitionRows = 4_000, ShuffleBuckets = 2 }).Run(pipeline, input, b);

        Assert.Equal("stratified split", first.Barriers.Single().Strategy);
        // The definition: one histogram over every kept row, its cuts, and each row's subset from them.
        SplitPlan plan = pipeline.Plan.Splits[0];
        var histogram = new Dsl.Barriers.Splits.StrataHistogram(plan, FitPipelines.T);
        var kept = new List<RecordBatch>();
        foreach (string file in Directory.GetFiles(input, "*.parquet").Order(StringComparer.Ordinal))
        {
            using var reader = new Dsl.Parquet.ParquetFileReader(file);
            foreach (RecordBatch batch in reader.ReadBatches())
            {
                using (batch)
                {
                    int[] rows = Enumerable.Range(0, batch.RowCount).Where(r => FitPipelines.Keeps(batch.GetPrimitive<long>("Id", ColumnType.Int64).Values[r])).ToArray();
                    kept.Add(new RecordBatch(batch.Schema, batch.Columns.Select(c => Dsl.Validation.RowGather.Gather(c, rows)).ToArray(), rows.Length));
                    histogram.Add(kept[^1]);
                }
            }
        }
        var assigner = new Dsl.Barriers.Splits.SplitAssigner(plan, FitPipelines.T, histogram.ComputeCuts());
        var expected = new SortedDictionary<long, string>();
        foreach (RecordBatch batch in kept)
        {
            using (batch)
            {
                int[] subsets = new int[batch.RowCount];
                assigner.Assign(batch, subsets);
                for (int r = 0; r < batch.RowCount; r++)
                {
                    expected[batch.GetPrimitive<long>("Id", ColumnType.Int64).Values[r]] = plan.Names[subsets[r]];
                }
            }
        }
        using DuckDb db = DuckDb.Open();
        foreach (string output in new[] { a, b })
        {
            IReadOnlyList<IReadOnlyList<string?>> actual = db.QueryRows($"SELECT Id, split FROM read_parquet({Glob(output)}, hive_partitioning = true) ORDER BY Id");
            Assert.Equal(expected.Select(e => $"{e.Key}/{e.Value}"), actual.Select(r => $"{r[0]}/{r[1]}"));
        }
        // Each country (and the null country) is split 80/20 on its own.
        foreach (IReadOnlyList<string?> share in db.QueryRows($"SELECT Country, avg(CASE WHEN split = 'train' THEN 1 ELSE 0 END) FROM read_parquet({Glob(a)}, hive_partitioning = true) GROUP BY Country"))
        {
            Assert.InRange(double.Parse(share[1]!, CultureInfo.InvariantCulture), 0.78, 0.82);
        }
    }

    // Rows equal column by column; numbers that print differently are compared with a relative tolerance of 1e-9
    // (sums added in another order).
    private static void AssertSameRows(IReadOnlyList<IReadOnlyList<string?>> expected, IReadOnlyList<IReadOnlyList<string?>> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int row = 0; row < expected.Count; row++)
        {
            Assert.Equal(expected[row].Count, actual[row].Count);
            for (int c = 0; c < expected[row].Count; c++)
            {
                string? e = expected[row][c];
                string? a = actual[row][c];
                if (e == a)
                {
                    continue;
                }
                bool numbers = double.TryParse(e, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) & double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out double y);
                Assert.True(numbers && Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Abs(x)), $"row {row}, column {c}: expected {e ?? "NULL"}, got {a ?? "NULL"} (expected row: {string.Join(", ", expected[row])}; actual: {string.Join(", ", actual[row])})");
            }
        }
    }
}
