using Dsl.Validation.Statistics;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// One group's approximate distinct count: the set of the values' 64-bit hashes while it holds at most
/// <see cref="ExactLimit"/> of them (so a small group is counted exactly, barring hash collisions, in a few KiB at
/// most), then a <see cref="HyperLogLog"/> of 2^14 registers (16 KiB; relative standard error 0.81%). Both forms
/// depend only on the set of hashes added, not on their order or how the inputs were split.
/// </summary>
internal sealed class DistinctSketch
{
    /// <summary>The most hashes kept exactly.</summary>
    public const int ExactLimit = 256;

    private HashSet<ulong>? _hashes = [];
    private HyperLogLog? _dense;

    /// <summary>The bytes it takes, roughly.</summary>
    public long EstimatedBytes => _dense is not null ? (1 << HyperLogLog.Precision) + 64 : 64 + (_hashes!.Count * 24L);

    public void Add(ulong hash)
    {
        if (_dense is not null)
        {
            _dense.Add(hash);
        }
        else if (_hashes!.Add(hash) && _hashes.Count > ExactLimit)
        {
            _dense = new HyperLogLog();
            foreach (ulong h in _hashes)
            {
                _dense.Add(h);
            }
            _hashes = null;
        }
    }

    /// <summary>The number of distinct hashes (exact while at most <see cref="ExactLimit"/>), estimated above.</summary>
    public long Estimate => _dense is not null ? (long)Math.Round(_dense.Estimate()) : _hashes!.Count;

    /// <summary>Writes a flag (0: hashes, 1: registers), then the sorted hashes with their count, or the registers.</summary>
    public void Write(SpillBuffer to)
    {
        if (_dense is not null)
        {
            to.WriteByte(1);
            to.WriteRaw(_dense.Registers);
            return;
        }
        to.WriteByte(0);
        ulong[] sorted = [.. _hashes!];
        Array.Sort(sorted);
        to.WriteInt32(sorted.Length);
        foreach (ulong hash in sorted)
        {
            to.WriteUInt64(hash);
        }
    }

    /// <summary>Adds the hashes or registers written by <see cref="Write"/>.</summary>
    public void Merge(ref SpillReader from)
    {
        byte form = from.ReadByte();
        if (form == 0)
        {
            int count = from.ReadCount(8);
            for (int i = 0; i < count; i++)
            {
                Add(from.ReadUInt64());
            }
            return;
        }
        if (form != 1)
        {
            throw SpillFile.Damaged(from.Path, $"a distinct-count sketch has the unknown form {form}");
        }
        ReadOnlySpan<byte> registers = from.Take(1 << HyperLogLog.Precision);
        if (_dense is null)
        {
            _dense = new HyperLogLog();
            foreach (ulong h in _hashes!)
            {
                _dense.Add(h);
            }
            _hashes = null;
        }
        if (!_dense.TryMerge(registers))
        {
            throw SpillFile.Damaged(from.Path, "a distinct-count sketch holds a register out of range");
        }
    }
}
