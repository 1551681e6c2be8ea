using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

public sealed class FusedFilterMapTests
{
    [Fact]
    public void FraudFeatures_KernelMatchesStageMethods()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.FraudFeatures);
        DifferentialRunner.Verify(snippet, "Sample.FraudFeatures", "Sample.Transaction", parameters: TestSources.FraudFeaturesParameters());
    }

    [Fact]
    public void FraudFeatures_PlanFusesFilterAndMapIntoOneSinkSegment()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.FraudFeatures);
        Dsl.Execution.PipelinePlan plan = snippet.Pipeline("Sample.FraudFeatures").Plan;
        Assert.Equal("fraud-features", plan.Name);
        Assert.Equal("Transaction", plan.InputSchema);
        Assert.Equal(["Valid", "Featurize"], plan.Stages.Select(s => s.Name));
        Assert.Equal("Valid", plan.Stages[1].From);
        Dsl.Execution.SegmentPlan segment = Assert.Single(plan.Segments);
        Assert.Equal(["Valid", "Featurize"], segment.Stages);
        Assert.True(segment.IsSink);
        Assert.Null(segment.InputSegment);
        Assert.Equal(["UserId", "Ts", "Country", "Amount", "SessionSeconds"], segment.ReadColumns);
        Assert.All(plan.Stages, s => Assert.True(s.Vectorized));
        Assert.Null(plan.Stages[0].Parameters);
        Assert.Equal("AmountScaling", plan.Stages[1].Parameters?.TypeName);
        Assert.Equal(["Mean", "Std"], plan.Stages[1].Parameters!.Members.Select(m => m.Name));
    }

    [Fact]
    public void FraudFeatures_PassThroughStringSharesInputDictionary()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.FraudFeatures);
        var compiled = snippet.Pipeline("Sample.FraudFeatures").WithParameters(TestSources.FraudFeaturesParameters());
        List<object> rows = RowGenerator.Rows(snippet.Type("Sample.Transaction"), 200, 42);
        using RecordBatch input = LoadedSnippet.ToBatch(snippet.Type("Sample.Transaction"), rows);
        using RecordBatch output = compiled.Kernels[0](input);
        Assert.Same(input.GetString("Country").Dictionary, output.GetString("Country").Dictionary);
    }
}
