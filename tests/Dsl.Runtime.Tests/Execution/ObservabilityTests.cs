using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Dsl.Execution;
using Dsl.Hosting;
using static Dsl.Runtime.Tests.Execution.TestPipelines;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>Activities, meters and progress of a run (alone: listeners are process-wide).</summary>
[Collection(nameof(ObservabilityTests))]
public sealed class ObservabilityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-otel-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Run_EmitsJobTaskAndCommitActivities_AndRowAttemptAndByteMeters()
    {
        string input = Path.Combine(_root, "in");
        WriteFile(Path.Combine(input, "a.parquet"), 1, 100, 0);
        WriteFile(Path.Combine(input, "b.parquet"), 1, 50, 100);
        var activities = new ConcurrentBag<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ExecutionTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(activityListener);
        var measurements = new ConcurrentBag<(string Name, long Value, string? Tag)>();
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ExecutionTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, tags.Length > 0 ? tags[0].Value?.ToString() : null)));
        meterListener.Start();

        new LocalExecutor(new ExecutionOptions { MaxParallelism = 1 }).Run(Pipeline(Doubling()), input, Path.Combine(_root, "out"));

        Activity job = Assert.Single(activities, a => a.OperationName == "dsl.job");
        Assert.Equal("doubling", job.GetTagItem("dsl.pipeline"));
        Activity[] tasks = activities.Where(a => a.OperationName == "dsl.task").ToArray();
        Assert.Equal(2, tasks.Length);
        Assert.All(tasks, t => Assert.Equal("committed", t.GetTagItem("dsl.outcome")));
        Assert.All(tasks, t => Assert.Equal(job.TraceId, t.TraceId));
        Assert.Single(activities, a => a.OperationName == "dsl.commit");
        Assert.Equal(150, measurements.Where(m => m.Name == "dsl.segment.rows_in" && m.Tag == "Double").Sum(m => m.Value));
        Assert.Equal(2, measurements.Where(m => m.Name == "dsl.task.attempts" && m.Tag == "committed").Sum(m => m.Value));
        long bytes = Directory.GetFiles(Path.Combine(_root, "out"), "*.parquet").Sum(f => new FileInfo(f).Length);
        Assert.Equal(bytes, measurements.Where(m => m.Name == "dsl.task.bytes_written").Sum(m => m.Value));
    }

    [Fact]
    public void Run_ReportsProgressAfterEachPartition_CountingReusedOnesAsDone()
    {
        string input = Path.Combine(_root, "in");
        WriteFile(Path.Combine(input, "a.parquet"), 1, 100, 0);
        WriteFile(Path.Combine(input, "b.parquet"), 1, 50, 100);
        string output = Path.Combine(_root, "out");
        new LocalExecutor().Run(Pipeline(Doubling()), Path.Combine(input, "a.parquet"), output);
        var reports = new Recorder();

        // a.parquet's partition is reused from the previous output; only b.parquet's is computed.
        new LocalExecutor(new ExecutionOptions { Progress = reports }).Run(Pipeline(Doubling()), input, output);

        Assert.Equal([1, 2], reports.Seen.Select(r => r.PartitionsDone));
        Assert.All(reports.Seen, r => Assert.Equal(2, r.PartitionsTotal));
        Assert.Equal(50, reports.Seen[^1].RowsRead);
        Assert.Equal(50, reports.Seen[^1].RowsToRead);
        // Bytes: b.parquet's stored row group, from its footer.
        using var b = new Dsl.Parquet.ParquetFileReader(Path.Combine(input, "b.parquet"));
        long stored = b.Footer.RowGroups[0].TotalCompressedSize ?? 0;
        Assert.True(stored > 0);
        Assert.Equal((0L, stored), (reports.Seen[0].BytesRead, reports.Seen[0].BytesToRead));
        Assert.Equal((stored, stored), (reports.Seen[^1].BytesRead, reports.Seen[^1].BytesToRead));
    }

    [Fact]
    public void ProgressPrinter_PlainOutputPrintsTheLastLine_TerminalRedrawsOneLine()
    {
        var plain = new StringWriter();
        var printer = new ProgressPrinter(plain, terminal: false);
        printer.Report(new RunProgress(1, 4, 100, 400, TimeSpan.FromSeconds(1), 1 << 20, 4 << 20));
        printer.Report(new RunProgress(2, 4, 200, 400, TimeSpan.FromSeconds(6), 2 << 20, 4 << 20));
        printer.Report(new RunProgress(4, 4, 400, 400, TimeSpan.FromSeconds(7), 4 << 20, 4 << 20));
        Assert.Equal(
            ["progress: 2/4 partitions, 200 rows read (2.0 of 4.0 MiB), 0.00M rows/s, about 6 s left", "progress: 4/4 partitions, 400 rows read (4.0 of 4.0 MiB), 0.00M rows/s, all computed, committing"],
            plain.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));

        var terminal = new StringWriter();
        var bar = new ProgressPrinter(terminal, terminal: true);
        bar.Report(new RunProgress(2, 4, 200, 400, TimeSpan.FromSeconds(1), 1_500L << 20, 3_000L << 20));
        bar.Finish();
        Assert.Equal($"\r[############............] 2/4 partitions, 200 rows read (1,500 of 3,000 MiB), 0.00M rows/s, about 1 s left\u001b[K{Environment.NewLine}", terminal.ToString());
    }

    private sealed class Recorder : IProgress<RunProgress>
    {
        public List<RunProgress> Seen { get; } = [];

        public void Report(RunProgress value)
        {
            lock (Seen)
            {
                Seen.Add(value);
            }
        }
    }
}
