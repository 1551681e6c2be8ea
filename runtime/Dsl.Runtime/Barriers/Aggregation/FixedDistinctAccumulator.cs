using System.Buffers.Binary;
using Dsl.Barriers.Keys;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// <see cref="Group{TRow}.CountDistinct{TValue}"/> of a value type of fixed width (every type but strings, binaries,
/// decimals and UUIDs, which <see cref="DistinctAccumulator"/> counts): a value is told apart by the 8 bytes after its <see cref="KeyEncoder"/> tag, since such a type has one tag
/// per payload (a UInt64 above <see cref="long.MaxValue"/> has a tag of its own and a payload no smaller UInt64 has).
/// Each group's values are a list in one shared array, appended to as rows come and made sorted and distinct when the
/// list fills up (it then moves to twice the room unless that freed half of it) and before it is counted or spilled:
/// no hash table, so adding a row touches the group's list only, and merging spilled lists is copying them.
/// </summary>
internal sealed class FixedDistinctAccumulator(AggregateLayout layout, int column) : Accumulator
{
    private const int FirstCapacity = 4;

    private readonly bool _floating = ValueKinds.Of(layout.Columns[column].InputField!.Type) == ValueKind.Double;
    private List[] _lists = [];
    private ulong[] _pool = new ulong[1024];
    private int _poolLength;

    public override long EstimatedBytes => (_lists.Length * 16L) + (_pool.Length * 8L);

    public override void Resize(int capacity) => Array.Resize(ref _lists, capacity);

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
            ReadOnlySpan<byte> value = encoded.Key(row);
            Append(groups[row], value.Length == 9 ? BinaryPrimitives.ReadUInt64LittleEndian(value[1..]) : value[1]);
        }
    }

    /// <summary>Whether <see cref="FixedDistinctAccumulator"/> counts the values of <paramref name="type"/>.</summary>
    public static bool Counts(ColumnType type) => type is not (ColumnType.String or ColumnType.Binary or ColumnType.Decimal or ColumnType.Uuid);

    /// <summary>The number of distinct values, then their payloads in ascending order.</summary>
    public override void Write(int group, SpillBuffer to)
    {
        ReadOnlySpan<ulong> distinct = Distinct(group);
        to.WriteInt32(distinct.Length);
        foreach (ulong value in distinct)
        {
            to.WriteUInt64(value);
        }
    }

    public override void Merge(int group, ref SpillReader from)
    {
        int count = from.ReadCount(8);
        for (int i = 0; i < count; i++)
        {
            Append(group, from.ReadUInt64());
        }
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => output.AppendLong(Distinct(group).Length);

    private void Append(int group, ulong value)
    {
        ref List list = ref _lists[group];
        if (list.Length == list.Capacity)
        {
            MakeRoom(ref list);
        }
        _pool[list.Start + list.Length] = value;
        list.Length++;
    }

    private ReadOnlySpan<ulong> Distinct(int group)
    {
        ref List list = ref _lists[group];
        if (list.Sorted != list.Length)
        {
            SortDistinct(ref list);
        }
        return _pool.AsSpan(list.Start, list.Length);
    }

    private void MakeRoom(ref List list)
    {
        if (list.Capacity == 0)
        {
            list.Start = Allocate(FirstCapacity);
            list.Capacity = FirstCapacity;
            return;
        }
        SortDistinct(ref list);
        if (list.Length * 2 <= list.Capacity)
        {
            return;
        }
        int capacity = checked(list.Capacity * 2);
        int start = Allocate(capacity);
        _pool.AsSpan(list.Start, list.Length).CopyTo(_pool.AsSpan(start));
        list.Start = start;
        list.Capacity = capacity;
    }

    private void SortDistinct(ref List list)
    {
        Span<ulong> values = _pool.AsSpan(list.Start, list.Length);
        values.Sort();
        int distinct = values.Length == 0 ? 0 : 1;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] != values[distinct - 1])
            {
                values[distinct++] = values[i];
            }
        }
        list.Length = distinct;
        list.Sorted = distinct;
    }

    // The old room of a list that moved stays unused until the table is dropped.
    private int Allocate(int slots)
    {
        if (_pool.Length - _poolLength < slots)
        {
            long needed = (long)_poolLength + slots;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException($"The aggregate stage '{layout.Stage}' holds more than {Array.MaxLength} distinct values in one table; give the stage more buckets.");
            }
            Array.Resize(ref _pool, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_pool.Length * 2)));
        }
        int start = _poolLength;
        _poolLength += slots;
        return start;
    }

    // One group's values: pool[Start .. Start + Length), of room Capacity; sorted and distinct while Sorted == Length.
    private struct List
    {
        public int Start;
        public int Length;
        public int Capacity;
        public int Sorted;
    }
}
