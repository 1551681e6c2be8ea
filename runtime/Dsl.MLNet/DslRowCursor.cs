using Dsl.Parquet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Dsl.MLNet;

/// <summary>
/// A cursor over a run of row groups of a <see cref="DslDataView"/>: it opens each part once, streams each row group
/// in batches of the active columns only, and disposes each batch when it moves past it.
/// </summary>
internal sealed class DslRowCursor : DataViewRowCursor
{
    private readonly DslDataView _view;
    private readonly ArraySegment<RowGroupChunk> _chunks;
    private readonly bool[] _active;
    private readonly ColumnSlot?[] _slots;
    private readonly string[] _names;
    private int _chunk = -1;
    private ParquetFileReader? _reader;
    private IEnumerator<RecordBatch>? _batches;
    private RecordBatch? _batch;
    private int _row;
    private long _batchStart;
    private long _position = -1;
    private bool _done;

    public DslRowCursor(DslDataView view, bool[] active, ArraySegment<RowGroupChunk> chunks)
    {
        _view = view;
        _active = active;
        _chunks = chunks;
        _slots = new ColumnSlot?[active.Length];
        var names = new List<string>();
        for (int i = 0; i < active.Length; i++)
        {
            if (active[i])
            {
                _slots[i] = ColumnSlot.Create(this, view.Binding(i));
                names.Add(view.Binding(i).Name);
            }
        }
        _names = [.. names];
    }

    /// <inheritdoc />
    public override long Position => _position;

    /// <summary>The ordinal of the current row group in the view: non-decreasing in a cursor, and no two cursors of a set share one.</summary>
    public override long Batch => _chunk >= 0 && !_done ? _chunks[_chunk].Ordinal : 0;

    /// <inheritdoc />
    public override DataViewSchema Schema => _view.Schema;

    /// <inheritdoc />
    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        CheckColumn(column);
        return _active[column.Index];
    }

    /// <inheritdoc />
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        CheckColumn(column);
        if (_slots[column.Index] is not { } slot)
        {
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; ask for it in columnsNeeded.");
        }
        return slot.Getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type} ({column.Type.RawType.Name}), not {typeof(TValue).Name}.");
    }

    /// <summary>A row's id is its position in the view's serial order: unique, and the same in every cursor set.</summary>
    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) =>
    {
        int row = CheckRow();
        value = new DataViewRowId((ulong)(_chunks[_chunk].FirstRow + _batchStart + row), 0);
    };

    /// <inheritdoc />
    public override bool MoveNext()
    {
        if (_done)
        {
            return false;
        }
        _row++;
        while (_batch is null || _row >= _batch.RowCount)
        {
            if (_batch is not null)
            {
                _batchStart += _batch.RowCount;
                _batch.Dispose();
                _batch = null;
            }
            if (!NextBatch())
            {
                Finish();
                return false;
            }
            _row = 0;
        }
        _position++;
        return true;
    }

    /// <summary>The current row in the batch; throws when the cursor is not on a row.</summary>
    internal int CheckRow() => _position >= 0 && !_done && _batch is not null
        ? _row
        : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first, and read values only while it returns true.");

    /// <summary>An error about the current row, naming the file, row group and row.</summary>
    internal InvalidDataException Error(string problem)
    {
        RowGroupChunk chunk = _chunks[_chunk];
        return new InvalidDataException($"{chunk.Path}: row group {chunk.RowGroup}, row {_batchStart + _row}: {problem}");
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Finish();
        }
        base.Dispose(disposing);
    }

    private bool NextBatch()
    {
        while (true)
        {
            if (_batches is not null)
            {
                RowGroupChunk current = _chunks[_chunk];
                bool more;
                try
                {
                    more = _batches.MoveNext();
                }
                catch (ParquetFormatException e) when (e.FilePath is not null)
                {
                    // Its message names the file, column, row group and page already.
                    throw new InvalidDataException(e.Message, e);
                }
                catch (Exception e) when (e is not InvalidDataException)
                {
                    throw new InvalidDataException($"{current.Path}: row group {current.RowGroup} could not be read: {e.Message}", e);
                }
                if (more)
                {
                    _batch = _batches.Current;
                    if (_batch.RowCount == 0)
                    {
                        _batch.Dispose();
                        _batch = null;
                        continue;
                    }
                    for (int i = 0; i < _slots.Length; i++)
                    {
                        _slots[i]?.Bind(_batch[_batch.Schema.IndexOf(_view.Binding(i).Name)]);
                    }
                    return true;
                }
                _batches.Dispose();
                _batches = null;
            }
            if (_chunk + 1 >= _chunks.Count)
            {
                return false;
            }
            _chunk++;
            _batchStart = 0;
            RowGroupChunk chunk = _chunks[_chunk];
            if (_reader is null || _reader.Name != chunk.Path)
            {
                _reader?.Dispose();
                _reader = null;
                try
                {
                    _reader = new ParquetFileReader(chunk.Path);
                }
                catch (Exception e) when (e is not InvalidDataException)
                {
                    throw new InvalidDataException($"{chunk.Path}: the part could not be opened: {e.Message}", e);
                }
            }
            _batches = _reader.ReadRowGroupBatches(chunk.RowGroup, _names, _view.BatchRows).GetEnumerator();
        }
    }

    private void Finish()
    {
        _done = true;
        _position = -1;
        _batch?.Dispose();
        _batch = null;
        _batches?.Dispose();
        _batches = null;
        _reader?.Dispose();
        _reader = null;
    }

    private void CheckColumn(DataViewSchema.Column column)
    {
        if (column.Index < 0 || column.Index >= _active.Length || column.Name != _view.Binding(column.Index).Name)
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (index {column.Index}) is not a column of this cursor's view.");
        }
    }
}
