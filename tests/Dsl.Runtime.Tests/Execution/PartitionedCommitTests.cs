using System.Collections.Concurrent;
using Dsl.Execution;
using Dsl.Execution.Commit;
using static Dsl.Runtime.Tests.Execution.PartitionedPipelines;
using static Dsl.Runtime.Tests.Execution.TestPipelines;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// The commit protocol with a partitioned sink: reruns reuse partitioned tasks and name their files for where their
/// partition now stands, a failed run's tasks are kept, a fault anywhere in the job commit leaves the previous output
/// whole, and a damaged record or manifest never sends a file outside the output.
/// </summary>
public sealed class PartitionedCommitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-hive-commit-").FullName;

    private string Input => Path.Combine(_root, "in");

    private string Output => Path.Combine(_root, "out");

    private string Work => Path.Combine(_root, ".out.dsl");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static CompiledPipeline Counting(ConcurrentBag<long> seen, int values = 3, string name = "keyed")
    {
        SegmentKernel kernel = ByKey(x => "v" + (x % values), name).Kernels[0];
        return new CompiledPipeline(ByKey(_ => null, name).Plan, [(batch, _) =>
        {
            seen.Add(batch.GetPrimitive<long>("x", ColumnType.Int64).Values[0]);
            return kernel(batch);
        }]);
    }

    [Fact]
    public void Rerun_NothingChanged_IsUpToDate_OutputUntouched()
    {
        WriteFiles(3);
        new LocalExecutor(By("Key")).Run(ByKey(x => "v" + (x % 3)), Input, Output);
        Dictionary<string, byte[]> before = Snapshot(Output);
        var seen = new ConcurrentBag<long>();

        JobResult again = new LocalExecutor(By("Key")).Run(Counting(seen), Input, Output);

        Assert.True(again.UpToDate);
        Assert.Empty(seen);
        Assert.Equal(before, Snapshot(Output));
        Assert.Equal(9, again.Sinks[0].Files.Count);
    }

    [Fact]
    public void Rerun_NewFileBeforeTheOthers_ComputesOnlyIt_ReusedFilesRenamedForTheirPartition_EqualsACleanRun()
    {
        WriteFile(Path.Combine(Input, "f0.parquet"), 1, 100, 0);
        WriteFile(Path.Combine(Input, "f2.parquet"), 1, 100, 200);
        new LocalExecutor(By("Key")).Run(ByKey(x => "v" + (x % 3)), Input, Output);
        WriteFile(Path.Combine(Input, "f1.parquet"), 1, 100, 100);
        var seen = new ConcurrentBag<long>();

        JobResult result = new LocalExecutor(By("Key")).Run(Counting(seen), Input, Output);

        Assert.Equal([100L], seen);
        Assert.Equal(2, result.PartitionsReused);
        string clean = Path.Combine(_root, "clean");
        new LocalExecutor(By("Key")).Run(ByKey(x => "v" + (x % 3)), Input, clean);
        Dictionary<string, byte[]> expected = Snapshot(clean).Where(kv => kv.Key.EndsWith(".parquet", StringComparison.Ordinal)).ToDictionary();
        Assert.Equal(expected, Snapshot(Output).Where(kv => kv.Key.EndsWith(".parquet", StringComparison.Ordinal)).ToDictionary());
        Assert.Contains(Path.Combine("Key=v0", "part-00002.parquet"), expected.Keys); // f2's files, reused, now partition 2
    }

    [Fact]
    public void Rerun_ChangedPartitionColumnsOrFileLimits_RecomputesEverything()
    {
        WriteFiles(2);
        new LocalExecutor(By("Key")).Run(ByKey(x => "v" + (x % 3)), Input, Output);
        var seen = new ConcurrentBag<long>();

        new LocalExecutor(By("Key") with { MaxRowsPerFile = 10 }).Run(Counting(seen), Input, Output);
        Assert.Equal(2, seen.Count);

        seen.Clear();
        new LocalExecutor().Run(Counting(seen), Input, Output);
        Assert.Equal(2, seen.Count);
        Assert.Equal(["part-00000.parquet", "part-00001.parquet"], Files(Output));
    }

    [Fact]
    public void Rerun_AfterAFailedRun_ReusesItsCommittedPartitionedTasks()
    {
        WriteFiles(4);
        var options = By("Key") with { MaxParallelism = 1 };
        CompiledPipeline failing = new(ByKey(_ => null).Plan, [(batch, _) => batch.GetPrimitive<long>("x", ColumnType.Int64).Values[0] == 200 ? throw new InvalidOperationException("bad row") : ByKey(x => "v" + (x % 3)).Kernels[0](batch)]);

        Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(options).Run(failing, Input, Output));
        Assert.False(Directory.Exists(Output));
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(Work, "tasks")).Length);

        var seen = new ConcurrentBag<long>();
        JobResult result = new LocalExecutor(options).Run(Counting(seen), Input, Output);

        Assert.Equal([200L, 300L], seen.Order());
        Assert.Equal(2, result.PartitionsReused);
        Assert.Equal(12, Files(Output).Length);
        Assert.Equal(400, DuckDbRows(Output, "x").Count);
        Assert.Equal(["lock"], Directory.GetFileSystemEntries(Work).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(3, "rename@1:1")] // the swap itself
    [InlineData(3, "write@5:1")] // linking the second part into its folder in next/
    [InlineData(3, "fsync@6:1")] // flushing the first partition folder of next/
    [InlineData(40, "fsync@4:1")] // 40 folders: flushing their file system in one call
    public void FaultDuringJobCommit_PreviousOutputIntact_NoHalfWrittenFolder_TheNextRunCommits(int values, string faults)
    {
        WriteFiles(1);
        new LocalExecutor(By("Key")).Run(ByKey(x => "old" + (x % 2)), Input, Output);
        Dictionary<string, byte[]> previous = Snapshot(Output);
        var options = By("Key") with { MaxAttempts = 1, Faults = FaultPlan.Parse(faults) };
        var seen = new ConcurrentBag<long>();

        Assert.ThrowsAny<IOException>(() => new LocalExecutor(options).Run(Counting(seen, values, "renamed"), Input, Output));
        Assert.Equal(previous, Snapshot(Output));
        Assert.False(Directory.Exists(Path.Combine(Work, "next")));

        seen.Clear();
        JobResult result = new LocalExecutor(By("Key")).Run(Counting(seen, values, "renamed"), Input, Output);
        Assert.Empty(seen); // the failed run's committed task was kept
        Assert.Equal(1, result.PartitionsReused);
        Assert.Equal(values, Directory.GetDirectories(Output).Length);
        Assert.Equal(100, DuckDbRows(Output, "x").Count);
    }

    [Fact]
    public void CommittedTaskNamingAFolderOutsideTheOutput_IsRecomputed_NothingWrittenOutside()
    {
        WriteFiles(2);
        var options = By("Key") with { MaxParallelism = 1 };
        CompiledPipeline failing = new(ByKey(_ => null).Plan, [(batch, _) => batch.GetPrimitive<long>("x", ColumnType.Int64).Values[0] == 100 ? throw new InvalidOperationException("bad row") : ByKey(x => "v" + (x % 3)).Kernels[0](batch)]);
        Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(options).Run(failing, Input, Output));
        string record = Path.Combine(Directory.GetDirectories(Path.Combine(Work, "tasks")).Single(), "task.json");
        File.WriteAllText(record, File.ReadAllText(record).Replace("\"folder\":\"Key=v0\"", "\"folder\":\"../../escaped\"", StringComparison.Ordinal));
        var seen = new ConcurrentBag<long>();

        JobResult result = new LocalExecutor(options).Run(Counting(seen), Input, Output);

        Assert.Equal([0L, 100L], seen.Order());
        Assert.Equal(0, result.PartitionsReused);
        Assert.False(Directory.Exists(Path.Combine(_root, "escaped")));
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(_root)!, "escaped")));
        Assert.Equal(200, DuckDbRows(Output, "x").Count);
    }

    [Fact]
    public void ManifestNamingAPathOutsideTheOutput_IsNotTrusted_EverythingRecomputed()
    {
        WriteFiles(2);
        new LocalExecutor(By("Key")).Run(ByKey(x => "v" + (x % 3)), Input, Output);
        string manifest = Path.Combine(Output, LocalExecutor.ManifestFile);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"path\": \"Key=v0/part-00000.parquet\"", "\"path\": \"../../in/f0.parquet\"", StringComparison.Ordinal));
        Assert.Contains("../../in/f0.parquet", File.ReadAllText(manifest));
        var seen = new ConcurrentBag<long>();

        JobResult result = new LocalExecutor(By("Key")).Run(Counting(seen), Input, Output);

        Assert.Equal(2, seen.Count);
        Assert.False(result.UpToDate);
        Assert.Equal(200, DuckDbRows(Output, "x").Count);
        Assert.True(File.Exists(Path.Combine(Input, "f0.parquet")));
    }

    private void WriteFiles(int count)
    {
        for (int f = 0; f < count; f++)
        {
            WriteFile(Path.Combine(Input, $"f{f}.parquet"), 1, 100, f * 100);
        }
    }
}
