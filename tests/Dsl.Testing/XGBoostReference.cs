using System.Runtime.InteropServices;
using System.Text.Json;

namespace Dsl.Testing;

/// <summary>
/// A model trained and scored by XGBoost itself (Debian's python3-xgboost under /usr/bin/python3, run by
/// <c>tests/tools/scoring/xgboost-reference.py</c>): the model file, the rows it scored and what it predicted, row-major.
/// </summary>
public sealed record XGBoostReference(string ModelJson, int Rows, int Features, double[] X, float[] Margins, float[] Predictions)
{
    /// <summary>Trains with the script's options (<c>--objective binary:logistic --depth 6 ...</c>) and reads what it wrote.</summary>
    /// <exception cref="InvalidOperationException">The script failed (its output is in the message).</exception>
    public static XGBoostReference Train(string options)
    {
        using TempDirectory folder = TempDirectory.Create("dsl-xgboost");
        return Run(folder, options);
    }

    /// <summary>XGBoost's predictions and margins for <paramref name="x"/> (row-major) under <paramref name="modelJson"/>.</summary>
    /// <exception cref="InvalidOperationException">The script failed (its output is in the message).</exception>
    public static XGBoostReference Predict(string modelJson, double[] x, IReadOnlyList<string> featureNames)
    {
        using TempDirectory folder = TempDirectory.Create("dsl-xgboost");
        File.WriteAllText(folder.Combine("model.json"), modelJson);
        string rows = folder.Combine("rows.f64");
        File.WriteAllBytes(rows, MemoryMarshal.AsBytes(x.AsSpan()).ToArray());
        XGBoostReference scored = Run(folder, "--feature-names " + string.Join(",", featureNames) + " --predict \"" + rows + "\"");
        return scored with { X = x };
    }

    private static XGBoostReference Run(TempDirectory folder, string options)
    {
        string stdout = Programs.Python("scoring/xgboost-reference.py", [folder.Path, .. Programs.Words(options)], "tests/tools/install-python-deps.sh installs python3-xgboost");
        JsonElement summary = JsonDocument.Parse(stdout).RootElement;
        int rows = summary.GetProperty("rows").GetInt32();
        string features = folder.Combine("features.f64");
        double[] x = File.Exists(features) ? Read<double>(features) : [];
        return new XGBoostReference(File.ReadAllText(folder.Combine("model.json")), rows, summary.GetProperty("features").GetInt32(), x,
            Read<float>(folder.Combine("margins.f32")), Read<float>(folder.Combine("predictions.f32")));
    }

    private static T[] Read<T>(string path)
        where T : struct => MemoryMarshal.Cast<byte, T>(File.ReadAllBytes(path)).ToArray();
}
