using Dsl.Generators.Tests.Infrastructure;
namespace Dsl.Generators.Tests.Barriers;
public sealed class ProbeTests
{
    [Fact]
    public void Probe()
    {
        foreach (string source in new[] { BarrierSources.Spend, BarrierSources.Enriched })
        {
            var diagnostics = AnalyzerRunner.Everything(source, out GeneratorRun run);
            Console.WriteLine(string.Join("\n", diagnostics));
            Console.WriteLine(string.Join("\n", run.CompilationProblems));
            foreach (var s in run.Result.Results.SelectMany(r => r.GeneratedSources).Where(s => s.HintName.EndsWith("Plan.g.cs"))) Console.WriteLine(s.SourceText);
        }
    }
}
