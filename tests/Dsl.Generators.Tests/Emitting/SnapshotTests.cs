using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Emitting;

public sealed class SnapshotTests
{
    [Fact]
    public void FraudFeatures_GeneratedSources_MatchSnapshots()
    {
        GeneratorRun run = GeneratorHarness.Run(TestSources.FraudFeatures);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        Snapshot.Match("Sample.FraudFeatures.Pipeline.g.cs.txt", run.GeneratedSource("Sample.FraudFeatures.Pipeline.g.cs"));
        Snapshot.Match("Sample.Transaction.Schema.g.cs.txt", run.GeneratedSource("Sample.Transaction.Schema.g.cs"));
    }
}
