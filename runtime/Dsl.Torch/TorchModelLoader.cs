using Dsl.Models;

[assembly: ModelLoader(typeof(Dsl.Torch.TorchModelLoader))]

namespace Dsl.Torch;

/// <summary>
/// Opens TorchScript files (<c>.pt</c>, <c>.pts</c>, <c>.torchscript</c>) as <see cref="TorchScorer"/>s for run-time
/// score stages; named by this assembly's <see cref="ModelLoaderAttribute"/>.
/// </summary>
public sealed class TorchModelLoader : IModelLoader
{
    private static readonly string[] s_extensions = [".pt", ".pts", ".torchscript"];

    /// <inheritdoc />
    public string Format => "TorchScript";

    /// <inheritdoc />
    public bool Reads(string path) => s_extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    /// <remarks>
    /// TorchScript records no shapes: the stage's <see cref="ModelLoadOptions.FeatureCount"/> and
    /// <see cref="ModelLoadOptions.OutputCount"/> are taken as the model's and checked by scoring one row of zeros.
    /// </remarks>
    /// <exception cref="NotSupportedException"><see cref="ModelLoadOptions.Output"/> is <see cref="ScoreOutput.Margin"/>.</exception>
    public IBatchScorer Load(string path, ModelLoadOptions options)
    {
        if (options.Output == ScoreOutput.Margin)
        {
            throw new NotSupportedException($"The TorchScript model {path} has no margins to give: its forward decides what it returns. Score it with Output = ScoreOutput.Prediction (the default), and end the model where the stage's outputs are.");
        }
        return new TorchScorer(path, options.FeatureCount, options.OutputCount);
    }
}
