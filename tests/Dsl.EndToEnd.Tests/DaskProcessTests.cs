using System.Diagnostics;
using System.Globalization;
using Dsl.Testing;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// A real Dask distributed cluster (runtime/Dsl.Runtime/Dask/dask-cluster.sh: a scheduler and two workers under
/// nannies on 127.0.0.1) for <see cref="DaskProcessTests"/>, started once for the class and stopped by pid.
/// </summary>
public sealed class DaskCluster : IDisposable
{
    private readonly TempDirectory _folder = TempDirectory.Create("dsl-dask-cluster");
    private readonly int _port = 18900 + (Environment.ProcessId % 500);

    public DaskCluster() => Address = Start();

    public string Address { get; private set; }

    public string Folder => _folder.Path;

    public static string Script => Path.Combine(RepoPaths.RepoRoot, "runtime", "Dsl.Runtime", "Dask", "dask-cluster.sh");

    /// <summary>The scheduler's pid, and each worker's (the nanny's child, the process that runs the tasks).</summary>
    public int SchedulerPid => int.Parse(File.ReadAllText(Path.Combine(Folder, "scheduler.pid")).Trim(), CultureInfo.InvariantCulture);

    public string Start()
    {
        string output = Programs.Run("bash", [Script, "start", "--workers", "2", "--port", _port.ToString(CultureInfo.InvariantCulture), "--dir", Folder], "runtime/Dsl.Runtime/Dask/dask-cluster.sh installs python3-distributed with apt-get");
        Address = output.Trim().Split('\n')[^1];
        return Address;
    }

    /// <summary>The worker processes: each nanny's child that multiprocessing spawned (its other child is the resource tracker).</summary>
    public IReadOnlyList<int> WorkerPids()
    {
        var pids = new List<int>();
        foreach (string file in Directory.GetFiles(Folder, "worker-*.pid"))
        {
            string nanny = File.ReadAllText(file).Trim();
            foreach (string child in Programs.Run("pgrep", ["-P", nanny]).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (File.ReadAllText($"/proc/{child.Trim()}/cmdline").Contains("spawn_main", StringComparison.Ordinal))
                {
                    pids.Add(int.Parse(child, CultureInfo.InvariantCulture));
                }
            }
        }
        return pids;
    }

    /// <summary>Shard commands still running for <paramref name="output"/> (none should outlive their job).</summary>
    public static int ShardProcessesFor(string output) =>
        Directory.GetDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _) && ReadCommandLine(d) is { } line && line.Contains("--shard", StringComparison.Ordinal) && line.Contains(output, StringComparison.Ordinal));

    private static string? ReadCommandLine(string folder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            Programs.Run("bash", [Script, "stop", "--dir", Folder]);
        }
        finally
        {
            _folder.Dispose();
        }
    }
}

/// <summary>
/// <c>run --engine dask</c> of the template's sample pipeline on a real cluster (docs/dask.md): the output equals a
/// local run's file for file; a worker killed with SIGKILL mid-run changes nothing and duplicates nothing; a task
/// that fails once succeeds on its retry; a task that always fails fails the job with nothing published; with the
/// scheduler killed mid-run the job fails, and the rerun on a new cluster completes, skipping the shards already done.
/// </summary>
[Collection(DaskCollection.Name)]
public sealed class DaskProcessTests : IClassFixture<DaskCluster>, IDisposable
{
    private readonly DaskCluster _cluster;
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-dask");

    public DaskProcessTests(DaskCluster cluster) => _cluster = cluster;

    public void Dispose() => _temp.Dispose();

    private string Output => _temp.Combine("out");

    private string Fitted => _temp.Combine("fitted.json");

    private string Sample()
    {
        string dir = _temp.Combine("in");
        if (!Directory.Exists(dir))
        {
            Succeed([], "generate-sample", "--rows", "120000", "--files", "6", "--seed", "3", "--output", dir);
            Succeed([], "fit", "--input", dir, "--fitted-out", Fitted);
        }
        return dir;
    }

    private static string Succeed(Dictionary<string, string> env, params string[] args)
    {
        (int exit, string stdout, string stderr) = PipelineProcess.Run(env, args);
        Assert.True(exit == 0, $"{string.Join(' ', args)} failed ({exit}): {stdout}\n{stderr}");
        return stdout + stderr;
    }

