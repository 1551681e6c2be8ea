using System.Collections.Immutable;
using Dsl.Generators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>Runs the Dsl analyzers through <see cref="CompilationWithAnalyzers"/> over a snippet (after the generators ran).</summary>
internal static class AnalyzerRunner
{
    public static ImmutableArray<DiagnosticAnalyzer> All { get; } = [new SchemaAnalyzer(), new PipelineAnalyzer(), new StagePurityAnalyzer()];

    /// <summary>The analyzers' diagnostics over <paramref name="compilation"/>, in source order.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, ImmutableArray<DiagnosticAnalyzer>? analyzers = null)
    {
        var withAnalyzers = new CompilationWithAnalyzers(
            compilation,
            analyzers ?? All,
            new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
        ImmutableArray<Diagnostic> diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    /// <summary>Generator and analyzer diagnostics of a snippet together: what a build reports from Dsl.</summary>
    public static ImmutableArray<Diagnostic> Everything(string source, out GeneratorRun run, IReadOnlyList<(string Path, string Text)>? files = null)
    {
        run = GeneratorHarness.Run(source, files: files);
        return run.GeneratorDiagnostics.AddRange(Analyze(run.Output));
    }
}
