using System.Diagnostics;
using Dsl.Execution.Commit;
using Dsl.Execution.Flow;
using Dsl.Execution.Inputs;
using Dsl.Parquet;
using Dsl.Validation;

namespace Dsl.Execution;

/// <summary>
/// One attempt at one partition: reads its row groups (or text records) batch by batch, runs every segment in plan
/// order, and writes each sink's rows to part files under the attempt's own folder (one, or several when the sink is
/// partitioned or its files have a size limit: <see cref="SinkWriter"/>), flushed to disk before it returns. Shares
/// no mutable state with other partitions. The plan's row rules run through <see cref="RowValidation"/>: every kernel
/// gets its <see cref="RowViolations"/>, quarantined rows become part files of the quarantine outputs, and what the
/// rules found is returned with the parts (<see cref="TaskRun.Validation"/>) to be committed with them. With
/// <c>validateOnly</c> nothing is written but the unique rules' key hashes. With <c>observe</c> (the first pass of a
/// plan with fit stages) only the <see cref="SegmentPlan.FitOnly"/> segments run, each fit's rows go to the
/// <see cref="Fitting.FitState"/>, nothing is written and what the rules found is discarded; otherwise the FitOnly
/// segments are skipped.
/// </summary>
/// <remarks>
/// Where per-batch work hooks in: <see cref="RunBatch"/> has each batch as read (folder values appended, widened),
/// <see cref="RunSegments"/> each kernel's input and output and, for sinks, the batch written; the partition's state
/// (<see cref="PartitionValidation"/>) is what <see cref="Run"/> returns and the task commit persists.
/// </remarks>
internal sealed class PartitionTask
{
    private readonly CompiledPipeline _pipeline;
    private readonly Partition _partition;
    private readonly string[] _readColumns;
    private readonly SinkNode[] _sinks;
    private readonly FlowRun _flow;
    private readonly int _wave;
    private ICutWriter?[] _cuts = [];
    private Barriers.Splits.SplitColumn?[] _splits = [];
    private readonly SinkLayout[] _layouts;
    private readonly string _attemptDir;
    private readonly ParquetWriteOptions _writeOptions;
    private readonly SegmentCounters _counters;
    private readonly RowGroupPruner _pruner;
    private readonly FaultPlan _faults;
    private readonly MemoryBudget _budget;
    private readonly int _maxRecordBytes;
    private readonly ColumnField[] _partitionFields;
    private readonly ValidationLayout _validation;
    private readonly bool _validateOnly;
    private readonly long _firstRowInFile;
    private readonly Fitting.FitState? _observe;
    private RowValidation _rules = null!;

    /// <summary>
    /// Row groups are read and run through the kernels in batches of at most this many rows, so that what a task holds
    /// (decoded pages, kernel output, the writer's input) does not grow with the row group.
    /// </summary>
    public const int SliceRows = 8_192;

