namespace Dsl.Validation.Statistics;

/// <summary>
/// Counts distinct values by their 64-bit <see cref="StableHash"/>: exactly (a set of hashes) while there are at most
/// <see cref="ExactLimit"/>, then with a <see cref="HyperLogLog"/> built from that set. The sketch of a set depends only
/// on the set, so building it late gives the same registers as feeding it from the start, and a merge of two
/// counters equals the counter of the concatenated inputs, whatever the order. "Exact" means exact up to 64-bit hash
/// collisions (about n² / 2⁶⁵: 1 in 10⁸ at 65,536 values).
/// </summary>
internal sealed class DistinctCounter
{
    /// <summary>The most distinct values counted exactly.</summary>
    public const int ExactLimit = 65_536;

    // Open addressing with linear probing over a power-of-two table kept at most half full; 0 marks an empty slot,
    // so the hash 0 is tracked by a flag.
    private ulong[]? _table = new ulong[64];
    private int _count;
    private bool _hasZero;
    private HyperLogLog? _sketch;

    /// <summary>Whether <see cref="Count"/> is exact (at most <see cref="ExactLimit"/> distinct values seen).</summary>
    public bool IsExact => _sketch is null;

    /// <summary>The number of distinct values: exact, or the HyperLogLog estimate rounded (see <see cref="IsExact"/>).</summary>
    public long Count => _sketch is null ? _count + (_hasZero ? 1 : 0) : (long)Math.Round(_sketch.Estimate());

    /// <summary>Adds one hashed value.</summary>
    public void Add(ulong hash)
    {
        if (_sketch is not null)
        {
            _sketch.Add(hash);
            return;
        }
        if (hash == 0)
        {
            if (!_hasZero)
            {
                _hasZero = true;
                SpillIfFull();
            }
            return;
        }
        ulong[] table = _table!;
        int mask = table.Length - 1;
        int slot = (int)hash & mask;
        while (true)
        {
            ulong existing = table[slot];
            if (existing == hash)
            {
                return;
            }
            if (existing == 0)
            {
                table[slot] = hash;
                _count++;
                SpillIfFull();
                if (_table is not null && _count * 2 > table.Length)
                {
                    Grow();
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Adds <paramref name="other"/>'s values.</summary>
    public void Merge(DistinctCounter other)
    {
        if (other._sketch is not null)
        {
            if (_sketch is null)
            {
                HyperLogLog merged = other._sketch.Clone();
                foreach (ulong hash in Hashes())
                {
                    merged.Add(hash);
                }
                Release(merged);
            }
            else
            {
                _sketch.Merge(other._sketch);
            }
            return;
        }
        foreach (ulong hash in other.Hashes())
        {
            Add(hash);
        }
    }

    /// <summary>The exact set's hashes in ascending order (empty once estimating), for serialization.</summary>
    public ulong[] SortedHashes()
    {
        ulong[] hashes = [.. Hashes()];
        Array.Sort(hashes);
        return hashes;
    }

    /// <summary>The sketch once estimating, else null.</summary>
    public HyperLogLog? Sketch => _sketch;

    /// <summary>A counter holding exactly <paramref name="hashes"/>.</summary>
    public static DistinctCounter FromHashes(IEnumerable<ulong> hashes)
    {
        var counter = new DistinctCounter();
        foreach (ulong hash in hashes)
        {
            counter.Add(hash);
        }
        return counter;
    }

    /// <summary>A counter that estimates with <paramref name="sketch"/>.</summary>
    public static DistinctCounter FromSketch(HyperLogLog sketch)
    {
        var counter = new DistinctCounter();
        counter.Release(sketch);
        return counter;
    }

    private IEnumerable<ulong> Hashes()
    {
        if (_table is null)
        {
            yield break;
        }
        if (_hasZero)
        {
            yield return 0;
        }
        foreach (ulong hash in _table)
        {
            if (hash != 0)
            {
                yield return hash;
            }
        }
    }

    private void SpillIfFull()
    {
        if (_count + (_hasZero ? 1 : 0) > ExactLimit)
        {
            var sketch = new HyperLogLog();
            foreach (ulong hash in Hashes())
            {
                sketch.Add(hash);
            }
            Release(sketch);
        }
    }

    private void Release(HyperLogLog sketch)
    {
        _sketch = sketch;
        _table = null;
        _count = 0;
        _hasZero = false;
    }

    private void Grow()
    {
        ulong[] old = _table!;
        var table = new ulong[old.Length * 2];
        int mask = table.Length - 1;
        foreach (ulong hash in old)
        {
            if (hash != 0)
            {
                int slot = (int)hash & mask;
                while (table[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }
                table[slot] = hash;
            }
        }
        _table = table;
    }
}
