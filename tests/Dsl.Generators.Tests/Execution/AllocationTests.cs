using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>Vectorized kernels allocate per batch (columns, a selection), never an object per row.</summary>
public sealed class AllocationTests
{
    private const int Rows = 20_000;

    [Fact]
    public void VectorizedKernel_AllocatesNoObjectPerRow()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.FraudFeatures);
        double perRow = BytesPerRow(snippet, "Sample.FraudFeatures", "Sample.Transaction", TestSources.FraudFeaturesParameters());
        Assert.True(perRow < 24, $"The fused kernel allocated {perRow:F1} bytes per row; a row object would be at least 40.");
    }

    [Fact]
    public void FallbackKernel_AllocatesARowObjectPerRow()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.Fallback);
        double perRow = BytesPerRow(snippet, "S.Falling", "S.Order");
        Assert.True(perRow >= 40, $"The fallback kernel allocated only {perRow:F1} bytes per row; expected the row records it builds.");
    }

    private static double BytesPerRow(LoadedSnippet snippet, string pipeline, string schema, Dsl.Execution.StageParameterValues? parameters = null)
    {
        List<object> rows = RowGenerator.Rows(snippet.Type(schema), Rows, 7);
        using RecordBatch input = LoadedSnippet.ToBatch(snippet.Type(schema), rows);
        Dsl.Execution.SegmentKernel kernel = snippet.Pipeline(pipeline).WithParameters(parameters ?? Dsl.Execution.StageParameterValues.Empty).Kernels[0];
        kernel(input).Dispose(); // warm up: JIT, array pools, the dictionary's decoded strings
        long before = GC.GetAllocatedBytesForCurrentThread();
        using RecordBatch output = kernel(input);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (double)allocated / Rows;
    }
}
