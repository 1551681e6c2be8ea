using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// The template's sample pipeline as a real child process (its app host beside the tests), so tests can kill it with
/// SIGKILL, SIGINT or SIGTERM at chosen moments and watch the commit steps it traces on standard error.
/// </summary>
internal sealed partial class PipelineProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _steps = [];

    private PipelineProcess(Process process) => _process = process;

    /// <summary>The sample pipeline's app host, built beside this test assembly.</summary>
    public static string Program => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Dsl.Pipeline1.exe" : "Dsl.Pipeline1");

    /// <summary>Starts the program with <paramref name="args"/> and the given test-hook environment.</summary>
    public static PipelineProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach ((string key, string value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start };
        var running = new PipelineProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (running._stdout) { running._stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (running._stderr)
            {
                if (e.Data.StartsWith("dsl-step: ", StringComparison.Ordinal))
                {
                    running._steps.Add(e.Data["dsl-step: ".Length..]);
                }
                else
                {
                    running._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Runs to the end and returns the exit code.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using PipelineProcess process = Start(environment, args);
        int exit = process.WaitForExit(TimeSpan.FromMinutes(2));
        return (exit, process.Stdout, process.Stderr);
    }

    public int Id => _process.Id;

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    /// <summary>Standard error without the commit-step trace lines.</summary>
    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    /// <summary>The commit steps traced so far (DSL_TEST_TRACE=1).</summary>
    public IReadOnlyList<string> Steps { get { lock (_stderr) { return _steps.ToArray(); } } }

    /// <summary>Waits until a traced step named <paramref name="step"/> appears or the process ends; true if it appeared.</summary>
    public bool WaitForStep(string step, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Steps.Contains(step))
            {
                return true;
            }
            if (_process.HasExited)
            {
                return false;
            }
            Thread.Sleep(2);
        }
        return false;
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process had already exited (and was reaped).</summary>
    public bool Signal(int signal)
    {
        if (Kill(_process.Id, signal) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        const int ESRCH = 3;
        return errno == ESRCH && _process.HasExited
            ? false
            : throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {errno}");
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The pipeline did not exit within {timeout.TotalSeconds:0} s. Stderr:\n{Stderr}");
        }
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
