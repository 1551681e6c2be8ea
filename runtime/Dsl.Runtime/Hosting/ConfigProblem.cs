namespace Dsl.Hosting;

/// <summary>Something wrong in a pipeline configuration file, with where it is.</summary>
/// <param name="File">The configuration file.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What is wrong and how to fix it, as a full sentence.</param>
internal sealed record ConfigProblem(string File, int Line, int Column, string Message)
{
    /// <summary>The diagnostic id build tools report configuration problems under.</summary>
    public const string DiagnosticId = "DSL5005";

    /// <summary>MSBuild's canonical error format, which the IDE and the terminal turn into a clickable error.</summary>
    public override string ToString() => $"{File}({Line},{Column}): error {DiagnosticId}: {Message}";
}
