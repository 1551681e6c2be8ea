using Dsl.Testing;

namespace Dsl.Runtime.Tests.Models;

/// <summary>
/// The <see cref="LightGbm"/> wrapper over lib_lightgbm, which later tests use as the reference: it trains, writes
/// the model text and predicts as LightGBM does, missing values included.
/// </summary>
public sealed class LightGbmLibraryTests
{
    private const int Rows = 400;
    private const int Columns = 3;
    private const string Quiet = "verbose=-1 num_threads=1 deterministic=true seed=1";

    [Fact]
    public void BinaryModelPredictsTheSigmoidOfItsRawScore()
    {
        (double[] features, float[] labels) = Sample(classes: 2);

        string model = LightGbm.Train(features, Rows, Columns, labels, "objective=binary num_leaves=15 min_data_in_leaf=5 " + Quiet, iterations: 20);
        double[] raw = LightGbm.Predict(model, features, Rows, Columns, raw: true);
        double[] probabilities = LightGbm.Predict(model, features, Rows, Columns, raw: false);

        Assert.Contains("objective=binary", model, StringComparison.Ordinal);
        Assert.Contains("Tree=0", model, StringComparison.Ordinal);
        Assert.Equal(Rows, raw.Length);
        Assert.Equal(Rows, probabilities.Length);
        for (int row = 0; row < Rows; row++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-raw[row])), probabilities[row], 1e-12);
        }
        // It learned the labels, the rows with a missing feature among them.
        int correct = Enumerable.Range(0, Rows).Count(row => (probabilities[row] > 0.5) == (labels[row] == 1));
        Assert.True(correct > Rows * 9 / 10, $"{correct} of {Rows} rows predicted right.");
    }

    [Fact]
    public void MulticlassModelPredictsOneProbabilityPerClass()
    {
        (double[] features, float[] labels) = Sample(classes: 3);

        string model = LightGbm.Train(features, Rows, Columns, labels, "objective=multiclass num_class=3 num_leaves=7 min_data_in_leaf=5 " + Quiet, iterations: 10);
        double[] probabilities = LightGbm.Predict(model, features, Rows, Columns, raw: false);

        Assert.Contains("num_class=3", model, StringComparison.Ordinal);
        Assert.Equal(Rows * 3, probabilities.Length);
        for (int row = 0; row < Rows; row++)
        {
            Assert.Equal(1.0, probabilities[row * 3] + probabilities[(row * 3) + 1] + probabilities[(row * 3) + 2], 1e-12);
        }
    }

    [Fact]
    public void FeatureNamesAreWrittenToTheModel()
    {
        (double[] features, float[] labels) = Sample(classes: 2);

        string model = LightGbm.Train(features, Rows, Columns, labels, "objective=binary num_leaves=4 " + Quiet, iterations: 2, featureNames: ["age", "income", "score"]);

        Assert.Contains("feature_names=age income score", model, StringComparison.Ordinal);
    }

    [Fact]
    public void LightGbmErrorNamesTheCallAndLightGbmsText()
    {
        (double[] features, float[] labels) = Sample(classes: 2);
        string model = LightGbm.Train(features, Rows, Columns, labels, "objective=binary num_leaves=4 " + Quiet, iterations: 2);

        LightGbmException error = Assert.Throws<LightGbmException>(() => LightGbm.Predict(model, new double[2 * 2], 2, 2, raw: false));

        Assert.Equal("LGBM_BoosterPredictForMat", error.Function);
        Assert.Contains("number of features", error.LightGbmError, StringComparison.Ordinal);
    }

    /// <summary>
    /// Random rows, one value in ten missing, labelled by which of <paramref name="classes"/> bands
    /// <c>x0 + x1</c> falls in; a missing <c>x0</c> labels the row with the last class, so that missing values matter.
    /// </summary>
    private static (double[] Features, float[] Labels) Sample(int classes)
    {
        var random = new Random(7);
        var features = new double[Rows * Columns];
        var labels = new float[Rows];
        for (int row = 0; row < Rows; row++)
        {
            for (int column = 0; column < Columns; column++)
            {
                features[(row * Columns) + column] = random.Next(10) == 0 ? double.NaN : (random.NextDouble() * 2) - 1;
            }
            double x0 = features[row * Columns];
            double x1 = double.IsNaN(features[(row * Columns) + 1]) ? 0 : features[(row * Columns) + 1];
            labels[row] = double.IsNaN(x0) ? classes - 1 : Math.Clamp((int)((x0 + x1 + 2) / 4 * classes), 0, classes - 1);
        }
        return (features, labels);
    }
}
