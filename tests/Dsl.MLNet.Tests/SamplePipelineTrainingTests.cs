using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;

namespace Dsl.MLNet.Tests;

/// <summary>ML.NET trains on the template's sample output through the view, as docs/mlnet.md shows.</summary>
public sealed class SamplePipelineTrainingTests(SampleOutput sample, ITestOutputHelper log) : IClassFixture<SampleOutput>
{
    private static readonly string[] s_features = ["LogAmount", "AmountZ", "Hour", "IsWeekend", "CountryBucket", "SessionMinutes", "IsHighValue"];

    [Fact]
    public void TheSampleFeatures_HaveTheirMLNetTypes()
    {
        DslDataView view = DslDataView.FromParquet(sample.Folder);
        Assert.Equal(
            "UserId: Int64, LogAmount: Double, AmountZ: Double, Hour: Int32, IsWeekend: Boolean, CountryBucket: Int32, SessionMinutes: Double, IsHighValue: Boolean, Label: Boolean",
            string.Join(", ", view.Schema.Select(c => $"{c.Name}: {c.Type}")));
        // Refunds (3%) and rows without a session (5%) are filtered; one row in a thousand is quarantined.
        Assert.InRange(view.GetRowCount()!.Value, 0.90 * SampleOutput.Rows, 0.93 * SampleOutput.Rows);
    }

    [Fact]
    public void FastTree_TrainedOnTheSampleFeatures_HasTheAucTheLabelsAllow()
    {
        var ml = new MLContext(seed: 7);
        var view = new RecordingView(DslDataView.FromParquet(sample.Folder, columns: [.. s_features, "Label"]));
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(view, testFraction: 0.25, seed: 7);

        // FastTree takes one Single vector: the Double, Int32 and Boolean features are converted, then concatenated.
        var pipeline = ml.Transforms.Conversion.ConvertType([.. s_features.Select(f => new InputOutputColumnPair(f, f))], DataKind.Single)
            .Append(ml.Transforms.Concatenate("Features", s_features))
            .Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Label", numberOfLeaves: 8, numberOfTrees: 50, minimumExampleCountPerLeaf: 100));
        ITransformer model = pipeline.Fit(split.TrainSet);
        CalibratedBinaryClassificationMetrics metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet), labelColumnName: "Label");
        log.WriteLine($"AUC {metrics.AreaUnderRocCurve:F4}, positives in the test split {metrics.ConfusionMatrix.Counts[0].Sum()}, rows {metrics.ConfusionMatrix.Counts.Sum(r => r.Sum())}");

        // SampleData draws Label with probability 1% + 5% when the amount is above 1000 (IsHighValue), nothing else, so
        // the best possible score is IsHighValue itself. Amounts are exp(8u) - 1: P(amount > 1000) = 1 - ln(1001)/8 =
        // 0.136, so 48.6% of positives and 13.0% of negatives are high-value, and that score's AUC is
        // 0.486 * 0.870 + (0.486 * 0.130 + 0.514 * 0.870) / 2 = 0.678 (ignoring the 8% of rows filtered, which do not
        // depend on the amount). A model that learned the signal lands near it; the test split's ~800 positives give a
        // standard error of about 0.01 (measured: 0.678), so 0.64 to 0.72 holds a correct model within about four
        // standard errors and rejects both chance (0.5) and any leak of the label (which would push it towards 1).
        Assert.InRange(metrics.AreaUnderRocCurve, 0.64, 0.72);
        // FastTree converts its training data through one serial cursor (its threads work on the converted bins), and
        // so does Evaluate: neither asks for a cursor set.
        Assert.NotEmpty(view.Calls);
        Assert.All(view.Calls, c => Assert.Equal(0, c.Asked));
    }

    [Fact]
    public void LbfgsTraining_ReadsTheViewThroughACursorSet_AndLearnsTheSameSignal()
    {
        // FastTree and Evaluate read one serial cursor (above); L-BFGS asks for a cursor set, one cursor per core, and
        // consolidates it (with ML.NET 6.0.0, SDCA and FeaturizeText did too).
        var ml = new MLContext(seed: 7);
        var view = new RecordingView(DslDataView.FromParquet(sample.Folder, columns: [.. s_features, "Label"]));
        var pipeline = ml.Transforms.Conversion.ConvertType([.. s_features.Select(f => new InputOutputColumnPair(f, f))], DataKind.Single)
            .Append(ml.Transforms.Concatenate("Features", s_features))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(labelColumnName: "Label"));
        ITransformer model = pipeline.Fit(view);

        // ML.NET asks for one cursor per core (here: Environment.ProcessorCount); the sample's four parts hold one row
        // group each, so a set has at most four cursors.
        if (Environment.ProcessorCount > 1)
        {
            Assert.Contains(view.Calls, c => c.Asked > 1);
        }
        Assert.All(view.Calls.Where(c => c.Asked > 0), c => Assert.Equal(Math.Min(c.Asked, 4), c.Given));
        CalibratedBinaryClassificationMetrics metrics = ml.BinaryClassification.Evaluate(model.Transform(view), labelColumnName: "Label");
        log.WriteLine($"L-BFGS AUC on its training rows {metrics.AreaUnderRocCurve:F4}; cursor calls {string.Join(", ", view.Calls)}");
        // IsHighValue is one linear feature, so a logistic regression reaches the same bound as FastTree (see above).
        Assert.InRange(metrics.AreaUnderRocCurve, 0.64, 0.72);
    }
}
