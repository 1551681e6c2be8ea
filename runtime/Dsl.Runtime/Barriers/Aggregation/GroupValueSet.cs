namespace Dsl.Barriers.Aggregation;

/// <summary>
/// A set of (group, value) pairs whose value fits in a 64-bit word and a tag, held inline in one open-addressing
/// array: a probe reads one 16-byte slot, with no key bytes to compare elsewhere. <see cref="ByGroup"/> lists each
/// group's values for spilling, in slot order (the same for the same additions).
/// </summary>
internal sealed class GroupValueSet
{
    private Slot[] _slots = new Slot[32];
    private int _shift = 64 - 5;
    private int[] _starts = [];
    private Slot[] _byGroup = [];
    private bool _listed;

    /// <summary>The number of pairs.</summary>
    public int Count { get; private set; }

    /// <summary>The bytes the slots take.</summary>
    public long EstimatedBytes => (_slots.Length + _byGroup.Length) * 16L;

    /// <summary>Adds the pair; false when the set already holds it.</summary>
    public bool Add(int group, ulong value, int tag)
    {
        int mask = _slots.Length - 1;
        int slot = (int)(Mix(group, value, tag) >> _shift);
        Slot[] slots = _slots;
        while (true)
        {
            ref Slot at = ref slots[slot];
            if (at.Group == 0)
            {
                break;
            }
            if (at.Value == value && at.Group == group + 1 && at.Tag == tag)
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        slots[slot] = new Slot { Value = value, Group = group + 1, Tag = tag };
        Count++;
        _listed = false;
        if (Count * 2 > slots.Length)
        {
            Rehash();
        }
        return true;
    }

    /// <summary>
    /// Group <paramref name="group"/>'s values and tags; <paramref name="counts"/> holds every group's number of pairs.
    /// The first call after an addition lists all groups at once.
    /// </summary>
    public ReadOnlySpan<Slot> ByGroup(int group, ReadOnlySpan<long> counts)
    {
        if (!_listed)
        {
            List(counts);
        }
        return _byGroup.AsSpan(_starts[group], _starts[group + 1] - _starts[group]);
    }

    // A counting sort of the slots by group.
    private void List(ReadOnlySpan<long> counts)
    {
        if (_starts.Length < counts.Length + 1)
        {
            _starts = new int[counts.Length + 1];
        }
        if (_byGroup.Length < Count)
        {
            _byGroup = new Slot[Count];
        }
        int total = 0;
        for (int group = 0; group < counts.Length; group++)
        {
            _starts[group] = total;
            total += (int)counts[group];
        }
        _starts[counts.Length] = total;
        int[] next = _starts[..counts.Length];
        foreach (Slot slot in _slots)
        {
            if (slot.Group != 0)
            {
                _byGroup[next[slot.Group - 1]++] = slot;
            }
        }
        _listed = true;
    }

    private static ulong Mix(int group, ulong value, int tag)
    {
        // Murmur3's finalizer over the value with the group and tag folded in.
        ulong k = value ^ ((((ulong)(uint)group << 32) | (uint)tag) * 0x9E3779B97F4A7C15UL);
        k ^= k >> 33;
        k *= 0xFF51AFD7ED558CCDUL;
        k ^= k >> 33;
        k *= 0xC4CEB9FE1A85EC53UL;
        k ^= k >> 33;
        return k;
    }

    private void Rehash()
    {
        var slots = new Slot[_slots.Length * 2];
        int shift = _shift - 1;
        int mask = slots.Length - 1;
        foreach (Slot entry in _slots)
        {
            if (entry.Group == 0)
            {
                continue;
            }
            int slot = (int)(Mix(entry.Group - 1, entry.Value, entry.Tag) >> shift);
            while (slots[slot].Group != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = entry;
        }
        _slots = slots;
        _shift = shift;
    }

    /// <summary>One pair; <see cref="Group"/> is the group number + 1, 0 in an empty slot.</summary>
    public struct Slot
    {
        public ulong Value;
        public int Group;
        public int Tag;
    }
}
