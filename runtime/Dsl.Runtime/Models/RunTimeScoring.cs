using System.Buffers;

namespace Dsl.Models;

/// <summary>
/// What a kernel calls to score a batch through a model given at run time: the features in the type the model computes
/// in, its outputs into doubles (which hold a float32 output exactly, so the stage's <c>float</c> parameters get the
/// model's own values).
/// </summary>
public static class RunTimeScoring
{
    /// <summary>Scores <paramref name="rows"/> rows of float32 features; the model's float32 outputs are widened into <paramref name="outputs"/>.</summary>
    public static void Score(IBatchScorer model, float[] features, int rows, double[] outputs)
    {
        int count = rows * model.OutputCount;
        float[] narrow = ArrayPool<float>.Shared.Rent(Math.Max(count, 1));
        try
        {
            model.Score(features, rows, narrow);
            for (int i = 0; i < count; i++)
            {
                outputs[i] = narrow[i];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(narrow);
        }
    }

    /// <summary>Scores <paramref name="rows"/> rows of float64 features (a model that <see cref="IBatchScorer.ComputesInDouble"/>).</summary>
    public static void Score(IBatchScorer model, double[] features, int rows, double[] outputs) =>
        model.Score(features, rows, outputs);

    /// <summary>
    /// Scores one row given as doubles (a score stage fused after another stage, in a first-pass segment): narrowed to
    /// float32 first for a model that computes in float32. The batch path gathers each feature in the model's type
    /// directly; here a 64-bit integer feature beyond 2^53 is rounded twice (to double, then to float).
    /// </summary>
    public static void ScoreRow(IBatchScorer model, double[] features, double[] outputs)
    {
        if (model.ComputesInDouble)
        {
            model.Score(features, 1, outputs);
            return;
        }
        var narrow = new float[features.Length];
        for (int i = 0; i < narrow.Length; i++)
        {
            narrow[i] = (float)features[i];
        }
        Score(model, narrow, 1, outputs);
    }
}
