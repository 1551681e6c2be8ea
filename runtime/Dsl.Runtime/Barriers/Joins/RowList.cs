using System.Buffers;

namespace Dsl.Barriers.Joins;

/// <summary>A growing list of row positions in a pooled array (returned on dispose): what a probe collects.</summary>
internal sealed class RowList : IDisposable
{
    private int[] _items;

    public RowList(int capacity) => _items = ArrayPool<int>.Shared.Rent(Math.Max(capacity, 16));

    /// <summary>The number of positions.</summary>
    public int Count { get; private set; }

    /// <summary>The positions, in the order added.</summary>
    public ReadOnlySpan<int> Span => _items.AsSpan(0, Count);

    public void Add(int row)
    {
        if (Count == _items.Length)
        {
            int[] grown = ArrayPool<int>.Shared.Rent(checked(_items.Length * 2));
            _items.AsSpan(0, Count).CopyTo(grown);
            ArrayPool<int>.Shared.Return(_items);
            _items = grown;
        }
        _items[Count++] = row;
    }

    public void Clear() => Count = 0;

    public void Dispose()
    {
        if (_items.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_items);
            _items = [];
        }
    }
}
