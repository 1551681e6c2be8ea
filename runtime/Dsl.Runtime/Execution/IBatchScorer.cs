namespace Dsl.Execution;

/// <summary>
/// A model that scores many rows at once from their features, row after row in one float32 buffer: how run-time models
/// (an ONNX file given to <c>Dsl.Onnx</c>'s <c>OnnxScorer</c>) are called. Implementations are safe to call from several
/// partition tasks at once.
/// </summary>
public interface IBatchScorer : IDisposable
{
    /// <summary>The features of a row.</summary>
    int FeatureCount { get; }

    /// <summary>The outputs of a row.</summary>
    int OutputCount { get; }

    /// <summary>
    /// Scores <paramref name="rows"/> rows: <paramref name="features"/> holds <see cref="FeatureCount"/> values a row
    /// (NaN for a missing one), <paramref name="outputs"/> receives <see cref="OutputCount"/> a row. Both arrays may be
    /// longer (pooled buffers); only the first <c>rows</c> rows are read and written.
    /// </summary>
    void Score(float[] features, int rows, float[] outputs);
}
