using System.Diagnostics;

namespace Dsl.Execution;

/// <summary>Per-segment row and time counters; one instance per partition attempt, merged into the job's on commit.</summary>
internal sealed class SegmentCounters
{
    private readonly long[] _rowsIn;
    private readonly long[] _rowsOut;
    private readonly long[] _ticks;
    private long _rowGroupsSkipped;
    private long _rowsSkipped;
    private long _readTicks;
    private long _writeTicks;
    private long _commitTicks;
    private long _peakOpenFiles;
    private long _peakWriterBytes;

    public SegmentCounters(int segments)
    {
        _rowsIn = new long[segments];
        _rowsOut = new long[segments];
        _ticks = new long[segments];
    }

    public void Record(int segment, long rowsIn, long rowsOut, long elapsedTicks)
    {
        _rowsIn[segment] += rowsIn;
        _rowsOut[segment] += rowsOut;
        _ticks[segment] += elapsedTicks;
    }

    /// <summary>Adds time spent reading and decoding input (Stopwatch timestamp ticks).</summary>
    public void RecordRead(long ticks) => _readTicks += ticks;

    /// <summary>Adds time spent encoding, compressing and writing output, footers and fsyncs included.</summary>
    public void RecordWrite(long ticks) => _writeTicks += ticks;

    /// <summary>Adds time spent committing a task (recording its parts, renaming its folder).</summary>
    public void RecordCommit(long ticks) => Interlocked.Add(ref _commitTicks, ticks);

    /// <summary>Notes how many part files the task held open and what its partitioned writers held, keeping the largest.</summary>
    public void RecordWriters(int openFiles, long writerBytes)
    {
        Max(ref _peakOpenFiles, openFiles);
        Max(ref _peakWriterBytes, writerBytes);
    }

    public int PeakOpenFiles => (int)Volatile.Read(ref _peakOpenFiles);

    public long PeakWriterBytes => Volatile.Read(ref _peakWriterBytes);

    public long RowGroupsSkipped => _rowGroupsSkipped;

    public long RowsSkipped => _rowsSkipped;

    public void RecordSkipped(long rowGroups, long rows)
    {
        _rowGroupsSkipped += rowGroups;
        _rowsSkipped += rows;
    }

    public void RecordSkipped(long rows)
    {
        _rowGroupsSkipped++;
        _rowsSkipped += rows;
    }

    // Called from several partition threads: merge with atomic adds.
    public void Add(SegmentCounters other)
    {
        Interlocked.Add(ref _rowGroupsSkipped, other._rowGroupsSkipped);
        Interlocked.Add(ref _rowsSkipped, other._rowsSkipped);
        Interlocked.Add(ref _readTicks, other._readTicks);
        Interlocked.Add(ref _writeTicks, other._writeTicks);
        Interlocked.Add(ref _commitTicks, other._commitTicks);
        Max(ref _peakOpenFiles, other._peakOpenFiles);
        Max(ref _peakWriterBytes, other._peakWriterBytes);
        for (int i = 0; i < _rowsIn.Length; i++)
        {
            Interlocked.Add(ref _rowsIn[i], other._rowsIn[i]);
            Interlocked.Add(ref _rowsOut[i], other._rowsOut[i]);
            Interlocked.Add(ref _ticks[i], other._ticks[i]);
        }
    }

    private static void Max(ref long target, long value)
    {
        long seen = Volatile.Read(ref target);
        while (value > seen)
        {
            long before = Interlocked.CompareExchange(ref target, value, seen);
            if (before == seen)
            {
                return;
            }
            seen = before;
        }
    }

    /// <summary>Where the tasks' time went, summed over the committed attempts.</summary>
    public RunProfile ToProfile(TimeSpan jobCommit) => new(
        TimeSpan.FromSeconds(_readTicks / (double)Stopwatch.Frequency),
        TimeSpan.FromTicks(_ticks.Sum()),
        TimeSpan.FromSeconds(_writeTicks / (double)Stopwatch.Frequency),
        TimeSpan.FromSeconds(_commitTicks / (double)Stopwatch.Frequency),
        jobCommit);

    /// <summary>
    /// The rows through each segment a run's second pass runs: the first-pass (<see cref="SegmentPlan.FitOnly"/>)
    /// segments are left out, since these counters never see them (a summary line "0 rows in" would misreport them).
    /// </summary>
    public IReadOnlyList<SegmentStatistics> ToStatistics(PipelinePlan plan) =>
        plan.Segments.Where(s => !s.FitOnly).Select(s => new SegmentStatistics(s.Name, _rowsIn[s.Index], _rowsOut[s.Index], TimeSpan.FromTicks(_ticks[s.Index]))).ToArray();
}
