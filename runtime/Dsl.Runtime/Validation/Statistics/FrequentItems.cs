using System.Runtime.InteropServices;

namespace Dsl.Validation.Statistics;

/// <summary>
/// The most frequent values of a column with their counts: a mergeable Misra–Gries summary (Agarwal et al.,
/// "Mergeable summaries", 2012) of at most <see cref="Capacity"/> counters. Counts are added a batch at a time; when
/// more than <see cref="Capacity"/> values are tracked, the (Capacity + 1)-th largest count is subtracted from every
/// counter and those left at zero or below are dropped. A value's kept count is then at most
/// <see cref="ErrorBound"/> (the sum of everything subtracted, at most n / (Capacity + 1)) below its true count, and
/// any value more frequent than that bound is kept. While <see cref="ErrorBound"/> is 0 the counts are exact (no more
/// than <see cref="Capacity"/> distinct values were seen).
/// </summary>
/// <typeparam name="TKey">The value: a string for text, a long for integers and booleans.</typeparam>
internal sealed class FrequentItems<TKey>
    where TKey : notnull
{
    /// <summary>The default number of counters.</summary>
    public const int DefaultCapacity = 1024;

    private readonly Dictionary<TKey, long> _counts;
    private readonly IComparer<TKey> _order;

    /// <summary>An empty summary of <paramref name="capacity"/> counters; <paramref name="order"/> breaks ties between equal counts.</summary>
    public FrequentItems(IComparer<TKey> order, IEqualityComparer<TKey>? equality = null, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _order = order;
        _counts = new Dictionary<TKey, long>(equality);
    }

    /// <summary>The most counters kept.</summary>
    public int Capacity { get; }

    /// <summary>How far below its true count any value's count may be (0: exact).</summary>
    public long ErrorBound { get; private set; }

    /// <summary>The number of values tracked.</summary>
    public int Tracked => _counts.Count;

    /// <summary>Adds <paramref name="count"/> occurrences of <paramref name="key"/>; call <see cref="Prune"/> after a batch.</summary>
    public void Add(TKey key, long count) => CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _) += count;

    /// <summary>Adds <paramref name="other"/>'s counters, then prunes: the result summarizes both inputs.</summary>
    public void Merge(FrequentItems<TKey> other)
    {
        foreach ((TKey key, long count) in other._counts)
        {
            Add(key, count);
        }
        ErrorBound += other.ErrorBound;
        Prune();
    }

    /// <summary>Keeps at most <see cref="Capacity"/> counters (see the type's summary).</summary>
    public void Prune()
    {
        if (_counts.Count <= Capacity)
        {
            return;
        }
        long[] counts = [.. _counts.Values];
        Array.Sort(counts);
        long cut = counts[^(Capacity + 1)];
        foreach (TKey key in _counts.Keys.ToArray())
        {
            long left = _counts[key] - cut;
            if (left <= 0)
            {
                _counts.Remove(key);
            }
            else
            {
                _counts[key] = left;
            }
        }
        ErrorBound += cut;
    }

    /// <summary>Every tracked value with its kept count, most frequent first (ties in the key order).</summary>
    public List<KeyValuePair<TKey, long>> Sorted()
    {
        List<KeyValuePair<TKey, long>> items = [.. _counts];
        items.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : _order.Compare(a.Key, b.Key));
        return items;
    }

    /// <summary>Sets the error bound of a summary read back from a file.</summary>
    public void RestoreErrorBound(long errorBound) => ErrorBound = errorBound;
}
