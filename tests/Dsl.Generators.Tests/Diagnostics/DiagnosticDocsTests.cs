using System.Text.RegularExpressions;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Diagnostics;

/// <summary>The examples in docs/diagnostics are real: the failing one reports the rule, the fixed one reports nothing.</summary>
public sealed partial class DiagnosticDocsTests
{
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All.OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            data.Add(descriptor.Id);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void DocExamples_TriggerAndFixTheRule(string id)
    {
        string page = File.ReadAllText(Path.Combine(DiagnosticTests.RepositoryRoot(), "docs", "diagnostics", id + ".md"));
        string[] blocks = CodeBlock().Matches(page).Select(m => m.Groups[1].Value).ToArray();
        Assert.True(blocks.Length >= 2, $"docs/diagnostics/{id}.md needs a failing and a fixed C# example.");
        // A page's files (a model file shown as a block whose info string names it) are the build's additional files.
        List<(string Path, string Text)> files = [.. FileBlock().Matches(page).Select(m => ("/project/" + m.Groups[1].Value, m.Groups[2].Value))];

        // Generators and analyzers together: some rules are declaration-shape analyzers, the rest come from the generators.
        var failing = AnalyzerRunner.Everything(blocks[0], out _, files);
        Assert.Contains(failing, d => d.Id == id);

        var fixedDiagnostics = AnalyzerRunner.Everything(blocks[1], out GeneratorRun fixedRun, files);
        Assert.True(fixedDiagnostics.IsEmpty, string.Join(Environment.NewLine, fixedDiagnostics));
        Assert.True(fixedRun.CompilationProblems.IsEmpty, string.Join(Environment.NewLine, fixedRun.CompilationProblems));
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex("```(?:json|text) (\\S+)\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FileBlock();
}
