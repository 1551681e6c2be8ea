using System.Diagnostics;
using Dsl.Execution.Commit;
using Dsl.Parquet;

namespace Dsl.Execution;

/// <summary>
/// One attempt at one partition: reads its row groups batch by batch, runs every segment in plan order, and writes
/// each sink's rows to part files under the attempt's own folder (one, or several when the sink is partitioned or its
/// files have a size limit: <see cref="SinkWriter"/>), flushed to disk before it returns. Shares no mutable state
/// with other partitions.
/// </summary>
internal sealed class PartitionTask
{
    private readonly CompiledPipeline _pipeline;
    private readonly Partition _partition;
    private readonly string[] _readColumns;
    private readonly SegmentPlan[] _sinks;
    private readonly SinkLayout[] _layouts;
    private readonly string _attemptDir;
    private readonly ParquetWriteOptions _writeOptions;
    private readonly SegmentCounters _counters;
    private readonly RowGroupPruner _pruner;
    private readonly FaultPlan _faults;
    private readonly MemoryBudget _budget;

    /// <summary>
    /// Row groups are read and run through the kernels in batches of at most this many rows, so that what a task holds
    /// (decoded pages, kernel output, the writer's input) does not grow with the row group.
    /// </summary>
    public const int SliceRows = 8_192;

    public PartitionTask(
        CompiledPipeline pipeline, Partition partition, string[] readColumns, SegmentPlan[] sinks, SinkLayout[] layouts,
        string attemptDir, ParquetWriteOptions writeOptions, SegmentCounters counters, RowGroupPruner pruner, FaultPlan faults, MemoryBudget budget)
    {
        _layouts = layouts;
        _budget = budget;
        _pruner = pruner;
        _faults = faults;
        _pipeline = pipeline;
        _partition = partition;
        _readColumns = readColumns;
        _sinks = sinks;
        _attemptDir = attemptDir;
        _writeOptions = writeOptions;
        _counters = counters;
    }

