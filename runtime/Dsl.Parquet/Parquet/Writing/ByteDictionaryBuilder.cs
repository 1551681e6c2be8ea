namespace Dsl.Parquet.Writing;

/// <summary>
/// Distinct byte strings of one column chunk, numbered in order of first appearance, with an open-addressing hash
/// table over their bytes. Once the entries outgrow the dictionary limit, de-duplication stops and every value
/// becomes a new entry (the chunk's remaining pages are written PLAIN, so those entries are just row storage, removed
/// once their page is written).
/// </summary>
internal sealed class ByteDictionaryBuilder
{
    private byte[] _data = new byte[1024];
    private int _length;
    private int[] _offsets = new int[257];
    private int _count;
    private int[] _buckets = new int[256];

    /// <summary>Number of entries.</summary>
    public int Count => _count;

    /// <summary>Whether values are still de-duplicated.</summary>
    public bool Deduplicating { get; private set; } = true;

    /// <summary>The PLAIN-encoded size of the entries (4-byte length prefix each).</summary>
    public long PlainSize => _length + (4L * _count);

    /// <summary>Entry <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> this[int index] => _data.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);

    /// <summary>Stops de-duplicating (the dictionary grew past its limit).</summary>
    public void StopDeduplicating() => Deduplicating = false;

    /// <summary>The entry number of <paramref name="value"/>, adding it if new.</summary>
    public int GetOrAdd(ReadOnlySpan<byte> value)
    {
        if (!Deduplicating)
        {
            return Add(value);
        }
        int mask = _buckets.Length - 1;
        int slot = Hash(value) & mask;
        while (true)
        {
            int entry = _buckets[slot] - 1;
            if (entry < 0)
            {
                int index = Add(value);
                _buckets[slot] = index + 1;
                if (_count * 2 > _buckets.Length)
                {
                    Rehash();
                }
                return index;
            }
            if (this[entry].SequenceEqual(value))
            {
                return entry;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>The bytes of entries <paramref name="first"/> .. the last.</summary>
    public long BytesFrom(int first) => first >= _count ? 0 : _length - _offsets[first];

    /// <summary>
    /// Removes entries <paramref name="start"/> .. + <paramref name="count"/>; later entries move down by
    /// <paramref name="count"/>. Only once de-duplication has stopped, when entries are row storage that has been
    /// written and the hash table is no longer used.
    /// </summary>
    public void RemoveRange(int start, int count)
    {
        if (Deduplicating)
        {
            throw new InvalidOperationException("Entries of a de-duplicating dictionary cannot be removed.");
        }
        int from = _offsets[start];
        int to = _offsets[start + count];
        int bytes = to - from;
        _data.AsSpan(to, _length - to).CopyTo(_data.AsSpan(from));
        _length -= bytes;
        for (int i = start + count; i <= _count; i++)
        {
            _offsets[i - count] = _offsets[i] - bytes;
        }
        _count -= count;
    }

    /// <summary>Forgets every entry.</summary>
    public void Reset()
    {
        _length = 0;
        _count = 0;
        Array.Clear(_buckets);
        Deduplicating = true;
    }

    private int Add(ReadOnlySpan<byte> value)
    {
        if (_length + value.Length > _data.Length)
        {
            long size = Math.Max((long)_data.Length * 2, (long)_length + value.Length);
            if (size > Array.MaxLength)
            {
                throw new InvalidOperationException($"A column chunk's string data exceeds {Array.MaxLength} bytes; lower RowGroupRows.");
            }
            Array.Resize(ref _data, (int)size);
        }
        if (_count + 2 > _offsets.Length)
        {
            Array.Resize(ref _offsets, _offsets.Length * 2);
        }
        value.CopyTo(_data.AsSpan(_length));
        _length += value.Length;
        _offsets[++_count] = _length;
        return _count - 1;
    }

    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        int mask = buckets.Length - 1;
        for (int i = 0; i < _count; i++)
        {
            int slot = Hash(this[i]) & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            buckets[slot] = i + 1;
        }
        _buckets = buckets;
    }

    private static int Hash(ReadOnlySpan<byte> value)
    {
        var hash = new HashCode();
        hash.AddBytes(value);
        return hash.ToHashCode();
    }
}
