namespace Dsl.Execution;

/// <summary>What a finished job read and wrote.</summary>
/// <param name="Pipeline">The pipeline name.</param>
/// <param name="OutputDirectory">Where the output was committed.</param>
/// <param name="InputFiles">How many input files were read.</param>
/// <param name="Partitions">How many partitions ran.</param>
/// <param name="RowsRead">Rows read from the input (row groups skipped by statistics excluded).</param>
/// <param name="RowGroupsSkipped">Row groups not read because their statistics prove no row passes the source filters.</param>
/// <param name="RowsSkipped">Rows in those row groups.</param>
/// <param name="Sinks">Rows and files written per output.</param>
/// <param name="Segments">Rows into and out of each segment the run wrote through (a plan's first-pass
/// <see cref="SegmentPlan.FitOnly"/> segments are not among them; <see cref="Fit"/> describes that pass).</param>
/// <param name="Elapsed">Wall-clock time of the whole job.</param>
public sealed record JobResult(
    string Pipeline,
    string OutputDirectory,
    int InputFiles,
    int Partitions,
    long RowsRead,
    long RowGroupsSkipped,
    long RowsSkipped,
    IReadOnlyList<SinkResult> Sinks,
    IReadOnlyList<SegmentStatistics> Segments,
    TimeSpan Elapsed)
{
    /// <summary>Partitions whose output was reused (from the previous output, or committed by a run that died) instead of recomputed.</summary>
    public int PartitionsReused { get; init; }

    /// <summary>
    /// Input files not opened at all because their hive partition folder values rule out every row the source filters
    /// keep (they count in <see cref="InputFiles"/> but have no partition).
    /// </summary>
    public int FilesSkipped { get; init; }

    /// <summary>True when the output already held exactly this run's result (same input, code and settings) and nothing was done.</summary>
    public bool UpToDate { get; init; }

    /// <summary>The memory budget the run had (<see cref="ExecutionOptions.MemoryBudget"/>).</summary>
    public long MemoryBudget { get; init; }

    /// <summary>The most budget bytes running tasks held at once.</summary>
    public long MemoryBudgetPeak { get; init; }

    /// <summary>The most part files one task held open at once (a partitioned sink keeps one open per value, up to <see cref="ExecutionOptions.MaxOpenFiles"/>).</summary>
    public int PeakOpenFiles { get; init; }

    /// <summary>The most bytes one task's open part files of partitioned sinks held together, as the writers count them, after a batch.</summary>
    public long PeakWriterBytes { get; init; }

    /// <summary>The process's peak resident memory when the run ended (0 where the platform does not say).</summary>
    public long PeakRssBytes { get; init; }

    /// <summary>Where the time went: read and decode, kernels, encode and write, commits.</summary>
    public RunProfile Profile { get; init; } = RunProfile.Empty;

    /// <summary>What the plan's row rules found (null when the plan has none); also written as <c>_validation.json</c> in the output.</summary>
    public Validation.ValidationReport? Validation { get; init; }

    /// <summary>
    /// The fitted state the run bound (its hash, and whether this run fitted it, reused the output's cached one or
    /// loaded a file); null for a run without fit stages or <see cref="ExecutionOptions.Fitted"/>.
    /// </summary>
    public Fitting.FitSummary? Fit { get; init; }

    /// <summary>Problems that did not stop the commit, such as a leftover folder that could not be removed.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The tasks that merged or joined a bucket of an aggregate or shuffle join (0 without them).</summary>
    public int BucketTasks { get; init; }

    /// <summary>Of <see cref="BucketTasks"/>, those reused from an earlier run (a previous output, or a run that died after committing them).</summary>
    public int BucketTasksReused { get; init; }

    /// <summary>What each aggregate and join did: its strategy, buckets, rows in and out and bytes spilled (empty without them).</summary>
    public IReadOnlyList<BarrierResult> Barriers { get; init; } = [];
}

/// <summary>One committed output of a job.</summary>
/// <param name="Segment">The sink segment's name.</param>
/// <param name="Directory">The folder holding its parts.</param>
/// <param name="Rows">Rows written.</param>
/// <param name="Files">The committed part files, in partition order (and, within a partition, in the order they were started).</param>
public sealed record SinkResult(string Segment, string Directory, long Rows, IReadOnlyList<string> Files);

/// <summary>Rows through one segment, summed over all partitions.</summary>
/// <param name="Segment">The segment's name.</param>
/// <param name="RowsIn">Rows its kernel received.</param>
/// <param name="RowsOut">Rows its kernel produced.</param>
/// <param name="KernelTime">Time spent inside its kernel, summed over partitions (can exceed wall-clock time).</param>
public sealed record SegmentStatistics(string Segment, long RowsIn, long RowsOut, TimeSpan KernelTime);

/// <summary>Where a run's time went. Task times are summed over partitions (they can exceed wall-clock time).</summary>
/// <param name="ReadDecode">Reading input pages and decoding them into batches.</param>
/// <param name="Kernels">Running the fused stage kernels.</param>
/// <param name="EncodeWrite">Encoding, compressing and writing output parts, footers and fsyncs included.</param>
/// <param name="TaskCommits">Recording and renaming committed task attempts.</param>
/// <param name="JobCommit">Assembling, flushing and swapping in the new output (wall-clock).</param>
public sealed record RunProfile(TimeSpan ReadDecode, TimeSpan Kernels, TimeSpan EncodeWrite, TimeSpan TaskCommits, TimeSpan JobCommit)
{
    /// <summary>No time anywhere (a run that did nothing).</summary>
    public static RunProfile Empty { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
}

/// <summary>How far a run is.</summary>
/// <param name="PartitionsDone">Partitions committed or reused.</param>
/// <param name="PartitionsTotal">Partitions in the run.</param>
/// <param name="RowsRead">Input rows of the partitions computed so far.</param>
/// <param name="RowsToRead">Input rows of every partition to compute.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="BytesRead">Stored input bytes of the partitions computed so far.</param>
/// <param name="BytesToRead">Stored input bytes of every partition to compute.</param>
public sealed record RunProgress(int PartitionsDone, int PartitionsTotal, long RowsRead, long RowsToRead, TimeSpan Elapsed, long BytesRead = 0, long BytesToRead = 0)
{
    /// <summary>Input rows per second so far.</summary>
    public double RowsPerSecond => Elapsed > TimeSpan.Zero ? RowsRead / Elapsed.TotalSeconds : 0;

    /// <summary>The time left at the rate so far, once some rows are read.</summary>
    public TimeSpan? Remaining => RowsRead > 0 ? TimeSpan.FromSeconds(Elapsed.TotalSeconds * (RowsToRead - RowsRead) / RowsRead) : null;
}

/// <summary>What one aggregate or join stage did in a run.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Kind">"aggregate" or "join".</param>
/// <param name="Strategy">"hash aggregate", "broadcast hash join" or "shuffle hash join".</param>
/// <param name="Reason">Why a join took its strategy (the table's size against the threshold); null for aggregates.</param>
/// <param name="Buckets">The buckets its rows were spread over (0 for a broadcast join).</param>
/// <param name="SpilledRows">Rows (partial groups, for an aggregate) written to spill files by this run's tasks.</param>
/// <param name="SpilledBytes">Bytes of those spill files.</param>
public sealed record BarrierResult(string Stage, string Kind, string Strategy, string? Reason, int Buckets, long SpilledRows, long SpilledBytes);
