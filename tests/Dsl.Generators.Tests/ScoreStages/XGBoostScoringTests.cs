using Dsl.Generators.Tests.Infrastructure;
using Dsl.Models;
using Dsl.Testing;

namespace Dsl.Generators.Tests.ScoreStages;

/// <summary>
/// <c>[Score]</c> stages over XGBoost JSON models that XGBoost trained in the test run: the compiled model's margins
/// and predictions equal XGBoost's own <c>predict(output_margin=True)</c> and <c>predict()</c> bit for bit, on fresh
/// rows with missing values given both as null and as NaN, through the vector blocks and the per-row code alike; and the
/// same file loaded at run time (<see cref="XGBoostModelLoader"/>) gives the same bits again.
/// </summary>
public sealed class XGBoostScoringTests
{
    public static TheoryData<string, int> Models => new()
    {
        { "--objective binary:logistic --depth 4 --rounds 30 --names", 1 },
        { "--objective binary:logistic --depth 8 --rounds 10 --missing 0.3 --names --seed 2", 1 },
        { "--objective reg:squarederror --depth 6 --rounds 25 --names", 1 },
        { "--objective binary:logitraw --depth 3 --rounds 10 --names", 1 },
        { "--objective count:poisson --depth 3 --rounds 15 --names", 1 },
        { "--objective multi:softprob --classes 3 --depth 4 --rounds 8 --names", 3 },
        { "--objective multi:softmax --classes 4 --depth 3 --rounds 6 --names", 1 },
        { "--objective binary:logistic --booster gblinear --rounds 20 --names", 1 },
        { "--objective multi:softprob --classes 3 --booster gblinear --rounds 10 --names", 3 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void CompiledModel_EqualsXGBoostsOwnPredictions_BitForBit(string options, int outputs)
    {
        XGBoostReference reference = XGBoostReference.Train(options);
        int margins = reference.Margins.Length / reference.Rows;
        using var snippet = LoadedSnippet.Compile(ScoringSources.Pipeline(reference.Features, outputs, margins, features: null), files: [("/project/models/m.json", reference.ModelJson)]);
        Assert.DoesNotContain(snippet.Run.GeneratorDiagnostics, d => d.Id is "DSL4001" or "DSL4002");

        List<object> rows = ScoringSources.Rows(snippet, reference.X, reference.Features);
        foreach (bool vectors in new[] { true, false })
        {
            (float[] predicted, float[] margin) = ScoringSources.Score(snippet, rows, outputs, margins, vectors);
            ScoringSources.AssertBits(reference.Predictions, predicted, "prediction", options, vectors);
            ScoringSources.AssertBits(reference.Margins, margin, "margin", options, vectors);
            RunTimeEquals(reference.ModelJson, reference.X, predicted, margin, outputs, margins, options, vectors, snippet);
        }
    }

    /// <summary>
    /// The file loaded at run time scores <paramref name="x"/> to the compiled model's <paramref name="predicted"/> and
    /// <paramref name="margin"/> (which equal XGBoost's) bit for bit: one call for all rows, in float32 and through the
    /// float64 form, and row by row; and reports the compiled model's SHA-256 and description.
    /// </summary>
    internal static void RunTimeEquals(string json, double[] x, float[] predicted, float[] margin, int outputs, int margins, string model, bool vectors, LoadedSnippet snippet)
    {
        int features = x.Length / (predicted.Length / outputs);
        using TreeModelScorer predict = RunTimeScoring.Load(json, ".json", ScoreOutput.Prediction, features, outputs);
        using TreeModelScorer margined = RunTimeScoring.Load(json, ".json", ScoreOutput.Margin, features, margins);
        Assert.False(((IBatchScorer)predict).ComputesInDouble);
        Assert.Equal(features, predict.FeatureCount);
        Assert.Equal(outputs, predict.OutputCount);
        Assert.Equal(margins, margined.OutputCount);
        Type compiled = snippet.Type("S.Scoring+PredictModel");
        Assert.Equal((string)compiled.GetField("Sha256")!.GetValue(null)!, predict.Sha256);
        // The model class's summary names it so (its comment lines joined where the writer wrapped them).
        string summary = System.Text.RegularExpressions.Regex.Replace(snippet.Run.GeneratedSource("S.Scoring.PredictModel.g.cs"), @"\n\s*/// ", " ");
        Assert.Contains(predict.Description, summary, StringComparison.Ordinal);
        ScoringSources.AssertBits(predicted, RunTimeScoring.Score(predict, x, vectors), "run-time prediction", model, vectors);
        ScoringSources.AssertBits(margin, RunTimeScoring.Score(margined, x, vectors), "run-time margin", model, vectors);
        // The float64 form rounds the features to float32, as a compiled XGBoost stage does with double features.
        ScoringSources.AssertBits(predicted, RunTimeScoring.Score64(predict, x, vectors).Select(v => (float)v).ToArray(), "run-time float64 prediction", model, vectors);
        if (!vectors)
        {
            ScoringSources.AssertBits(margin, RunTimeScoring.ScoreRowByRow(margined, x).Select(v => (float)v).ToArray(), "run-time margin row by row", model, vectors);
        }
    }

    [Fact]
    public void MarginsFarBelowMinus88_GetXGBoostsClampedSigmoid()
    {
        // A model XGBoost trained, its leaves then set to -100.5 and +100.5: expf(100.5) overflows, so only the clamp at 88.7
        // gives XGBoost's tiny denormal probability (an unclamped sigmoid gives 0).
        XGBoostReference trained = XGBoostReference.Train("--objective binary:logistic --depth 2 --rounds 1 --names --rows 500");
        var model = System.Text.Json.Nodes.JsonNode.Parse(trained.ModelJson)!;
        var tree = model["learner"]!["gradient_booster"]!["model"]!["trees"]![0]!;
        var conditions = tree["split_conditions"]!.AsArray();
        var left = tree["left_children"]!.AsArray();
        int leaf = 0;
        for (int i = 0; i < left.Count; i++)
        {
            if ((int)left[i]! == -1)
            {
                conditions[i] = leaf++ % 2 == 0 ? -100.5 : 100.5; // not integral: XGBoost reads a JSON integer as no float
            }
        }
        string json = model.ToJsonString();
        XGBoostReference reference = XGBoostReference.Predict(json, trained.X, Enumerable.Range(0, trained.Features).Select(f => "F" + f).ToArray());
        Assert.Contains(reference.Predictions, p => p > 0 && p < 1e-30f);

        using var snippet = LoadedSnippet.Compile(ScoringSources.Pipeline(trained.Features, 1, 1, features: null), files: [("/project/models/m.json", json)]);
        List<object> rows = ScoringSources.Rows(snippet, trained.X, trained.Features);
        (float[] predicted, float[] margin) = ScoringSources.Score(snippet, rows, 1, 1, vectors: true);
        ScoringSources.AssertBits(reference.Predictions, predicted, "prediction", "leaves of -100.5 and +100.5", true);
        ScoringSources.AssertBits(reference.Margins, margin, "margin", "leaves of -100.5 and +100.5", true);
        RunTimeEquals(json, trained.X, predicted, margin, 1, 1, "leaves of -100.5 and +100.5", vectors: true, snippet);
    }

    [Fact]
    public void TreesDeeperThan10_AreNestedCode_AndEqualXGBoost()
    {
        XGBoostReference reference = XGBoostReference.Train("--objective binary:logistic --depth 16 --rounds 4 --names --rows 4000");
        using var snippet = LoadedSnippet.Compile(ScoringSources.Pipeline(reference.Features, 1, 1, features: null), files: [("/project/models/m.json", reference.ModelJson)]);
        string model = snippet.Run.GeneratedSource("S.Scoring.PredictModel.g.cs");
        Assert.DoesNotContain("CompleteTrees32", model, StringComparison.Ordinal);
        Assert.Contains("private static float Tree0(", model, StringComparison.Ordinal);
        List<object> rows = ScoringSources.Rows(snippet, reference.X, reference.Features);
        foreach (bool vectors in new[] { true, false })
        {
            (float[] predicted, float[] margin) = ScoringSources.Score(snippet, rows, 1, 1, vectors);
            ScoringSources.AssertBits(reference.Predictions, predicted, "prediction", "depth 16", vectors);
            ScoringSources.AssertBits(reference.Margins, margin, "margin", "depth 16", vectors);
            RunTimeEquals(reference.ModelJson, reference.X, predicted, margin, 1, 1, "depth 16", vectors, snippet);
        }
    }

    [Fact]
    public void ModelWithoutFeatureNames_TakesTheMembersFeaturesLists_InTheModelsOrder()
    {
        XGBoostReference reference = XGBoostReference.Train("--objective binary:logistic --depth 3 --rounds 5 --features 4");
        // The model's feature 0 is member F3, 1 is F2, ...: the list, not the schema order, decides.
        string[] order = ["F3", "F2", "F1", "F0"];
        using var snippet = LoadedSnippet.Compile(ScoringSources.Pipeline(4, 1, 1, features: order), files: [("/project/models/m.json", reference.ModelJson)]);
        var reordered = new double[reference.X.Length];
        for (int r = 0; r < reference.Rows; r++)
        {
            for (int f = 0; f < 4; f++)
            {
                reordered[r * 4 + (3 - f)] = reference.X[r * 4 + f];
            }
        }
        List<object> rows = ScoringSources.Rows(snippet, reordered, 4);
        (float[] predicted, _) = ScoringSources.Score(snippet, rows, 1, 1, vectors: true);
        ScoringSources.AssertBits(reference.Predictions, predicted, "prediction", "reordered features", true);
    }
}
