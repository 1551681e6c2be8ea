using System.Collections.Concurrent;
using Dsl.Execution;
using Dsl.Execution.Commit;
using Dsl.Parquet;
using static Dsl.Runtime.Tests.Execution.TestPipelines;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// The commit protocol in process: staging beside the output, reuse of unchanged partitions, resume after a failed
/// run, the lock, speculative twins and injected storage faults. Kill -9 and signals are in the end-to-end tests.
/// </summary>
public sealed class CommitProtocolTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-commit-").FullName;

    private string Input => Path.Combine(_root, "in");

    private string Output => Path.Combine(_root, "out");

    private string Work => Path.Combine(_root, ".out.dsl");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Rerun_NothingChanged_DoesNoWorkAndLeavesTheOutputUntouched()
    {
        WriteFiles(3);
        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);
        Dictionary<string, byte[]> before = Snapshot(Output);
        DateTime written = File.GetLastWriteTimeUtc(Path.Combine(Output, LocalExecutor.ManifestFile));
        var seen = new ConcurrentBag<long>();

        JobResult again = new LocalExecutor().Run(Pipeline(CountingDoubling(seen)), Input, Output);

        Assert.True(again.UpToDate);
        Assert.Empty(seen);
        Assert.Equal(3, again.PartitionsReused);
        Assert.Equal(300, again.Sinks[0].Rows);
        Assert.Equal(before, Snapshot(Output));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(Output, LocalExecutor.ManifestFile)));
    }

    [Fact]
    public void Rerun_NewInputFile_ComputesOnlyItsPartitionAndEqualsACleanRun()
    {
        WriteFiles(2);
        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);
        WriteFile(Path.Combine(Input, "f2.parquet"), 1, 100, 200);
        var seen = new ConcurrentBag<long>();

        JobResult result = new LocalExecutor().Run(Pipeline(CountingDoubling(seen)), Input, Output);

        Assert.False(result.UpToDate);
        Assert.Equal([200L], seen);
        Assert.Equal(2, result.PartitionsReused);
        Assert.Equal(100, result.RowsRead);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => 2L * i), ReadLongs(Output));
        string clean = Path.Combine(_root, "clean");
        new LocalExecutor().Run(Pipeline(Doubling()), Input, clean);
        Assert.Equal(PartBytes(clean), PartBytes(Output));
    }

    [Fact]
    public void Rerun_ChangedInputFile_RecomputesThatPartitionOnly()
    {
        WriteFiles(3);
        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);
        WriteFile(Path.Combine(Input, "f1.parquet"), 1, 100, 1_000);
        var seen = new ConcurrentBag<long>();

        new LocalExecutor().Run(Pipeline(CountingDoubling(seen)), Input, Output);

        Assert.Equal([1_000L], seen);
        Assert.Equal(Enumerable.Range(0, 100).Concat(Enumerable.Range(1_000, 100)).Concat(Enumerable.Range(200, 100)).Select(i => 2L * i), ReadLongs(Output));
    }

    [Fact]
    public void Rerun_ChangedSettingsOrForce_RecomputesEverything()
    {
        WriteFiles(2);
        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);
        var seen = new ConcurrentBag<long>();

        new LocalExecutor(new ExecutionOptions { Write = new ParquetWriteOptions { Compression = Parquet.Metadata.CompressionCodec.Gzip } }).Run(Pipeline(CountingDoubling(seen)), Input, Output);
        Assert.Equal(2, seen.Count);

        seen.Clear();
        new LocalExecutor(new ExecutionOptions { Write = new ParquetWriteOptions { Compression = Parquet.Metadata.CompressionCodec.Gzip }, Force = true }).Run(Pipeline(CountingDoubling(seen)), Input, Output);
        Assert.Equal(2, seen.Count);

        seen.Clear();
        new LocalExecutor().Run(Pipeline(CountingDoubling(seen), name: "renamed"), Input, Output);
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public void Rerun_AfterAFailedRun_ReusesThePartitionsThatRunCommitted()
    {
        WriteFiles(4);
        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);
        Dictionary<string, byte[]> previous = Snapshot(Output);
        // The code changes; the new run fails on the third file after committing the first two.
        SegmentKernel tripling = Map(x => x == 250 ? throw new InvalidOperationException("bad row") : 3 * x);
        var options = new ExecutionOptions { MaxParallelism = 1 };

        Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(options).Run(Pipeline(tripling, "tripling"), Input, Output));
        Assert.Equal(previous, Snapshot(Output));
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(Work, "tasks")).Length);

        var seen = new ConcurrentBag<long>();
        SegmentKernel fixedTripling = (batch, _) =>
        {
            seen.Add(batch.GetPrimitive<long>("x", ColumnType.Int64).Values[0]);
            return Map(x => 3 * x)(batch);
        };
        JobResult result = new LocalExecutor(options).Run(Pipeline(fixedTripling, "tripling"), Input, Output);

        Assert.Equal([200L, 300L], seen.Order());
        Assert.Equal(2, result.PartitionsReused);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => 3L * i), ReadLongs(Output));
        Assert.Equal(["lock"], Directory.GetFileSystemEntries(Work).Select(Path.GetFileName));
    }

    [Fact]
    public async Task SecondWriter_ThatLooksBeforeTheHolderWroteItsOwnerFile_WaitsForIt_AndNamesTheHolder()
    {
        // Two runs started together: the loser can find the lock taken before the winner has written owner.json.
        Directory.CreateDirectory(Work);
        string ownerPath = Path.Combine(Work, "owner.json");
        Task written = Task.Run(async () =>
        {
            await Task.Delay(200);
            File.WriteAllText(ownerPath, """{"pid": 4242, "host": "builder", "startedUtc": "2026-12-03T09:00:00Z", "command": "run"}""");
        });

        string holder = JobLock.DescribeOwner(ownerPath);

        await written;
        Assert.Equal("process 4242 on host 'builder', started 2026-12-03 09:00:00 UTC", holder);
    }

    [Fact]
    public void SecondWriter_WhoseHolderNeverWritesAnOwnerFile_SaysSo()
    {
        Assert.Equal("another process (its owner file could not be read)", JobLock.DescribeOwner(Path.Combine(_root, "no-such-owner.json")));
    }

    [Fact]
    public async Task SecondWriter_FailsAtOnceNamingTheHolder_AndTheFirstCommits()
    {
        WriteFiles(2);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        SegmentKernel doubling = Doubling();
        SegmentKernel blocking = (batch, _) =>
        {
            inside.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return doubling(batch);
        };
        Task<JobResult> first = Task.Run(() => new LocalExecutor(new ExecutionOptions { MaxParallelism = 1 }).Run(Pipeline(blocking), Input, Output));
        Assert.True(inside.Wait(TimeSpan.FromSeconds(30)));

        var error = Assert.Throws<OutputLockedException>(() => new LocalExecutor().Run(Pipeline(Doubling()), Input, Output));
        release.Set();

        Assert.Contains($"process {Environment.ProcessId} on host", error.Message);
        Assert.Contains(Output, error.Message);
        Assert.Equal(200, (await first).Sinks[0].Rows);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => 2L * i), ReadLongs(Output));
    }

    [Fact]
    public void Straggler_GetsATwinThatCommitsFirst_AndTheLoserLeavesNothing()
    {
        WriteFiles(4);
        int slowCalls = 0;
        SegmentKernel doubling = Doubling();
        SegmentKernel kernel = (batch, _) =>
        {
            // The first attempt at the last file stalls; its twin runs at normal speed.
            if (batch.GetPrimitive<long>("x", ColumnType.Int64).Values[0] == 300 && Interlocked.Increment(ref slowCalls) == 1)
            {
                Thread.Sleep(3_000);
            }
            return doubling(batch);
        };
        var options = new ExecutionOptions { MaxParallelism = 2, Speculation = new SpeculationOptions { Minimum = TimeSpan.FromMilliseconds(300), Multiplier = 2 } };

        JobResult result = new LocalExecutor(options).Run(Pipeline(kernel), Input, Output);

        Assert.Equal(2, slowCalls);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => 2L * i), ReadLongs(Output));
        Assert.Equal(400, result.Segments[0].RowsIn); // only the winner's rows count
        Assert.Equal(["lock"], Directory.GetFileSystemEntries(Work).Select(Path.GetFileName));
    }

    [Fact]
    public void TwoPartitionsFailingTogether_OneErrorNamingTheFirstAndTheCount()
    {
        WriteFiles(2);
        using var both = new Barrier(2);
        SegmentKernel kernel = (_, _) =>
        {
            both.SignalAndWait(TimeSpan.FromSeconds(10));
            throw new InvalidOperationException("stage failed");
        };

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(new ExecutionOptions { MaxParallelism = 2 }).Run(Pipeline(kernel), Input, Output));

        Assert.Contains("stage failed", error.Message);
        Assert.Contains("1 more partition(s) failed", error.Message);
    }

    [Theory]
    [InlineData("fsync:1")]
    [InlineData("write:2")]
    [InlineData("rename:1")]
    [InlineData("read:2:enospc")]
    public void TransientTaskFault_IsRetriedAndTheRunCommits(string faults)
    {
        WriteFiles(2);
        var options = new ExecutionOptions { MaxParallelism = 1, RetryBackoff = TimeSpan.FromMilliseconds(1), Faults = FaultPlan.Parse(faults) };

        new LocalExecutor(options).Run(Pipeline(Doubling()), Input, Output);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => 2L * i), ReadLongs(Output));
        Assert.Equal(["lock"], Directory.GetFileSystemEntries(Work).Select(Path.GetFileName));
    }

    [Fact]
    public void DiskFull_FailsWithOneMessage_PreviousOutputIntact_NoStagingLeft()
    {
        WriteFiles(2);
        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);
        Dictionary<string, byte[]> previous = Snapshot(Output);
        WriteFile(Path.Combine(Input, "f2.parquet"), 1, 100, 200);
        var options = new ExecutionOptions { RetryBackoff = TimeSpan.FromMilliseconds(1), Faults = FaultPlan.Parse("write:1000:enospc") };

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(options).Run(Pipeline(Doubling()), Input, Output));

        Assert.Contains("No space left on device", error.Message);
        Assert.Contains("failed 3 times", error.Message);
        Assert.Equal(previous, Snapshot(Output));
        Assert.False(Directory.Exists(Path.Combine(Work, "attempts")));
    }

    [Theory]
    [InlineData("rename@1:1")] // the swap itself (after the task commit)
    [InlineData("fsync@4:1")] // flushing the new output's folder
    [InlineData("write@2:1")] // linking the part into the new output
    [InlineData("write@3:1")] // the manifest
    [InlineData("write@4:1:enospc")] // _SUCCESS, on a full disk
    public void FaultDuringJobCommit_PreviousOutputIntact_AndTheNextRunCommits(string faults)
    {
        WriteFiles(1);
        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);
        Dictionary<string, byte[]> previous = Snapshot(Output);
        var options = new ExecutionOptions { MaxAttempts = 1, Faults = FaultPlan.Parse(faults) };

        Assert.ThrowsAny<IOException>(() => new LocalExecutor(options).Run(Pipeline(Map(x => 3 * x), "tripling"), Input, Output));
        Assert.Equal(previous, Snapshot(Output));
        Assert.False(Directory.Exists(Path.Combine(Work, "next"))); // the unpublished copy is removed at once

        var seen = new ConcurrentBag<long>();
        JobResult result = new LocalExecutor().Run(Pipeline((batch, _) => { seen.Add(0); return Map(x => 3 * x)(batch); }, "tripling"), Input, Output);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 3L * i), ReadLongs(Output));
        Assert.Equal(1, result.PartitionsReused); // the failed run's committed task was kept
        Assert.Empty(seen);
    }

    [Fact]
    public async Task FlushFailsAfterTheTaskFolderWasRenamed_TheRetryFindsItsCommitAndTheRunEnds()
    {
        WriteFiles(1);
        // fsyncs of one task: its part, task.json, its folder, then tasks/ after the rename: the fourth fails.
        var options = new ExecutionOptions { RetryBackoff = TimeSpan.FromMilliseconds(1), Faults = FaultPlan.Parse("fsync@3:1") };

        Task<JobResult> run = Task.Run(() => new LocalExecutor(options).Run(Pipeline(Doubling()), Input, Output));

        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))));
        Assert.Equal(100, (await run).Sinks[0].Rows);
        Assert.Equal(100, (await run).Segments[0].RowsIn);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 2L * i), ReadLongs(Output));
    }

    [Fact]
    public async Task DamagedCommittedTasks_AreRecomputedAndReplaced()
    {
        WriteFiles(3);
        var options = new ExecutionOptions { MaxParallelism = 1 };
        Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(options).Run(Pipeline(Map(x => x == 250 ? throw new InvalidOperationException("bad row") : 2 * x)), Input, Output));
        string[] tasks = Directory.GetDirectories(Path.Combine(Work, "tasks"));
        Assert.Equal(2, tasks.Length);
        File.WriteAllText(Path.Combine(tasks[0], "task.json"), "{\"parts\": [{\"bytes\": 1e400");
        File.WriteAllText(Path.Combine(tasks[1], "task.json"), "{");
        var seen = new ConcurrentBag<long>();

        Task<JobResult> run = Task.Run(() => new LocalExecutor(options).Run(Pipeline(CountingDoubling(seen)), Input, Output));

        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))));
        Assert.Equal(0, (await run).PartitionsReused);
        Assert.Equal([0L, 100L, 200L], seen.Order());
        Assert.Equal(Enumerable.Range(0, 300).Select(i => 2L * i), ReadLongs(Output));
    }

    [Fact]
    public void TaskKeys_IncludeTheBuildOfTheKernelsAssembly_SoAChangedStageIsRecomputed()
    {
        string code = Fingerprints.Code(Pipeline(Doubling()));

        Assert.Contains(typeof(CommitProtocolTests).Module.ModuleVersionId.ToString("N"), code);
        Assert.Contains(typeof(LocalExecutor).Module.ModuleVersionId.ToString("N"), code);
        Assert.NotEqual(Fingerprints.Run(code, "{}", "w", [""]), Fingerprints.Run(code.Replace(typeof(CommitProtocolTests).Module.ModuleVersionId.ToString("N"), Guid.NewGuid().ToString("N")), "{}", "w", [""]));
    }

    [Fact]
    public void OutputThatIsAMountPoint_IsRefusedBeforeAnyWork()
    {
        WriteFiles(1);

        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor().Run(Pipeline(Doubling()), Input, "/proc"));

        Assert.Contains("is a mount point", error.Message);
    }

    [Fact]
    public void DeadRunBetweenTheTwoFallbackRenames_TheNextRunRestoresThePreviousOutput()
    {
        WriteFiles(1);
        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);
        Dictionary<string, byte[]> previous = Snapshot(Output);
        // What the two-rename fallback leaves when killed between its renames: the output moved aside, no output folder.
        Directory.Move(Output, Path.Combine(Work, "previous"));

        JobResult result = new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);

        Assert.True(result.UpToDate);
        Assert.Equal(previous, Snapshot(Output));
    }

    [Fact]
    public void OutputFolderWrittenByNothingWeKnow_IsRefusedAndLeftAlone()
    {
        WriteFiles(1);
        Directory.CreateDirectory(Output);
        File.WriteAllText(Path.Combine(Output, "notes.txt"), "mine");

        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor().Run(Pipeline(Doubling()), Input, Output));

        Assert.Contains("no _manifest.json", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Output, "notes.txt")));
    }

    [Fact]
    public void EmptyInput_IsAnErrorUnlessAllowed()
    {
        WriteFile(Path.Combine(Input, "empty.parquet"), 0, 0, 0);
        WriteFiles(0);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(Pipeline(Doubling()), Input, Output));
        Assert.Contains("holds no rows", error.Message);
        Assert.Contains("--allow-empty", error.Message);
        Assert.False(Directory.Exists(Output));

        JobResult result = new LocalExecutor(new ExecutionOptions { AllowEmptyInput = true }).Run(Pipeline(Doubling()), Input, Output);
        Assert.Equal(0, result.Sinks[0].Rows);
        Assert.True(File.Exists(Path.Combine(Output, LocalExecutor.SuccessMarker)));

        // With no partitions the job fingerprint still follows the code and plan: the same run is up to date, another is not.
        var allow = new ExecutionOptions { AllowEmptyInput = true };
        Assert.True(new LocalExecutor(allow).Run(Pipeline(Doubling()), Input, Output).UpToDate);
        Assert.False(new LocalExecutor(allow).Run(Pipeline(Doubling(), name: "renamed"), Input, Output).UpToDate);
    }

    [Fact]
    public void Manifest_ListsEveryPartWithRowsSizeAndHash()
    {
        WriteFiles(2);

        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);

        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Output, LocalExecutor.ManifestFile)));
        System.Text.Json.JsonElement[] files = manifest.RootElement.GetProperty("outputs")[0].GetProperty("files").EnumerateArray().ToArray();
        Assert.Equal(2, files.Length);
        foreach (System.Text.Json.JsonElement file in files)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(Output, file.GetProperty("path").GetString()!));
            Assert.Equal(bytes.Length, file.GetProperty("bytes").GetInt64());
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), file.GetProperty("sha256").GetString());
            Assert.Equal(100, file.GetProperty("rows").GetInt64());
        }
        Assert.Equal(2, manifest.RootElement.GetProperty("inputs").GetArrayLength());
        Assert.Equal(64, manifest.RootElement.GetProperty("inputs")[0].GetProperty("footerSha256").GetString()!.Length);
    }

    [Fact]
    public void Profile_SaysWhereTheTimeWent_InTheResultAndTheManifest()
    {
        WriteFiles(2);
        SegmentKernel doubling = Doubling();

        JobResult result = new LocalExecutor().Run(Pipeline((batch, _) => { Thread.Sleep(30); return doubling(batch); }), Input, Output);

        Assert.True(result.Profile.Kernels >= TimeSpan.FromMilliseconds(55), $"kernels {result.Profile.Kernels}");
        Assert.True(result.Profile.ReadDecode > TimeSpan.Zero);
        Assert.True(result.Profile.EncodeWrite > TimeSpan.Zero);
        Assert.True(result.Profile.TaskCommits > TimeSpan.Zero);
        Assert.True(result.Profile.JobCommit > TimeSpan.Zero);
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Output, LocalExecutor.ManifestFile)));
        Assert.True(manifest.RootElement.GetProperty("profileSeconds").GetProperty("kernels").GetDouble() >= 0.055);
    }

    [Fact]
    public void OutputParts_CarryPageChecksumsByDefault()
    {
        WriteFiles(1);

        new LocalExecutor().Run(Pipeline(Doubling()), Input, Output);

        string part = Path.Combine(Output, "part-00000.parquet");
        byte[] bytes = File.ReadAllBytes(part);
        Parquet.Metadata.ColumnMetaData chunk;
        using (var original = new ParquetFileReader(part))
        {
            chunk = original.Footer.RowGroups[0].Columns[0].MetaData!;
        }
        // Damage the last stored byte of the chunk's last page: the reader must refuse the page, not return a wrong row.
        bytes[chunk.DataPageOffset + chunk.TotalCompressedSize - 1] ^= 0x5A;
        string damaged = Path.Combine(_root, "damaged.parquet");
        File.WriteAllBytes(damaged, bytes);
        using var reader = new ParquetFileReader(damaged);
        var error = Assert.Throws<ParquetFormatException>(() => reader.ReadRowGroup(0, ["x"]).Dispose());
        Assert.Contains("CRC-32", error.Message);
    }

    private void WriteFiles(int count)
    {
        Directory.CreateDirectory(Input);
        for (int f = 0; f < count; f++)
        {
            WriteFile(Path.Combine(Input, $"f{f}.parquet"), 1, 100, f * 100);
        }
    }

    private static Dictionary<string, byte[]> PartBytes(string folder) =>
        Directory.GetFiles(folder, "*.parquet").ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
}
