using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>One output of a score stage: the method parameter receiving it.</summary>
/// <param name="Name">The parameter name.</param>
/// <param name="ClrType"><c>float</c> or <c>double</c>.</param>
internal sealed record ScoreOutputSpec(string Name, string ClrType);

/// <summary>
/// A <c>[Score]</c> stage's model: the file and options its attribute gives, then, once the build has read the file,
/// the model and the input members that are its features.
/// </summary>
/// <param name="ModelPath">The model file as the attribute names it (empty for a model given at run time).</param>
/// <param name="DeclaredFeatures">The attribute's <c>Features</c>, or empty.</param>
/// <param name="Margin">Whether the outputs are raw margins (<c>Output = ScoreOutput.Margin</c>).</param>
/// <param name="Outputs">The method's parameters after the row.</param>
internal sealed record ScoreSpec(
    string ModelPath,
    EquatableArray<string> DeclaredFeatures,
    bool Margin,
    EquatableArray<ScoreOutputSpec> Outputs)
{
    /// <summary>The model, once read (null until then, and for a model given at run time).</summary>
    public ModelSpec? Model { get; init; }

    /// <summary>The attribute's <c>ModelName</c>: the model is given at run time under that name, not compiled in.</summary>
    public string? RunTimeName { get; init; }

    /// <summary>Whether the binder has bound the stage: its model compiled (<see cref="Model"/>), or named for the run with its feature members found.</summary>
    public bool IsBound => Model is not null || (RunTimeName is not null && !FeatureMembers.IsEmpty);

    /// <summary>
    /// The element type of the outputs the kernel scores into before its row loop: the compiled model's type, or
    /// <c>double</c> for a run-time model (whose float32 or float64 outputs it holds exactly).
    /// </summary>
    public string OutputValueType => Model?.ValueType ?? "double";

    /// <summary>The input members that are the model's features, in the model's order, once read.</summary>
    public EquatableArray<string> FeatureMembers { get; init; } = EquatableArray<string>.Empty;
}
