using System.Globalization;
using Dsl.Execution;

namespace Dsl.Hosting;

/// <summary>
/// Shows a run's progress on standard error: on a terminal, one line redrawn in place (a bar, partitions, rows and
/// stored bytes read, rows/s, time left); otherwise (a log, a pipe) a plain line at most every five seconds and one when the last partition is
/// done, so logs stay short.
/// </summary>
internal sealed class ProgressPrinter : IProgress<RunProgress>
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _stderr;
    private readonly bool _terminal;
    private readonly object _gate = new();
    private TimeSpan _last = TimeSpan.Zero; // nothing is shown for the first interval: short runs print only their summary
    private bool _drawn;

    public ProgressPrinter(TextWriter stderr, bool terminal)
    {
        _stderr = stderr;
        _terminal = terminal;
    }

    /// <summary>Whether <paramref name="stderr"/> is this process's standard error and that is a terminal.</summary>
    public static bool IsTerminal(TextWriter stderr) => ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;

    public void Report(RunProgress value)
    {
        lock (_gate)
        {
            bool last = value.PartitionsDone == value.PartitionsTotal;
            if (!last && value.Elapsed - _last < (_terminal ? DrawInterval : PlainInterval))
            {
                return;
            }
            _last = value.Elapsed;
            string text = Describe(value);
            if (_terminal)
            {
                const int width = 24;
                int filled = value.PartitionsTotal == 0 ? width : width * value.PartitionsDone / value.PartitionsTotal;
                _stderr.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}\u001b[K");
                _drawn = true;
            }
            else
            {
                _stderr.WriteLine($"progress: {text}");
            }
        }
    }

    /// <summary>Ends the redrawn line so the summary starts on its own.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_drawn)
            {
                _stderr.WriteLine();
                _drawn = false;
            }
        }
    }

    private static string Mebibytes(long bytes) => (bytes / 1048576.0).ToString(bytes < 10 << 20 ? "0.0" : "N0", CultureInfo.InvariantCulture);

    internal static string Describe(RunProgress p)
    {
        string rows = p.RowsRead.ToString("N0", CultureInfo.InvariantCulture);
        string rate = (p.RowsPerSecond / 1e6).ToString("0.00", CultureInfo.InvariantCulture);
        string left = p.PartitionsDone == p.PartitionsTotal ? "all computed, committing" : p.Remaining is { } r ? $"about {Math.Ceiling(r.TotalSeconds):0} s left" : "starting";
        string bytes = p.BytesToRead > 0 ? $" ({Mebibytes(p.BytesRead)} of {Mebibytes(p.BytesToRead)} MiB)" : "";
        return $"{p.PartitionsDone}/{p.PartitionsTotal} partitions, {rows} rows read{bytes}, {rate}M rows/s, {left}";
    }
}
