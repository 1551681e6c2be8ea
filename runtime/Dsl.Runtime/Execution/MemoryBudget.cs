namespace Dsl.Execution;

/// <summary>
/// Admission control over the bytes that running tasks hold in decoded batches: a task acquires its row group's
/// estimated bytes (<see cref="RowGroupCost"/>) before reading it and releases them when the rows are written, waiting
/// while the budget is used up. So the budget, not the parallelism, bounds the data in flight: with large row groups
/// fewer tasks run at once. A single row group larger than the whole budget runs alone.
/// </summary>
public sealed class MemoryBudget
{
    private readonly object _gate = new();
    private long _inUse;

    /// <summary>Creates a budget of <paramref name="bytes"/>.</summary>
    public MemoryBudget(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1L << 20, nameof(bytes));
        Bytes = bytes;
    }

    /// <summary>The default: half of the memory available to this process (its container limit, or physical memory).</summary>
    public static long DefaultBytes => Math.Max(1L << 28, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2);

    /// <summary>The budget.</summary>
    public long Bytes { get; }

    /// <summary>The most bytes held at once so far.</summary>
    public long PeakInUse { get; private set; }

    /// <summary>How many times a task had to wait for others to release bytes.</summary>
    public int Waits { get; private set; }

    /// <summary>Waits until <paramref name="bytes"/> (at most the whole budget) fit, then holds them until the lease is disposed.</summary>
    public Lease Acquire(long bytes, CancellationToken cancellationToken)
    {
        bytes = Math.Clamp(bytes, 0, Bytes);
        lock (_gate)
        {
            bool waited = false;
            while (_inUse > 0 && _inUse + bytes > Bytes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                waited = true;
                Monitor.Wait(_gate, 50);
            }
            if (waited)
            {
                Waits++;
            }
            _inUse += bytes;
            PeakInUse = Math.Max(PeakInUse, _inUse);
        }
        return new Lease(this, bytes);
    }

    /// <summary>
    /// Grows <paramref name="lease"/> by <paramref name="extra"/> bytes if they fit in the budget now, without waiting:
    /// for state that grows while its task runs (a fit's exact distinct values), where waiting could deadlock with the
    /// tasks whose bytes are needed. False when they do not fit.
    /// </summary>
    internal bool TryGrow(Lease lease, long extra)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extra);
        lock (_gate)
        {
            if (_inUse + extra > Bytes)
            {
                return false;
            }
            _inUse += extra;
            PeakInUse = Math.Max(PeakInUse, _inUse);
            lease.Bytes += extra;
            return true;
        }
    }

    /// <summary>The bytes held by every lease now.</summary>
    internal long InUse
    {
        get
        {
            lock (_gate)
            {
                return _inUse;
            }
        }
    }

    private void Release(long bytes)
    {
        lock (_gate)
        {
            _inUse -= bytes;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Bytes held from a <see cref="MemoryBudget"/>; dispose to give them back.</summary>
    public sealed class Lease : IDisposable
    {
        private MemoryBudget? _budget;

        internal Lease(MemoryBudget budget, long bytes)
        {
            _budget = budget;
            Bytes = bytes;
        }

        /// <summary>The bytes held.</summary>
        public long Bytes { get; internal set; }

        /// <inheritdoc />
        public void Dispose() => Interlocked.Exchange(ref _budget, null)?.Release(Bytes);
    }
}