    public PartitionTask(
        CompiledPipeline pipeline, Partition partition, string[] readColumns, SinkNode[] sinks, SinkLayout[] layouts,
        string attemptDir, ParquetWriteOptions writeOptions, SegmentCounters counters, RowGroupPruner pruner, FaultPlan faults, MemoryBudget budget,
        int maxRecordBytes, ValidationLayout validation, long firstRowInFile = 0, bool validateOnly = false, Fitting.FitState? observe = null, FlowRun? flow = null)
    {
        // The fit pass and validate run no cut: the flow they get only orders the nodes before the first one.
        _flow = flow ?? (observe is not null ? BarrierSetup.ValidateFlow(pipeline.Plan) : FlowRun.Plain(pipeline.Plan));
        _wave = partition.Bucket?.Wave ?? 0;
        _observe = observe;
        _validation = validation;
        _validateOnly = validateOnly;
        _firstRowInFile = firstRowInFile;
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

    /// <summary>What an attempt produced: every part it wrote (sinks, then quarantine and key hashes), each durable, and what the rules found.</summary>
    public sealed record TaskRun(IReadOnlyList<PartFile> Parts, PartitionValidation Validation);

    /// <summary>Runs the attempt.</summary>
    public TaskRun Run(CancellationToken cancellationToken)
    {
        PipelinePlan plan = _pipeline.Plan;
        var writers = new SinkWriter?[_validateOnly || _observe is not null ? 0 : _sinks.Length];
        _splits = new Barriers.Splits.SplitColumn?[writers.Length];
        // Quarantine outputs are written like an unpartitioned sink, opened at their first row.
        var quarantineLayout = new SinkLayout([], 0, 0, 1, _writeOptions.RowGroupBytes);
        _rules = new RowValidation(plan, _partition, _validation, _validateOnly || _observe is not null ? null : (output, schema) =>
            new SinkWriter(output, _validation.Folder(output), schema, quarantineLayout, _writeOptions, _attemptDir, _faults));
        try
        {
            for (int s = 0; s < writers.Length; s++)
            {
                // A sink whose rows another wave produces gets no (empty) part from this task.
                if (_flow.Graph.WaveOf(_sinks[s]) == _wave)
                {
                    if (plan.Splits.FirstOrDefault(p => p.Sink == _sinks[s].Name) is { } split)
                    {
                        // A stratified split's cut points come from the counts of the wave before this one.
                        _splits[s] = new Barriers.Splits.SplitColumn(split, plan.Schemas[_sinks[s].OutputSchema], split.StratifyBy is null ? null : _flow.SplitCuts(split.Sink));
                    }
                    // A split sink's rows carry their subset as a last column, written as split=NAME/ folders.
                    BatchSchema schema = _splits[s]?.Schema ?? plan.Schemas[_sinks[s].OutputSchema];
                    writers[s] = new SinkWriter(s, _sinks[s].Name, schema, _layouts[s], _writeOptions, _attemptDir, _faults);
                }
            }
            if (_observe is null && !_validateOnly)
            {
                _cuts = _flow.Graph.Cuts.Select(c => c.Wave == _wave ? _flow.CutWriter(c, _attemptDir) : null).ToArray();
            }

            if (_partition.Bucket is { } bucket)
            {
                RunBucket(bucket, writers, cancellationToken);
            }
            else if (_partition.Format == InputFormat.Parquet)
            {
                _faults.Check(StorageOperation.Read, _partition.File);
                RunParquet(writers, cancellationToken);
            }
            else
            {
                _faults.Check(StorageOperation.Read, _partition.File);
                RunText(writers, cancellationToken);
            }
            if (_observe is not null)
            {
                return new TaskRun([], _rules.State); // the first pass keeps only the fits' state
            }
            var parts = new List<PartFile>();
            long closing = Stopwatch.GetTimestamp();
            foreach (SinkWriter? writer in writers)
            {
                parts.AddRange(writer?.Finish() ?? []); // writes the last row groups and the footers, each file flushed to disk
            }
            foreach (ICutWriter? cut in _cuts)
            {
                parts.AddRange(cut?.Finish() ?? []); // the rows handed to aggregates and shuffle joins, for the next wave
            }
            IReadOnlyList<PartFile> validationParts = _rules.Finish(_attemptDir, _faults);
            DurableFile.FlushAll(validationParts.Select(p => p.Path).ToArray(), _attemptDir, folders: false, _faults);
            parts.AddRange(validationParts);
            _counters.RecordWrite(Stopwatch.GetTimestamp() - closing);
            _counters.RecordWriters(writers.Sum(w => w?.PeakOpenFiles ?? 0), writers.Sum(w => w?.PeakHeldBytes ?? 0));
            return new TaskRun(parts, _rules.State);
        }
        finally
        {
            _rules.Dispose();
            foreach (ICutWriter? cut in _cuts)
            {
                cut?.Dispose();
            }
            // On failure the half-written attempt folder is deleted by the caller; nothing outside it was touched.
            foreach (SinkWriter? writer in writers)
            {
                writer?.Dispose(); // closes what a failure left open; a no-op after Finish
            }
        }
    }

    // What the sinks' writers may hold until their row groups are written: RowGroupBytes each, a partitioned sink's
    // open files HeldBytes together.
    // A quarantine output's writer holds up to RowGroupBytes like an unpartitioned sink's.
    private long WriterBytes() => _validateOnly || _observe is not null
        ? 0
        : _layouts.Sum(l => l.IsPartitioned ? l.HeldBytes : _writeOptions.RowGroupBytes) + (_validation.QuarantineSchemas.Count * _writeOptions.RowGroupBytes);

    private void RunParquet(SinkWriter?[] writers, CancellationToken cancellationToken)
    {
        PipelinePlan plan = _pipeline.Plan;
        long opened = Stopwatch.GetTimestamp();
        using var reader = new ParquetFileReader(_partition.File);
        _counters.RecordRead(Stopwatch.GetTimestamp() - opened);
        // Columns filled from hive partition folders are not in the file.
        string[] fileColumns = _readColumns.Where(c => !_partition.PartitionValues.Any(v => v.Column == c)).ToArray();
        long rowGroupStart = 0;
        for (int before = 0; before < _partition.FirstRowGroup; before++)
        {
            rowGroupStart += reader.Footer.RowGroups[before].NumRows;
        }
        for (int rg = _partition.FirstRowGroup; rg < _partition.FirstRowGroup + _partition.RowGroupCount; rg++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long rowGroupRows = reader.Footer.RowGroups[rg].NumRows;
            long startOfRowGroup = rowGroupStart;
            rowGroupStart += rowGroupRows;
            if (_pruner.CanSkip(reader, rg))
            {
                _counters.RecordSkipped(rowGroupRows);
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
                string rows = $"row group {rg}, rows {first}-{first + batch.RowCount - 1}";
                _rules.BeginBatch(new BatchOrigin(rg, first, startOfRowGroup + first, null, rows), batch.RowCount);
                RunBatch(batch, $"row group {rg}", _ => rows, writers);
                firstRow += batch.RowCount;
            }
        }
    }

    // A text partition is one stream of records: its batches are parsed, run and written one after another, holding
    // a batch of parsed columns, the kernels' output and the writers' row groups from the budget throughout.
    private void RunText(SinkWriter?[] writers, CancellationToken cancellationToken)
    {
        PipelinePlan plan = _pipeline.Plan;
        BatchSchema expected = plan.Schemas[plan.InputSchema];
        string[] partitionColumns = _partition.PartitionValues.Select(v => v.Column).ToArray();
        ColumnField[] fields = _readColumns.Where(c => !partitionColumns.Contains(c)).Select(c => expected[expected.IndexOf(c)]).ToArray();
        using MemoryBudget.Lease lease = _budget.Acquire(RowGroupCost.EstimateText(plan, _readColumns, _maxRecordBytes) + WriterBytes(), cancellationToken);
        long opened = Stopwatch.GetTimestamp();
        using TextBatchReader reader = TextBatchReader.Open(_partition, fields, partitionColumns, SliceRows, _maxRecordBytes, plan.InputSchema);
        _counters.RecordRead(Stopwatch.GetTimestamp() - opened);
        long firstRow = _firstRowInFile;
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
            _rules.BeginBatch(new BatchOrigin(null, 0, firstRow, reader.BatchLines.ToArray(), lines), batch.RowCount);
            firstRow += batch.RowCount;
            RunBatch(batch, lines, _ => lines, writers);
        }
    }

