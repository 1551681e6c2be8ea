using System.Buffers;

namespace Dsl.Models;

/// <summary>
/// What a kernel calls to score a batch through a model given at run time: the features in the type the model computes
/// in, its outputs into doubles (which hold a float32 output exactly, so the stage's <c>float</c> parameters get the
/// model's own values).
/// </summary>
public static class RunTimeScoring
{
    /// <summary>
    /// Scores <paramref name="rows"/> rows of float32 features; the model's float32 outputs are widened into
    /// <paramref name="outputs"/>. When the model refuses the batch (throws), each row is scored alone: the result then
    /// holds, per row, the exception the model threw for it (null for a row it scored), so the kernel raises one row
    /// error per refused row, which the stage quarantines or fails on as its <c>OnRowError</c> says; null when the
    /// batch scored. A model that refuses every row alone too throws <see cref="InvalidOperationException"/>: that is a
    /// broken model, not bad rows, and fails the job whatever the stage's <c>OnRowError</c>.
    /// </summary>
    public static Exception?[]? Score(IBatchScorer model, float[] features, int rows, double[] outputs) =>
        Guarded(model, features, rows, outputs, ScoreFloats);

    /// <summary>The float64 form, for a model that <see cref="IBatchScorer.ComputesInDouble"/>; refusals as for float32.</summary>
    public static Exception?[]? Score(IBatchScorer model, double[] features, int rows, double[] outputs) =>
        Guarded(model, features, rows, outputs, static (m, x, n, y) => m.Score(x, n, y));

    /// <summary>Whether any of rows <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 was refused.</summary>
    public static bool AnyRefused(Exception?[] errors, int first, int count)
    {
        for (int r = first; r < first + count; r++)
        {
            if (errors[r] is not null)
            {
                return true;
            }
        }
        return false;
    }

    private static Exception?[]? Guarded<T>(IBatchScorer model, T[] features, int rows, double[] outputs, Action<IBatchScorer, T[], int, double[]> score)
    {
        try
        {
            score(model, features, rows, outputs);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // Which rows: each alone (slow, and only for a batch the model refused). A model that refuses every row
            // (a broken file, a disposed session, a wrong buffer) fails the job instead of quarantining the batch.
            var errors = new Exception?[rows];
            int refused = 0;
            int width = model.FeatureCount, outputCount = model.OutputCount;
            var row = new T[width];
            var scored = new double[outputCount];
            for (int r = 0; r < rows; r++)
            {
                Array.Copy(features, r * width, row, 0, width);
                try
                {
                    score(model, row, 1, scored);
                    Array.Copy(scored, 0, outputs, r * outputCount, outputCount);
                }
                catch (Exception rowError) when (rowError is not OutOfMemoryException and not OperationCanceledException)
                {
                    errors[r] = rowError;
                    refused++;
                    Array.Clear(outputs, r * outputCount, outputCount);
                }
            }
            if (refused == rows)
            {
                throw new InvalidOperationException($"The model refused every row of a batch of {rows}, alone as well as together, so the fault is the model's, not the rows': {e.Message}", e);
            }
            return errors;
        }
    }

    private static void ScoreFloats(IBatchScorer model, float[] features, int rows, double[] outputs)
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


    /// <summary>
    /// Scores one row given as doubles (a score stage fused after another stage, in a first-pass segment): narrowed to
    /// float32 first for a model that computes in float32. The batch path gathers each feature in the model's type
    /// directly; here a 64-bit integer feature beyond 2^53 is rounded twice (to double, then to float).
    /// </summary>
    /// <exception cref="ModelRowException">The model refused the row, as the batch path reports a refused row.</exception>
    public static void ScoreRow(IBatchScorer model, string name, double[] features, double[] outputs)
    {
        try
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
            ScoreFloats(model, narrow, 1, outputs);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            throw new ModelRowException(name, e);
        }
    }
}
