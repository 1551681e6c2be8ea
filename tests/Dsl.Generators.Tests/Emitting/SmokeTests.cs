using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Emitting;

public sealed class SmokeTests
{
    [Theory]
    [InlineData(TestSources.FraudFeatures)]
    [InlineData(Execution.ScenarioSources.MapChain)]
    [InlineData(Execution.ScenarioSources.Nullable)]
    [InlineData(Execution.ScenarioSources.Strings)]
    [InlineData(Execution.ScenarioSources.DateParts)]
    [InlineData(Execution.ScenarioSources.Fallback)]
    public void Generates_CompilingCode(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        foreach (var tree in run.Output.SyntaxTrees.Skip(1))
        {
            File.WriteAllText(Path.Combine(Path.GetTempPath(), Path.GetFileName(tree.FilePath)), tree.ToString());
        }
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity > Microsoft.CodeAnalysis.DiagnosticSeverity.Info));
        Assert.Empty(run.CompilationProblems);
    }
}
