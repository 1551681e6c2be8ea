using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Dsl.Parquet;

namespace Dsl.Training;

/// <summary>
/// One rank's batches of one epoch, from a start step. Enumerating it starts the background work: a thread that
/// assembles batches into the prefetch ring (at most <see cref="TrainingFeed.RingBatches"/> batches ahead of the
/// trainer) while the next window's row groups are decoded on <see cref="TrainingFeedOptions.DecodeThreads"/> threads.
/// Enumerate it once; disposing it (from any thread) stops the threads, and the trainer's next <c>MoveNext</c> then
/// ends the enumeration.
/// </summary>
public sealed class FeedEpoch : IEnumerable<FeedBatch>, IDisposable
{
    private readonly TrainingFeed _feed;
    private readonly EpochPlan _plan;
    private Enumerator? _enumerator;

    internal FeedEpoch(TrainingFeed feed, EpochPlan plan, int startStep)
    {
        _feed = feed;
        _plan = plan;
        StartStep = startStep;
    }

    /// <summary>The epoch.</summary>
    public int Epoch => _plan.Epoch;

    /// <summary>The first step delivered.</summary>
    public int StartStep { get; }

    /// <summary>Steps in the whole epoch (every rank takes as many).</summary>
    public int Steps => _plan.Steps;

    /// <summary>This rank's rows this epoch, before padding or dropping.</summary>
    public long RankRows => _plan.RankRows;

    /// <summary>Batches assembled and waiting in the prefetch ring for the trainer (at most <see cref="TrainingFeed.RingBatches"/>).</summary>
    public int BatchesReady => _enumerator?.Ready ?? 0;

    /// <summary>Batches assembled so far, delivered or waiting.</summary>
    public int BatchesAssembled => _enumerator?.Assembled ?? 0;

    /// <summary>What the enumeration delivered so far and how long the trainer waited.</summary>
    public FeedStatistics Statistics { get; } = new();

    /// <inheritdoc/>
    public IEnumerator<FeedBatch> GetEnumerator()
    {
        if (_enumerator is not null)
        {
            throw new InvalidOperationException($"Epoch {Epoch} is already being enumerated; ask the feed for the epoch again to read it again.");
        }
        return _enumerator = new Enumerator(this);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Stops the background threads and gives the ring's batches back to the feed; safe from any thread.</summary>
    public void Dispose() => _enumerator?.Dispose();

    /// <summary>
    /// A window's decoded rows: features row-major, labels, and the order the rows are delivered in. Each enumeration
    /// owns two, sized to the plan's largest window, so what it holds is exact and nothing outlives it.
    /// </summary>
    private sealed class WindowBuffer(int rows, int width, bool hasLabel)
    {
        public float[] Features { get; } = new float[rows * width];

        public float[] Labels { get; } = hasLabel ? new float[rows] : [];

        public int[] Order { get; } = new int[rows];

        public FeedWindow Window { get; set; } = null!;
    }

    private sealed class Enumerator : IEnumerator<FeedBatch>
    {
        private readonly FeedEpoch _epoch;
        private readonly BlockingCollection<FeedBatch> _free = [];
        private readonly BlockingCollection<FeedBatch> _ready = [];
        private readonly ConcurrentBag<WindowBuffer> _windows = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly string[] _columns;
        private readonly Lock _disposing = new();
        private readonly List<FeedBatch> _slots = [];
        private Task? _producer;
        private Exception? _failure;
        private FeedBatch? _held;
        private volatile bool _disposed;
        private int _assembled;

        public Enumerator(FeedEpoch epoch)
        {
            _epoch = epoch;
            TrainingFeed feed = epoch._feed;
            _columns = [.. feed.Options.Features, .. feed.Options.Label is { } label ? [label] : Array.Empty<string>()];
            int largest = epoch._plan.Windows.Max(w => w.Rows);
            _windows.Add(new WindowBuffer(largest, feed.FeatureCount, feed.LabelColumn is not null));
            _windows.Add(new WindowBuffer(largest, feed.FeatureCount, feed.LabelColumn is not null));
        }

        public int Ready => _ready.Count;

        public int Assembled => Volatile.Read(ref _assembled);

        public FeedBatch Current => _held ?? throw new InvalidOperationException("No current batch: call MoveNext first.");

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_disposed)
            {
                return false; // disposed, perhaps from another thread: the epoch ends here
            }
            _producer ??= Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            bool first = _epoch.Statistics.Batches == 0;
            if (_held is not null && !_free.IsAddingCompleted)
            {
                try
                {
                    _free.Add(_held);
                }
                catch (InvalidOperationException) when (_disposed)
                {
                    // Disposed meanwhile: the slot goes back to the feed with the others.
                }
            }
            _held = null;
            if (!_ready.TryTake(out FeedBatch? batch))
            {
                long started = Stopwatch.GetTimestamp();
                _ready.TryTake(out batch, Timeout.Infinite);
                if (batch is not null)
                {
                    _epoch.Statistics.AddWait(Stopwatch.GetTimestamp() - started, first);
                }
            }
            if (batch is null)
            {
                if (_failure is not null && !_disposed)
                {
                    ExceptionDispatchInfo.Capture(_failure).Throw();
                }
                return false;
            }
            _held = batch;
            FeedStatistics statistics = _epoch.Statistics;
            statistics.Batches++;
            statistics.Rows += batch.Rows;
            statistics.PaddedRows += batch.PaddedRows;
            return true;
        }

