namespace Dsl.Barriers.Aggregation;

/// <summary>
/// A set of byte strings numbered 0, 1, 2, ... in the order they were first added: the bytes live in one arena and
/// an open-addressing table of entry numbers finds them by hash, so adding a row allocates nothing once the arrays
/// have grown. Groups are found by their key bytes here, and exact distinct counts by (group, value) pairs.
/// </summary>
internal sealed class ByteKeyTable
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    private byte[] _arena = new byte[256];
    private int _arenaLength;
    private int[] _starts = new int[16];
    private int[] _lengths = new int[16];
    private ulong[] _hashes = new ulong[16];

    // Entry number + 1 per slot; 0 is empty. Kept at most half full.
    private int[] _slots = new int[32];
    private int _shift = 64 - 5;

    /// <summary>The number of entries.</summary>
    public int Count { get; private set; }

    /// <summary>The bytes the table holds: arena, entries and slots.</summary>
    public long EstimatedBytes => _arena.Length + (_starts.Length * 16L) + (_slots.Length * 4L);

    /// <summary>Entry <paramref name="entry"/>'s bytes.</summary>
    public ReadOnlySpan<byte> Key(int entry) => _arena.AsSpan(_starts[entry], _lengths[entry]);

    /// <summary>The hash entry <paramref name="entry"/> was added with.</summary>
    public ulong Hash(int entry) => _hashes[entry];

    /// <summary>The number of <paramref name="key"/>, added (as the next number) when the table lacks it.</summary>
    /// <param name="key">The bytes.</param>
    /// <param name="hash">Their hash; equal bytes must come with equal hashes.</param>
    /// <param name="added">Whether it was added now.</param>
    public int FindOrAdd(ReadOnlySpan<byte> key, ulong hash, out bool added)
    {
        int mask = _slots.Length - 1;
        // Fibonacci hashing of the whole hash: the rows of one bucket share the hash's low bits and those of one
        // sub-bucket its high bits, so neither alone can pick the slot.
        int slot = (int)((hash * Golden) >> _shift);
        while (true)
        {
            int entry = _slots[slot] - 1;
            if (entry < 0)
            {
                break;
            }
            if (_hashes[entry] == hash && key.SequenceEqual(_arena.AsSpan(_starts[entry], _lengths[entry])))
            {
                added = false;
                return entry;
            }
            slot = (slot + 1) & mask;
        }
        added = true;
        int index = Count;
        if (index == _starts.Length)
        {
            int capacity = checked(index * 2);
            Array.Resize(ref _starts, capacity);
            Array.Resize(ref _lengths, capacity);
            Array.Resize(ref _hashes, capacity);
        }
        if (_arena.Length - _arenaLength < key.Length)
        {
            long needed = (long)_arenaLength + key.Length;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException($"The aggregation's keys take more than {Array.MaxLength} bytes in one table; give the stage more buckets.");
            }
            Array.Resize(ref _arena, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_arena.Length * 2)));
        }
        key.CopyTo(_arena.AsSpan(_arenaLength));
        _starts[index] = _arenaLength;
        _lengths[index] = key.Length;
        _hashes[index] = hash;
        _arenaLength += key.Length;
        _slots[slot] = index + 1;
        Count = index + 1;
        if (Count * 2 > _slots.Length)
        {
            Rehash();
        }
        return index;
    }

    private void Rehash()
    {
        var slots = new int[_slots.Length * 2];
        int shift = _shift - 1;
        int mask = slots.Length - 1;
        for (int entry = 0; entry < Count; entry++)
        {
            int slot = (int)((_hashes[entry] * Golden) >> shift);
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = entry + 1;
        }
        _slots = slots;
        _shift = shift;
    }
}
