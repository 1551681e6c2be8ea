using System.Text.Json;
using Dsl.Testing;
using Microsoft.ML.OnnxRuntime;

namespace Dsl.Onnx.Tests;

/// <summary>
/// <see cref="OnnxScorer"/> over models that python3-onnx builds in the test run (tests/tools/scoring/onnx-models.py):
/// a logistic regression against the formula, XGBoost's trees as an ONNX tree ensemble against XGBoost's own
/// predictions, calls from two threads at once, and models or buffers of the wrong shape refused with what they have.
/// </summary>
public sealed class OnnxScorerTests : IDisposable
{
    private readonly TempDirectory _folder = TempDirectory.Create("dsl-onnx");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void LogisticRegression_GivesTheSigmoidOfTheLinearScore()
    {
        string path = _folder.Combine("linear.onnx");
        JsonElement model = OnnxModels.Build("linear \"" + path + "\" 4 1");
        float[] w = model.GetProperty("weights").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        float b = model.GetProperty("bias").GetSingle();
        using var scorer = new OnnxScorer(path);
        Assert.Equal((4, 1), (scorer.FeatureCount, scorer.OutputCount));

        var random = new Random(3);
        const int Rows = 1000;
        float[] x = Enumerable.Range(0, Rows * 4).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        float[] p = new float[Rows + 5]; // longer than needed, as a pooled buffer is
        scorer.Score(x, Rows, p);
        for (int r = 0; r < Rows; r++)
        {
            double z = b + Enumerable.Range(0, 4).Sum(f => (double)x[r * 4 + f] * w[f]);
            Assert.Equal(1 / (1 + Math.Exp(-z)), p[r], 1e-6);
        }
        Assert.Equal(0f, p[Rows]);
    }

    [Fact]
    public void XGBoostTreesAsOnnx_GiveXGBoostsPredictions_FromTwoThreadsAtOnce()
    {
        XGBoostReference reference = XGBoostReference.Train("--objective binary:logistic --depth 5 --rounds 30 --missing 0.1");
        string json = _folder.Combine("model.json");
        File.WriteAllText(json, reference.ModelJson);
        string path = _folder.Combine("trees.onnx");
        OnnxModels.Build("xgboost \"" + json + "\" \"" + path + "\"");
        using var scorer = new OnnxScorer(path);
        float[] x = reference.X.Select(v => (float)v).ToArray();
        int rows = reference.Rows;

        float[] once = new float[rows];
        scorer.Score(x, rows, once);
        for (int r = 0; r < rows; r++)
        {
            // ONNX Runtime sums the trees its own way; XGBoost's float sums agree to a few units in the last place.
            Assert.Equal(reference.Predictions[r], once[r], 2e-6);
        }

        float[][] parallel = [new float[rows], new float[rows]];
        Parallel.For(0, 2, t =>
        {
            for (int i = 0; i < 20; i++)
            {
                scorer.Score(x, rows, parallel[t]);
            }
        });
        Assert.Equal(once, parallel[0]);
        Assert.Equal(once, parallel[1]);
    }

    [Fact]
    public void WrongModelsAndBuffers_AreRefused_SayingWhat()
    {
        string path = _folder.Combine("linear.onnx");
        OnnxModels.Build("linear \"" + path + "\" 4 2");
        using var scorer = new OnnxScorer(path);
        var small = Assert.Throws<ArgumentException>(() => scorer.Score(new float[7], 2, new float[2]));
        Assert.Contains("2 rows need 8 features and 2 outputs; got 7 and 2", small.Message, StringComparison.Ordinal);
        var output = Assert.Throws<ArgumentException>(() => new OnnxScorer(path, output: "nope"));
        Assert.Contains("has no output 'nope'; it has p", output.Message, StringComparison.Ordinal);

        string garbage = _folder.Combine("garbage.onnx");
        File.WriteAllText(garbage, "not a model");
        Assert.ThrowsAny<OnnxRuntimeException>(() => new OnnxScorer(garbage));
    }
}
