using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Emitting;

public sealed class SmokeTests
{
    [Fact]
    public void FraudFeatures_Generates_CompilingCode()
    {
        GeneratorRun run = GeneratorHarness.Run(TestSources.FraudFeatures);
        foreach (var tree in run.Output.SyntaxTrees.Skip(1))
        {
            File.WriteAllText(Path.Combine(Path.GetTempPath(), Path.GetFileName(tree.FilePath)), tree.ToString());
        }
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity > Microsoft.CodeAnalysis.DiagnosticSeverity.Info));
        Assert.Empty(run.CompilationProblems);
    }
}
