using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// A set of byte strings numbered 0, 1, 2, ... in the order they were first added: the bytes live in one arena and
/// an open-addressing table of their hashes and arena positions finds them, so adding a row allocates nothing once the arrays
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

    // Kept at most half full. A probe reads one slot and, when the hash and length match, the entry's record in the
    // arena: its number, then its bytes.
    private Slot[] _slots = new Slot[32];
    private int _shift = 64 - 5;

    /// <summary>The number of entries.</summary>
    public int Count { get; private set; }

    /// <summary>The bytes the table holds: arena, entries and slots.</summary>
    public long EstimatedBytes => _arena.Length + (_starts.Length * 16L) + (_slots.Length * 16L);

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
        Slot[] slots = _slots;
        while (true)
        {
            ref Slot at = ref slots[slot];
            if (at.Record == 0)
            {
                break;
            }
            if (at.Hash == hash && at.Length == key.Length && SameBytes(key, _arena.AsSpan(at.Record + 3, key.Length)))
            {
                added = false;
                return BinaryPrimitives.ReadInt32LittleEndian(_arena.AsSpan(at.Record - 1));
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
        int recordLength = 4 + key.Length;
        if (_arena.Length - _arenaLength < recordLength)
        {
            long needed = (long)_arenaLength + recordLength;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException($"The aggregation's keys take more than {Array.MaxLength} bytes in one table; give the stage more buckets.");
            }
            Array.Resize(ref _arena, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_arena.Length * 2)));
        }
        BinaryPrimitives.WriteInt32LittleEndian(_arena.AsSpan(_arenaLength), index);
        key.CopyTo(_arena.AsSpan(_arenaLength + 4));
        _slots[slot] = new Slot { Hash = hash, Record = _arenaLength + 1, Length = key.Length };
        _starts[index] = _arenaLength + 4;
        _lengths[index] = key.Length;
        _hashes[index] = hash;
        _arenaLength += recordLength;
        Count = index + 1;
        if (Count * 2 > _slots.Length)
        {
            Rehash();
        }
        return index;
    }

    // Keys of one or two numbers (9 to 16 bytes) compare as two overlapping words, without a call.
    private static bool SameBytes(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length is >= 8 and <= 16)
        {
            int last = a.Length - 8;
            return MemoryMarshal.Read<ulong>(a) == MemoryMarshal.Read<ulong>(b) && MemoryMarshal.Read<ulong>(a[last..]) == MemoryMarshal.Read<ulong>(b[last..]);
        }
        return a.SequenceEqual(b);
    }

    private void Rehash()
    {
        var slots = new Slot[_slots.Length * 2];
        int shift = _shift - 1;
        int mask = slots.Length - 1;
        foreach (Slot entry in _slots)
        {
            if (entry.Record == 0)
            {
                continue;
            }
            int slot = (int)((entry.Hash * Golden) >> shift);
            while (slots[slot].Record != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = entry;
        }
        _slots = slots;
        _shift = shift;
    }

    // An entry's hash, length, and where its record starts in the arena + 1 (0: an empty slot).
    private struct Slot
    {
        public ulong Hash;
        public int Record;
        public int Length;
    }
}
