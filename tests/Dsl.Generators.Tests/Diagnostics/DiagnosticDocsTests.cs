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

        GeneratorRun failing = GeneratorHarness.Run(blocks[0]);
        Assert.Contains(failing.GeneratorDiagnostics, d => d.Id == id);

        GeneratorRun fixedRun = GeneratorHarness.Run(blocks[1]);
        Assert.True(fixedRun.GeneratorDiagnostics.IsEmpty, string.Join(Environment.NewLine, fixedRun.GeneratorDiagnostics));
        Assert.True(fixedRun.CompilationProblems.IsEmpty, string.Join(Environment.NewLine, fixedRun.CompilationProblems));
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
