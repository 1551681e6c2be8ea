namespace Dsl.Generators.Common;

/// <summary>What a parser produced: the spec (null when nothing can be generated) and the diagnostics found on the way.</summary>
internal sealed record Result<TSpec>(TSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics)
    where TSpec : class;
