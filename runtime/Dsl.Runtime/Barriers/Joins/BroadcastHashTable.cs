using Dsl.Barriers.Keys;
using Dsl.Execution;

namespace Dsl.Barriers.Joins;

/// <summary>
/// The right side of a join in memory: the table's columns that the output copies, each concatenated into one
/// column, and a <see cref="JoinKeyIndex"/> from key bytes to rows. Built once and probed by any number of threads
/// at once (a broadcast join shares one per process); also what a bucket of a hash-partitioned join is joined with.
/// </summary>
/// <remarks>The table owns its columns; whoever built it disposes it, after the last probe. Probe results stay valid after that.</remarks>
internal sealed class BroadcastHashTable : IDisposable
{
    private readonly JoinLayout _layout;
    // Indexed like the right schema; null for columns the output does not copy (only the index needs the keys).
    private readonly Column?[] _columns;
    private readonly JoinKeyIndex _index;

    private BroadcastHashTable(JoinLayout layout, Column?[] columns, JoinKeyIndex index, int rows, long bytes)
    {
        _layout = layout;
        _columns = columns;
        _index = index;
        Rows = rows;
        Bytes = bytes;
    }

    /// <summary>The number of right rows held, null keys included.</summary>
    public int Rows { get; }

    /// <summary>The bytes held: the copied columns and the index (<see cref="JoinMemory"/>).</summary>
    public long Bytes { get; }

    /// <summary>
    /// Reads every batch of <paramref name="right"/> (each disposed once read), which must have <paramref name="layout"/>'s
    /// right columns, into a table.
    /// </summary>
    /// <param name="layout">The join.</param>
    /// <param name="right">The table's rows, e.g. from <see cref="TableReader.Read"/>.</param>
    /// <param name="tableName">The table's name, for the error.</param>
    /// <param name="maxBytes">The most bytes the table may hold.</param>
    /// <exception cref="PipelineExecutionException">The table grows beyond <paramref name="maxBytes"/>; the message says how far it got.</exception>
    public static BroadcastHashTable Build(JoinLayout layout, IEnumerable<RecordBatch> right, string tableName, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(right);
        using var builder = new Builder(layout);
        foreach (RecordBatch batch in right)
        {
            builder.Add(batch);
            if (builder.Bytes > maxBytes)
            {
                throw new PipelineExecutionException(
                    $"Table '{tableName}' of join stage '{layout.Plan.Stage}' does not fit in memory for a broadcast hash join: after {builder.Rows:N0} rows it holds {JoinMemory.Format(builder.Bytes)}, more than the {JoinMemory.Format(maxBytes)} allowed. Lower the broadcast threshold so that the join is hash-partitioned to disk, or allow the broadcast table more memory.");
            }
        }
        return builder.Finish();
    }

    /// <summary>
    /// The table of the batches <paramref name="right"/> holds, or null as soon as it would hold more than
    /// <paramref name="maxBytes"/> (the batches read so far are disposed and the rest are not read).
    /// </summary>
    internal static BroadcastHashTable? TryBuild(JoinLayout layout, IEnumerable<RecordBatch> right, long maxBytes)
    {
        using var builder = new Builder(layout);
        foreach (RecordBatch batch in right)
        {
            builder.Add(batch);
            if (builder.Bytes > maxBytes)
            {
                return null;
            }
        }
        return builder.Finish();
    }

    /// <summary>
    /// Joins <paramref name="left"/> (rows of the layout's left schema) with the table: the output rows in left-row order
    /// and, for each left row, its matches in right-row order. Inner: one row per matching pair. Left: the same, and
    /// one row with the right columns null for a left row without match. Semi: each left row with a match, once.
    /// Anti: each left row without one. Rows with a null key column match nothing. Safe to call from many threads.
    /// </summary>
    /// <returns>A batch of the output schema, which the caller disposes.</returns>
    public RecordBatch Probe(RecordBatch left) => Probe(left, _layout.Kind, default);

    /// <summary>
    /// <see cref="Probe(RecordBatch)"/> as a join of kind <paramref name="kind"/>, also setting
    /// <paramref name="matched"/>[row] for every left row that found a match (when it is not empty).
    /// </summary>
    internal RecordBatch Probe(RecordBatch left, JoinKind kind, Span<bool> matched)
    {
        ArgumentNullException.ThrowIfNull(left);
        using EncodedKeys keys = _layout.LeftKeys.Encode(left);
        using var leftRows = new RowList(left.RowCount);
        using var rightRows = new RowList(kind is JoinKind.Inner or JoinKind.Left ? left.RowCount : 0);
        bool mark = !matched.IsEmpty;
        for (int row = 0; row < keys.Rows; row++)
        {
            int first = keys.HasNull(row) ? JoinKeyIndex.End : _index.First(keys.Key(row), keys.Hash(row));
            if (mark && first != JoinKeyIndex.End)
            {
                matched[row] = true;
            }
            switch (kind)
            {
                case JoinKind.Inner or JoinKind.Left:
                    if (first == JoinKeyIndex.End)
                    {
                        if (kind == JoinKind.Left)
                        {
                            leftRows.Add(row);
                            rightRows.Add(JoinGather.Missing);
                        }
                        break;
                    }
                    for (int r = first; r != JoinKeyIndex.End; r = _index.Next(r))
                    {
                        leftRows.Add(row);
                        rightRows.Add(r);
                    }
                    break;
                case JoinKind.Semi when first != JoinKeyIndex.End:
                case JoinKind.Anti when first == JoinKeyIndex.End:
                    leftRows.Add(row);
                    break;
            }
        }
        return JoinOutputs.Assemble(_layout, left, leftRows.Span, _columns, rightRows.Span);
    }

