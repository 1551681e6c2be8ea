using Dsl.Execution;
using Dsl.Parquet;
using static Dsl.Runtime.Tests.Execution.TestPipelines;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// The executor with hand-written kernels (no generator involved): partitioning, the DAG of segments, sinks, the
/// commit protocol and error context.
/// </summary>
public sealed class LocalExecutorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-exec-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Run_RowGroupsGroupedByTargetRows_OnePartPerPartitionInOrder()
    {
        string input = WriteInput("a.parquet", rowGroups: 5, rowsPerGroup: 100, start: 0);
        string output = Path.Combine(_root, "out");

        JobResult result = new LocalExecutor(new ExecutionOptions { TargetPartitionRows = 250 }).Run(Pipeline(Doubling()), input, output);

        Assert.Equal(3, result.Partitions);
        Assert.Equal(500, result.RowsRead);
        Assert.Equal(["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"], Directory.GetFiles(output, "part-*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => 2L * i), ReadLongs(output, "x"));
        Assert.True(File.Exists(Path.Combine(output, LocalExecutor.SuccessMarker)));
        Assert.True(File.Exists(Path.Combine(output, LocalExecutor.ManifestFile)));
        Assert.Equal(["_SUCCESS", "_manifest.json", "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // Staging lived beside the output, and only the lock file is left of it.
        Assert.Equal(["lock"], Directory.GetFileSystemEntries(Path.Combine(_root, ".out.dsl")).Select(Path.GetFileName));
    }

    [Fact]
    public void Run_SegmentFeedingTwoSinks_WritesOneFolderPerSink()
    {
        string input = WriteInput("a.parquet", rowGroups: 2, rowsPerGroup: 50, start: 0);
        string output = Path.Combine(_root, "out");
        var plan = new PipelinePlan(
            "branches",
            "N",
            new Dictionary<string, BatchSchema> { ["N"] = Numbers },
            [
                new StagePlan("Even", StageKind.Filter, "N", "N", null, true, null),
                new StagePlan("Double", StageKind.Map, "N", "N", "Even", true, null),
                new StagePlan("Negate", StageKind.Map, "N", "N", "Even", true, null),
            ],
            [
                new SegmentPlan(0, ["Even"], null, "N", "N", false, ["x"]),
                new SegmentPlan(1, ["Double"], 0, "N", "N", true, ["x"]),
                new SegmentPlan(2, ["Negate"], 0, "N", "N", true, ["x"]),
            ]);
        var pipeline = new CompiledPipeline(plan, [Map(x => x % 2 == 0 ? x : null), Map(x => 2 * x), Map(x => -x)]);

        JobResult result = new LocalExecutor().Run(pipeline, input, output);

        Assert.Equal(2, result.Sinks.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => 4L * i), ReadLongs(Path.Combine(output, "Double"), "x"));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => -2L * i), ReadLongs(Path.Combine(output, "Negate"), "x"));
        Assert.Equal([50L, 50L], result.Segments.Skip(1).Select(s => s.RowsOut));
    }

    [Fact]
    public void Run_KernelThrows_ErrorNamesSegmentFileAndRowGroupAndNothingIsPublished()
    {
        string input = WriteInput("a.parquet", rowGroups: 3, rowsPerGroup: 10, start: 0);
        string output = Path.Combine(_root, "out");
        var pipeline = Pipeline(Map(x => x == 25 ? throw new OverflowException("Arithmetic operation resulted in an overflow.") : x));

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(new ExecutionOptions { TargetPartitionRows = 1 }).Run(pipeline, input, output));

        Assert.Contains("Segment 'Double'", error.Message);
        Assert.Contains("row group 2", error.Message);
        Assert.Contains(Path.Combine(input, "a.parquet"), error.Message);
        Assert.IsType<OverflowException>(error.InnerException);
        Assert.False(Directory.Exists(output));
        Assert.False(Directory.Exists(Path.Combine(_root, ".out.dsl", "attempts")));
    }

    [Fact]
    public void Run_TransientIOErrorInOneAttempt_RetriesAndCommitsEachPartitionOnce()
    {
        string input = WriteInput("a.parquet", rowGroups: 4, rowsPerGroup: 25, start: 0);
        string output = Path.Combine(_root, "out");
        int failures = 0;
        SegmentKernel doubling = Doubling();
        SegmentKernel flaky = (batch, _) => batch.GetPrimitive<long>("x", ColumnType.Int64)[0] == 50 && Interlocked.Increment(ref failures) == 1
            ? throw new IOException("The disk was briefly unavailable.")
            : doubling(batch);
        var options = new ExecutionOptions { TargetPartitionRows = 25, RetryBackoff = TimeSpan.FromMilliseconds(1) };

        JobResult result = new LocalExecutor(options).Run(Pipeline(flaky), input, output);

        Assert.Equal(2, failures);
        Assert.Equal(4, result.Partitions);
        Assert.Equal(100, result.Sinks[0].Rows);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 2L * i), ReadLongs(output, "x"));
        // The failed attempt's rows are not counted: only committed attempts add to the statistics.
        Assert.Equal(100, result.Segments[0].RowsIn);
    }

    [Fact]
    public void Run_IOErrorEveryAttempt_FailsAfterMaxAttemptsWithoutPublishing()
    {
        string input = WriteInput("a.parquet", rowGroups: 1, rowsPerGroup: 10, start: 0);
        string output = Path.Combine(_root, "out");
        int attempts = 0;
        SegmentKernel broken = (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new IOException("The disk is gone.");
        };

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(new ExecutionOptions { MaxAttempts = 3, RetryBackoff = TimeSpan.FromMilliseconds(1) }).Run(Pipeline(broken), input, output));

        Assert.Equal(3, attempts);
        Assert.Contains("failed 3 times with an I/O error", error.Message);
        Assert.Contains("The disk is gone.", error.Message);
        Assert.IsType<IOException>(error.GetBaseException());
        Assert.False(File.Exists(Path.Combine(output, LocalExecutor.SuccessMarker)));
    }

    [Fact]
    public void Run_CancelledMidJob_StopsWithoutPublishingAndKeepsPreviousOutput()
    {
        string input = WriteInput("a.parquet", rowGroups: 6, rowsPerGroup: 10, start: 0);
        string output = Path.Combine(_root, "out");
        new LocalExecutor().Run(Pipeline(Doubling()), input, output);
        using var cancel = new CancellationTokenSource();
        SegmentKernel doubling = Doubling();
        SegmentKernel cancelling = (batch, _) =>
        {
            cancel.Cancel();
            return doubling(batch);
        };

        Assert.ThrowsAny<OperationCanceledException>(() => new LocalExecutor(new ExecutionOptions { TargetPartitionRows = 1, MaxParallelism = 1 }).Run(Pipeline(cancelling), input, output, cancel.Token));

        Assert.True(File.Exists(Path.Combine(output, LocalExecutor.SuccessMarker)));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => 2L * i), ReadLongs(output, "x"));
        Assert.False(Directory.Exists(Path.Combine(_root, ".out.dsl", "attempts")));
    }

    [Fact]
    public void Run_InputMissingAColumn_FailsBeforeRunningNamingFileAndColumn()
    {
        string input = Path.Combine(_root, "in");
        Directory.CreateDirectory(input);
        var other = new BatchSchema(new ColumnField("y", ColumnType.Int64, false));
        using (var writer = new ParquetFileWriter(Path.Combine(input, "a.parquet"), other, new ParquetWriteOptions()))
        {
            writer.WriteBatch(new RecordBatch(other, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, [1, 2])], 2));
        }

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(Pipeline(Doubling()), input, Path.Combine(_root, "out")));

        Assert.Contains("no column 'x'", error.Message);
        Assert.Contains("a.parquet", error.Message);
    }

    [Fact]
    public void Run_OutputInsideInput_IsRejected()
    {
        string input = WriteInput("a.parquet", rowGroups: 1, rowsPerGroup: 1, start: 0);

        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor().Run(Pipeline(Doubling()), input, Path.Combine(input, "out")));

        Assert.Contains("inside the input folder", error.Message);
    }

    [Fact]
    public void Run_FolderWithBookkeepingEntries_ReadsOnlyDataFiles()
    {
        string input = WriteInput("a.parquet", rowGroups: 1, rowsPerGroup: 10, start: 0);
        Directory.CreateDirectory(Path.Combine(input, "_temporary"));
        File.Copy(Path.Combine(input, "a.parquet"), Path.Combine(input, "_temporary", "stale.parquet"));
        File.Copy(Path.Combine(input, "a.parquet"), Path.Combine(input, ".a.parquet.crc"));
        File.Copy(Path.Combine(input, "a.parquet"), Path.Combine(input, "_a.parquet"));

        JobResult result = new LocalExecutor().Run(Pipeline(Doubling()), input, Path.Combine(_root, "out"));

        Assert.Equal(1, result.InputFiles);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 2L * i), ReadLongs(Path.Combine(_root, "out"), "x"));
    }

    private string WriteInput(string relative, int rowGroups, int rowsPerGroup, long start)
    {
        string dir = Path.Combine(_root, "in");
        WriteFile(Path.Combine(dir, relative), rowGroups, rowsPerGroup, start);
        return dir;
    }
}
