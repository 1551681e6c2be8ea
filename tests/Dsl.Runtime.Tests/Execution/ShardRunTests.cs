using Dsl.Execution;
using Dsl.Runtime.Tests.Execution.Flow;
using Dsl.Runtime.Tests.Fitting;
using Dsl.Runtime.Tests.Validation;
using Dsl.Validation;
using static Dsl.Runtime.Tests.Execution.PartitionedPipelines;
using static Dsl.Runtime.Tests.Execution.TestPipelines;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// Sharded runs in process (docs/sharding.md): N shards and a commit publish exactly a local run's files; the rules,
/// quarantine and unique keys are evaluated over every shard at the commit, whose failing gate commits nothing; a
/// shard takes over parts of the published output; barriers are refused. The separate processes, kills and the
/// command line are tested in Dsl.EndToEnd.Tests' ShardProcessTests.
/// </summary>
public sealed class ShardRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-shards-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Input => Path.Combine(_root, "in");

    private string Output => Path.Combine(_root, "out");

    private string Work => Path.Combine(_root, ".out.dsl");

    private static ExecutionOptions Options(params GatePlan[] gates) => new() { TargetPartitionRows = 2000, MaxParallelism = 2, Gates = gates };

    // Every file but the manifest, whose timings differ from run to run.
    private static Dictionary<string, byte[]> Data(string folder) =>
        Snapshot(folder).Where(kv => kv.Key != LocalExecutor.ManifestFile).ToDictionary();

    private void RunShards(CompiledPipeline pipeline, ExecutionOptions options, int count, params int[] only)
    {
        foreach (int i in only.Length > 0 ? only : Enumerable.Range(0, count))
        {
            new LocalExecutor(options).RunShard(pipeline, Input, Output, new ShardSpec(i, count));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void ShardsThenCommit_PublishALocalRunsFiles_WithQuarantineAndUniqueKeys(int shards)
    {
        RulePipelines.WriteInput(Input);
        CompiledPipeline pipeline = RulePipelines.Pipeline(RuleAction.Quarantine, unique: RuleAction.Quarantine, acrossDataset: true);
        string local = Path.Combine(_root, "local");
        JobResult expected = new LocalExecutor(Options()).Run(pipeline, Input, local);

        RunShards(pipeline, Options(), shards);
        Assert.False(Directory.Exists(Output), "nothing is visible before the commit");
        JobResult committed = new LocalExecutor(Options()).CommitShards(pipeline, Input, Output, shards);

        Dictionary<string, byte[]> want = Data(local);
        Assert.Contains(want.Keys, k => k.StartsWith("_quarantine", StringComparison.Ordinal));
        Assert.Contains(want.Keys, k => k.StartsWith("_unique", StringComparison.Ordinal));
        Assert.Equal(want.Keys.Order(), Data(Output).Keys.Order());
        Assert.All(want, kv => Assert.Equal(kv.Value, Data(Output)[kv.Key]));
        Assert.Equal(expected.Validation!.Rules.Select(r => r.Broken), committed.Validation!.Rules.Select(r => r.Broken));
        Assert.Equal(expected.Segments.Select(s => s.RowsOut), committed.Segments.Select(s => s.RowsOut));
        Assert.Equal(expected.RowsRead, committed.RowsRead);
        // Staging goes once the output is published; the lock file stays, as after any run.
        Assert.Equal(["lock"], Directory.GetFileSystemEntries(Work).Select(Path.GetFileName));
        // The published output is the job's: a plain run finds it up to date.
        Assert.True(new LocalExecutor(Options()).Run(pipeline, Input, Output).UpToDate);
    }

    [Fact]
    public void AGateThatFailsAtTheCommit_CommitsNothing_AndKeepsThePreviousOutput()
    {
        RulePipelines.WriteInput(Input);
        CompiledPipeline pipeline = RulePipelines.Pipeline(RuleAction.Quarantine);
        new LocalExecutor(Options()).Run(pipeline, Input, Output);
        Dictionary<string, byte[]> before = Snapshot(Output);
        // Every shard's null rate alone passes or fails as it may: the gate is judged on the merged statistics.
        var gate = new GatePlan("NullRate(Country)", GateMetric.NullRate, "T", ["Country"], null, 0.01, GateSeverity.Fail, "test");

        RunShards(pipeline, Options(gate), 2);
        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options(gate)).CommitShards(pipeline, Input, Output, 2));

        Assert.StartsWith("gate NullRate(Country) declared by test failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was committed", error.Message, StringComparison.Ordinal);
        Assert.Equal(before.Keys.Order(), Snapshot(Output).Keys.Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, Snapshot(Output)[kv.Key]));
        // The same refusal as a local run's.
        var local = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options(gate)).Run(pipeline, Input, Path.Combine(_root, "local")));
        Assert.Equal(local.Message.Split(Environment.NewLine)[0], error.Message.Split(Environment.NewLine)[0]);
    }

    [Fact]
    public void AShardTakesOverPartsOfThePublishedOutput_AndAPartitionedOutputEqualsALocalRun()
    {
        for (int f = 0; f < 4; f++)
        {
            WriteFile(Path.Combine(Input, $"f{f}.parquet"), 1, 100, f * 100);
        }
        CompiledPipeline pipeline = Typed6();
        ExecutionOptions options = By("Country", "Year");
        RunShards(pipeline, options, 2);
        new LocalExecutor(options).CommitShards(pipeline, Input, Output, 2);
        WriteFile(Path.Combine(Input, "f4.parquet"), 1, 100, 400);

        // The four old files' partitions come from the published output (hard links), only the new one is computed.
        ShardResult[] results = [.. Enumerable.Range(0, 2).Select(i => new LocalExecutor(options).RunShard(pipeline, Input, Output, new ShardSpec(i, 2)))];
        Assert.Equal(1, results.Sum(r => r.PartitionsComputed));
        Assert.Equal(4, results.Sum(r => r.PartitionsReused));
        new LocalExecutor(options).CommitShards(pipeline, Input, Output, 2);

        string local = Path.Combine(_root, "local");
        new LocalExecutor(options).Run(pipeline, Input, local);
        Dictionary<string, byte[]> want = Data(local);
        Assert.Contains(want.Keys, k => k.StartsWith("Country=", StringComparison.Ordinal));
        Assert.Equal(want.Keys.Order(), Data(Output).Keys.Order());
        Assert.All(want, kv => Assert.Equal(kv.Value, Data(Output)[kv.Key]));
    }

    [Fact]
    public void Barriers_AreRefused_NamingTheStage()
    {
        FitPipelines.WriteInput(Input, 2, 1000, rowGroupRows: 500);
        var aggregate = Assert.Throws<ArgumentException>(() => new LocalExecutor().RunShard(BarrierPipelines.Aggregate(), Input, Output, new ShardSpec(0, 2)));
        Assert.Contains("cannot be sharded: aggregate 'ByCountry'", aggregate.Message, StringComparison.Ordinal);
        var split = Assert.Throws<ArgumentException>(() => new LocalExecutor().CommitShards(BarrierPipelines.Split(stratifyBy: "Country"), Input, Output, 2));
        Assert.Contains("cannot be sharded: split 'Keep'", split.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Work, "shards")));
        Assert.False(Directory.Exists(Output));
    }

    [Fact]
    public void ACommit_RefusesAttemptsOfOtherSettings_AndDamagedOnes_NamingWhy()
    {
        RulePipelines.WriteInput(Input);
        CompiledPipeline pipeline = RulePipelines.Pipeline(RuleAction.Quarantine);
        // 16 MiB over 4 x 2 threads x 1 sink is under 8 MiB: another row group size, so other task keys.
        RunShards(pipeline, Options() with { MemoryBudget = 16L << 20 }, 2, 0);
        RunShards(pipeline, Options(), 2, 1);
        string manifest = Path.Combine(Work, "shards", "shard-1-of-2", "attempt-1", LocalExecutor.ShardManifestFile);
        using (var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(manifest)))
        {
            Assert.Equal(LocalExecutor.ShardManifestFormat, doc.RootElement.GetProperty("format").GetString());
            Assert.Equal(1, doc.RootElement.GetProperty("shard").GetInt32());
            Assert.Equal(2, doc.RootElement.GetProperty("shards").GetInt32());
            Assert.Equal(1, doc.RootElement.GetProperty("attempt").GetInt32());
            Assert.All(doc.RootElement.GetProperty("partitions").EnumerateArray(), p => Assert.Equal(1, p.GetProperty("index").GetInt32() % 2));
        }

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options()).CommitShards(pipeline, Input, Output, 2));
        Assert.Contains("1 of 2 shard(s) have no complete attempt", error.Message, StringComparison.Ordinal);
        Assert.Contains("shard 0/2: attempt 1 was computed for other input, code or settings", error.Message, StringComparison.Ordinal);

        RunShards(pipeline, Options(), 2, 0);
        string part = Directory.GetFiles(Path.Combine(Work, "shards", "shard-1-of-2", "attempt-1", "tasks"), "sink-*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.AppendAllText(part, "x");
        error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options()).CommitShards(pipeline, Input, Output, 2));
        Assert.Contains("shard 1/2: attempt 1 is damaged: the parts of partition ", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Output));
    }

    [Fact]
    public void APlainSplitAndABroadcastJoin_DoNotMoveRows_AndRunSharded()
    {
        FitPipelines.WriteInput(Input, 3, 2000, rowGroupRows: 500);
        string regions = BarrierPipelines.WriteRegions(Path.Combine(_root, "regions.parquet"));
        var options = new ExecutionOptions { TargetPartitionRows = 1000, MaxParallelism = 2, Tables = new Dictionary<string, string> { ["regions"] = regions } };
        foreach ((string name, CompiledPipeline pipeline) in new[] { ("split", BarrierPipelines.Split()), ("join", BarrierPipelines.Join(JoinKind.Inner)) })
        {
            string local = Path.Combine(_root, "local-" + name);
            new LocalExecutor(options).Run(pipeline, Input, local);
            RunShards(pipeline, options, 3);
            new LocalExecutor(options).CommitShards(pipeline, Input, Output, 3);
            Dictionary<string, byte[]> want = Data(local);
            Assert.True(want.Count > 3);
            Assert.Equal(want.Keys.Order(), Data(Output).Keys.Order());
            Assert.All(want, kv => Assert.Equal(kv.Value, Data(Output)[kv.Key]));
            Directory.Delete(Output, recursive: true);
        }
    }

    [Theory]
    [InlineData("5/4", "--shard 5/4: the shard index I counts from 0, so it must be below N (4)")]
    [InlineData("4/4", "--shard 4/4: the shard index I counts from 0")]
    [InlineData("1/0", "--shard 1/0: the number of shards N must be between 1 and 100000")]
    [InlineData("-1/4", "--shard -1/4: write the shard as I/N, two whole numbers")]
    [InlineData("2", "--shard 2: write the shard as I/N")]
    [InlineData("a/b", "--shard a/b: write the shard as I/N")]
    public void ShardSpec_BadValues_SayWhatIsWrong(string text, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ShardSpec.Parse(text));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardSpec_AssignsEachPartitionToExactlyOneShard_ByIndexModuloN()
    {
        Assert.Equal(new ShardSpec(3, 8), ShardSpec.Parse("3/8"));
        ShardSpec[] shards = [.. Enumerable.Range(0, 3).Select(i => new ShardSpec(i, 3))];
        for (int p = 0; p < 20; p++)
        {
            Assert.Equal(p % 3, Assert.Single(shards, s => s.Owns(p)).Index);
        }
    }
}
