using System.Reflection;
using Dsl.Models;
using Dsl.Testing;

namespace Dsl.Torch.Tests;

/// <summary><see cref="TorchModelLoader"/>: the files it reads, the scorers it opens, and margins it refuses.</summary>
public sealed class TorchModelLoaderTests : IDisposable
{
    private readonly TempDirectory _folder = TempDirectory.Create("dsl-torch-loader");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TheAssembly_NamesTheLoader()
    {
        ModelLoaderAttribute attribute = Assert.Single(typeof(TorchModelLoader).Assembly.GetCustomAttributes<ModelLoaderAttribute>());
        var loader = Assert.IsType<TorchModelLoader>(Activator.CreateInstance(attribute.Loader));
        Assert.Equal("TorchScript", loader.Format);
    }

    [Theory]
    [InlineData("models/m.pt", true)]
    [InlineData("m.PTS", true)]
    [InlineData("/x/m.torchscript", true)]
    [InlineData("m.onnx", false)]
    [InlineData("m.pth", false)]
    [InlineData("pt", false)]
    public void Reads_TorchScriptExtensions(string path, bool reads) => Assert.Equal(reads, new TorchModelLoader().Reads(path));

    [Fact]
    public void Load_OpensAScorer_OfTheStagesShape()
    {
        string path = TorchReference.Build(_folder.Combine("mlp.torchscript"), "mlp", 5, 8, 2);
        using IBatchScorer scorer = new TorchModelLoader().Load(path, new ModelLoadOptions(ScoreOutput.Prediction, 5, 2));
        Assert.Equal((5, 2), (scorer.FeatureCount, scorer.OutputCount));
        float[] x = [0.5f, -1, 2, 0, 1, 3, 3, -3, 1, 0.25f];
        float[] y = new float[4];
        scorer.Score(x, 2, y);
        Assert.Equal(TorchReference.Predict(path, x, 2, 5, 2), y);

        Assert.Throws<ArgumentException>(() => new TorchModelLoader().Load(path, new ModelLoadOptions(ScoreOutput.Prediction, 5, 3)));
    }

    [Fact]
    public void Load_RefusesMargins()
    {
        string path = TorchReference.Build(_folder.Combine("linear.pt"), "linear", 3);
        var e = Assert.Throws<NotSupportedException>(() => new TorchModelLoader().Load(path, new ModelLoadOptions(ScoreOutput.Margin, 3, 1)));
        Assert.StartsWith($"The TorchScript model {path} has no margins to give", e.Message, StringComparison.Ordinal);
    }
}
