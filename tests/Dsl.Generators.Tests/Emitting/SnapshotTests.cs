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
        Snapshot.Match("Sample.FraudFeatures.Plan.g.cs.txt", run.GeneratedSource("Sample.FraudFeatures.Plan.g.cs"));
        Snapshot.Match("Sample.FraudFeatures.Kernel_Valid_Featurize.g.cs.txt", run.GeneratedSource("Sample.FraudFeatures.Kernel_Valid_Featurize.g.cs"));
        Snapshot.Match("Sample.Transaction.Schema.g.cs.txt", run.GeneratedSource("Sample.Transaction.Schema.g.cs"));
    }
}
