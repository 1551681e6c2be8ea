using System.Globalization;
using Dsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>Checks one rule against a markup source and its corrected neighbour, through generators and analyzers.</summary>
internal static class RuleAssert
{
    /// <summary>
    /// The rule fires exactly once, at the <c>[|...|]</c> span, with the severity and the full message given; the
    /// fixed source reports nothing from Dsl (except DSL4002, a segment without a vector block, unless that is the rule
    /// under test) and compiles without warnings.
    /// </summary>
    public static void FiresOnceAndNotOnTheFix(string id, DiagnosticSeverity severity, string message, string markup, string fixedSource)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(markup);
        var diagnostics = AnalyzerRunner.Everything(source, out _);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticDescriptors.HelpLinkBase + id + ".md", diagnostic.Descriptor.HelpLinkUri);

        var quiet = AnalyzerRunner.Everything(fixedSource, out GeneratorRun fixedRun)
            .Where(d => d.Id == id || d.Id != DiagnosticIds.VectorBlockDeclined).ToList();
        Assert.True(quiet.Count == 0, string.Join(Environment.NewLine, quiet));
        Assert.True(fixedRun.CompilationProblems.IsEmpty, string.Join(Environment.NewLine, fixedRun.CompilationProblems));
    }
}
