using Dsl.Generators.Tests.Infrastructure;
using Dsl.Models;
using Dsl.Testing;

namespace Dsl.Generators.Tests.ScoreStages;

/// <summary>
/// <c>[Score]</c> stages over LightGBM text models that LightGBM's own library (the LightGBM package's lib_lightgbm)
/// trained in the test run: margins (raw scores) and predictions equal <c>LGBM_BoosterPredictForMat</c>'s bit for bit,
/// for each missing-value type a split can have (NaN, None for a feature without missing values in training, Zero
/// with <c>zero_as_missing</c>), on fresh rows with nulls and NaN, through the vector blocks and the per-row code; and the
/// same file loaded at run time (<see cref="LightGbmModelLoader"/>) gives the same bits again.
/// </summary>
public sealed class LightGbmScoringTests
{
    private const int Features = 5;

    public static TheoryData<string, int> Models => new()
    {
        { "objective=binary num_leaves=15", 1 },
        { "objective=binary num_leaves=31 zero_as_missing=true", 1 },
        { "objective=binary num_leaves=7 sigmoid=0.7", 1 },
        { "objective=regression num_leaves=63 min_data_in_leaf=3", 1 },
        { "objective=poisson num_leaves=15", 1 },
        { "objective=multiclass num_class=3 num_leaves=15", 3 },
        { "objective=cross_entropy num_leaves=7", 1 },
        { "boosting=rf objective=binary num_leaves=15 bagging_freq=1 bagging_fraction=0.7 feature_fraction=0.8", 1 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void CompiledModel_EqualsLightGbmsOwnPredictions_BitForBit(string parameters, int outputs) => Check(parameters, outputs);

    [Fact]
    public void BothTreeForms_EqualLightGbm_CompleteTreesUpToDepth10_NestedIfsBelow()
    {
        // Small trees are complete trees walked with vector gathers; 255-leaf trees grown leaf by leaf go deeper than 10.
        Assert.Contains("CompleteTrees64 Trees = new(", Check("objective=binary num_leaves=7", 1), StringComparison.Ordinal);
        string deep = Check("objective=regression num_leaves=255 min_data_in_leaf=1 min_sum_hessian_in_leaf=0", 1);
        Assert.DoesNotContain("CompleteTrees64", deep, StringComparison.Ordinal);
        Assert.Contains("private static double Tree0(", deep, StringComparison.Ordinal);
    }

    [Fact]
    public void ThresholdsInsideTheZeroBand_CompareTheValueAsZero_AsLightGbmDoes_InBothTreeForms()
    {
        // Splits on feature 4 (values within ±1e-36 in a tenth of the rows) moved to thresholds inside ±1e-35, where a
        // tiny value and 0 fall on different sides: LightGBM's C API reads the value as 0 first, and so must the model.
        foreach (string parameters in new[] { "objective=binary num_leaves=7", "objective=regression num_leaves=255 min_data_in_leaf=1 min_sum_hessian_in_leaf=0" })
        {
            string model = Train(parameters);
            string[] near = ["1e-37", "-1e-37", "0", "5e-37"];
            int moved = 0;
            string[] lines = model.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("split_feature=", StringComparison.Ordinal))
                {
                    continue;
                }
                string[] features = lines[i]["split_feature=".Length..].Split(' ');
                int at = Array.FindIndex(lines, i, l => l.StartsWith("threshold=", StringComparison.Ordinal));
                string[] thresholds = lines[at]["threshold=".Length..].Split(' ');
                for (int k = 0; k < features.Length; k++)
                {
                    if (features[k] == "4")
                    {
                        thresholds[k] = near[moved++ % near.Length];
                    }
                }
                lines[at] = "threshold=" + string.Join(' ', thresholds);
            }
            Assert.True(moved >= 4, parameters + ": " + moved + " splits on feature 4");
            // tree_sizes gives each tree block's length in bytes, which the new thresholds change: without it LightGBM
            // reads the blocks one after another.
            string source = Check(parameters, 1, string.Join('\n', lines.Where(l => !l.StartsWith("tree_sizes=", StringComparison.Ordinal))));
            Assert.Contains(parameters.Contains("255", StringComparison.Ordinal) ? "Zeroed(x[4]) <= 1e-37d" : "CompleteTrees64", source, StringComparison.Ordinal);
        }
    }

    private static string Train(string parameters)
    {
        (double[] train, float[] labels) = Data(3000, seed: 1, parameters);
        return LightGbm.Train(train, 3000, Features, labels, (parameters.Contains("min_data_in_leaf", StringComparison.Ordinal) ? parameters : parameters + " min_data_in_leaf=5") + " verbose=-1 num_threads=1 deterministic=true seed=1", iterations: 25,
            featureNames: Enumerable.Range(0, Features).Select(f => "F" + f).ToArray());
    }

