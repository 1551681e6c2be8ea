using Dsl.Execution.Commit;
using Dsl.Parquet;

namespace Dsl.Execution;

/// <summary>How the <see cref="LocalExecutor"/> runs a job.</summary>
public sealed record ExecutionOptions
{
    /// <summary>Most partitions processed at once; defaults to the core count.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Upper bound on rows per partition: consecutive row groups of a file are grouped until the next would pass it.
    /// A single larger row group still forms its own partition.
    /// </summary>
    public long TargetPartitionRows { get; init; } = 1_000_000;

    /// <summary>
    /// For CSV and JSON Lines input: a file is split into partitions of whole records at the first record boundary
    /// after this many bytes (or after <see cref="TargetPartitionRows"/> records), so one large file is read by several
    /// tasks. Gzip-compressed files are never split.
    /// </summary>
    public long TargetPartitionBytes { get; init; } = 128L << 20;

    /// <summary>
    /// For CSV and JSON Lines input: the longest record (a CSV record with its quoted line ends, a JSON line) in bytes.
    /// Records are held whole while they are parsed, so a longer one is an error naming its line rather than unbounded
    /// memory.
    /// </summary>
    public int MaxRecordBytes { get; init; } = 8 << 20;

    /// <summary>How many times a partition is attempted when it fails with an I/O error (other errors fail at once).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Delay before the second attempt; doubled for each later one.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Sub-folder of the output folder per sink, keyed by the sink's last stage name. Without an entry, a single sink
    /// writes into the output folder itself and several sinks write into a sub-folder named after that stage.
    /// </summary>
    public IReadOnlyDictionary<string, string> OutputFolders { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Per sink, keyed by its last stage name: the columns whose values name its hive partition folders, in order
    /// (<c>[Country, Year]</c> writes <c>Country=FR/Year=2024/part-00000.parquet</c>). The columns are left out of the
    /// files, as Hive, Spark and DuckDB expect. Columns must be int, long, bool, string or DateOnly members, and a
    /// sink keeps at least one column in its files. See docs/partitioned-output.md.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> PartitionBy { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>A part file is finished, and the next rows start a new one (<c>part-NNNNN-1.parquet</c>, ...), once it holds this many rows (default 0: no limit).</summary>
    public long MaxRowsPerFile { get; init; }

    /// <summary>
    /// A part file is finished once it holds about this many bytes (default 0: no limit): what it wrote plus what its
    /// writer holds, checked every 1,024 rows, so a file passes it by at most that many rows and its footer.
    /// </summary>
    public long MaxBytesPerFile { get; init; }

    /// <summary>
    /// The most part files one task keeps open at once (default 64). A partitioned sink keeps one file open per value
    /// it meets; when a new value would pass this, the least recently written file is finished, and a new one is
    /// started if its value comes back. Sinks of one task share it.
    /// </summary>
    public int MaxOpenFiles { get; init; } = 64;

    /// <summary>How output parts are written. Page checksums are on by default, so a reader can detect damaged pages.</summary>
    public ParquetWriteOptions Write { get; init; } = new();

    /// <summary>
    /// Bytes that running tasks may hold in decoded row groups and kernel slices at once (default
    /// <see cref="Execution.MemoryBudget.DefaultBytes"/>: half of the memory available to the process). Tasks wait for
    /// room before reading a row group, so a budget smaller than parallelism times a row group runs fewer at once.
    /// </summary>
    public long MemoryBudget { get; init; } = Execution.MemoryBudget.DefaultBytes;

    /// <summary>When a straggling partition gets a speculative twin (the first attempt to commit wins).</summary>
    public SpeculationOptions Speculation { get; init; } = new();

    /// <summary>
    /// Whether an input without a single row may replace the output with an empty one (default false: such a run
    /// fails, because an empty input is far more often a mistake upstream than an empty day).
    /// </summary>
    public bool AllowEmptyInput { get; init; }

    /// <summary>
    /// Recompute every partition even when the previous output or a dead run's committed tasks hold its result for the
    /// same input, code and settings (default false: such partitions are reused, and a run with nothing new does no work).
    /// </summary>
    public bool Force { get; init; }

    /// <summary>Told after each partition commits (and once at the start, counting reused partitions as done).</summary>
    public IProgress<RunProgress>? Progress { get; init; }

    /// <summary>
    /// Dataset gates checked besides the plan's own (<c>gates:</c> in pipeline.yaml): a failed gate of severity
    /// <see cref="GateSeverity.Fail"/> commits nothing.
    /// </summary>
    public IReadOnlyList<GatePlan> Gates { get; init; } = [];

    /// <summary>A drift check of the input against a reference profile (<c>drift:</c> in pipeline.yaml), or null.</summary>
    public Validation.DriftOptions? Drift { get; init; }

    /// <summary>
    /// A saved fitted state to bind instead of fitting (<c>--fitted FILE</c>, <c>fitted:</c> in pipeline.yaml): the
    /// <c>_fitted.json</c> of an earlier run's output, or a file the <c>fit</c> command wrote. A plan with fit stages
    /// then skips its first pass; any pipeline (a scoring pipeline without fits, say) takes from it the parameter
    /// types it needs. The file is verified (format, hash, and that it holds every member the plan needs with the
    /// plan's type) before anything is read. Null (default): a plan with fits runs its first pass.
    /// </summary>
    public string? Fitted { get; init; }

    /// <summary>
    /// The tables join stages read, by the name their <see cref="JoinAttribute.Table"/> gives (<c>tables:</c> in
    /// pipeline.yaml, <c>--table NAME=PATH</c>): a Parquet file or a folder of Parquet files.
    /// </summary>
    public IReadOnlyDictionary<string, string> Tables { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// A join whose table's files are at most this many bytes is a broadcast hash join (the table read once per
    /// process and shared by every task); a larger one is hash-partitioned to disk with the left side and joined
    /// bucket by bucket. Default 64 MiB.
    /// </summary>
    public long BroadcastThresholdBytes { get; init; } = 64L << 20;

    /// <summary>
    /// The buckets each aggregate and shuffle join spreads its rows over; 0 (the default) chooses from the input's
    /// size: one per 64 MiB of input, at least twice the parallelism and at most 512.
    /// </summary>
    public int ShuffleBuckets { get; init; }

    /// <summary>
    /// Test hook: what each task's partial aggregates and each bucket task may hold before they spill or re-partition
    /// (0: from <see cref="MemoryBudget"/>), so tests reach the spill paths with small inputs.
    /// </summary>
    internal long BarrierSpillBytes { get; init; }

    /// <summary>Test hook: storage faults and commit-step delays (from DSL_TEST_* environment variables by default).</summary>
    internal FaultPlan Faults { get; init; } = FaultPlan.FromEnvironment;
}