    // Folder values appended, nulls checked, narrow columns widened, then every segment in plan order.
    private void RunBatch(RecordBatch batch, string where, Func<int, string> rows, SinkWriter?[] writers)
    {
        PipelinePlan plan = _pipeline.Plan;
        var created = new List<Column>();
        try
        {
            RecordBatch full = PartitionColumns.Append(batch, _partitionFields, _partition.PartitionValues, created);
            CheckNulls(full, where);
            // INT32 read into long or double members, FLOAT into double: converted here, exactly.
            RecordBatch widened = ColumnWidening.Apply(full, plan.Schemas[plan.InputSchema], created);
            // Gates and profiles measure every row read, like unique rules; the kernels get the batch without the
            // repeats those remove.
            _rules.State.Statistics?.Schema(plan.InputSchema)?.Observe(widened);
            RunSegments(_rules.CheckUnique(widened, created), rows, writers);
        }
        finally
        {
            created.ForEach(c => c.Dispose());
        }
    }

    // A bucket task's batches are a cut's output (merged partial aggregates, or joined rows): they run through the
    // nodes of its wave like input batches do, holding the merge's memory and the writers' from the budget.
    private void RunBucket(BucketInput bucket, SinkWriter?[] writers, CancellationToken cancellationToken)
    {
        using MemoryBudget.Lease lease = _budget.Acquire(BucketTaskBytes(_budget) + WriterBytes(), cancellationToken);
        string scratch = Directory.CreateDirectory(Path.Combine(_attemptDir, "scratch")).FullName;
        long firstRow = 0;
        foreach (RecordBatch next in _flow.ReadBucket(bucket, scratch))
        {
            using RecordBatch batch = next;
            cancellationToken.ThrowIfCancellationRequested();
            string rows = $"rows {firstRow}-{firstRow + batch.RowCount - 1} of {_partition.File}";
            _rules.BeginBatch(new BatchOrigin(null, firstRow, firstRow, null, rows), batch.RowCount);
            firstRow += batch.RowCount;
            RunSegments(batch, _ => rows, writers);
        }
        Directory.Delete(scratch, recursive: true);
    }