        public void Reset() => throw new NotSupportedException("Ask the feed for the epoch again to read it again.");

        public void Dispose()
        {
            lock (_disposing)
            {
                if (_disposed)
                {
                    return;
                }
                _disposed = true;
            }
            _stop.Cancel();
            _free.CompleteAdding();
            try
            {
                _producer?.Wait();
            }
            catch (AggregateException)
            {
                // The producer's own failure was handed to MoveNext; nothing is left to report here.
            }
            _stop.Dispose();
            _epoch._feed.ReturnSlots(_slots);
        }

        private FeedBatch? TakeSlot()
        {
            // Slots are made as the ring first fills (or taken from the feed's, left by an earlier epoch), up to the
            // ring plus the batch the trainer holds; then the producer waits for the trainer to give one back.
            if (_free.TryTake(out FeedBatch? slot))
            {
                return slot;
            }
            if (_slots.Count <= _epoch._feed.RingBatches)
            {
                slot = _epoch._feed.RentSlot();
                _slots.Add(slot);
                return slot;
            }
            return _free.TryTake(out slot, Timeout.Infinite, _stop.Token) ? slot : null;
        }

        private void Produce()
        {
            EpochPlan plan = _epoch._plan;
            TrainingFeed feed = _epoch._feed;
            int batchSize = feed.Options.BatchSize;
            int width = feed.FeatureCount;
            WindowBuffer? current = null;
            Task<WindowBuffer>? next = null;
            long end = ((long)(plan.Steps - 1) * batchSize) + plan.LastBatchRows; // the stream position after the last row delivered
            try
            {
                for (int step = _epoch.StartStep; step < plan.Steps; step++)
                {
                    if (TakeSlot() is not { } batch)
                    {
                        return;
                    }
                    long started = Stopwatch.GetTimestamp();
                    int rows = step == plan.Steps - 1 ? plan.LastBatchRows : batchSize;
                    long position = (long)step * batchSize;
                    for (int i = 0; i < rows;)
                    {
                        long p = position + i;
                        long q = p % plan.RankRows; // past the rank's rows (Pad): its epoch's first rows again
                        if (current is null || q < current.Window.FirstRow || q >= current.Window.FirstRow + current.Window.Rows)
                        {
                            int index = plan.WindowOf(q);
                            WindowBuffer? reuse = next?.Result is { } prefetched && prefetched.Window.Index == index ? prefetched : null;
                            if (current is not null)
                            {
                                _windows.Add(current);
                                current = null;
                            }
                            if (reuse is null && next is not null)
                            {
                                _windows.Add(next.Result);
                            }
                            next = null;
                            current = reuse ?? Decode(plan.Windows[index]);
                            // Decode the following window meanwhile, if this epoch still reaches it (padding may wrap to window 0).
                            int following = (index + 1) % plan.Windows.Length;
                            long followingStart = p - q + (following == 0 ? plan.RankRows : plan.Windows[following].FirstRow);
                            if (following != index && followingStart < end)
                            {
                                next = Task.Run(() => Decode(plan.Windows[following]), _stop.Token);
                            }
                        }
                        // The rows of this window that go into this batch: contiguous in its delivery order.
                        int offset = (int)(q - current.Window.FirstRow);
                        int run = (int)Math.Min(rows - i, current.Window.Rows - offset);
                        Copy(current, offset, run, batch, i, width);
                        i += run;
                    }
                    batch.Epoch = plan.Epoch;
                    batch.Step = step;
                    batch.Rows = rows;
                    batch.PaddedRows = (int)Math.Max(0, position + rows - Math.Max(position, plan.RankRows));
                    _epoch.Statistics.AddAssemble(Stopwatch.GetTimestamp() - started);
                    Interlocked.Increment(ref _assembled);
                    _ready.Add(batch);
                }
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                // A decode on the prefetch task or in Parallel.For arrives wrapped: hand on the row group's own error.
                _failure = e is AggregateException wrapped ? wrapped.Flatten().InnerExceptions[0] : e;
            }
            catch (Exception)
            {
                // Stopped by Dispose: whatever failed meanwhile has no one to tell.
            }
            finally
            {
                try
                {
                    next?.Wait();
                }
                catch (AggregateException)
                {
                    // A prefetch that failed or was cancelled; its buffer is not needed any more.
                }
                _ready.CompleteAdding();
            }
        }