    /// <summary>Runs the attempt; returns every part it wrote (sink by sink), each already durable.</summary>
    public IReadOnlyList<PartFile> Run(CancellationToken cancellationToken)
    {
        PipelinePlan plan = _pipeline.Plan;
        var writers = new SinkWriter[_sinks.Length];
        try
        {
            for (int s = 0; s < _sinks.Length; s++)
            {
                writers[s] = new SinkWriter(s, _sinks[s].Stages[^1], plan.Schemas[_sinks[s].OutputSchema], _layouts[s], _writeOptions, _attemptDir, _faults);
            }
            _faults.Check(StorageOperation.Read, _partition.File);
            long opened = Stopwatch.GetTimestamp();
            using var reader = new ParquetFileReader(_partition.File);
            _counters.RecordRead(Stopwatch.GetTimestamp() - opened);
            for (int rg = _partition.FirstRowGroup; rg < _partition.FirstRowGroup + _partition.RowGroupCount; rg++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_pruner.CanSkip(reader, rg))
                {
                    _counters.RecordSkipped(reader.Metadata.RowGroups[rg].NumRows);
                    continue;
                }
                // The row group's bytes are held from the budget until its rows are written. Its pages are streamed:
                // batches of SliceRows rows are decoded, run through the kernels and written one after another.
                // The sinks' writers may hold up to RowGroupBytes each until their row group is written (a partitioned
                // sink's open files, HeldBytes together): counted too.
                using MemoryBudget.Lease lease = _budget.Acquire(RowGroupCost.Estimate(plan, reader, rg, _readColumns) + _layouts.Sum(l => l.IsPartitioned ? l.HeldBytes : _writeOptions.RowGroupBytes), cancellationToken);
                int firstRow = 0;
                using IEnumerator<RecordBatch> batches = reader.ReadRowGroupBatches(rg, _readColumns, SliceRows).GetEnumerator();
                while (true)
                {
                    long readStart = Stopwatch.GetTimestamp();
                    bool more = batches.MoveNext();
                    _counters.RecordRead(Stopwatch.GetTimestamp() - readStart);
                    if (!more)
                    {
                        break;
                    }
                    using RecordBatch batch = batches.Current;
                    cancellationToken.ThrowIfCancellationRequested();
                    CheckNulls(batch, rg);
                    var widened = new List<Column>();
                    try
                    {
                        // INT32 read into long or double members, FLOAT into double: converted here, exactly.
                        RunSegments(ColumnWidening.Apply(batch, plan.Schemas[plan.InputSchema], widened), rg, firstRow, writers);
                    }
                    finally
                    {
                        widened.ForEach(c => c.Dispose());
                    }
                    firstRow += batch.RowCount;
                }
            }
            var parts = new List<PartFile>();
            long closing = Stopwatch.GetTimestamp();
            foreach (SinkWriter writer in writers)
            {
                parts.AddRange(writer.Finish()); // writes the last row groups and the footers, each file flushed to disk
            }
            _counters.RecordWrite(Stopwatch.GetTimestamp() - closing);
            _counters.RecordWriters(writers.Sum(w => w.PeakOpenFiles), writers.Sum(w => w.PeakHeldBytes));
            return parts;
        }
        finally
        {
            // On failure the half-written attempt folder is deleted by the caller; nothing outside it was touched.
            foreach (SinkWriter? writer in writers)
            {
                writer?.Dispose(); // closes what a failure left open; a no-op after Finish
            }
        }
    }

    private void RunSegments(RecordBatch input, int rowGroup, int firstRow, SinkWriter[] writers)
    {
        PipelinePlan plan = _pipeline.Plan;
        var outputs = new RecordBatch?[plan.Segments.Count];
        try
        {
            foreach (SegmentPlan segment in plan.Segments)
            {
                RecordBatch source = segment.InputSegment is int from ? outputs[from]! : input;
                long start = Stopwatch.GetTimestamp();
                RecordBatch result;
                try
                {
                    result = _pipeline.Kernels[segment.Index](source);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new PipelineExecutionException(
                        $"Segment '{segment.Name}' of pipeline '{plan.Name}' failed on partition {_partition.Index} (file '{_partition.File}', row group {rowGroup}, rows {firstRow}-{firstRow + source.RowCount - 1}): {e.Message}", e);
                }
                outputs[segment.Index] = result;
                _counters.Record(segment.Index, source.RowCount, result.RowCount, Stopwatch.GetElapsedTime(start).Ticks);
                if (segment.IsSink)
                {
                    int s = Array.IndexOf(_sinks, segment);
                    long writing = Stopwatch.GetTimestamp();
                    writers[s].Write(result);
                    _counters.RecordWrite(Stopwatch.GetTimestamp() - writing);
                }
            }
        }
        finally
        {
            foreach (RecordBatch? batch in outputs)
            {
                batch?.Dispose();
            }
        }
    }

    // Generated kernels read a non-nullable column's values without looking at validity, so nulls there would turn
    // into made-up values. Refuse them here, where the file and row group are known.
    private void CheckNulls(RecordBatch input, int rowGroup)
    {
        PipelinePlan plan = _pipeline.Plan;
        BatchSchema expected = plan.Schemas[plan.InputSchema];
        for (int i = 0; i < input.Schema.Count; i++)
        {
            ColumnField field = expected[expected.IndexOf(input.Schema[i].Name)];
            int nulls = input[i].NullCount;
            if (!field.Nullable && nulls > 0)
            {
                throw new PipelineExecutionException(
                    $"Column '{field.Name}' in file '{_partition.File}', row group {rowGroup}, holds {nulls} null values but schema '{plan.InputSchema}' declares it non-nullable. Declare the member nullable (for example '{field.Type}?') or remove the nulls upstream.");
            }
        }
    }
}
