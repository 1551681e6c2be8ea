namespace Dsl.Models;

/// <summary>
/// A run-time model's file and how the run calls it (<c>models:</c> in pipeline.yaml, <c>--model NAME=PATH</c>).
/// </summary>
/// <param name="Path">The model file.</param>
public sealed record ModelSource(string Path)
{
    /// <summary>
    /// At most this many rows a call (a kernel batch is scored in slices of it), bounding what one call holds, such as a
    /// neural model's activations; 0 scores each kernel batch in one call.
    /// </summary>
    public int BatchRows { get; init; }

    /// <summary>At most this many calls at once across the partition tasks (1 for a model that must not run twice at once); 0 for no limit.</summary>
    public int Concurrency { get; init; }
}
