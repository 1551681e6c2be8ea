using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Dsl.Runtime.Tests.Features;

/// <summary>
/// Runs scikit-learn (and NumPy/SciPy) under Debian's /usr/bin/python3 as the reference for the feature operations.
/// The test hands it named inputs, numbers as little-endian float64 files (NaN and signed zeros survive) and strings
/// as JSON lists (null for missing); the script reads them with <c>numbers(name)</c>, <c>strings(name)</c> or
/// <c>column(name)</c> (a one-column object array with <c>np.nan</c> for missing, as scikit-learn's encoders take it),
/// and answers with <c>save(name, values)</c> (float64, read back bit for bit) and <c>put(name, value)</c> (JSON).
/// A missing scikit-learn fails the test with the command that installs it (no silent skip).
/// </summary>
internal sealed class ScikitLearnOracle
{
    private const string Python = "/usr/bin/python3";

    private const string Prelude = """
        import sys, os, json, warnings
        import numpy as np
        warnings.simplefilter("ignore")
        D = sys.argv[1]
        def numbers(name): return np.fromfile(os.path.join(D, name + ".f64"), dtype="<f8")
        def strings(name):
            with open(os.path.join(D, name + ".json"), encoding="utf-8") as f: return json.load(f)
        def column(name): return np.array([[np.nan if v is None else v] for v in strings(name)], dtype=object).reshape(-1, 1)
        def save(name, values): np.ascontiguousarray(np.asarray(values, dtype="<f8")).ravel().tofile(os.path.join(D, "out-" + name + ".f64"))
        def put(name, value):
            with open(os.path.join(D, "out-" + name + ".json"), "w", encoding="utf-8") as f: json.dump(value, f, ensure_ascii=False)

        """;

    private static readonly Lazy<string?> s_missing = new(CheckInstalled);

    private readonly Dictionary<string, double[]> _numbers = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string?[]> _strings = new(StringComparer.Ordinal);

    /// <summary>Adds a numeric input the script reads with <c>numbers(name)</c>.</summary>
    public ScikitLearnOracle With(string name, double[] values)
    {
        _numbers[name] = values;
        return this;
    }

    /// <summary>Adds a string input the script reads with <c>strings(name)</c> or <c>column(name)</c>.</summary>
    public ScikitLearnOracle With(string name, string?[] values)
    {
        _strings[name] = values;
        return this;
    }

    /// <summary>Runs <paramref name="script"/> (after the prelude) and returns what it saved and put.</summary>
    public Answers Run(string script)
    {
        if (s_missing.Value is { } problem)
        {
            Assert.Fail(problem);
        }
        string dir = Path.Combine(Path.GetTempPath(), "dsl-sklearn-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            foreach ((string name, double[] values) in _numbers)
            {
                File.WriteAllBytes(Path.Combine(dir, name + ".f64"), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
            }
            foreach ((string name, string?[] values) in _strings)
            {
                File.WriteAllText(Path.Combine(dir, name + ".json"), JsonSerializer.Serialize(values, OracleJson.Default.StringArray));
            }
            (int code, string stdout, string stderr) = Exec(["-c", Prelude + script, dir]);
            Assert.True(code == 0, $"{Python} failed (exit {code}):\n{stderr}\n{stdout}");
            var doubles = new Dictionary<string, double[]>(StringComparer.Ordinal);
            var json = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (string file in Directory.GetFiles(dir, "out-*"))
            {
                string name = Path.GetFileNameWithoutExtension(file)["out-".Length..];
                if (file.EndsWith(".f64", StringComparison.Ordinal))
                {
                    doubles[name] = MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(file)).ToArray();
                }
                else
                {
                    using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
                    json[name] = document.RootElement.Clone();
                }
            }
            return new Answers(doubles, json);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string? CheckInstalled()
    {
        if (!File.Exists(Python))
        {
            return $"{Python} is missing; the feature tests compare against Debian's python3 with scikit-learn: run tests/tools/install-python-deps.sh (after apt-get install python3).";
        }
        (int code, _, string stderr) = Exec(["-c", "import numpy, scipy.stats, sklearn.preprocessing, sklearn.feature_extraction"]);
        return code == 0 ? null : $"{Python} lacks scikit-learn, NumPy or SciPy ({stderr.Trim()}); run tests/tools/install-python-deps.sh, which installs Debian's python3-sklearn.";
    }

    private static (int Code, string Stdout, string Stderr) Exec(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // One BLAS/OpenMP thread: the tests run in parallel on few cores and their inputs are small.
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>What a script saved (float64 arrays) and put (JSON values), by name.</summary>
    internal sealed class Answers(Dictionary<string, double[]> doubles, Dictionary<string, JsonElement> json)
    {
        /// <summary>A float64 array the script saved.</summary>
        public double[] Doubles(string name) =>
            doubles.TryGetValue(name, out double[]? values) ? values : throw new KeyNotFoundException($"The script saved no array '{name}'.");

        /// <summary>A JSON value the script put.</summary>
        public JsonElement Json(string name) =>
            json.TryGetValue(name, out JsonElement value) ? value : throw new KeyNotFoundException($"The script put no value '{name}'.");

        /// <summary>A JSON list of strings the script put.</summary>
        public string[] Strings(string name) => [.. Json(name).EnumerateArray().Select(e => e.GetString()!)];
    }
}

/// <summary>Source-generated JSON for the oracle's inputs (no reflection-based serialization).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string?[]))]
internal sealed partial class OracleJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