        private static void Copy(WindowBuffer window, int offset, int run, FeedBatch batch, int at, int width)
        {
            ReadOnlySpan<int> order = window.Order.AsSpan(offset, run);
            Span<float> features = batch.FeatureArray.AsSpan(at * width, run * width);
            ReadOnlySpan<float> source = window.Features;
            for (int r = 0; r < order.Length; r++)
            {
                source.Slice(order[r] * width, width).CopyTo(features.Slice(r * width, width));
            }
            if (window.Labels.Length > 0)
            {
                Span<float> labels = batch.LabelArray.AsSpan(at, run);
                for (int r = 0; r < order.Length; r++)
                {
                    labels[r] = window.Labels[order[r]];
                }
            }
        }

        private WindowBuffer Decode(FeedWindow window)
        {
            TrainingFeed feed = _epoch._feed;
            int width = feed.FeatureCount;
            // Two buffers, and at most two windows held at a time (the current one and the prefetched next one).
            if (!_windows.TryTake(out WindowBuffer? buffer))
            {
                throw new InvalidOperationException("The training feed needed a third window buffer; at most two windows are decoded at once.");
            }
            try
            {
                var starts = new int[window.Units.Length];
                for (int u = 1; u < starts.Length; u++)
                {
                    starts[u] = starts[u - 1] + window.Units[u - 1].Rows;
                }
                Parallel.For(0, window.Units.Length, new ParallelOptions { MaxDegreeOfParallelism = feed.Options.DecodeThreads, CancellationToken = _stop.Token }, u =>
                    DecodeUnit(window.Units[u], buffer.Features.AsSpan(starts[u] * width, window.Units[u].Rows * width),
                        buffer.Labels.Length == 0 ? [] : buffer.Labels.AsSpan(starts[u], window.Units[u].Rows)));
                Span<int> rows = buffer.Order.AsSpan(0, window.Rows);
                for (int r = 0; r < rows.Length; r++)
                {
                    rows[r] = r;
                }
                if (feed.Options.Shuffle)
                {
                    FeedRandom.For(feed.Options.Seed, (ulong)_epoch.Epoch, 1 + ((ulong)feed.Options.Rank << 32) + (ulong)window.Index).Shuffle(rows);
                }
                buffer.Window = window;
                return buffer;
            }
            catch
            {
                _windows.Add(buffer);
                throw;
            }
        }

        private void DecodeUnit(FeedUnit unit, Span<float> features, Span<float> labels)
        {
            long started = Stopwatch.GetTimestamp();
            TrainingFeed feed = _epoch._feed;
            string path = feed.Output.Parts[unit.Part].Path;
            try
            {
                using var reader = new ParquetFileReader(path);
                using RecordBatch batch = reader.ReadRowGroup(unit.RowGroup, _columns);
                if (batch.RowCount != unit.Rows)
                {
                    throw new InvalidDataException($"{path}, row group {unit.RowGroup}: {batch.RowCount} rows, but its footer said {unit.Rows} when the feed opened; the file changed.");
                }
                int width = feed.FeatureCount;
                for (int f = 0; f < width; f++)
                {
                    feed.FeatureColumns[f].Write(batch[f], features[f..], width, unit.Rows, path, unit.RowGroup);
                }
                feed.LabelColumn?.Write(batch[width], labels, 1, unit.Rows, path, unit.RowGroup);
            }
            catch (ParquetFormatException e)
            {
                // Its message names the file, column, row group and page; the feed's errors are all InvalidDataException.
                throw new InvalidDataException(e.Message, e);
            }
            _epoch.Statistics.RowGroupDecoded();
            _epoch.Statistics.AddDecode(Stopwatch.GetTimestamp() - started);
        }
    }
}
