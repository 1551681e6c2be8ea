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
/// <param name="ModelPath">The model file as the attribute names it.</param>
/// <param name="DeclaredFeatures">The attribute's <c>Features</c>, or empty.</param>
/// <param name="Margin">Whether the outputs are raw margins (<c>Output = ScoreOutput.Margin</c>).</param>
/// <param name="Outputs">The method's parameters after the row.</param>
internal sealed record ScoreSpec(
    string ModelPath,
    EquatableArray<string> DeclaredFeatures,
    bool Margin,
    EquatableArray<ScoreOutputSpec> Outputs)
{
    /// <summary>The model, once read (null until then).</summary>
    public ModelSpec? Model { get; init; }

    /// <summary>The input members that are the model's features, in the model's order, once read.</summary>
    public EquatableArray<string> FeatureMembers { get; init; } = EquatableArray<string>.Empty;
}
