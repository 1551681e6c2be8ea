using Dsl.Barriers.Keys;
using Dsl.Validation.Statistics;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// <see cref="Group{TRow}.ApproxCountDistinct{TValue}"/>: per group, a sketch over the hashes of the non-null, non-NaN
/// values' <see cref="KeyEncoder"/> bytes: the set of the hashes while it holds at most <see cref="ExactLimit"/> of
/// them (so a small group is counted exactly, barring hash collisions), then a <see cref="HyperLogLog"/> of 2^14
/// registers (16 KiB; relative standard error 0.81%). Both forms depend only on the set of hashes added, not on their
/// order or how the inputs were split. Every group's exact set is a small open-addressing table in one shared array,
/// so a group costs no objects until it turns into registers.
/// </summary>
internal sealed class ApproxDistinctAccumulator(AggregateLayout layout, int column) : Accumulator
{
    /// <summary>The most hashes kept exactly.</summary>
    public const int ExactLimit = 256;

    private const int FirstCapacity = 8;

    private readonly bool _floating = ValueKinds.Of(layout.Columns[column].InputField!.Type) == ValueKind.Double;
    private Sketch[] _sketches = [];
    private ulong[] _pool = new ulong[1024];
    private int _poolLength;
    private readonly List<HyperLogLog> _dense = [];
    private ulong[] _sorted = new ulong[ExactLimit];

    public override long EstimatedBytes => (_sketches.Length * 16L) + (_pool.Length * 8L) + ((long)_dense.Count << HyperLogLog.Precision);

    public override void Resize(int capacity) => Array.Resize(ref _sketches, capacity);

    public override void Add(BatchInput input, ReadOnlySpan<int> groups)
    {
        ColumnValues? values = _floating ? input.Values(layout.Columns[column].InputIndex) : null;
        using EncodedKeys encoded = layout.DistinctEncoder(column).Encode(input.Batch);
        for (int row = 0; row < groups.Length; row++)
        {
            if (encoded.HasNull(row) || (values is not null && !values.IsPresent(row)))
            {
                continue;
            }
            AddHash(groups[row], encoded.Hash(row));
        }
    }

    /// <summary>A flag (0: no value, 1: a sketch); then the sketch's form (0: hashes, 1: registers) and the sorted hashes with their count, or the registers.</summary>
    public override void Write(int group, SpillBuffer to)
    {
        ref Sketch sketch = ref _sketches[group];
        if (sketch.Dense >= 0)
        {
            to.WriteByte(1);
            to.WriteByte(1);
            to.WriteRaw(_dense[sketch.Dense].Registers);
            return;
        }
        if (sketch.Count == 0)
        {
            to.WriteByte(0);
            return;
        }
        Span<ulong> sorted = _sorted.AsSpan(0, sketch.Count);
        Hashes(sketch, sorted);
        sorted.Sort();
        to.WriteByte(1);
        to.WriteByte(0);
        to.WriteInt32(sorted.Length);
        foreach (ulong hash in sorted)
        {
            to.WriteUInt64(hash);
        }
    }

    public override void Merge(int group, ref SpillReader from)
    {
        byte present = from.ReadByte();
        if (present > 1)
        {
            throw SpillFile.Damaged(from.Path, $"a distinct-count flag is {present}");
        }
        if (present == 0)
        {
            return;
        }
        byte form = from.ReadByte();
        if (form == 0)
        {
            int count = from.ReadCount(8);
            for (int i = 0; i < count; i++)
            {
                AddHash(group, from.ReadUInt64());
            }
            return;
        }
        if (form != 1)
        {
            throw SpillFile.Damaged(from.Path, $"a distinct-count sketch has the unknown form {form}");
        }
        ReadOnlySpan<byte> registers = from.Take(1 << HyperLogLog.Precision);
        if (!Densify(group).TryMerge(registers))
        {
            throw SpillFile.Damaged(from.Path, "a distinct-count sketch holds a register out of range");
        }
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output)
    {
        Sketch sketch = _sketches[group];
        output.AppendLong(sketch.Dense >= 0 ? (long)Math.Round(_dense[sketch.Dense].Estimate()) : sketch.Count);
    }