    /// <summary>
    /// What a bucket task may hold while it merges or joins its bucket (a quarter of the budget, leased for the task);
    /// a bucket larger than that is re-partitioned on disk and merged piece by piece.
    /// </summary>
    internal static long BucketTaskBytes(MemoryBudget budget) => Math.Max(1L << 20, budget.Bytes / 4);

    private void RunSegments(RecordBatch input, Func<int, string> where, SinkWriter?[] writers)
    {
        if (_observe is null)
        {
            RunNodes(input, where, writers);
            return;
        }
        // The first pass of a plan with fits: only the segments that compute what the fits observe.
        PipelinePlan plan = _pipeline.Plan;
        var outputs = new RecordBatch?[plan.Segments.Count];
        try
        {
            foreach (SegmentPlan segment in plan.Segments.Where(s => s.FitOnly))
            {
                RecordBatch source = segment.InputSegment is int from ? outputs[from]! : input;
                outputs[segment.Index] = RunKernel(segment, source, where);
            }
            for (int f = 0; f < plan.Fits.Count; f++)
            {
                int? observed = plan.Fits[f].Segment;
                _observe.Observe(f, observed is int s ? outputs[s]! : input, observed is int i ? $"the output of segment '{plan.Segments[i].Name}'" : $"the input as read from '{_partition.File}'");
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

    // The nodes of this task's wave in order: kernels, broadcast joins probing their table, and cuts taking the rows
    // they aggregate or bucket; then the sinks of this wave are written.
    private void RunNodes(RecordBatch input, Func<int, string> where, SinkWriter?[] writers)
    {
        PipelinePlan plan = _pipeline.Plan;
        var outputs = new RecordBatch?[plan.Segments.Count];
        var joined = new Dictionary<string, RecordBatch>(StringComparer.Ordinal);
        var views = new List<RecordBatch>();
        try
        {
            foreach (FlowNode node in _flow.Graph.InWave(_wave))
            {
                // In a bucket task, the nodes reading the wave's own cut read the batch it was given.
                RecordBatch source = node.SourceSegment is int from ? outputs[from]!
                    : node.SourceBarrier is string barrier && joined.TryGetValue(barrier, out RecordBatch? rows) ? rows
                    : node.Kind == FlowNodeKind.Join && _wave == 0 ? InSchemaOrder(input, views)
                    : input;
                switch (node.Kind)
                {
                    case FlowNodeKind.Segment:
                        outputs[node.Segment!.Value] = RunKernel(plan.Segments[node.Segment.Value], source, where);
                        break;
                    case FlowNodeKind.Join when !node.Cuts:
                        joined[node.Name] = _flow.Broadcasts[node.Name].Probe(source);
                        break;
                    default:
                        // An aggregate or shuffle join: its rows come back in the wave of its buckets (validate and
                        // the fit pass run no cut, so they check the rules before the first one only).
                        if (_cuts.Length > 0)
                        {
                            _cuts[node.OutputWave - 1]!.Write(source);
                        }
                        break;
                }
            }
            // A stratified split's sink is written by the bucket tasks of its own wave, from the rows they read.
            RecordBatch SinkRows(SinkNode sink) =>
                _flow.Graph.StratifiedSplit(sink) is { } split && split.OutputWave == _wave ? input
                : sink.Segment is int s ? outputs[s]! : joined.TryGetValue(sink.Barrier!, out RecordBatch? rows) ? rows : input;
            // A sink's schema is measured on the rows it writes (the input's own schema only on the input).
            if (_rules.State.Statistics is { } statistics)
            {
                for (int s = 0; s < writers.Length; s++)
                {
                    if (writers[s] is not null && _sinks[s].OutputSchema != plan.InputSchema)
                    {
                        statistics.Schema(_sinks[s].OutputSchema)?.Observe(SinkRows(_sinks[s]));
                    }
                }
            }
            // Written once every node ran, so a batch that breaks a Fail rule in any segment writes nothing.
            long writing = Stopwatch.GetTimestamp();
            var created = new List<Column>();
            try
            {
                for (int s = 0; s < writers.Length; s++)
                {
                    if (writers[s] is { } writer)
                    {
                        writer.Write(_splits[s] is { } split ? split.Append(SinkRows(_sinks[s]), created) : SinkRows(_sinks[s]));
                    }
                }
            }
            finally
            {
                created.ForEach(c => c.Dispose());
            }
            _rules.Flush();
            _counters.RecordWrite(Stopwatch.GetTimestamp() - writing);
        }
        finally
        {
            foreach (RecordBatch? batch in outputs)
            {
                batch?.Dispose();
            }
            foreach (RecordBatch batch in joined.Values)
            {
                batch.Dispose();
            }
        }
    }

    // A join reading the pipeline input takes whole rows of the input schema, in its order: the batch as read holds the
    // columns in the scan's order. A view sharing the batch's columns (never disposed itself). An aggregate finds the
    // columns it reads by name.
    private RecordBatch InSchemaOrder(RecordBatch input, List<RecordBatch> views)
    {
        BatchSchema schema = _pipeline.Plan.Schemas[_pipeline.Plan.InputSchema];
        if (views.Count == 0)
        {
            views.Add(new RecordBatch(schema, schema.Fields.Select(f => input[f.Name]).ToArray(), input.RowCount));
        }
        return views[0];
    }

    private RecordBatch RunKernel(SegmentPlan segment, RecordBatch source, Func<int, string> where)
    {
        PipelinePlan plan = _pipeline.Plan;
        long start = Stopwatch.GetTimestamp();
        RecordBatch result;
        try
        {
            result = _pipeline.Kernels[segment.Index](source, _rules.ForKernel());
        }
        catch (StageRowException e)
        {
            throw _rules.StageFailed(e, segment, source);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new PipelineExecutionException(
                $"Segment '{segment.Name}' of pipeline '{plan.Name}' failed on partition {_partition.Index} ({(_partition.Bucket is null ? $"file '{_partition.File}'" : _partition.File)}, {where(source.RowCount)}): {e.Message}", e);
        }
        _counters.Record(segment.Index, source.RowCount, result.RowCount, Stopwatch.GetElapsedTime(start).Ticks);
        try
        {
            _rules.AfterKernel(segment, source); // a broken Fail rule throws here, before the batch is written
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
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