    /// <summary>Trains (or takes <paramref name="model"/>), scores both ways, compares; returns the generated model class.</summary>
    private static string Check(string parameters, int outputs, string? model = null)
    {
        model ??= Train(parameters);
        (double[] x, _) = Data(2000, seed: 2, parameters);
        // NaN where training had none: the splits on feature 3 are of missing type None, which reads NaN as 0.
        for (int r = 0; r < 2000; r += 7)
        {
            x[r * Features + 3] = double.NaN;
        }
        if (parameters.Contains("zero_as_missing", StringComparison.Ordinal))
        {
            // decision_type's bits 2-3 are the missing type; 1 (Zero) is what this model is here to test.
            IEnumerable<int> types = model.Split('\n')
                .Where(l => l.StartsWith("decision_type=", StringComparison.Ordinal))
                .SelectMany(l => l["decision_type=".Length..].Split(' '))
                .Select(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Contains(types, d => ((d >> 2) & 3) == 1);
        }
        double[] expected = LightGbm.Predict(model, x, 2000, Features, raw: false);
        double[] raw = LightGbm.Predict(model, x, 2000, Features, raw: true);
        int margins = raw.Length / 2000;

        using var snippet = LoadedSnippet.Compile(ScoringSources.Pipeline(Features, outputs, margins, features: null, type: "double"), files: [("/project/models/m.json", model)]);
        Assert.DoesNotContain(snippet.Run.GeneratorDiagnostics, d => d.Id is "DSL4001" or "DSL4002");
        List<object> rows = ScoringSources.Rows(snippet, x, Features);
        using TreeModelScorer predict = RunTimeScoring.Load(model, ".txt", ScoreOutput.Prediction, Features, outputs);
        using TreeModelScorer margined = RunTimeScoring.Load(model, ".txt", ScoreOutput.Margin, Features, margins);
        Assert.True(predict.ComputesInDouble);
        Assert.Equal((string)snippet.Type("S.Scoring+PredictModel").GetField("Sha256")!.GetValue(null)!, predict.Sha256);
        foreach (bool vectors in new[] { true, false })
        {
            (double[] predicted, double[] margin) = ScoringSources.Score<double>(snippet, rows, outputs, margins, vectors);
            ScoringSources.AssertBits(expected, predicted, "prediction", parameters, vectors);
            ScoringSources.AssertBits(raw, margin, "margin", parameters, vectors);
            // The run-time model, through its float64 form: the compiled model's bits, which are LightGBM's.
            ScoringSources.AssertBits(predicted, RunTimeScoring.Score64(predict, x, vectors), "run-time prediction", parameters, vectors);
            ScoringSources.AssertBits(margin, RunTimeScoring.Score64(margined, x, vectors), "run-time margin", parameters, vectors);
        }
        ScoringSources.AssertBits(raw, RunTimeScoring.ScoreRowByRow(margined, x), "run-time margin row by row", parameters, false);

        // The float32 form scores the features rounded to float32, in float64, and rounds each output: LightGBM's own
        // answer for those features, rounded.
        double[] rounded = x.Select(v => (double)(float)v).ToArray();
        float[] expected32 = LightGbm.Predict(model, rounded, 2000, Features, raw: false).Select(v => (float)v).ToArray();
        float[] raw32 = LightGbm.Predict(model, rounded, 2000, Features, raw: true).Select(v => (float)v).ToArray();
        foreach (bool vectors in new[] { true, false })
        {
            ScoringSources.AssertBits(expected32, RunTimeScoring.Score(predict, x, vectors), "run-time float32 prediction", parameters, vectors);
            ScoringSources.AssertBits(raw32, RunTimeScoring.Score(margined, x, vectors), "run-time float32 margin", parameters, vectors);
        }
        return snippet.Run.GeneratedSource("S.Scoring.PredictModel.g.cs");
    }

    /// <summary>
    /// Random rows: feature 0 rounded (ties at thresholds), 1 with 10% NaN, 2 a count, 3 never missing, 4 mostly exact
    /// zeros (what <c>zero_as_missing</c> treats as missing); labels follow the objective.
    /// </summary>
    private static (double[] X, float[] Labels) Data(int rows, int seed, string parameters)
    {
        var random = new Random(seed);
        var x = new double[rows * Features];
        var labels = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double a = Math.Round(Normal(random), 1);
            double b = random.NextDouble() < 0.1 ? double.NaN : Normal(random) * 100;
            double c = random.Next(0, 8);
            double d = Normal(random) * 0.01;
            // Mostly zeros, some within ±1e-35 of zero (which LightGBM's C API reads as 0), the rest spread out.
            double e = random.NextDouble() switch { < 0.5 => 0.0, < 0.6 => (random.Next(2) * 2 - 1) * 1e-36 * random.NextDouble(), _ => Normal(random) };
            x[r * Features] = a;
            x[r * Features + 1] = b;
            x[r * Features + 2] = c;
            x[r * Features + 3] = d;
            x[r * Features + 4] = e;
            double signal = a + (double.IsNaN(b) ? 0.3 : b / 100) + 0.2 * c - 50 * d + e + Normal(random) * 0.5;
            labels[r] = parameters.Contains("multiclass", StringComparison.Ordinal) ? (signal < 0 ? 0 : signal < 1 ? 1 : 2)
                : parameters.Contains("poisson", StringComparison.Ordinal) ? (float)Math.Round(Math.Exp(Math.Clamp(signal, -2, 2)))
                : parameters.Contains("regression", StringComparison.Ordinal) ? (float)signal
                : signal > 0.5 ? 1 : 0;
        }
        return (x, labels);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
