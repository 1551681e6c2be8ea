using System.Diagnostics;

namespace Dsl.Training;

/// <summary>What one epoch's enumeration delivered and how long the trainer waited for it; live while it runs.</summary>
public sealed class FeedStatistics
{
    private long _waitTicks;
    private long _firstWaitTicks;
    private long _decodeTicks;
    private long _assembleTicks;
    private long _rowGroupsDecoded;

    /// <summary>Batches delivered.</summary>
    public int Batches { get; internal set; }

    /// <summary>Rows delivered, padded rows included.</summary>
    public long Rows { get; internal set; }

    /// <summary>Rows delivered that repeat the epoch's first rows (<see cref="FeedRemainder.Pad"/>).</summary>
    public long PaddedRows { get; internal set; }

    /// <summary>Row groups decoded (those of windows before the start step are not).</summary>
    public long RowGroupsDecoded => Interlocked.Read(ref _rowGroupsDecoded);

    /// <summary>How long the trainer waited for the first batch: the ring warming up.</summary>
    public TimeSpan FirstBatchWait => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _firstWaitTicks));

    /// <summary>How long the trainer waited for every later batch: zero when decoding keeps ahead of training.</summary>
    public TimeSpan WaitTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitTicks));

    /// <summary>Time the decode threads spent reading and converting row groups (summed over threads).</summary>
    public TimeSpan DecodeTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _decodeTicks));

    /// <summary>Time spent assembling batches from decoded windows.</summary>
    public TimeSpan AssembleTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _assembleTicks));

    internal void AddWait(long ticks, bool first) => Interlocked.Add(ref first ? ref _firstWaitTicks : ref _waitTicks, ticks);

    internal void AddDecode(long ticks) => Interlocked.Add(ref _decodeTicks, ticks);

    internal void AddAssemble(long ticks) => Interlocked.Add(ref _assembleTicks, ticks);

    internal void RowGroupDecoded() => Interlocked.Increment(ref _rowGroupsDecoded);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Batches} batches, {Rows} rows ({PaddedRows} padded), {RowGroupsDecoded} row groups decoded; waited {FirstBatchWait.TotalMilliseconds:F1} ms for the first batch, " +
        $"{WaitTime.TotalMilliseconds:F1} ms after; decode {DecodeTime.TotalMilliseconds:F1} ms, assembly {AssembleTime.TotalMilliseconds:F1} ms";
}
