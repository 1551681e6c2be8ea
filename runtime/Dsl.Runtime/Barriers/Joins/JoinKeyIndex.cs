namespace Dsl.Barriers.Joins;

/// <summary>
/// A hash index from key bytes to the rows holding them, in flat arrays (no object per row or per key): the distinct
/// keys' bytes lie one after another in an arena, an open-addressing table maps a key's hash to its number, and each
/// key's rows form a chain through <see cref="Next"/> in the order they were added. Read-only once built, so any
/// number of threads may look keys up at once.
/// </summary>
internal sealed class JoinKeyIndex
{
    private const int NoKey = -1;

    private byte[] _arena = new byte[256];
    private int _arenaUsed;
    private int[] _keyStart = new int[16];
    private ulong[] _keyHash = new ulong[16];
    private int[] _firstRow = new int[16];
    private int[] _lastRow = new int[16];
    private int _keys;
    private int[] _next = new int[64];
    private int _rows;
    private int[] _slots = NewSlots(32);

    /// <summary>The marker that ends a chain of rows.</summary>
    public const int End = -1;

    /// <summary>The number of distinct keys.</summary>
    public int Keys => _keys;

    /// <summary>The bytes the index holds (its arrays' sizes).</summary>
    public long Bytes => _arena.Length + (_keyStart.Length * 20L) + (_next.Length * 4L) + (_slots.Length * 4L);

    /// <summary>Adds row <paramref name="row"/> (rows are added in increasing order) with key <paramref name="key"/>.</summary>
    public void Add(ReadOnlySpan<byte> key, ulong hash, int row)
    {
        if (row != _rows)
        {
            throw new ArgumentException($"Rows are added in order: expected row {_rows}, got {row}.", nameof(row));
        }
        EnsureRow(row);
        _next[row] = End;
        _rows++;
        int id = FindOrAdd(key, hash);
        if (_firstRow[id] == End)
        {
            _firstRow[id] = row;
        }
        else
        {
            _next[_lastRow[id]] = row;
        }
        _lastRow[id] = row;
    }

    /// <summary>Skips row <paramref name="row"/> (a null key, which matches nothing), keeping row numbers aligned.</summary>
    public void Skip(int row)
    {
        if (row != _rows)
        {
            throw new ArgumentException($"Rows are added in order: expected row {_rows}, got {row}.", nameof(row));
        }
        EnsureRow(row);
        _next[row] = End;
        _rows++;
    }

    /// <summary>The first row holding <paramref name="key"/>, or <see cref="End"/> when none does.</summary>
    public int First(ReadOnlySpan<byte> key, ulong hash)
    {
        int mask = _slots.Length - 1;
        for (int slot = SlotOf(hash, mask); ; slot = (slot + 1) & mask)
        {
            int id = _slots[slot];
            if (id == NoKey)
            {
                return End;
            }
            if (_keyHash[id] == hash && KeyBytes(id).SequenceEqual(key))
            {
                return _firstRow[id];
            }
        }
    }

    /// <summary>The row after <paramref name="row"/> with the same key, or <see cref="End"/>.</summary>
    public int Next(int row) => _next[row];

    private ReadOnlySpan<byte> KeyBytes(int id) => _arena.AsSpan(_keyStart[id], (id + 1 < _keys ? _keyStart[id + 1] : _arenaUsed) - _keyStart[id]);

    private int FindOrAdd(ReadOnlySpan<byte> key, ulong hash)
    {
        int mask = _slots.Length - 1;
        int slot = SlotOf(hash, mask);
        for (; ; slot = (slot + 1) & mask)
        {
            int id = _slots[slot];
            if (id == NoKey)
            {
                break;
            }
            if (_keyHash[id] == hash && KeyBytes(id).SequenceEqual(key))
            {
                return id;
            }
        }
        int added = _keys;
        if (added == _keyStart.Length)
        {
            int size = checked(added * 2);
            Array.Resize(ref _keyStart, size);
            Array.Resize(ref _keyHash, size);
            Array.Resize(ref _firstRow, size);
            Array.Resize(ref _lastRow, size);
        }
        if (_arenaUsed + key.Length > _arena.Length)
        {
            Array.Resize(ref _arena, checked(Math.Max(_arena.Length * 2, _arenaUsed + key.Length)));
        }
        key.CopyTo(_arena.AsSpan(_arenaUsed));
        _keyStart[added] = _arenaUsed;
        _arenaUsed += key.Length;
        _keyHash[added] = hash;
        _firstRow[added] = End;
        _keys++;
        _slots[slot] = added;
        // At most half full, so probes stay short.
        if (_keys * 2 > _slots.Length)
        {
            Rehash(_slots.Length * 2);
        }
        return added;
    }

    private void Rehash(int size)
    {
        int[] slots = NewSlots(size);
        int mask = size - 1;
        for (int id = 0; id < _keys; id++)
        {
            int slot = SlotOf(_keyHash[id], mask);
            while (slots[slot] != NoKey)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = id;
        }
        _slots = slots;
    }

    private void EnsureRow(int row)
    {
        if (row == _next.Length)
        {
            Array.Resize(ref _next, checked(_next.Length * 2));
        }
    }

    // The hash's high half: buckets are chosen by its value modulo the bucket count, so within one bucket the low
    // bits are alike and would crowd the slots.
    private static int SlotOf(ulong hash, int mask) => (int)((uint)(hash >> 32) & (uint)mask);

    private static int[] NewSlots(int size)
    {
        var slots = new int[size];
        slots.AsSpan().Fill(NoKey);
        return slots;
    }
}
