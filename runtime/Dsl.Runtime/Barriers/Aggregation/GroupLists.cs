namespace Dsl.Barriers.Aggregation;

/// <summary>
/// A list of 64-bit values per group, every list in one shared array: appended to as rows come, and made sorted and
/// distinct when <see cref="Distinct"/> is asked and when a list of <see cref="SortFrom"/> or more fills up (it then
/// moves to twice the room unless that freed half of it; a shorter one just moves). So a set per group costs no object and no hash table: adding a value touches the
/// group's list only, and merging spilled sets is appending them.
/// </summary>
internal sealed class GroupLists(string stage)
{
    /// <summary>The room from which a full list is made distinct before it grows: below it, sorting costs more than the room it could save.</summary>
    public const int SortFrom = 64;

    private const int FirstCapacity = 4;

    private List[] _lists = [];
    private ulong[] _pool = new ulong[1024];
    private int _poolLength;

    /// <summary>The bytes the lists take, roughly.</summary>
    public long EstimatedBytes => (_lists.Length * 16L) + (_pool.Length * 8L);

    /// <summary>Makes room for <paramref name="groups"/> lists.</summary>
    public void Resize(int groups) => Array.Resize(ref _lists, groups);

    /// <summary>The number of values in group <paramref name="group"/>'s list, repeated ones included.</summary>
    public int Length(int group) => _lists[group].Length;

    public void Append(int group, ulong value)
    {
        ref List list = ref _lists[group];
        if (list.Length == list.Capacity)
        {
            MakeRoom(ref list);
        }
        _pool[list.Start + list.Length] = value;
        list.Length++;
    }

    /// <summary>Group <paramref name="group"/>'s distinct values, in ascending order.</summary>
    public ReadOnlySpan<ulong> Distinct(int group)
    {
        ref List list = ref _lists[group];
        if (list.Sorted != list.Length)
        {
            SortDistinct(ref list);
        }
        return _pool.AsSpan(list.Start, list.Length);
    }

    /// <summary>
    /// Empties group <paramref name="group"/>'s list, gives up its room and marks it with <paramref name="mark"/>
    /// (at least 0) for <see cref="IsClosed"/>: for a set that moved elsewhere, found with the list's own read.
    /// </summary>
    public void Close(int group, int mark) => _lists[group] = new List { Start = mark, Capacity = -1 };

    /// <summary>Whether group <paramref name="group"/>'s list was closed, and its mark.</summary>
    public bool IsClosed(int group, out int mark)
    {
        List list = _lists[group];
        mark = list.Start;
        return list.Capacity < 0;
    }

    private void MakeRoom(ref List list)
    {
        if (list.Capacity == 0)
        {
            list.Start = Allocate(FirstCapacity);
            list.Capacity = FirstCapacity;
            return;
        }
        if (list.Capacity >= SortFrom)
        {
            SortDistinct(ref list);
            if (list.Length * 2 <= list.Capacity)
            {
                return;
            }
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
        if (values.Length <= ShortList)
        {
            InsertionSort(values);
        }
        else
        {
            values.Sort();
        }
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

    // Most groups' lists are short. Span.Sort compiled ahead of time compares through an IComparer call per pair (a
    // fifth of W2's time went there); plain comparisons in place are several times faster at these lengths.
    private const int ShortList = 48;

    private static void InsertionSort(Span<ulong> values)
    {
        for (int i = 1; i < values.Length; i++)
        {
            ulong value = values[i];
            int j = i - 1;
            while (j >= 0 && values[j] > value)
            {
                values[j + 1] = values[j];
                j--;
            }
            values[j + 1] = value;
        }
    }

    // The room a list moved out of (or was dropped from) stays unused until the table is dropped.
    private int Allocate(int slots)
    {
        if (_pool.Length - _poolLength < slots)
        {
            long needed = (long)_poolLength + slots;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException($"The aggregate stage '{stage}' holds more than {Array.MaxLength} distinct values in one table; give the stage more buckets.");
            }
            Array.Resize(ref _pool, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_pool.Length * 2)));
        }
        int start = _poolLength;
        _poolLength += slots;
        return start;
    }

    // One group's values: pool[Start .. Start + Length), of room Capacity; sorted and distinct while Sorted == Length.
    // A closed list has Capacity -1 and its mark in Start.
    private struct List
    {
        public int Start;
        public int Length;
        public int Capacity;
        public int Sorted;
    }
}
