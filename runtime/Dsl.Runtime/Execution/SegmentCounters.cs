namespace Dsl.Execution;

/// <summary>Per-segment row and time counters; one instance per partition attempt, merged into the job's on commit.</summary>
internal sealed class SegmentCounters
{
    private readonly long[] _rowsIn;
    private readonly long[] _rowsOut;
    private readonly long[] _ticks;
    private long _rowGroupsSkipped;
    private long _rowsSkipped;

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

    public long RowGroupsSkipped => _rowGroupsSkipped;

    public long RowsSkipped => _rowsSkipped;

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
        for (int i = 0; i < _rowsIn.Length; i++)
        {
            Interlocked.Add(ref _rowsIn[i], other._rowsIn[i]);
            Interlocked.Add(ref _rowsOut[i], other._rowsOut[i]);
            Interlocked.Add(ref _ticks[i], other._ticks[i]);
        }
    }

    public IReadOnlyList<SegmentStatistics> ToStatistics(PipelinePlan plan) =>
        plan.Segments.Select(s => new SegmentStatistics(s.Name, _rowsIn[s.Index], _rowsOut[s.Index], TimeSpan.FromTicks(_ticks[s.Index]))).ToArray();
}
