namespace Dsl.Models;

/// <summary>
/// A model file the run gave a score stage (<c>--model NAME=PATH</c>), loaded once for the whole run: every partition
/// task scores through the same <see cref="Scorer"/>. Its hash goes into the run manifest and the run fingerprint, so a
/// changed model file recomputes every partition.
/// </summary>
/// <param name="Name">The name the stages know it by (<c>ModelName</c>).</param>
/// <param name="Path">The file, as a full path.</param>
/// <param name="Sha256">The SHA-256 of the file's bytes, lower-case hex (<c>sha256sum</c>'s).</param>
/// <param name="Format">The format its loader reads (<c>XGBoost</c>, <c>LightGBM</c>, <c>ONNX</c>, <c>TorchScript</c>).</param>
/// <param name="Scorer">The loaded model.</param>
public sealed record RunTimeModel(string Name, string Path, string Sha256, string Format, IBatchScorer Scorer)
{
    /// <summary>
    /// The most rows a call (<see cref="ModelSource.BatchRows"/>; 0: a kernel batch a call). In the run fingerprint, since
    /// a neural model's products may round a row differently in a batch of another size.
    /// </summary>
    public int BatchRows { get; init; }

    /// <summary>A one-line description for explain and the run summary.</summary>
    public string Describe() =>
        $"{Format}, {Scorer.FeatureCount} feature{(Scorer.FeatureCount == 1 ? "" : "s")}, {Scorer.OutputCount} output{(Scorer.OutputCount == 1 ? "" : "s")}, float{(Scorer.ComputesInDouble ? 64 : 32)}";
}
