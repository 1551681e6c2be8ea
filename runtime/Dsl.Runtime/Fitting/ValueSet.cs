using System.Buffers.Binary;
using System.Numerics;
using Dsl.Validation.Statistics;

namespace Dsl.Fitting;

/// <summary>
/// The distinct 128-bit keys seen, for <see cref="Execution.FitStatistic.Distinct"/>: a number's key is its stored bits
/// (so the count is exact), a string's key is <see cref="Hash128"/> of its UTF-8 bytes (exact up to 128-bit collisions,
/// about n² / 2¹²⁹). Open addressing with linear probing over a power-of-two table kept at most half full, 16 bytes a
/// slot; the key 0 marks an empty slot and is tracked by a flag. Merging adds the other set's keys, so a merge of sets
/// equals the set of the concatenated inputs whatever the order.
/// </summary>
internal sealed class ValueSet
{
    private UInt128[] _table = new UInt128[64];
    private int _count;
    private bool _hasZero;

    /// <summary>The number of distinct keys.</summary>
    public long Count => _count + (_hasZero ? 1 : 0);

    /// <summary>The bytes the table holds.</summary>
    public long Bytes => _table.Length * 16L;

    /// <summary>Adds one key.</summary>
    public void Add(UInt128 key)
    {
        if (key == UInt128.Zero)
        {
            _hasZero = true;
            return;
        }
        UInt128[] table = _table;
        int mask = table.Length - 1;
        int slot = Slot(key) & mask;
        while (true)
        {
            UInt128 existing = table[slot];
            if (existing == key)
            {
                return;
            }
            if (existing == UInt128.Zero)
            {
                table[slot] = key;
                _count++;
                if (_count * 2L > table.Length)
                {
                    Grow();
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Adds every key of <paramref name="other"/>.</summary>
    public void Merge(ValueSet other)
    {
        _hasZero |= other._hasZero;
        foreach (UInt128 key in other._table)
        {
            if (key != UInt128.Zero)
            {
                Add(key);
            }
        }
    }

    private static int Slot(UInt128 key) => (int)StableHash.Mix((ulong)key ^ StableHash.Mix((ulong)(key >> 64) + 0x9e3779b97f4a7c15UL));

    private void Grow()
    {
        if (_table.Length >= 1 << 30)
        {
            throw new InvalidOperationException($"An exact distinct count holds more than {1 << 29:N0} values, more than one table can index.");
        }
        UInt128[] old = _table;
        var table = new UInt128[old.Length * 2];
        int mask = table.Length - 1;
        foreach (UInt128 key in old)
        {
            if (key != UInt128.Zero)
            {
                int slot = Slot(key) & mask;
                while (table[slot] != UInt128.Zero)
                {
                    slot = (slot + 1) & mask;
                }
                table[slot] = key;
            }
        }
        _table = table;
    }
}

/// <summary>
/// A 128-bit hash of a byte string, the same in every process: two 64-bit lanes fed 16 bytes at a time, each block
/// multiplied, rotated and folded into both lanes, finished with the MurmurHash3 finalizer (<see cref="StableHash.Mix"/>)
/// after the lanes are crossed, so every input bit affects every output bit.
/// </summary>
internal static class Hash128
{
    private const ulong C1 = 0x87c37b91114253d5UL;
    private const ulong C2 = 0x4cf5ad432745937fUL;

    /// <summary>The hash of <paramref name="bytes"/>.</summary>
    public static UInt128 Of(ReadOnlySpan<byte> bytes)
    {
        ulong length = (ulong)bytes.Length;
        ulong h1 = 0x9e3779b97f4a7c15UL ^ (length * C1);
        ulong h2 = 0xc2b2ae3d27d4eb4fUL ^ (length * C2);
        while (bytes.Length >= 16)
        {
            Mix(ref h1, ref h2, BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
            bytes = bytes[16..];
        }
        if (!bytes.IsEmpty)
        {
            Span<byte> tail = stackalloc byte[16];
            tail.Clear();
            bytes.CopyTo(tail);
            Mix(ref h1, ref h2, BinaryPrimitives.ReadUInt64LittleEndian(tail), BinaryPrimitives.ReadUInt64LittleEndian(tail[8..]));
        }
        h1 += h2;
        h2 += h1;
        h1 = StableHash.Mix(h1);
        h2 = StableHash.Mix(h2);
        h1 += h2;
        h2 += h1;
        return new UInt128(h2, h1);
    }

    private static void Mix(ref ulong h1, ref ulong h2, ulong k1, ulong k2)
    {
        k1 *= C1;
        k1 = BitOperations.RotateLeft(k1, 31);
        k1 *= C2;
        h1 ^= k1;
        h1 = BitOperations.RotateLeft(h1, 27);
        h1 += h2;
        h1 = (h1 * 5) + 0x52dce729;
        k2 *= C2;
        k2 = BitOperations.RotateLeft(k2, 33);
        k2 *= C1;
        h2 ^= k2;
        h2 = BitOperations.RotateLeft(h2, 31);
        h2 += h1;
        h2 = (h2 * 5) + 0x38495ab5;
    }
}
