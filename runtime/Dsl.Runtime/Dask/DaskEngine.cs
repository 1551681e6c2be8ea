using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dsl.Dask;

/// <summary>
/// <c>run --engine dask</c>: the job as one Dask task per planned partition, each the pipeline's own
/// <c>run --shard I/N --attempt K</c> on a worker, handed to a Dask distributed cluster by a small Python bridge
/// (<c>dsl_dask_bridge.py</c>, shipped in this assembly) that retries failed tasks with the next attempt number and
/// streams one JSON event a line back; then the commit of the sharded run (docs/sharding.md) publishes the output, the
/// manifest and the validation report as a local run does. No scheduler here: Dask schedules, retries lost workers'
/// tasks and steals work.
/// </summary>
internal static class DaskEngine
{
    /// <summary>The bridge's exit code when a task failed every try.</summary>
    public const int TaskFailed = 1;

    /// <summary>The bridge's exit code when the scheduler could not be reached.</summary>
    public const int Unreachable = 2;

    /// <summary>The bridge's exit code when the scheduler was lost mid-run.</summary>
    public const int LostScheduler = 3;

    /// <summary>The bridge's exit code when the cluster had no worker for the worker timeout.</summary>
    public const int NoWorkers = 4;

    /// <summary>The Python that runs the bridge: Debian's, which has python3-distributed (the one first on PATH may not).</summary>
    public static string Python => Environment.GetEnvironmentVariable("DSL_DASK_PYTHON") ?? "/usr/bin/python3";

    /// <summary>
    /// Runs the tasks on the cluster at <paramref name="scheduler"/> and returns the bridge's exit code (0 when every
    /// task succeeded). <paramref name="taskArguments"/> are the run's own arguments without the engine's; each task
    /// adds <c>--shard I/N</c> (the bridge adds <c>--attempt K</c>).
    /// </summary>
    public static int RunTasks(string scheduler, int tasks, int attempts, int workerTimeoutSeconds, IReadOnlyList<string> taskArguments, TextWriter stderr, CancellationToken cancellationToken)
    {
        string folder = Path.Combine(Path.GetTempPath(), "dsl-dask-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            string bridge = Path.Combine(folder, "dsl_dask_bridge.py");
            using (Stream source = typeof(DaskEngine).Assembly.GetManifestResourceStream("Dsl.Dask.dsl_dask_bridge.py")
                ?? throw new InvalidOperationException("The Dask bridge is missing from Dsl.Runtime."))
            using (FileStream target = File.Create(bridge))
            {
                source.CopyTo(target);
            }
            string tasksFile = Path.Combine(folder, "tasks.json");
            File.WriteAllText(tasksFile, TasksJson(tasks, taskArguments));

            // The bridge's stdin stays open while this process runs: closing it (a cancel, or this process dying) makes the
            // bridge stop the running tasks and exit.
            var start = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in new[] { bridge, "--scheduler", scheduler, "--tasks", tasksFile, "--attempts", attempts.ToString(CultureInfo.InvariantCulture), "--worker-timeout", workerTimeoutSeconds.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }
            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
            using CancellationTokenRegistration stop = cancellationToken.Register(() =>
            {
                try
                {
                    process.StandardInput.Close();
                    if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                    {
                        process.Kill(entireProcessTree: true);
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or IOException)
                {
                }
            });
            var bridgeErrors = new System.Text.StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (bridgeErrors)
                    {
                        bridgeErrors.AppendLine(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
            int done = 0;
            string? finishedError = null;
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (Describe(line, tasks, ref done, ref finishedError) is { } text)
                {
                    stderr.WriteLine(text);
                }
            }
            process.WaitForExit();
            cancellationToken.ThrowIfCancellationRequested();
            if (process.ExitCode != 0)
            {
                string detail;
                lock (bridgeErrors)
                {
                    detail = bridgeErrors.ToString().Trim();
                }
                stderr.WriteLine($"error: the Dask run failed: {finishedError ?? "the bridge exited with code " + process.ExitCode.ToString(CultureInfo.InvariantCulture)}; nothing was published.{(detail.Length > 0 && finishedError is null ? " " + LastLine(detail) : string.Empty)}");
                if (process.ExitCode is LostScheduler or NoWorkers)
                {
                    stderr.WriteLine("Shards that completed are kept: once the cluster is back, the same command runs only the others.");
                }
            }
            return process.ExitCode;
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The tasks the bridge submits: the pipeline's command line for each shard, with the test variables of this process.</summary>
    internal static string TasksJson(int tasks, IReadOnlyList<string> taskArguments)
    {
        var command = new List<string>();
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The pipeline's executable is unknown.");
        command.Add(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Run as 'dotnet pipeline.dll': the tasks run the same assembly.
            command.Add(Environment.GetCommandLineArgs()[0]);
        }
        var env = new JsonObject();
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string key && key.StartsWith("DSL_TEST_", StringComparison.Ordinal))
            {
                env[key] = JsonValue.Create((string?)variable.Value);
            }
        }
        var array = new JsonArray();
        for (int i = 0; i < tasks; i++)
        {
            var argv = new JsonArray();
            foreach (string part in command.Concat(["run"]).Concat(taskArguments).Concat(["--shard", $"{i.ToString(CultureInfo.InvariantCulture)}/{tasks.ToString(CultureInfo.InvariantCulture)}"]))
            {
                argv.Add((JsonNode)JsonValue.Create(part));
            }
            array.Add((JsonNode)new JsonObject { ["name"] = $"shard-{i.ToString(CultureInfo.InvariantCulture)}-of-{tasks.ToString(CultureInfo.InvariantCulture)}", ["argv"] = argv, ["env"] = env.DeepClone(), ["cwd"] = Environment.CurrentDirectory });
        }
        return array.ToJsonString();
    }

    // One progress line for a bridge event, or null for one not worth a line; counts the tasks done.
    private static string? Describe(string line, int tasks, ref int done, ref string? finishedError)
    {
        JsonElement e;
        try
        {
            e = JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException)
        {
            return "dask: " + line;
        }
        string Text(string name) => e.TryGetProperty(name, out JsonElement v) ? v.ToString() : "";
        switch (Text("event"))
        {
            case "started":
                return $"dask: {Text("task")} attempt {Text("attempt")} started on {Text("worker")}";
            case "done":
                done++;
                return $"dask: {Text("task")} done on {Text("worker")} in {Text("seconds")} s ({done}/{tasks}): {Text("summary")}";
            case "failed":
                return $"dask: {Text("task")} attempt {Text("attempt")} failed: {Text("error")}";
            case "finished":
                if (Text("ok") != "True" && Text("ok") != "true")
                {
                    finishedError = Text("error");
                }
                return null;
            default:
                return null;
        }
    }

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
}
