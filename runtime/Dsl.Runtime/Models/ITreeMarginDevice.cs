namespace Dsl.Models;

/// <summary>
/// A device that adds a tree model's leaves to the margins of a batch (Dsl.Gpu on a GPU): the same nodes and
/// comparisons as <see cref="TreeModelScorer"/>, every tree in order, so the same bits. Dsl.Runtime knows only this.
/// </summary>
internal interface ITreeMarginDevice
{
    /// <summary>Adds every tree's leaf to <paramref name="margins"/> (rows × groups, holding the base margins); false to decline the batch, which the scorer then walks itself.</summary>
    bool TryAddMargins(ReadOnlySpan<float> features, int rows, Span<float> margins);

    /// <summary>As the float32 overload, for a float64 (LightGBM) model.</summary>
    bool TryAddMargins(ReadOnlySpan<double> features, int rows, Span<double> margins);
}