    /// <summary>Sets <paramref name="matched"/>[row] for every row of <paramref name="left"/> whose key is in the table.</summary>
    internal void Mark(RecordBatch left, Span<bool> matched)
    {
        using EncodedKeys keys = _layout.LeftKeys.Encode(left);
        for (int row = 0; row < keys.Rows; row++)
        {
            if (!keys.HasNull(row) && _index.First(keys.Key(row), keys.Hash(row)) != JoinKeyIndex.End)
            {
                matched[row] = true;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (Column? column in _columns)
        {
            column?.Dispose();
        }
    }

    /// <summary>Collects right batches (their key bytes indexed, the copied columns kept) until <see cref="Finish"/>.</summary>
    internal sealed class Builder : IDisposable
    {
        private readonly JoinLayout _layout;
        private readonly bool[] _copied;
        private readonly List<Column>[] _pieces;
        private readonly HashSet<Utf8Dictionary> _dictionaries = JoinMemory.NewSeenSet();
        private readonly JoinKeyIndex _index = new();
        private long _columnBytes;
        private bool _finished;

        public Builder(JoinLayout layout)
        {
            _layout = layout;
            _copied = new bool[layout.Right.Count];
            for (int c = 0; c < layout.Output.Count; c++)
            {
                if (layout.OutputSides[c] == JoinSide.Right)
                {
                    _copied[layout.OutputSources[c]] = true;
                }
            }
            _pieces = [.. _copied.Select(_ => new List<Column>())];
        }

        /// <summary>The right rows added.</summary>
        public int Rows { get; private set; }

        /// <summary>What the table holds so far: the kept columns and the index.</summary>
        public long Bytes => _columnBytes + _index.Bytes;

        /// <summary>Adds <paramref name="batch"/>'s rows; the builder takes it over (disposes it).</summary>
        /// <exception cref="InvalidOperationException">The batch lacks a right column or holds it with another type.</exception>
        public void Add(RecordBatch batch)
        {
            try
            {
                if ((long)Rows + batch.RowCount > Array.MaxLength)
                {
                    throw new PipelineExecutionException($"Table '{_layout.Plan.Table}' of join stage '{_layout.Plan.Stage}' has more than {Array.MaxLength:N0} rows, more than one hash table holds; it must be joined hash-partitioned.");
                }
                using (EncodedKeys keys = _layout.RightKeys.Encode(batch))
                {
                    for (int row = 0; row < keys.Rows; row++)
                    {
                        if (keys.HasNull(row))
                        {
                            _index.Skip(Rows + row);
                        }
                        else
                        {
                            _index.Add(keys.Key(row), keys.Hash(row), Rows + row);
                        }
                    }
                }
                for (int c = 0; c < _copied.Length; c++)
                {
                    if (!_copied[c])
                    {
                        continue;
                    }
                    ColumnField field = _layout.Right[c];
                    int index = batch.Schema.IndexOf(field.Name);
                    if (index < 0 || batch.Schema[index].Type != field.Type)
                    {
                        throw new InvalidOperationException($"The rows of table '{_layout.Plan.Table}' should have column '{field.Name}' as {field.TypeName}, but the batch has {(index < 0 ? "no such column" : batch.Schema[index].TypeName)}.");
                    }
                    _pieces[c].Add(batch[index]);
                    _columnBytes += JoinMemory.Bytes(batch[index], _dictionaries);
                }
                Rows += batch.RowCount;
            }
            finally
            {
                // The kept columns are the builder's now; the others are not needed.
                foreach (Column column in batch.Columns)
                {
                    if (!_pieces.Any(p => p.Count > 0 && ReferenceEquals(p[^1], column)))
                    {
                        column.Dispose();
                    }
                }
            }
        }

        /// <summary>The table of the rows added. The builder is spent.</summary>
        public BroadcastHashTable Finish()
        {
            var columns = new Column?[_copied.Length];
            try
            {
                for (int c = 0; c < _copied.Length; c++)
                {
                    if (!_copied[c])
                    {
                        continue;
                    }
                    List<Column> pieces = _pieces[c];
                    columns[c] = pieces.Count switch
                    {
                        0 => JoinGather.Nulls(_layout.Right[c], 0),
                        1 => pieces[0],
                        _ => ColumnConcat.Concat([.. pieces.Select(p => new ColumnPiece(p, 0, p.Length))], Rows),
                    };
                    if (pieces.Count > 1)
                    {
                        pieces.ForEach(p => p.Dispose());
                    }
                    pieces.Clear();
                }
            }
            catch
            {
                foreach (Column? column in columns)
                {
                    column?.Dispose();
                }
                throw;
            }
            _finished = true;
            long bytes = _index.Bytes + columns.Sum(c => c is null ? 0 : JoinMemory.Bytes(c, JoinMemory.NewSeenSet()));
            return new BroadcastHashTable(_layout, columns, _index, Rows, bytes);
        }

        /// <summary>Disposes the kept columns unless <see cref="Finish"/> handed them to a table.</summary>
        public void Dispose()
        {
            if (_finished)
            {
                return;
            }
            foreach (List<Column> pieces in _pieces)
            {
                pieces.ForEach(p => p.Dispose());
                pieces.Clear();
            }
        }
    }
}
