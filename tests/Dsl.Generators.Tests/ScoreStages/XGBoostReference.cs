using System.Diagnostics;
using System.Runtime.InteropServices;
using Dsl.Testing;

namespace Dsl.Generators.Tests.ScoreStages;

/// <summary>
/// A model trained and scored by XGBoost itself (Debian's python3-xgboost under /usr/bin/python3, run by
/// <c>tests/tools/scoring/xgboost-reference.py</c>): the model file, the rows it scored and what it predicted.
/// </summary>
internal sealed record XGBoostReference(string ModelJson, int Rows, int Features, double[] X, float[] Margins, float[] Predictions)
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Trains with the script's options (<c>--objective binary:logistic --depth 6 ...</c>) and reads what it wrote.</summary>
    public static XGBoostReference Train(string options)
    {
        using TempDirectory folder = RepoPaths.CreateTempDirectory("dsl-xgboost");
        string script = Path.Combine(RepoPaths.RepoRoot, "tests", "tools", "scoring", "xgboost-reference.py");
        var start = new ProcessStartInfo(Python, "\"" + script + "\" \"" + folder.Path + "\" " + options)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "xgboost-reference.py " + options + " failed (tests/tools/install-python-deps.sh installs python3-xgboost):\n" + stdout + stderr);
        double[] x = Read<double>(Path.Combine(folder.Path, "features.f64"));
        float[] margins = Read<float>(Path.Combine(folder.Path, "margins.f32"));
        float[] predictions = Read<float>(Path.Combine(folder.Path, "predictions.f32"));
        int rows = int.Parse(System.Text.Json.JsonDocument.Parse(stdout).RootElement.GetProperty("rows").ToString(), System.Globalization.CultureInfo.InvariantCulture);
        return new XGBoostReference(File.ReadAllText(Path.Combine(folder.Path, "model.json")), rows, x.Length / rows, x, margins, predictions);
    }

    private static T[] Read<T>(string path)
        where T : struct => MemoryMarshal.Cast<byte, T>(File.ReadAllBytes(path)).ToArray();
}
