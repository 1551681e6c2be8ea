using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Dsl.Runtime.Tests.Validation;

/// <summary>
/// Runs NumPy/SciPy under Debian's /usr/bin/python3 as the reference for the statistics tests: data goes through
/// temporary files of little-endian float64 values, answers come back as JSON on stdout. A missing NumPy or SciPy
/// fails the test with the command that installs them (no silent skip).
/// </summary>
internal static class PythonOracle
{
    private const string Python = "/usr/bin/python3";
    private static readonly Lazy<string?> s_missing = new(CheckInstalled);

    /// <summary>Runs <paramref name="script"/> with the arrays as files (<c>sys.argv[1..]</c>, read with <c>load(i)</c>) and parses what it prints.</summary>
    public static JsonElement Run(string script, params double[][] arrays) => RunWithArgument(script, null, arrays);

    /// <summary><see cref="Run"/> with one more command-line argument after the array files.</summary>
    public static JsonElement RunWithArgument(string script, string? argument, params double[][] arrays)
    {
        if (s_missing.Value is { } problem)
        {
            Assert.Fail(problem);
        }
        string dir = Path.Combine(Path.GetTempPath(), "dsl-stats-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var args = new List<string> { "-c", "import sys, json\nimport numpy as np\ndef load(i): return np.fromfile(sys.argv[i], dtype='<f8')\n" + script };
            for (int i = 0; i < arrays.Length; i++)
            {
                string file = Path.Combine(dir, $"a{i}.f64");
                File.WriteAllBytes(file, MemoryMarshal.AsBytes(arrays[i].AsSpan()).ToArray());
                args.Add(file);
            }
            if (argument is not null)
            {
                args.Add(argument);
            }
            (int code, string stdout, string stderr) = Exec(args);
            Assert.True(code == 0, $"{Python} failed (exit {code}):\n{stderr}");
            using JsonDocument doc = JsonDocument.Parse(stdout);
            return doc.RootElement.Clone();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A JSON array of numbers as doubles.</summary>
    public static double[] Doubles(this JsonElement element) => [.. element.EnumerateArray().Select(e => e.GetDouble())];

    private static string? CheckInstalled()
    {
        if (!File.Exists(Python))
        {
            return $"{Python} is missing; the statistics tests compare against Debian's python3 with NumPy and SciPy: run tests/tools/install-python-deps.sh (after apt-get install python3).";
        }
        (int code, _, string stderr) = Exec(["-c", "import numpy, scipy.stats, scipy.special"]);
        return code == 0 ? null : $"{Python} lacks NumPy or SciPy ({stderr.Trim()}); run tests/tools/install-python-deps.sh, which installs Debian's python3-numpy and python3-scipy.";
    }

    private static (int Code, string Stdout, string Stderr) Exec(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
