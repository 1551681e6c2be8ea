using Dsl.Testing;

namespace Dsl.Torch.Tests;

/// <summary>
/// Debian's PyTorch 1.13 (/usr/bin/python3, python3-torch) through tests/tools/scoring/torch-models.py: it saves the
/// TorchScript models the tests load, and scores inputs with torch itself, the answers TorchSharp's are compared with.
/// </summary>
internal static class TorchReference
{
    /// <summary>Saves a model of <paramref name="kind"/> (linear, mlp, raises, inplace, pair) to <paramref name="path"/>.</summary>
    public static string Build(string path, string kind, params int[] sizes)
    {
        Run([kind, path, .. sizes.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return path;
    }

    /// <summary>What torch itself gives for <paramref name="rows"/> rows of <paramref name="x"/> (row-major).</summary>
    public static float[] Predict(string model, float[] x, int rows, int features, int outputs)
    {
        string input = model + ".in.f32", output = model + ".out.f32";
        File.WriteAllBytes(input, System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan(0, rows * features)).ToArray());
        Run(["predict", model, input, rows.ToString(System.Globalization.CultureInfo.InvariantCulture), features.ToString(System.Globalization.CultureInfo.InvariantCulture), output]);
        float[] y = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
        Assert.Equal(rows * outputs, y.Length);
        return y;
    }

    private static void Run(string[] arguments) =>
        Programs.Python("scoring/torch-models.py", arguments, "tests/tools/install-python-deps.sh installs python3-torch");
}
