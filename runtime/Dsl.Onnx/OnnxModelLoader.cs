using Dsl.Models;

[assembly: ModelLoader(typeof(Dsl.Onnx.OnnxModelLoader))]

namespace Dsl.Onnx;

/// <summary>
/// Opens <c>.onnx</c> files for score stages whose model is given at run time: a pipeline that references Dsl.Onnx
/// lists this loader in its plan (<see cref="ModelLoaderAttribute"/>), so <c>--model fraud=fraud.onnx</c> just works.
/// </summary>
public sealed class OnnxModelLoader : IModelLoader
{
    /// <inheritdoc />
    public string Format => "ONNX";

    /// <inheritdoc />
    public bool Reads(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The stage asks for margins (an ONNX graph decides its own outputs), or the model's input or output is not a float tensor of the stage's width.</exception>
    public IBatchScorer Load(string path, ModelLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Output == ScoreOutput.Margin)
        {
            throw new ArgumentException("Output = ScoreOutput.Margin asks for raw margins, which only tree models have; an ONNX graph gives what it computes, so drop Output or export the margins as the graph's output.", nameof(options));
        }
        var scorer = new OnnxScorer(path);
        if (scorer.FeatureCount != options.FeatureCount || scorer.OutputCount != options.OutputCount)
        {
            int features = scorer.FeatureCount, outputs = scorer.OutputCount;
            scorer.Dispose();
            throw new ArgumentException($"the ONNX model reads {features} features and gives {outputs} output(s) a row; the stage gives {options.FeatureCount} and takes {options.OutputCount}.", nameof(path));
        }
        return scorer;
    }
}
