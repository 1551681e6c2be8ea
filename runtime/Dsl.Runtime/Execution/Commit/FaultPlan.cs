using System.Globalization;

namespace Dsl.Execution.Commit;

/// <summary>The storage operations a <see cref="FaultPlan"/> can make fail.</summary>
internal enum StorageOperation
{
    /// <summary>Opening an input file for a partition.</summary>
    Read,

    /// <summary>Creating or writing an output part or the manifest.</summary>
    Write,

    /// <summary>A rename or folder swap (task commit, job commit).</summary>
    Rename,

    /// <summary>Flushing a file or folder to disk.</summary>
    Fsync,
}

/// <summary>
/// A test hook: makes chosen storage operations throw <see cref="IOException"/>, so tests can prove the executor
/// recovers or fails cleanly with the previous output intact. Read from <c>DSL_TEST_FAULTS</c> for tests that run
/// the real program, e.g. <c>rename@2:1,write:3:enospc</c>: let two renames pass then fail one; fail the first three
/// writes with "No space left on device". It also widens the commit protocol's steps (<c>DSL_TEST_STEP_DELAY_MS</c>)
/// so that kill tests land inside them, or holds the process at one named step until it is killed
/// (<c>DSL_TEST_HOLD_AT=next-durable</c>), so that a kill lands there however late the test reads the trace; it
/// names each step on standard error (<c>DSL_TEST_TRACE=1</c>), and can make
/// the job commit take its two-rename fallback as on a file system without an atomic exchange
/// (<c>DSL_TEST_NO_EXCHANGE=1</c>), or check partition folders as on a file system that ignores letter case
/// (<c>DSL_TEST_FOLD_CASE=1</c>). Without those variables it does nothing.
/// </summary>
internal sealed class FaultPlan
{
    private readonly Dictionary<StorageOperation, Rule> _rules;
    private readonly object _gate = new();

    private FaultPlan(Dictionary<StorageOperation, Rule> rules, int stepDelayMs, bool trace, bool noExchange = false, bool foldCase = false, string? holdAt = null)
    {
        _rules = rules;
        HoldAt = string.IsNullOrEmpty(holdAt) ? null : holdAt;
        FoldCase = foldCase;
        StepDelayMs = stepDelayMs;
        Trace = trace;
        NoExchange = noExchange;
    }

    /// <summary>No faults, no delays.</summary>
    public static FaultPlan None { get; } = new([], 0, false);

    /// <summary>The plan named by the process's environment (none when the variables are unset).</summary>
    public static FaultPlan FromEnvironment { get; } = Parse(
        Environment.GetEnvironmentVariable("DSL_TEST_FAULTS"),
        int.TryParse(Environment.GetEnvironmentVariable("DSL_TEST_STEP_DELAY_MS"), CultureInfo.InvariantCulture, out int delay) ? delay : 0,
        Environment.GetEnvironmentVariable("DSL_TEST_TRACE") == "1",
        Environment.GetEnvironmentVariable("DSL_TEST_NO_EXCHANGE") == "1",
        Environment.GetEnvironmentVariable("DSL_TEST_FOLD_CASE") == "1",
        Environment.GetEnvironmentVariable("DSL_TEST_HOLD_AT"));

    /// <summary>The commit step at which the process waits to be killed, if any.</summary>
    public string? HoldAt { get; }

    /// <summary>Whether the job commit acts as if the file system had no atomic exchange.</summary>
    public bool NoExchange { get; }

    /// <summary>Whether the job commit acts as if the output's file system took names differing only in case for one.</summary>
    public bool FoldCase { get; }

    /// <summary>Milliseconds to pause at each commit step.</summary>
    public int StepDelayMs { get; }

    /// <summary>Whether each commit step is named on standard error.</summary>
    public bool Trace { get; }

    /// <summary>Parses <c>op[@skip]:count[:enospc]</c> rules separated by commas.</summary>
    public static FaultPlan Parse(string? spec, int stepDelayMs = 0, bool trace = false, bool noExchange = false, bool foldCase = false, string? holdAt = null)
    {
        var rules = new Dictionary<StorageOperation, Rule>();
        foreach (string part in (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = part.Split(':');
            string[] head = fields[0].Split('@');
            if (fields.Length < 2 || !Enum.TryParse(head[0], ignoreCase: true, out StorageOperation op)
                || !int.TryParse(fields[1], CultureInfo.InvariantCulture, out int count)
                || (head.Length > 1 && !int.TryParse(head[1], CultureInfo.InvariantCulture, out _)))
            {
                throw new ArgumentException($"DSL_TEST_FAULTS: '{part}' is not op[@skip]:count[:enospc] with op one of read, write, rename, fsync.");
            }
            int skip = head.Length > 1 ? int.Parse(head[1], CultureInfo.InvariantCulture) : 0;
            rules[op] = new Rule(skip, count, fields.Length > 2 && fields[2].Equals("enospc", StringComparison.OrdinalIgnoreCase));
        }
        return new FaultPlan(rules, stepDelayMs, trace, noExchange, foldCase, holdAt);
    }

    /// <summary>Throws the planned fault for this occurrence of <paramref name="operation"/> on <paramref name="path"/>, if any.</summary>
    public void Check(StorageOperation operation, string path)
    {
        if (_rules.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            if (!_rules.TryGetValue(operation, out Rule? rule))
            {
                return;
            }
            rule.Seen++;
            if (rule.Seen <= rule.Skip || rule.Seen > rule.Skip + rule.Count)
            {
                return;
            }
        }
        Rule r = _rules[operation];
        throw r.NoSpace
            ? new IOException($"No space left on device : '{path}' (injected {operation.ToString().ToLowerInvariant()} fault)", 28)
            : new IOException($"Input/output error : '{path}' (injected {operation.ToString().ToLowerInvariant()} fault)", 5);
    }

    /// <summary>Marks a commit protocol step: traced and widened when the test hooks ask for it.</summary>
    public void Step(string name)
    {
        if (Trace)
        {
            Console.Error.WriteLine($"dsl-step: {name}");
        }
        if (StepDelayMs > 0)
        {
            Thread.Sleep(StepDelayMs);
        }
        if (name == HoldAt)
        {
            Console.Error.WriteLine($"dsl-step: holding at {name}");
            Thread.Sleep(Timeout.Infinite); // the test kills the process here
        }
    }

    private sealed class Rule(int skip, int count, bool noSpace)
    {
        public int Skip { get; } = skip;

        public int Count { get; } = count;

        public bool NoSpace { get; } = noSpace;

        public int Seen { get; set; }
    }
}
