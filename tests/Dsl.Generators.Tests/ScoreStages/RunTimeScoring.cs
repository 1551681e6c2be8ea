using Dsl.Models;
using Dsl.Testing;

namespace Dsl.Generators.Tests.ScoreStages;

/// <summary>
/// The same model file loaded at run time (<see cref="XGBoostModelLoader"/>, <see cref="LightGbmModelLoader"/>) and
/// scored through <see cref="IBatchScorer"/>, for comparison with the compiled model and the library.
/// </summary>
internal static class RunTimeScoring
{
    /// <summary>Writes <paramref name="text"/> to a temporary <c>m</c><paramref name="extension"/> and loads it for <paramref name="output"/>.</summary>
    public static TreeModelScorer Load(string text, string extension, ScoreOutput output, int features, int outputs)
    {
        using TempDirectory folder = TempDirectory.Create("dsl-runtime-model");
        string path = folder.Combine("m" + extension);
        File.WriteAllText(path, text);
        IModelLoader loader = extension == ".txt" ? new LightGbmModelLoader() : new XGBoostModelLoader();
        Assert.True(loader.Reads(path));
        return Assert.IsType<TreeModelScorer>(loader.Load(path, new ModelLoadOptions(output, features, outputs)));
    }

    /// <summary>
    /// The float32 outputs of <paramref name="scorer"/> for row-major <paramref name="x"/> (NaN missing), rounded to
    /// float32 as a kernel gathers float features, through one call for all rows (vector blocks where
    /// <paramref name="vectors"/>, else the scalar walk) into buffers longer than needed, as pooled ones are.
    /// </summary>
    public static float[] Score(IBatchScorer scorer, double[] x, bool vectors)
    {
        int rows = x.Length / scorer.FeatureCount;
        float[] features = new float[x.Length + 7];
        for (int i = 0; i < x.Length; i++)
        {
            features[i] = (float)x[i];
        }
        float[] outputs = new float[rows * scorer.OutputCount + 5];
        using (vectors ? null : Dsl.Kernels.KernelDispatch.ScalarOnly())
        {
            scorer.Score(features, rows, outputs);
        }
        Assert.All(outputs[(rows * scorer.OutputCount)..], v => Assert.Equal(0f, v));
        return outputs[..(rows * scorer.OutputCount)];
    }

    /// <summary>The float64 outputs of <paramref name="scorer"/> for <paramref name="x"/> through <see cref="IBatchScorer.Score(double[], int, double[])"/>.</summary>
    public static double[] Score64(IBatchScorer scorer, double[] x, bool vectors)
    {
        int rows = x.Length / scorer.FeatureCount;
        double[] features = [.. x, 1, 2, 3];
        double[] outputs = new double[rows * scorer.OutputCount + 5];
        using (vectors ? null : Dsl.Kernels.KernelDispatch.ScalarOnly())
        {
            scorer.Score(features, rows, outputs);
        }
        Assert.All(outputs[(rows * scorer.OutputCount)..], v => Assert.Equal(0d, v));
        return outputs[..(rows * scorer.OutputCount)];
    }

    /// <summary>The outputs of each row scored alone (a call of one row each, at an offset of 0 in its own arrays).</summary>
    public static double[] ScoreRowByRow(IBatchScorer scorer, double[] x)
    {
        int f = scorer.FeatureCount;
        int n = scorer.OutputCount;
        var all = new double[x.Length / f * n];
        var outputs = new double[n];
        for (int r = 0; r < x.Length / f; r++)
        {
            scorer.Score(x[(r * f)..((r + 1) * f)], 1, outputs);
            outputs.CopyTo(all, r * n);
        }
        return all;
    }
}
