using System.Diagnostics;
using System.Text.Json;
using Dsl.Testing;

namespace Dsl.Onnx.Tests;

/// <summary>Runs tests/tools/scoring/onnx-models.py (Debian's python3-onnx) to build a test model.</summary>
internal static class OnnxModels
{
    /// <summary>Builds what <paramref name="arguments"/> ask for and returns what the script prints (weights, as JSON).</summary>
    public static JsonElement Build(string arguments)
    {
        string script = Path.Combine(RepoPaths.RepoRoot, "tests", "tools", "scoring", "onnx-models.py");
        var start = new ProcessStartInfo("/usr/bin/python3", "\"" + script + "\" " + arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "onnx-models.py " + arguments + " failed (tests/tools/install-python-deps.sh installs python3-onnx):\n" + stdout + stderr.Result);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
