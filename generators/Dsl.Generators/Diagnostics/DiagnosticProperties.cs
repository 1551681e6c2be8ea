namespace Dsl.Generators.Diagnostics;

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> that code fixes read.</summary>
internal static class DiagnosticProperties
{
    /// <summary>DSL3001: the other stage names of the pipeline, comma-separated (for the closest-name fix).</summary>
    public const string Stages = nameof(Stages);

    /// <summary>DSL3003: the stages producing the input schema, comma-separated (one fix per candidate).</summary>
    public const string Candidates = nameof(Candidates);

    /// <summary>DSL3010: the consumer schema member to make nullable.</summary>
    public const string Member = nameof(Member);
}
