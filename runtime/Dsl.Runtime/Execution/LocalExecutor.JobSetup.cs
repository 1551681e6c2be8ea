using Dsl.Execution.Commit;
using Dsl.Execution.Flow;
using Dsl.Execution.Inputs;
using Dsl.Parquet;
using Dsl.Validation;

namespace Dsl.Execution;

public sealed partial class LocalExecutor
{
    /// <summary>
    /// A job as planned before any task runs: the bound plan, its partitions, their task keys and the job's
    /// fingerprint. A run, a shard run and a shard commit all plan through <see cref="Prepare"/>, so they agree on
    /// every key and a shard's parts are exactly the ones a local run would write.
    /// </summary>
    private sealed class JobSetup : IDisposable
    {
        public required CompiledPipeline Pipeline { get; init; }

        public required PipelinePlan Plan { get; init; }

        public required string Output { get; init; }

        public required DatasetChecks Checks { get; init; }

        public required List<string> Ignored { get; init; }

        public required IReadOnlyList<InputFile> Files { get; init; }

        public required string[] ReadColumns { get; init; }

        public required Dictionary<string, FileFingerprint> Fingerprints { get; init; }

        public required RowGroupPruner Pruner { get; init; }

        public required List<Partition> Partitions { get; init; }

        public required int FilesSkipped { get; init; }

        public required SinkNode[] Sinks { get; init; }

        public required ValidationLayout Validation { get; init; }

        public required BarrierSetup Barriers { get; init; }

        public required string[] SinkFolders { get; init; }

        public required ParquetWriteOptions Write { get; init; }

        public required SinkLayout[] Layouts { get; init; }

        public required long[] FirstRows { get; init; }

        public required int InputPartitions { get; init; }

        public required string[] Keys { get; init; }

        public required int[] WaveOf { get; init; }

        public required string JobFingerprint { get; init; }

        public required bool KeepsState { get; init; }

        public void Dispose() => Barriers.Dispose();
    }
}
