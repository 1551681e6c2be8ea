using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Dsl.Execution;

/// <summary>
/// What a run reports to OpenTelemetry (or any <see cref="ActivityListener"/>/<see cref="MeterListener"/>): an
/// activity per job (<c>dsl.job</c>), per task attempt (<c>dsl.task</c>) and for the job commit (<c>dsl.commit</c>),
/// and meters for rows in and out per segment, bytes written, task attempts by outcome and task duration. Both are
/// named <see cref="Name"/>: subscribe with <c>AddSource("Dsl.Execution")</c> and <c>AddMeter("Dsl.Execution")</c>.
/// Nothing is recorded while no one listens.
/// </summary>
public static class ExecutionTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Dsl.Execution";

    internal static readonly ActivitySource Source = new(Name);

    private static readonly Meter s_meter = new(Name);

    internal static readonly Counter<long> RowsIn = s_meter.CreateCounter<long>("dsl.segment.rows_in", "{row}", "Rows into a segment's kernel (committed attempts)");

    internal static readonly Counter<long> RowsOut = s_meter.CreateCounter<long>("dsl.segment.rows_out", "{row}", "Rows out of a segment's kernel (committed attempts)");

    internal static readonly Counter<long> BytesWritten = s_meter.CreateCounter<long>("dsl.task.bytes_written", "By", "Bytes of output parts committed");

    internal static readonly Counter<long> Attempts = s_meter.CreateCounter<long>("dsl.task.attempts", "{attempt}", "Task attempts by outcome: committed, lost (a twin won), retried, failed, cancelled");

    internal static readonly Histogram<double> TaskSeconds = s_meter.CreateHistogram<double>("dsl.task.duration", "s", "Wall time of committed task attempts");
}
