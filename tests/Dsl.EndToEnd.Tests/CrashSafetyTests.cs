using System.Diagnostics;
using System.Globalization;
using Dsl.Execution;
using Dsl.Testing;
using Xunit.Abstractions;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// The commit protocol against real processes: kill -9 at seeded random moments, SIGINT and SIGTERM, and two writers
/// at once. After every kill, what a reader globbing <c>out/**/*.parquet</c> sees must be exactly the previous output
/// or exactly the new one, and a rerun must equal a clean run. The sample's rules quarantine its unknown countries,
/// so the output holds a quarantine (<c>_quarantine/Transaction/</c>) and <c>_validation.json</c> beside the parts:
/// those must be the previous or the new ones together with the parts, never a mix. DSL_KILL_POINTS (default 20) and DSL_KILL_SEED choose
/// the kills; tests/tools/kill-test.sh runs 100+.
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private static readonly Dictionary<string, string> Traced = new() { ["DSL_TEST_TRACE"] = "1", ["DSL_TEST_STEP_DELAY_MS"] = "15" };
    private static readonly Dictionary<string, string> Plain = [];

    // The steps OutputCommitter traces, in protocol order.
    private static readonly string[] CommitSteps = ["task-committed", "next-assembled", "next-durable", "swapped", "cleaned"];

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-crash");
    private readonly ITestOutputHelper _log;

    public CrashSafetyTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _temp.Dispose();

    private string Output => _temp.Combine("out");

    private string Work => _temp.Combine(".out.dsl");

    // After a run, the output's work folder holds its lock and the state the first pass fitted (one file, kept for
    // reruns): no staging folder, temporary file or older state is left behind.
    private void AssertWorkHoldsOnlyTheLockAndTheFittedState()
    {
        Assert.Equal(["fitted", "lock"], Directory.GetFileSystemEntries(Work).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.EndsWith(".json", Path.GetFileName(Assert.Single(Directory.GetFileSystemEntries(Path.Combine(Work, "fitted")))), StringComparison.Ordinal);
    }

    [Fact]
    public void KillDuringRun_ReaderSeesPreviousOrNewOutput_RerunEqualsCleanRun()
    {
        int points = int.TryParse(Environment.GetEnvironmentVariable("DSL_KILL_POINTS"), CultureInfo.InvariantCulture, out int p) ? p : 20;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("DSL_KILL_SEED"), CultureInfo.InvariantCulture, out int s) ? s : 20261201;
        string[] inputs = [Sample("inA", seed: 1), Sample("inB", seed: 2)];
        var clean = new Dictionary<string, byte[]>[2];
        double runMs = 0;
        for (int i = 0; i < 2; i++)
        {
            string folder = _temp.Combine($"clean{i}");
            var clock = Stopwatch.StartNew();
            (int exit, _, string stderr) = PipelineProcess.Run(Traced, "run", "--input", inputs[i], "--output", folder, "-p", "2");
            runMs = i == 0 ? clock.Elapsed.TotalMilliseconds : Math.Min(runMs, clock.Elapsed.TotalMilliseconds);
            Assert.True(exit == 0, stderr);
            clean[i] = Visible(folder);
            // Four parts, four quarantine parts (one per task) and the validation report.
            Assert.Equal(9, clean[i].Count);
            Assert.Equal(4, clean[i].Keys.Count(IsQuarantine));
        }
        Assert.NotEqual(clean[0][ValidationReport], clean[1][ValidationReport]);

        var random = new Random(seed);
        var lastSteps = new Dictionary<string, int>();
        Dictionary<string, byte[]> current = [];
        int sawNew = 0;
        for (int k = 0; k < points; k++)
        {
            int y = k % 2;
            if (k % 5 == 4)
            {
                // Some kills hit a first run into a fresh folder.
                Directory.Delete(Output, recursive: true);
                Directory.Delete(Work, recursive: true);
                current = [];
            }
            Assert.Equal(current, Visible(Output));
            // Even kills land at a uniformly random moment of the run; odd ones a few milliseconds after a commit step,
            // so that every step of the protocol is hit.
            string? target = k % 2 == 1 ? CommitSteps[(k / 2) % CommitSteps.Length] : null;
            int delay = target is null ? random.Next(0, (int)runMs) : random.Next(0, 20);
            string last;
            using (PipelineProcess run = PipelineProcess.Start(Traced, "run", "--input", inputs[y], "--output", Output, "-p", "2"))
            {
                if (target is not null)
                {
                    run.WaitForStep(target, TimeSpan.FromSeconds(60));
                }
                Thread.Sleep(delay);
                bool killed = run.Signal(PipelineProcess.SIGKILL);
                run.WaitForExit(TimeSpan.FromSeconds(30));
                last = !killed ? "(finished before the kill)" : run.Steps.Count == 0 ? "(before any step)" : run.Steps[^1];
            }
            lastSteps[last] = lastSteps.GetValueOrDefault(last) + 1;

            Dictionary<string, byte[]> seen = Visible(Output);
            bool isPrevious = Same(seen, current);
            bool isNew = Same(seen, clean[y]);
            Assert.True(isPrevious || isNew, $"kill {k} {delay} ms after {target ?? "the start"} (last step '{last}'): a reader saw {seen.Count} part file(s) that are neither the previous output ({current.Count}) nor the new one");
            if (isNew && !isPrevious)
            {
                sawNew++;
                Assert.True(File.Exists(Path.Combine(Output, LocalExecutor.SuccessMarker)));
            }

            (int exit, _, string stderr) = PipelineProcess.Run(Plain, "run", "--input", inputs[y], "--output", Output, "-p", "2");
            Assert.True(exit == 0, $"rerun after kill {k} failed: {stderr}");
            Assert.True(Same(Visible(Output), clean[y]), $"rerun after kill {k} differs from a clean run");
            AssertWorkHoldsOnlyTheLockAndTheFittedState();
            current = clean[y];
        }
        _log.WriteLine($"{points} kills (seed {seed}, runs of ~{runMs:0} ms); the new output was already visible after {sawNew}; last step before the kill: {string.Join(", ", lastSteps.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} x{kv.Value}"))}");
    }

    /// <summary>
    /// The same promise for a hive-partitioned output (Hour=7/IsWeekend=true/part-00000[-k].parquet, files rolled at
    /// 500 rows): a kill a few milliseconds after each commit step leaves the previous output or the new one, every
    /// partition folder whole and the quarantine with them, and a rerun equals a clean run. DuckDB reads the
    /// partitioned output back with exactly the rows of an unpartitioned run, whose quarantine files are the same.
    /// </summary>
    [Fact]
    public void KillDuringTheCommitOfAPartitionedOutput_ReaderSeesPreviousOrNewOutput_RerunEqualsCleanRun()
    {
        string[] partitioned = ["--partition-by", "Hour,IsWeekend", "--max-rows-per-file", "500", "-p", "2"];
        string[] inputs = [Sample("inA", seed: 1), Sample("inB", seed: 2)];
        var clean = new Dictionary<string, byte[]>[2];
        for (int i = 0; i < 2; i++)
        {
            string folder = _temp.Combine($"clean{i}");
            (int exit, _, string stderr) = PipelineProcess.Run(Plain, ["run", "--input", inputs[i], "--output", folder, .. partitioned]);
            Assert.True(exit == 0, stderr);
            clean[i] = Visible(folder);
            Assert.All(clean[i].Keys.Where(path => !IsQuarantine(path) && path != ValidationReport), path => Assert.Matches(@"^Hour=\d{1,2}/IsWeekend=(true|false)/part-0000[0-3](-\d+)?\.parquet$", path.Replace('\\', '/')));
            Assert.Equal(4, clean[i].Keys.Count(IsQuarantine));
        }
        Assert.InRange(clean[0].Count, 4 * 48, 4 * 48 * 4);

        string flat = _temp.Combine("flat");
        Assert.Equal(0, PipelineProcess.Run(Plain, "run", "--input", inputs[0], "--output", flat, "-p", "2").Exit);
        using (DuckDb duck = DuckDb.Open())
        {
            const string columns = "UserId, LogAmount, AmountZ, Hour, IsWeekend, CountryBucket, SessionMinutes, IsHighValue, Label";
            // Hour=*/** names the hive folders: ** alone would take the quarantine too (docs/validation.md).
            string hive = $"read_parquet({DuckDb.Literal(Path.Combine(_temp.Combine("clean0"), "Hour=*", "**", "*.parquet"))}, hive_partitioning=true, hive_types={{'Hour': INTEGER, 'IsWeekend': BOOLEAN}})";
            string plain = $"read_parquet({DuckDb.Literal(Path.Combine(flat, "*.parquet"))})";
            Assert.Equal(duck.QueryScalarInt64($"SELECT count(*) FROM {plain}"), duck.QueryScalarInt64($"SELECT count(*) FROM {hive}"));
            Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM (SELECT {columns} FROM {hive} EXCEPT ALL SELECT {columns} FROM {plain})"));
            Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM (SELECT {columns} FROM {plain} EXCEPT ALL SELECT {columns} FROM {hive})"));
            // The quarantine is not partitioned: the same files as an unpartitioned run's.
            string[] quarantine = [.. clean[0].Keys.Where(IsQuarantine).Order(StringComparer.Ordinal)];
            Assert.All(quarantine, path => Assert.Equal(File.ReadAllBytes(Path.Combine(flat, path)), clean[0][path]));
        }

        var random = new Random(20261202);
        Dictionary<string, byte[]> current = [];
        var lastSteps = new List<string>();
        for (int k = 0; k < CommitSteps.Length * 2; k++)
        {
            int y = k % 2;
            string target = CommitSteps[k % CommitSteps.Length];
            Assert.Equal(current, Visible(Output));
            using (PipelineProcess run = PipelineProcess.Start(Traced, ["run", "--input", inputs[y], "--output", Output, .. partitioned]))
            {
                run.WaitForStep(target, TimeSpan.FromSeconds(60));
                Thread.Sleep(random.Next(0, 20));
                bool killed = run.Signal(PipelineProcess.SIGKILL);
                run.WaitForExit(TimeSpan.FromSeconds(30));
                lastSteps.Add(!killed ? "(finished before the kill)" : run.Steps.Count == 0 ? "(before any step)" : run.Steps[^1]);
            }

            Dictionary<string, byte[]> seen = Visible(Output);
            Assert.True(Same(seen, current) || Same(seen, clean[y]), $"kill {k} after {target} (last step '{lastSteps[^1]}'): a reader saw {seen.Count} part file(s), neither the previous output ({current.Count}) nor the new one ({clean[y].Count})");

            (int exit, _, string stderr) = PipelineProcess.Run(Plain, ["run", "--input", inputs[y], "--output", Output, .. partitioned]);
            Assert.True(exit == 0, $"rerun after kill {k} failed: {stderr}");
            Assert.True(Same(Visible(Output), clean[y]), $"rerun after kill {k} differs from a clean run");
            AssertWorkHoldsOnlyTheLockAndTheFittedState();
            current = clean[y];
        }
        _log.WriteLine($"{clean[0].Count} and {clean[1].Count} part files; last step before each kill: {string.Join(", ", lastSteps)}");
    }

    /// <summary>
    /// Where the file system has no atomic exchange, the swap is two renames with a window in which the output folder
    /// is absent (DSL_TEST_NO_EXCHANGE=1 takes that path on this one). A kill before, inside and after that window
    /// leaves the previous output, no output folder, or the new output, never a mix; the next run puts the previous
    /// output back first and then equals a clean run.
    /// </summary>
    [Theory]
    [InlineData("next-durable")]
    [InlineData("output-moved-aside")]
    [InlineData("swapped")]
    public void KillAroundTheTwoRenameFallback_PreviousOutputPutBack_RerunEqualsCleanRun(string step)
    {
        string[] inputs = [Sample("inA", seed: 1), Sample("inB", seed: 2)];
        string cleanFolder = _temp.Combine("clean");
        Assert.Equal(0, PipelineProcess.Run(Plain, "run", "--input", inputs[1], "--output", cleanFolder, "-p", "2").Exit);
        Dictionary<string, byte[]> cleanNew = Visible(cleanFolder);
        Assert.Equal(0, PipelineProcess.Run(Plain, "run", "--input", inputs[0], "--output", Output, "-p", "2").Exit);
        Dictionary<string, byte[]> previous = Visible(Output);

        var fallback = new Dictionary<string, string> { ["DSL_TEST_TRACE"] = "1", ["DSL_TEST_NO_EXCHANGE"] = "1" };
        // The run holds at the step until killed: a kill timed after the trace line would race the next step on a busy machine.
        using (PipelineProcess run = PipelineProcess.Start(new Dictionary<string, string>(fallback) { ["DSL_TEST_HOLD_AT"] = step }, "run", "--input", inputs[1], "--output", Output, "-p", "2"))
        {
            Assert.True(run.WaitForStep($"holding at {step}", TimeSpan.FromSeconds(60)), run.Stderr);
            Assert.True(run.Signal(PipelineProcess.SIGKILL));
            run.WaitForExit(TimeSpan.FromSeconds(30));
        }

        Dictionary<string, byte[]> seen = Visible(Output);
        switch (step)
        {
            case "next-durable":
                Assert.True(Same(seen, previous), "killed before the renames: the previous output must be in place");
                break;
            case "output-moved-aside":
                Assert.False(Directory.Exists(Output), "killed between the renames: the output folder is absent");
                break;
            default:
                Assert.True(Same(seen, cleanNew), "killed after the renames: the new output must be in place");
                Assert.True(File.Exists(Path.Combine(Output, LocalExecutor.SuccessMarker)));
                break;
        }

        // Any next run repairs first: a run that then fails reading its input leaves the previous output back in
        // place (or the new one, when the kill came after the renames).
        var failing = new Dictionary<string, string>(fallback) { ["DSL_TEST_FAULTS"] = "read:99" };
        Assert.NotEqual(0, PipelineProcess.Run(failing, "run", "--input", inputs[1], "--output", Output, "-p", "2", "--force").Exit);
        Assert.True(Same(Visible(Output), step == "swapped" ? cleanNew : previous), "the failed run after the kill did not restore the output");

        (int exit, _, string stderr) = PipelineProcess.Run(fallback, "run", "--input", inputs[1], "--output", Output, "-p", "2");
        Assert.True(exit == 0, stderr);
        Assert.True(Same(Visible(Output), cleanNew), "the rerun differs from a clean run");
        AssertWorkHoldsOnlyTheLockAndTheFittedState();
    }

    [Theory]
    [InlineData(PipelineProcess.SIGINT, 130)]
    [InlineData(PipelineProcess.SIGTERM, 143)]
    public void StopSignalMidRun_OneLineExitCodePreviousOutputKept_RerunReusesCommittedTasks(int signal, int expectedExit)
    {
        string[] inputs = [Sample("inA", seed: 1), Sample("inB", seed: 2)];
        Assert.Equal(0, PipelineProcess.Run(Plain, "run", "--input", inputs[0], "--output", Output).Exit);
        Dictionary<string, byte[]> previous = Visible(Output);

        var slow = new Dictionary<string, string> { ["DSL_TEST_TRACE"] = "1", ["DSL_TEST_STEP_DELAY_MS"] = "400" };
        int exit;
        string stderr;
        using (PipelineProcess run = PipelineProcess.Start(slow, "run", "--input", inputs[1], "--output", Output, "-p", "1"))
        {
            Assert.True(run.WaitForStep("task-committed", TimeSpan.FromSeconds(60)), run.Stderr);
            run.Signal(signal);
            exit = run.WaitForExit(TimeSpan.FromSeconds(30));
            stderr = run.Stderr;
        }

        Assert.Equal(expectedExit, exit);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("progress: ", StringComparison.Ordinal)).ToArray();
        Assert.Single(lines);
        Assert.StartsWith($"Cancelled by {(signal == PipelineProcess.SIGINT ? "SIGINT" : "SIGTERM")}: nothing was published", lines[0]);
        Assert.Equal(previous, Visible(Output));
        Assert.False(Directory.Exists(Path.Combine(Work, "attempts")));
        Assert.False(Directory.Exists(Path.Combine(Work, "next")));

        (int rerun, string stdout, string rerunErr) = PipelineProcess.Run(Plain, "run", "--input", inputs[1], "--output", Output);
        Assert.True(rerun == 0, rerunErr);
        Assert.Contains("reused", stdout);
    }

    [Fact]
    public void SecondCtrlC_ExitsAtOnce_PreviousOutputKept_NextRunCleansUp()
    {
        string[] inputs = [Sample("inA", seed: 1), Sample("inB", seed: 2)];
        Assert.Equal(0, PipelineProcess.Run(Plain, "run", "--input", inputs[0], "--output", Output).Exit);
        Dictionary<string, byte[]> previous = Visible(Output);

        var slow = new Dictionary<string, string> { ["DSL_TEST_TRACE"] = "1", ["DSL_TEST_STEP_DELAY_MS"] = "2000" };
        using (PipelineProcess run = PipelineProcess.Start(slow, "run", "--input", inputs[1], "--output", Output, "-p", "1"))
        {
            Assert.True(run.WaitForStep("task-committed", TimeSpan.FromSeconds(60)), run.Stderr);
            run.Signal(PipelineProcess.SIGINT);
            Thread.Sleep(100);
            run.Signal(PipelineProcess.SIGINT);
            Assert.Equal(130, run.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Contains("Second stop signal: exiting now", run.Stderr);
        }

        Assert.Equal(previous, Visible(Output));
        (int exit, _, string stderr) = PipelineProcess.Run(Plain, "run", "--input", inputs[1], "--output", Output);
        Assert.True(exit == 0, stderr);
        AssertWorkHoldsOnlyTheLockAndTheFittedState();
    }

    [Fact]
    public void TwoWritersAtOnce_ExactlyOneSucceeds_TheOtherNamesIt()
    {
        string input = Sample("inB", seed: 2);
        var slow = new Dictionary<string, string> { ["DSL_TEST_STEP_DELAY_MS"] = "300" };

        using PipelineProcess first = PipelineProcess.Start(slow, "run", "--input", input, "--output", Output);
        using PipelineProcess second = PipelineProcess.Start(slow, "run", "--input", input, "--output", Output);
        int[] exits = [first.WaitForExit(TimeSpan.FromMinutes(2)), second.WaitForExit(TimeSpan.FromMinutes(2))];

        Assert.Equal([0, 1], exits.Order());
        PipelineProcess winner = exits[0] == 0 ? first : second;
        PipelineProcess loser = exits[0] == 0 ? second : first;
        Assert.Contains($"is being written by another run (process {winner.Id} on host", loser.Stderr);
        Assert.Single(loser.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(9, Visible(Output).Count);
    }

    private string Sample(string name, int seed)
    {
        string dir = _temp.Combine(name);
        if (!Directory.Exists(dir))
        {
            (int exit, _, string stderr) = PipelineProcess.Run(Plain, "generate-sample", "--rows", "200000", "--files", "4", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--output", dir);
            Assert.True(exit == 0, stderr);
        }
        return dir;
    }

    private const string ValidationReport = "_validation.json";

    // What a reader that globs out/**/*.parquet sees (the quarantine included), and the validation report: every
    // such file with its bytes.
    private static Dictionary<string, byte[]> Visible(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories)
                .Concat(Directory.GetFiles(folder, ValidationReport))
                .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes)
            : [];

    private static bool IsQuarantine(string path) => path.StartsWith("_quarantine" + Path.DirectorySeparatorChar + "Transaction" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool Same(Dictionary<string, byte[]> a, Dictionary<string, byte[]> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out byte[]? other) && other.AsSpan().SequenceEqual(kv.Value));
}
