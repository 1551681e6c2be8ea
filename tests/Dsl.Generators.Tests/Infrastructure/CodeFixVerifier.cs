using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>
/// Microsoft.CodeAnalysis.CSharp.CodeFix.Testing for the fixes of analyzer-reported rules: markup
/// <c>{|DSL1001:Outer|}</c> names the id and span, and the framework also checks that no other diagnostic appears,
/// that the fixed code reports nothing, and that Fix All gives the same result. References are the running runtime's
/// assemblies plus Dsl.Runtime (what <see cref="GeneratorHarness"/> compiles against), so no reference pack is
/// downloaded. Rules reported by the generators (graph rules) go through <see cref="CodeFixRunner"/>.
/// </summary>
internal static class CodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public static Task VerifyAsync(string markup, string fixedSource)
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = markup,
            FixedCode = fixedSource,
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(GeneratorHarness.References);
        test.FixedState.AdditionalReferences.AddRange(GeneratorHarness.References);
        return test.RunAsync(CancellationToken.None);
    }
}
