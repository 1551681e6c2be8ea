using Dsl.Barriers.Keys;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// The groups of one aggregation in memory: each group numbered by the first appearance of its key bytes, and one
/// <see cref="Accumulator"/> per output member holding every group's state. Both phases use it: the partial
/// aggregator adds batches and spills the groups; the bucket merger merges spilled groups and emits the results.
/// </summary>
internal sealed class GroupTable
{
    private readonly AggregateLayout _layout;
    private readonly ByteKeyTable _keys = new();
    private readonly Accumulator[] _accumulators;
    private readonly BatchInput _input;
    private int _capacity;
    private int[] _groups = [];

    public GroupTable(AggregateLayout layout)
    {
        _layout = layout;
        _accumulators = new Accumulator[layout.Columns.Count];
        for (int i = 0; i < _accumulators.Length; i++)
        {
            _accumulators[i] = Accumulators.Create(layout, i);
        }
        _input = new BatchInput(layout);
        Grow(16);
    }

    /// <summary>The number of groups.</summary>
    public int Count => _keys.Count;

    /// <summary>The bytes the groups take, roughly: keys, table and every accumulator's state.</summary>
    public long EstimatedBytes
    {
        get
        {
            long bytes = _keys.EstimatedBytes + (_groups.Length * 4L);
            foreach (Accumulator accumulator in _accumulators)
            {
                bytes += accumulator.EstimatedBytes;
            }
            return bytes;
        }
    }

    public ReadOnlySpan<byte> Key(int group) => _keys.Key(group);

    public ulong Hash(int group) => _keys.Hash(group);

    /// <summary>Adds each row of <paramref name="batch"/> to its group.</summary>
    /// <exception cref="InvalidOperationException">The batch lacks a column the aggregate reads, or holds it with another type.</exception>
    public void Add(RecordBatch batch)
    {
        if (MissingColumn(batch.Schema) is { } missing)
        {
            throw new InvalidOperationException($"The aggregate stage '{_layout.Stage}' reads column '{missing.Name}' ({missing.TypeName}) of {_layout.Input} but was given a batch of {batch.Schema}.");
        }
        int rows = batch.RowCount;
        if (rows == 0)
        {
            return;
        }
        if (_groups.Length < rows)
        {
            _groups = new int[rows];
        }
        using (EncodedKeys keys = _layout.Keys.Encode(batch))
        {
            for (int row = 0; row < rows; row++)
            {
                _groups[row] = FindOrAdd(keys.Key(row), keys.Hash(row));
            }
        }
        _input.Start(batch);
        ReadOnlySpan<int> groups = _groups.AsSpan(0, rows);
        foreach (Accumulator accumulator in _accumulators)
        {
            accumulator.Add(_input, groups);
        }
    }

    /// <summary>Merges a record written by <see cref="Write"/> (from <paramref name="path"/>, named in errors).</summary>
    public void Merge(ReadOnlySpan<byte> record, string path)
    {
        var reader = new SpillReader(record, path);
        ReadOnlySpan<byte> key = reader.ReadBytes();
        ulong hash = reader.ReadUInt64();
        int group = FindOrAdd(key, hash);
        foreach (Accumulator accumulator in _accumulators)
        {
            accumulator.Merge(group, ref reader);
        }
        if (!reader.AtEnd)
        {
            throw SpillFile.Damaged(path, "a group's record is longer than its states");
        }
    }

    /// <summary>Writes group <paramref name="group"/> as one record.</summary>
    public void Write(int group, SpillFileWriter writer)
    {
        SpillBuffer to = writer.BeginRecord(_keys.Key(group), _keys.Hash(group));
        foreach (Accumulator accumulator in _accumulators)
        {
            accumulator.Write(group, to);
        }
        writer.EndRecord();
    }

    /// <summary>
    /// The groups' output rows, in batches of at most <paramref name="batchRows"/>, ordered by key hash and then key
    /// bytes: the order <see cref="BucketMerger"/>'s sub-buckets follow, so it is the same however a bucket was split.
    /// </summary>
    public IEnumerable<RecordBatch> Emit(int batchRows)
    {
        int[] order = new int[Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, Compare);
        for (int start = 0; start < order.Length; start += batchRows)
        {
            int rows = Math.Min(batchRows, order.Length - start);
            var outputs = new OutputColumn[_accumulators.Length];
            for (int c = 0; c < outputs.Length; c++)
            {
                outputs[c] = new OutputColumn(_layout.Output[c], rows);
            }
            for (int r = 0; r < rows; r++)
            {
                int group = order[start + r];
                ReadOnlySpan<byte> key = _keys.Key(group);
                for (int c = 0; c < outputs.Length; c++)
                {
                    _accumulators[c].Emit(group, key, outputs[c]);
                }
            }
            yield return new RecordBatch(_layout.Output, outputs.Select(o => o.Build()).ToArray(), rows);
        }
    }

    // Names, types and decimal scales: what the accumulators read by column index. Nullability may differ.
    // The first column the aggregate reads (a key, a value or an order column) that the batch lacks or holds with
    // another type or decimal scale; null when it holds them all. Nullability may differ: values are read with it.
    private ColumnField? MissingColumn(BatchSchema batch)
    {
        if (ReferenceEquals(batch, _layout.Input))
        {
            return null;
        }
        IEnumerable<ColumnField> read = _layout.Keys.Fields
            .Concat(_layout.Columns.SelectMany(c => new[] { c.InputField, c.OrderField }).OfType<ColumnField>());
        foreach (ColumnField field in read)
        {
            int index = batch.IndexOf(field.Name);
            if (index < 0 || batch[index].Type != field.Type || batch[index].Scale != field.Scale)
            {
                return field;
            }
        }
        return null;
    }

    private int Compare(int a, int b)
    {
        int byHash = _keys.Hash(a).CompareTo(_keys.Hash(b));
        return byHash != 0 ? byHash : _keys.Key(a).SequenceCompareTo(_keys.Key(b));
    }

    private int FindOrAdd(ReadOnlySpan<byte> key, ulong hash)
    {
        int group = _keys.FindOrAdd(key, hash, out _);
        if (group == _capacity)
        {
            Grow(_capacity * 2);
        }
        return group;
    }

    private void Grow(int capacity)
    {
        _capacity = capacity;
        foreach (Accumulator accumulator in _accumulators)
        {
            accumulator.Resize(capacity);
        }
    }
}
