using System.Text;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Models;
using Dsl.Testing;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.ScoreStages;

/// <summary>
/// The run-time loaders (<see cref="XGBoostModelLoader"/>, <see cref="LightGbmModelLoader"/>) refuse the damaged, hostile
/// and unsupported files a build refuses (<see cref="ModelFileTests"/>) with the build's own words and the file's path,
/// refuse models that do not fit the stage naming both sides, and never crash; what they load scores safely from many
/// threads at once.
/// </summary>
public sealed class RunTimeModelFileTests
{
    public static TheoryData<string, string> BrokenFiles => ModelFileTests.BrokenFiles;

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void BrokenOrUnsupportedModel_IsInvalidDataException_WithTheBuildsWords(string file, string expected)
    {
        // What the build says of the same file after "cannot compile model 'models/m.json': ".
        GeneratorRun run = GeneratorHarness.Run(ModelFileTests.Source, files: [("/p/models/m.json", file)]);
        string build = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "DSL3019").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        string what = build[(build.IndexOf("': ", StringComparison.Ordinal) + 3)..];
        Assert.Contains(expected, what, StringComparison.Ordinal);
        using TempDirectory folder = TempDirectory.Create("dsl-runtime-model");
        foreach (IModelLoader loader in new IModelLoader[] { new XGBoostModelLoader(), new LightGbmModelLoader() })
        {
            string path = folder.Combine(loader is XGBoostModelLoader ? "m.json" : "m.txt");
            File.WriteAllText(path, file);
            var e = Assert.Throws<InvalidDataException>(() => loader.Load(path, new ModelLoadOptions(ScoreOutput.Prediction, 1, 1)));
            Assert.Equal("The model file " + path + " cannot be loaded: " + what + ".", e.Message);
        }
    }

    [Fact]
    public void EmptyOrNonUtf8File_IsInvalidDataException_NamingTheFile()
    {
        using TempDirectory folder = TempDirectory.Create("dsl-runtime-model");
        string empty = folder.Combine("empty.json");
        File.WriteAllBytes(empty, []);
        var e = Assert.Throws<InvalidDataException>(() => new XGBoostModelLoader().Load(empty, new ModelLoadOptions(ScoreOutput.Prediction, 1, 1)));
        Assert.Equal("The model file " + empty + " cannot be loaded: it is neither a LightGBM text model nor JSON (invalid JSON at line 1, column 1: the document ends where a value was expected).", e.Message);

        string latin1 = folder.Combine("latin1.txt");
        File.WriteAllBytes(latin1, [.. Encoding.UTF8.GetBytes("tree\nversion=v4\nfeature_names=Gr"), 0xF6, 0xDF, 0x65]);
        e = Assert.Throws<InvalidDataException>(() => new LightGbmModelLoader().Load(latin1, new ModelLoadOptions(ScoreOutput.Prediction, 1, 1)));
        Assert.StartsWith("The model file " + latin1 + " cannot be loaded: it is not UTF-8 text", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsFileNotFoundException_NamingIt()
    {
        string path = Path.Combine(Path.GetTempPath(), "dsl-no-such-model-" + Guid.NewGuid().ToString("N") + ".json");
        var e = Assert.Throws<FileNotFoundException>(() => new XGBoostModelLoader().Load(path, new ModelLoadOptions(ScoreOutput.Prediction, 1, 1)));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileWithAByteOrderMark_Loads_AndItsSha256IsOfTheFilesBytes()
    {
        using TempDirectory folder = TempDirectory.Create("dsl-runtime-model");
        string path = folder.Combine("m.json");
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(TestModels.Tiny)];
        File.WriteAllBytes(path, bytes);
        using var scorer = (TreeModelScorer)new XGBoostModelLoader().Load(path, new ModelLoadOptions(ScoreOutput.Margin, 1, 1));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), scorer.Sha256);
        Assert.Equal("XGBoost binary:logistic, 1 tree, 1 feature", scorer.Description);
        float[] margins = new float[3];
        scorer.Score([99f, 100f, float.NaN], 3, margins);
        Assert.Equal([-0.5f, 0.5f, -0.5f], margins); // base score 0.5 is margin 0; below 100 and missing go left
    }

    public static TheoryData<ScoreOutput, int, int, string> Misfits => new()
    {
        { ScoreOutput.Prediction, 2, 1, "(XGBoost binary:logistic, 1 tree, 1 feature) reads 1 features a row but the stage gives 2." },
        { ScoreOutput.Prediction, 1, 2, "(XGBoost binary:logistic, 1 tree, 1 feature) gives one prediction but the stage takes 2 after its row." },
        { ScoreOutput.Margin, 1, 0, "(XGBoost binary:logistic, 1 tree, 1 feature) gives one margin but the stage takes 0 after its row." },
    };

    [Theory]
    [MemberData(nameof(Misfits))]
    public void ModelThatDoesNotFitTheStage_IsArgumentException_NamingBothSides(ScoreOutput output, int features, int outputs, string expected)
    {
        using TempDirectory folder = TempDirectory.Create("dsl-runtime-model");
        string path = folder.Combine("m.json");
        File.WriteAllText(path, TestModels.Tiny);
        var e = Assert.Throws<ArgumentException>(() => new XGBoostModelLoader().Load(path, new ModelLoadOptions(output, features, outputs)));
        Assert.StartsWith("The model file " + path + " " + expected, e.Message, StringComparison.Ordinal);
        Assert.Equal("options", e.ParamName);
    }

    [Fact]
    public void MultiClassModel_GivesOneMarginPerClass_AndSaysSoWhenTheStageTakesOne()
    {
        (double[] x, float[] labels) = Rows(600, classes: 3);
        string model = LightGbm.Train(x, 600, 2, labels, "objective=multiclass num_class=3 num_leaves=4 min_data_in_leaf=5 verbose=-1 num_threads=1 deterministic=true seed=1", iterations: 3);
        using TempDirectory folder = TempDirectory.Create("dsl-runtime-model");
        string path = folder.Combine("m.txt");
        File.WriteAllText(path, model);
        var e = Assert.Throws<ArgumentException>(() => new LightGbmModelLoader().Load(path, new ModelLoadOptions(ScoreOutput.Margin, 2, 1)));
        Assert.StartsWith("The model file " + path + " (LightGBM multiclass num_class:3, 9 trees, 2 features, 3 classes) gives 3 margins, one per class, but the stage takes 1 after its row.", e.Message, StringComparison.Ordinal);
        using IBatchScorer scorer = new LightGbmModelLoader().Load(path, new ModelLoadOptions(ScoreOutput.Prediction, 2, 3));
        Assert.Equal(3, scorer.OutputCount);
        Assert.True(scorer.ComputesInDouble); // through the interface: the kernel gathers double features for it
    }

    [Fact]
    public void UnknownOutputKind_IsArgumentOutOfRange()
    {
        using TempDirectory folder = TempDirectory.Create("dsl-runtime-model");
        string path = folder.Combine("m.json");
        File.WriteAllText(path, TestModels.Tiny);
        Assert.Throws<ArgumentOutOfRangeException>(() => new XGBoostModelLoader().Load(path, new ModelLoadOptions((ScoreOutput)7, 1, 1)));
    }

    [Fact]
    public void Loaders_ReadTheirExtensions_AndTheContentDecidesTheFormat()
    {
        Assert.Equal("XGBoost", new XGBoostModelLoader().Format);
        Assert.Equal("LightGBM", new LightGbmModelLoader().Format);
        Assert.True(new XGBoostModelLoader().Reads("models/m.JSON"));
        Assert.False(new XGBoostModelLoader().Reads("models/m.txt"));
        Assert.True(new LightGbmModelLoader().Reads("m.txt"));
        Assert.False(new LightGbmModelLoader().Reads("m.onnx"));
        // As at build time, where the tests give LightGBM models as models/m.json: the text is what it is.
        (double[] x, float[] labels) = Rows(300, classes: 2);
        string model = LightGbm.Train(x, 300, 2, labels, "objective=binary num_leaves=4 min_data_in_leaf=5 verbose=-1 num_threads=1 deterministic=true seed=1", iterations: 2);
        using TreeModelScorer scorer = RunTimeScoring.Load(model, ".json", ScoreOutput.Prediction, 2, 1);
        Assert.True(scorer.ComputesInDouble);
        Assert.StartsWith("LightGBM binary sigmoid:1, ", scorer.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void BuffersTooShortForTheRows_AreArgumentException()
    {
        using TreeModelScorer scorer = RunTimeScoring.Load(TestModels.Tiny, ".json", ScoreOutput.Prediction, 1, 1);
        Assert.Throws<ArgumentException>(() => scorer.Score(new float[2], 3, new float[3]));
        Assert.Throws<ArgumentException>(() => scorer.Score(new float[3], 3, new float[2]));
        Assert.Throws<ArgumentException>(() => scorer.Score(new double[3], -1, new double[3]));
        scorer.Score(Array.Empty<float>(), 0, Array.Empty<float>());
    }

    [Fact]
    public void OneScorer_CalledFromManyThreadsAtOnce_GivesEachTheSameAnswers()
    {
        (double[] x, float[] labels) = Rows(4000, classes: 3);
        // Both tree forms (complete trees up to depth 10, node walks deeper) and the softmax's per-call buffers.
        foreach (string parameters in new[] { "num_leaves=15", "num_leaves=255 min_data_in_leaf=1 min_sum_hessian_in_leaf=0" })
        {
            string model = LightGbm.Train(x, 4000, 2, labels, "objective=multiclass num_class=3 verbose=-1 num_threads=1 deterministic=true seed=1 " + parameters, iterations: 5);
            using TreeModelScorer scorer = RunTimeScoring.Load(model, ".txt", ScoreOutput.Prediction, 2, 3);
            double[] alone = RunTimeScoring.Score64(scorer, x, vectors: true);
            double[][] together = new double[8][];
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                for (int round = 0; round < 5; round++)
                {
                    together[i] = RunTimeScoring.Score64(scorer, x, vectors: i % 2 == 0);
                }
            });
            Assert.All(together, t => ScoringSources.AssertBits(alone, t, "prediction", parameters, vectors: true));
        }
    }

    private static (double[] X, float[] Labels) Rows(int rows, int classes)
    {
        var random = new Random(3);
        var x = new double[rows * 2];
        var labels = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            x[2 * r] = random.NextDouble() * 4 - 2;
            x[2 * r + 1] = random.NextDouble() < 0.1 ? double.NaN : random.NextDouble();
            double signal = x[2 * r] + (double.IsNaN(x[2 * r + 1]) ? 0 : x[2 * r + 1]) + random.NextDouble() - 0.5;
            labels[r] = classes == 2 ? (signal > 0 ? 1 : 0) : signal < -0.5 ? 0 : signal < 0.5 ? 1 : 2;
        }
        return (x, labels);
    }
}