    private string[] OnDask(string input, params string[] more) =>
        ["run", "--engine", "dask", "--scheduler", _cluster.Address, "--input", input, "--output", Output, "--fitted", Fitted, "-p", "1", .. more];

    private Dictionary<string, byte[]> Local(string input)
    {
        string folder = _temp.Combine("local");
        if (!Directory.Exists(folder))
        {
            Succeed([], "run", "--input", input, "--output", folder, "--fitted", Fitted);
        }
        return Visible(folder);
    }

    [Fact]
    public void A_Dask_run_publishes_a_local_runs_files_and_reports_each_task()
    {
        string input = Sample();
        string log = Succeed([], OnDask(input));
        Assert.Contains("Dask: 6 task(s) on " + _cluster.Address, log, StringComparison.Ordinal);
        Assert.Equal(6, CountOf(log, " done on tcp://127.0.0.1:"));
        Assert.Contains(" attempt 1 started on tcp://127.0.0.1:", log, StringComparison.Ordinal);
        Assert.Contains("(6/6)", log, StringComparison.Ordinal);
        Assert.Contains("Committed: " + Output, log, StringComparison.Ordinal);
        Assert.True(Same(Local(input), Visible(Output)), "the Dask run's output differs from a local run's");

        // Run again: every task takes its partition over from the published output, and the commit finds it up to date.
        string again = Succeed([], OnDask(input));
        Assert.Equal(6, CountOf(again, "computed 0 of its 1 partition(s), reused 1"));
        Assert.Contains("up to date, nothing to do", again, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_killed_mid_run_changes_nothing_and_duplicates_nothing()
    {
        string input = Sample();
        var slow = new Dictionary<string, string> { ["DSL_TEST_STEP_DELAY_MS"] = "400" };
        using (PipelineProcess run = PipelineProcess.Start(slow, OnDask(input)))
        {
            Assert.True(WaitFor(run, " started on ", TimeSpan.FromSeconds(60)), run.Stderr);
            IReadOnlyList<int> workers = _cluster.WorkerPids();
            Assert.Equal(2, workers.Count);
            Process.GetProcessById(workers[0]).Kill(); // SIGKILL, mid-task: each worker has a task from the start
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)) == 0, run.Stdout + run.Stderr);
            // The lost worker's task ran again elsewhere: more starts than tasks.
            Assert.True(CountOf(run.Stderr, " started on ") > 6, run.Stderr);
        }
        Assert.Equal(0, DaskCluster.ShardProcessesFor(Output));
        Dictionary<string, byte[]> local = Local(input);
        Dictionary<string, byte[]> dask = Visible(Output);
        Assert.True(Same(local, dask), "the output after a lost worker differs from a local run's");
        Assert.Equal(local.Keys.Count(k => k.EndsWith(".parquet", StringComparison.Ordinal)), dask.Keys.Count(k => k.EndsWith(".parquet", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_task_that_fails_once_succeeds_on_its_retry_with_the_next_attempt()
    {
        string input = Sample();
        string log = Succeed(new Dictionary<string, string> { ["DSL_TEST_FAIL_SHARD"] = "1/1" }, OnDask(input));
        Assert.Contains("shard-1-of-6 attempt 1 failed", log, StringComparison.Ordinal);
        Assert.Contains("shard-1-of-6 attempt 2 started", log, StringComparison.Ordinal);
        Assert.True(Same(Local(input), Visible(Output)));
    }

    [Fact]
    public void A_task_that_always_fails_fails_the_job_and_nothing_is_published()
    {
        string input = Sample();
        (int exit, string stdout, string stderr) = PipelineProcess.Run(new Dictionary<string, string> { ["DSL_TEST_FAIL_SHARD"] = "2/*" }, OnDask(input, "--task-attempts", "2"));
        Assert.NotEqual(0, exit);
        Assert.Contains("shard-2-of-6 attempt 2 failed", stderr, StringComparison.Ordinal);
        Assert.Contains("task shard-2-of-6 failed 2 times; nothing was published.", stderr, StringComparison.Ordinal);
        Assert.Equal(1, exit);
        Assert.False(Directory.Exists(Output), stdout);
        // The other tasks are stopped, not left running: each polls the job's stop event every second.
        Thread.Sleep(2500);
        Assert.Equal(0, DaskCluster.ShardProcessesFor(Output));
    }

    [Fact]
    public void With_the_scheduler_killed_mid_run_the_job_fails_and_the_rerun_skips_the_shards_done()
    {
        string input = Sample();
        var slow = new Dictionary<string, string> { ["DSL_TEST_STEP_DELAY_MS"] = "300" };
        try
        {
            using (PipelineProcess run = PipelineProcess.Start(slow, OnDask(input)))
            {
                Assert.True(WaitFor(run, " done on ", TimeSpan.FromSeconds(90)), run.Stderr);
                Process.GetProcessById(_cluster.SchedulerPid).Kill(); // SIGKILL
                var clock = Stopwatch.StartNew();
                Assert.Equal(3, run.WaitForExit(TimeSpan.FromMinutes(2)));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the job took {clock.Elapsed} to notice");
                Assert.Contains("lost the Dask scheduler", run.Stderr, StringComparison.Ordinal);
                Assert.Contains("the same command runs only the others", run.Stderr, StringComparison.Ordinal);
            }
            Assert.False(Directory.Exists(Output));
        }
        finally
        {
            _cluster.Start();
        }
        string log = Succeed([], OnDask(input));
        Assert.True(CountOf(log, "already complete") >= 1, log);
        Assert.True(Same(Local(input), Visible(Output)));
    }

    [Fact]
    public void The_cluster_declares_a_silent_worker_dead_after_30_seconds()
    {
        string ttl = Programs.Run("/usr/bin/python3", ["-c", $"from distributed import Client; c = Client('{_cluster.Address}', timeout=10); print(c.run_on_scheduler(lambda dask_scheduler: dask_scheduler.worker_ttl)); c.close()"]);
        Assert.Equal(30.0, double.Parse(ttl.Trim().Split('\n')[^1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_cluster_without_workers_fails_the_job_after_the_worker_timeout()
    {
        string input = Sample();
        using TempDirectory folder = TempDirectory.Create("dsl-dask-empty");
        string port = (19450 + (Environment.ProcessId % 400)).ToString(CultureInfo.InvariantCulture);
        string address = Programs.Run("bash", [DaskCluster.Script, "start", "--workers", "0", "--port", port, "--dir", folder.Path]).Trim().Split('\n')[^1];
        try
        {
            (int exit, _, string stderr) = PipelineProcess.Run(new Dictionary<string, string>(), ["run", "--engine", "dask", "--scheduler", address, "--worker-timeout", "3", "--input", input, "--output", Output, "--fitted", Fitted]);
            Assert.Equal(4, exit);
            Assert.Contains($"the cluster at {address} had no worker for 3 s; nothing was published.", stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Output));
        }
        finally
        {
            Programs.Run("bash", [DaskCluster.Script, "stop", "--dir", folder.Path]);
        }
    }

    [Theory]
    [InlineData(new[] { "run", "--engine", "dask" }, "--engine dask needs --scheduler tcp://HOST:PORT")]
    [InlineData(new[] { "run", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "--shard", "0/2" }, "--engine dask runs the shards itself")]
    [InlineData(new[] { "run", "--scheduler", "tcp://127.0.0.1:1" }, "--scheduler and --tasks are for --engine dask")]
    public void Bad_engine_options_are_one_line_and_exit_code_2(string[] args, string message)
    {
        (int exit, _, string stderr) = PipelineProcess.Run(new Dictionary<string, string>(), args);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void An_unreachable_scheduler_fails_with_its_address_and_publishes_nothing()
    {
        string input = Sample();
        var clock = Stopwatch.StartNew();
        (int exit, _, string stderr) = PipelineProcess.Run(new Dictionary<string, string>(), ["run", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--input", input, "--output", Output, "--fitted", Fitted]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(2, exit);
        Assert.Contains("cannot reach the Dask scheduler at tcp://127.0.0.1:9", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Output));
    }

    private static bool WaitFor(PipelineProcess process, string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (process.Stderr.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }
            Thread.Sleep(50);
        }
        return false;
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static Dictionary<string, byte[]> Visible(string folder) => ShardProcessTests.Visible(folder);

    private static bool Same(Dictionary<string, byte[]> a, Dictionary<string, byte[]> b) => ShardProcessTests.Same(a, b);
}

/// <summary>The Dask tests share one cluster: they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DaskCollection
{
    public const string Name = "dask";
}
