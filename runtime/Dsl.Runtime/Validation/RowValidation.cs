using Dsl.Execution;
using Dsl.Execution.Commit;

namespace Dsl.Validation;

/// <summary>Where the rows of the batch a task just read come from, so a broken row can be named.</summary>
/// <param name="RowGroup">The Parquet row group (null for CSV and JSON Lines).</param>
/// <param name="FirstRowInRowGroup">The batch's first row's index in its row group.</param>
/// <param name="FirstRowInFile">The batch's first row's index in the file.</param>
/// <param name="Lines">For text: the line each record starts on.</param>
/// <param name="Where">The batch's rows in words (<c>row group 0, rows 0-8191</c>, <c>lines 2-8193</c>).</param>
internal readonly record struct BatchOrigin(int? RowGroup, long FirstRowInRowGroup, long FirstRowInFile, long[]? Lines, string Where);

/// <summary>
/// The row rules of one task attempt: gives every kernel the same <see cref="RowViolations"/> (cleared before each
/// call), checks <see cref="RuleKind.Unique"/> rules on each input batch before the kernels, and routes each broken
/// row by its rule's action: counts and samples for every rule, a <see cref="RuleAction.Fail"/> stops the task with
/// one message naming file, row group, row, values and rule, and quarantined rows are queued as rows of their
/// schema's quarantine output, written only once every segment of the batch ran (<see cref="Flush"/>), so a batch
/// that fails writes nothing. Without quarantine writers (<c>validate</c>) nothing is written and Fail rules are
/// counted instead of stopping.
/// </summary>
internal sealed class RowValidation : IDisposable
{
    private readonly PipelinePlan _plan;
    private readonly Partition _partition;
    private readonly ValidationLayout _layout;
    private readonly Func<int, BatchSchema, SinkWriter>? _openQuarantine;
    private readonly SinkWriter?[] _quarantine;
    private readonly UniqueKeys[] _unique;
    private readonly List<(int Output, RecordBatch Batch)> _pending = [];
    private readonly List<int> _repeated = [];
    private BatchOrigin _origin;
    private int[]? _rowMap;

    /// <param name="plan">The plan.</param>
    /// <param name="partition">The task's partition.</param>
    /// <param name="layout">Where quarantine and key hashes go.</param>
    /// <param name="openQuarantine">Opens the writer of a quarantine output (its index and file schema); null to write nothing and count Fail rules instead of stopping.</param>
    public RowValidation(PipelinePlan plan, Partition partition, ValidationLayout layout, Func<int, BatchSchema, SinkWriter>? openQuarantine)
    {
        _plan = plan;
        _partition = partition;
        _layout = layout;
        _openQuarantine = openQuarantine;
        _quarantine = new SinkWriter?[layout.QuarantineSchemas.Count];
        _unique = plan.Rules.Where(r => r.Kind == RuleKind.Unique).Select(r => new UniqueKeys(r)).ToArray();
        State = new PartitionValidation(plan.Rules.Count) { Statistics = layout.Checks.NewStatistics(plan) };
    }

    /// <summary>The one instance every kernel of the task reports to.</summary>
    public RowViolations Violations { get; } = new();

    /// <summary>What the rules found so far.</summary>
    public PartitionValidation State { get; }

    /// <summary>Bytes held by the unique rules' key sets (they grow with the partition's distinct keys).</summary>
    public long HeldBytes => _unique.Sum(u => u.HeldBytes);

    /// <summary>Starts a batch read from the input.</summary>
    public void BeginBatch(BatchOrigin origin, int rows)
    {
        _origin = origin;
        _rowMap = null;
        State.InputRows += rows;
    }

