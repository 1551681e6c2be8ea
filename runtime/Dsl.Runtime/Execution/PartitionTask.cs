using System.Diagnostics;
using Dsl.Execution.Commit;
using Dsl.Execution.Inputs;
using Dsl.Parquet;

namespace Dsl.Execution;

/// <summary>
/// One attempt at one partition: reads its row groups (or text records) batch by batch, runs every segment in plan
/// order, and writes each sink's rows to part files under the attempt's own folder (one, or several when the sink is
/// partitioned or its files have a size limit: <see cref="SinkWriter"/>), flushed to disk before it returns. Shares
/// no mutable state with other partitions.
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
    private readonly int _maxRecordBytes;
    private readonly ColumnField[] _partitionFields;

    /// <summary>
    /// Row groups are read and run through the kernels in batches of at most this many rows, so that what a task holds
    /// (decoded pages, kernel output, the writer's input) does not grow with the row group.
    /// </summary>
    public const int SliceRows = 8_192;

    public PartitionTask(
        CompiledPipeline pipeline, Partition partition, string[] readColumns, SegmentPlan[] sinks, SinkLayout[] layouts,
        string attemptDir, ParquetWriteOptions writeOptions, SegmentCounters counters, RowGroupPruner pruner, FaultPlan faults, MemoryBudget budget,
        int maxRecordBytes)
    {
        _budget = budget;
        _maxRecordBytes = maxRecordBytes;
        _partitionFields = PartitionColumns.Fields(pipeline.Plan.Schemas[pipeline.Plan.InputSchema], partition.PartitionValues);
        _pruner = pruner;
        _faults = faults;
        _pipeline = pipeline;
        _partition = partition;
        _readColumns = readColumns;
        _sinks = sinks;
        _layouts = layouts;
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
            if (_partition.Format == InputFormat.Parquet)
            {
                RunParquet(writers, cancellationToken);
            }
            else
            {
                RunText(writers, cancellationToken);
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

    // What the sinks' writers may hold until their row groups are written: RowGroupBytes each, a partitioned sink's
    // open files HeldBytes together.
    private long WriterBytes() => _layouts.Sum(l => l.IsPartitioned ? l.HeldBytes : _writeOptions.RowGroupBytes);

    private void RunParquet(SinkWriter[] writers, CancellationToken cancellationToken)
    {
        PipelinePlan plan = _pipeline.Plan;
        long opened = Stopwatch.GetTimestamp();
        using var reader = new ParquetFileReader(_partition.File);
        _counters.RecordRead(Stopwatch.GetTimestamp() - opened);
        // Columns filled from hive partition folders are not in the file.
        string[] fileColumns = _readColumns.Where(c => !_partition.PartitionValues.Any(v => v.Column == c)).ToArray();
        for (int rg = _partition.FirstRowGroup; rg < _partition.FirstRowGroup + _partition.RowGroupCount; rg++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_pruner.CanSkip(reader, rg))
            {
                _counters.RecordSkipped(reader.Footer.RowGroups[rg].NumRows);
                continue;
            }
            // The row group's bytes are held from the budget until its rows are written. Its pages are streamed:
            // batches of SliceRows rows are decoded, run through the kernels and written one after another.
            // What the sinks' writers hold until their row groups are written is counted too.
            using MemoryBudget.Lease lease = _budget.Acquire(RowGroupCost.Estimate(plan, reader, rg, _readColumns) + WriterBytes(), cancellationToken);
            int firstRow = 0;
            using IEnumerator<RecordBatch> batches = reader.ReadRowGroupBatches(rg, fileColumns, SliceRows).GetEnumerator();
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
                int first = firstRow;
                RunBatch(batch, $"row group {rg}", rows => $"row group {rg}, rows {first}-{first + rows - 1}", writers);
                firstRow += batch.RowCount;
            }
        }
    }

    // A text partition is one stream of records: its batches are parsed, run and written one after another, holding
    // a batch of parsed columns, the kernels' output and the writers' row groups from the budget throughout.
    private void RunText(SinkWriter[] writers, CancellationToken cancellationToken)
    {
        PipelinePlan plan = _pipeline.Plan;
        BatchSchema expected = plan.Schemas[plan.InputSchema];
        string[] partitionColumns = _partition.PartitionValues.Select(v => v.Column).ToArray();
        ColumnField[] fields = _readColumns.Where(c => !partitionColumns.Contains(c)).Select(c => expected[expected.IndexOf(c)]).ToArray();
        using MemoryBudget.Lease lease = _budget.Acquire(RowGroupCost.EstimateText(plan, _readColumns, _maxRecordBytes) + WriterBytes(), cancellationToken);
        long opened = Stopwatch.GetTimestamp();
        using TextBatchReader reader = TextBatchReader.Open(_partition, fields, partitionColumns, SliceRows, _maxRecordBytes, plan.InputSchema);
        _counters.RecordRead(Stopwatch.GetTimestamp() - opened);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long readStart = Stopwatch.GetTimestamp();
            RecordBatch? next = reader.Next();
            _counters.RecordRead(Stopwatch.GetTimestamp() - readStart);
            if (next is null)
            {
                break;
            }
            using RecordBatch batch = next;
            string lines = $"lines {reader.BatchFirstLine}-{reader.BatchLastLine}";
            RunBatch(batch, lines, _ => lines, writers);
        }
    }

    // Folder values appended, nulls checked, narrow columns widened, then every segment in plan order.
    private void RunBatch(RecordBatch batch, string where, Func<int, string> rows, SinkWriter[] writers)
    {
        PipelinePlan plan = _pipeline.Plan;
        var created = new List<Column>();
        try
        {
            RecordBatch full = PartitionColumns.Append(batch, _partitionFields, _partition.PartitionValues, created);
            CheckNulls(full, where);
            // INT32 read into long or double members, FLOAT into double: converted here, exactly.
            RunSegments(ColumnWidening.Apply(full, plan.Schemas[plan.InputSchema], created), rows, writers);
        }
        finally
        {
            created.ForEach(c => c.Dispose());
        }
    }

    private void RunSegments(RecordBatch input, Func<int, string> where, SinkWriter[] writers)
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
                        $"Segment '{segment.Name}' of pipeline '{plan.Name}' failed on partition {_partition.Index} (file '{_partition.File}', {where(source.RowCount)}): {e.Message}", e);
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
    private void CheckNulls(RecordBatch input, string where)
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
                    $"Column '{field.Name}' in file '{_partition.File}', {where}, holds {nulls} null values but schema '{plan.InputSchema}' declares it non-nullable. Declare the member nullable (for example '{field.Type}?') or remove the nulls upstream.");
            }
        }
    }
}