    private void AddHash(int group, ulong hash)
    {
        ref Sketch sketch = ref _sketches[group];
        if (sketch.Dense >= 0)
        {
            _dense[sketch.Dense].Add(hash);
        }
        else if (AddExact(ref sketch, hash) && sketch.Count > ExactLimit)
        {
            Densify(group);
        }
    }

    // Adds to the exact set; false when it held the hash. 0 marks an empty slot, so hash 0 is a flag.
    private bool AddExact(ref Sketch sketch, ulong hash)
    {
        if (hash == 0)
        {
            if (sketch.HasZero)
            {
                return false;
            }
            sketch.HasZero = true;
            sketch.Count++;
            return true;
        }
        if (sketch.Capacity == 0)
        {
            sketch.Start = Allocate(FirstCapacity);
            sketch.Capacity = FirstCapacity;
        }
        Span<ulong> slots = _pool.AsSpan(sketch.Start, sketch.Capacity);
        int mask = slots.Length - 1;
        int slot = (int)hash & mask;
        while (slots[slot] != 0)
        {
            if (slots[slot] == hash)
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        slots[slot] = hash;
        sketch.Count++;
        if (sketch.Count * 2 > sketch.Capacity && sketch.Count <= ExactLimit)
        {
            Grow(ref sketch);
        }
        return true;
    }

    // Moves the set to a region twice as large; the old region is left unused until the table is dropped.
    private void Grow(ref Sketch sketch)
    {
        int capacity = sketch.Capacity * 2;
        int start = Allocate(capacity);
        Span<ulong> slots = _pool.AsSpan(start, capacity);
        int mask = capacity - 1;
        foreach (ulong hash in _pool.AsSpan(sketch.Start, sketch.Capacity))
        {
            if (hash == 0)
            {
                continue;
            }
            int slot = (int)hash & mask;
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = hash;
        }
        sketch.Start = start;
        sketch.Capacity = capacity;
    }

    private int Allocate(int slots)
    {
        if (_pool.Length - _poolLength < slots)
        {
            Array.Resize(ref _pool, checked(Math.Max(_pool.Length * 2, _poolLength + slots)));
        }
        int start = _poolLength;
        _poolLength += slots;
        return start;
    }

    // The group's registers, made from its exact hashes the first time.
    private HyperLogLog Densify(int group)
    {
        ref Sketch sketch = ref _sketches[group];
        if (sketch.Dense >= 0)
        {
            return _dense[sketch.Dense];
        }
        var dense = new HyperLogLog();
        Span<ulong> hashes = sketch.Count <= _sorted.Length ? _sorted.AsSpan(0, sketch.Count) : new ulong[sketch.Count];
        Hashes(sketch, hashes);
        foreach (ulong hash in hashes)
        {
            dense.Add(hash);
        }
        sketch = new Sketch { Dense = _dense.Count };
        _dense.Add(dense);
        return dense;
    }

    private void Hashes(in Sketch sketch, Span<ulong> to)
    {
        int at = 0;
        if (sketch.HasZero)
        {
            to[at++] = 0;
        }
        foreach (ulong hash in _pool.AsSpan(sketch.Start, sketch.Capacity))
        {
            if (hash != 0)
            {
                to[at++] = hash;
            }
        }
    }

    // One group's sketch: its exact set's region of the pool, or (Dense >= 0) the index of its registers. A group
    // just added is all zeros, so Dense stores the index + 1.
    private struct Sketch
    {
        private int _dense;

        public int Start;
        public int Capacity;
        public ushort Count;
        public bool HasZero;

        public int Dense
        {
            readonly get => _dense - 1;
            set => _dense = value + 1;
        }
    }
}