    /// <summary>
    /// Checks the unique rules on <paramref name="input"/> (the batch as read, before any kernel) and returns the
    /// batch the kernels get: without the repeated rows of Quarantine and Drop rules (columns it gathers are added to
    /// <paramref name="created"/>, for the caller to dispose), row positions still traced to the batch read.
    /// </summary>
    public RecordBatch CheckUnique(RecordBatch input, List<Column> created)
    {
        if (_unique.Length == 0)
        {
            return input;
        }
        var removed = new HashSet<int>();
        foreach (UniqueKeys keys in _unique)
        {
            _repeated.Clear();
            keys.Add(input, _repeated);
            if (_repeated.Count == 0)
            {
                continue;
            }
            int[] rules = Enumerable.Repeat(keys.Rule.Index, _repeated.Count).ToArray();
            Route(rules, _repeated.ToArray(), null, input, null, null, fromInput: true, _plan.InputSchema);
            if (keys.Rule.Action is RuleAction.Quarantine or RuleAction.Drop)
            {
                removed.UnionWith(_repeated);
            }
        }
        if (removed.Count == 0)
        {
            return input;
        }
        int[] keep = Enumerable.Range(0, input.RowCount).Where(r => !removed.Contains(r)).ToArray();
        _rowMap = keep;
        var columns = new Column[input.Schema.Count];
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = RowGather.Gather(input[c], keep);
            created.Add(columns[c]);
        }
        return new RecordBatch(input.Schema, columns, keep.Length);
    }

    /// <summary>The violations instance, cleared, for the next kernel call.</summary>
    public RowViolations ForKernel()
    {
        Violations.Clear();
        return Violations;
    }

    /// <summary>Routes what the kernel of <paramref name="segment"/> reported about <paramref name="kernelInput"/>.</summary>
    /// <exception cref="PipelineExecutionException">A Fail rule was broken (and this is not <c>validate</c>).</exception>
    public void AfterKernel(SegmentPlan segment, RecordBatch kernelInput)
    {
        if (Violations.Count == 0)
        {
            return;
        }
        bool fromInput = segment.ReadsInput;
        Route(Violations.Rules.ToArray(), Violations.Rows.ToArray(), Violations, kernelInput, segment, fromInput ? _rowMap : null, fromInput, segment.InputSchema);
    }

    /// <summary>The message for a stage that threw for one row: the stage, the row, and the values its segment read there.</summary>
    public PipelineExecutionException StageFailed(StageRowException error, SegmentPlan segment, RecordBatch kernelInput)
    {
        bool fromInput = segment.ReadsInput;
        Exception inner = error.InnerException ?? error;
        string values = error.Row >= 0 && error.Row < kernelInput.RowCount ? RuleReasons.Values(segment.ReadColumns, kernelInput, error.Row) : "";
        return new PipelineExecutionException(
            $"Stage '{error.Stage}' of pipeline '{_plan.Name}' threw {inner.GetType().Name} ({inner.Message}) for {Describe(error.Row, fromInput ? _rowMap : null, fromInput, segment)}"
            + (values.Length > 0 ? $"; the row's values: {values}" : "")
            + $". Set OnRowError = RowErrorAction.Quarantine on the stage to send such rows to the quarantine instead of stopping the run.",
            error);
    }

    /// <summary>Writes the quarantined rows of the batch; call once every segment of the batch ran.</summary>
    public void Flush()
    {
        foreach ((int output, RecordBatch batch) in _pending)
        {
            using (batch)
            {
                int q = output - _layout.FirstQuarantineSink;
                SinkWriter writer = _quarantine[q] ??= _openQuarantine!(output, batch.Schema);
                writer.Write(batch);
            }
        }
        _pending.Clear();
    }

    /// <summary>Quarantine parts and key hash files of the task, each finished (the caller flushes them with the rest).</summary>
    public IReadOnlyList<PartFile> Finish(string attemptDir, FaultPlan faults)
    {
        var parts = new List<PartFile>();
        foreach (SinkWriter? writer in _quarantine)
        {
            if (writer is not null)
            {
                parts.AddRange(writer.Finish());
            }
        }
        for (int u = 0; u < _layout.UniqueAcross.Count; u++)
        {
            UniqueKeys keys = _unique.First(k => k.Rule == _layout.UniqueAcross[u]);
            string path = Path.Combine(attemptDir, $"unique-{u}.hashes");
            using var file = new DurableFile(path, faults);
            long count = keys.WriteSorted(file);
            (long bytes, string sha) = file.Finish();
            parts.Add(new PartFile(path, bytes, sha, count) { Sink = _layout.FirstUniqueSink + u, Extension = "hashes" });
        }
        return parts;
    }

    public void Dispose()
    {
        foreach ((_, RecordBatch batch) in _pending)
        {
            batch.Dispose();
        }
        _pending.Clear();
        foreach (SinkWriter? writer in _quarantine)
        {
            writer?.Dispose();
        }
    }

    // Counts and samples every (rule, row) pair; stops at a Fail; queues the quarantined rows (one row each, under the
    // first quarantining rule it broke, every quarantining rule's reason joined) as one batch of their schema.
    private void Route(int[] rules, int[] rows, RowViolations? reported, RecordBatch source, SegmentPlan? segment, int[]? map, bool fromInput, string schema)
    {
        Dictionary<int, int>? byRow = null;
        List<(int Row, RulePlan Rule, string Reason)>? quarantined = null;
        for (int i = 0; i < rules.Length; i++)
        {
            RulePlan rule = _plan.Rules[rules[i]];
            int row = rows[i];
            State.Broken[rule.Index]++;
            string? reason = null;
            if (State.WantsSample(rule.Index))
            {
                reason = RuleReasons.Of(rule, source, row, reported?.MessageOf(i));
                (int? rg, long? inGroup, long? inFile, long? line) = Locate(row, map, fromInput);
                State.Samples[rule.Index].Add(new RuleSample(_partition.File, rg, inGroup, inFile, line, reason));
            }
            if (rule.Action == RuleAction.Fail && _openQuarantine is not null)
            {
                reason ??= RuleReasons.Of(rule, source, row, reported?.MessageOf(i));
                throw new PipelineExecutionException(
                    $"Rule '{rule.Id}' ({rule.Description}) of pipeline '{_plan.Name}' failed for {Describe(row, map, fromInput, segment)}: {reason}. The rule's action is Fail, so the run stopped before writing this batch and committed nothing; the previous output, if any, is unchanged.");
            }
            if (rule.Action != RuleAction.Quarantine)
            {
                continue;
            }
            byRow ??= [];
            if (_openQuarantine is null)
            {
                // validate writes no quarantine but counts its rows, so a quarantine-rate gate measures what a run would.
                if (byRow.TryAdd(row, 0))
                {
                    State.QuarantinedRows++;
                }
                continue;
            }
            reason ??= RuleReasons.Of(rule, source, row, reported?.MessageOf(i));
            quarantined ??= [];
            if (byRow.TryGetValue(row, out int at))
            {
                quarantined[at] = quarantined[at] with { Reason = quarantined[at].Reason + "; " + reason };
            }
            else
            {
                byRow[row] = quarantined.Count;
                quarantined.Add((row, rule, reason));
            }
        }
        if (quarantined is not null)
        {
            State.QuarantinedRows += quarantined.Count;
            quarantined.Sort((a, b) => a.Row.CompareTo(b.Row));
            _pending.Add((_layout.QuarantineSink(schema), QuarantineBatch(schema, source, quarantined, map, fromInput)));
        }
    }

    private RecordBatch QuarantineBatch(string schemaName, RecordBatch source, List<(int Row, RulePlan Rule, string Reason)> rows, int[]? map, bool fromInput)
    {
        BatchSchema schema = ValidationLayout.QuarantineSchema(_plan, schemaName);
        int[] positions = rows.Select(r => r.Row).ToArray();
        int n = positions.Length;
        var columns = new List<Column>();
        try
        {
            foreach (ColumnField field in _plan.Schemas[schemaName].Fields)
            {
                int index = source.Schema.IndexOf(field.Name);
                if (index < 0)
                {
                    throw new InvalidOperationException($"The quarantine of schema '{schemaName}' needs column '{field.Name}', which the batch the rules checked does not hold.");
                }
                columns.Add(RowGather.Gather(source[index], positions));
            }
            columns.Add(Strings(rows.Select(r => r.Rule.Id)));
            columns.Add(Strings(rows.Select(r => r.Rule.Stage)));
            columns.Add(Strings(rows.Select(r => r.Reason)));
            columns.Add(Strings(rows.Select(_ => _partition.File)));
            var rowGroup = new ColumnBuilder<int>(ColumnType.Int32, n, nullable: true);
            var row = new ColumnBuilder<long>(ColumnType.Int64, n, nullable: true);
            var line = new ColumnBuilder<long>(ColumnType.Int64, n, nullable: true);
            for (int i = 0; i < n; i++)
            {
                (int? rg, _, long? inFile, long? atLine) = Locate(positions[i], map, fromInput);
                Set(rowGroup, i, rg);
                Set(row, i, inFile);
                Set(line, i, atLine);
            }
            columns.Add(rowGroup.Build(n));
            columns.Add(row.Build(n));
            columns.Add(line.Build(n));
            return new RecordBatch(schema, columns, n);
        }
        catch
        {
            columns.ForEach(c => c.Dispose());
            throw;
        }
    }

    private static StringColumn Strings(IEnumerable<string> values)
    {
        var builder = new StringColumnBuilder();
        foreach (string value in values)
        {
            builder.Append(value);
        }
        return builder.Build();
    }

    private static void Set<T>(ColumnBuilder<T> builder, int i, T? value)
        where T : unmanaged
    {
        if (value is T v)
        {
            builder.Values[i] = v;
        }
        else
        {
            builder.Validity!.Set(i, false);
        }
    }

    // A row position of the batch a kernel read, traced to the input: row group, row in it, row in the file, line.
    // Rows of a segment that reads another segment's output are known only by their row group.
    private (int? RowGroup, long? RowInRowGroup, long? RowInFile, long? Line) Locate(int row, int[]? map, bool fromInput)
    {
        if (!fromInput)
        {
            return (_origin.RowGroup, null, null, null);
        }
        int read = map is null ? row : map[row];
        return (_origin.RowGroup, _origin.RowGroup is null ? null : _origin.FirstRowInRowGroup + read, _origin.FirstRowInFile + read, _origin.Lines?[read]);
    }

    private string Describe(int row, int[]? map, bool fromInput, SegmentPlan? segment)
    {
        if (!fromInput)
        {
            string from = segment?.InputSegment is int s ? _plan.Segments[s].Name : "?";
            return $"row {row} of the rows segment '{segment?.Name}' read from segment '{from}' ({_origin.Where} of file '{_partition.File}')";
        }
        (int? rg, long? inGroup, long? inFile, long? line) = Locate(row, map, fromInput);
        return rg is int g
            ? $"row {inGroup} of row group {g} (row {inFile} of the file) of file '{_partition.File}'"
            : $"the record on line {line} (row {inFile} of the file) of file '{_partition.File}'";
    }
}

/// <summary>Copies selected rows of any flat or list column (what the quarantine and the unique rules' removal need).</summary>
internal static class RowGather
{
    public static Column Gather(Column column, int[] rows) => column switch
    {
        StringColumn s => ColumnGather.Gather(s, rows),
        ListColumn l => ColumnGather.Gather(l, rows),
        _ => column.Accept(new Primitive(rows)),
    };

    private sealed class Primitive(int[] rows) : IPrimitiveColumnVisitor<Column>
    {
        public Column Visit<T>(PrimitiveColumn<T> column)
            where T : unmanaged => ColumnGather.Gather(column, rows);
    }
}
