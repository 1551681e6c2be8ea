using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// Vectorized kernels allocate a few objects per batch (builders, columns, the batch), nothing per row: the selection,
/// the per-dictionary-entry tables, output values, validity words and gathered string indices are rented from the
/// shared array pools and go back when the kernel returns or when its output batch is disposed.
/// </summary>
public sealed class AllocationTests
{
    private const int SmallBatch = 20_000;
    private const int LargeBatch = 200_000;

    // What one batch of the sample kernel allocates whatever its size: 824 bytes (builders, columns, the batch) when written.
    private const long PerBatchBound = 2_048;

    // Ten times the rows may cost this many more bytes (nothing is expected); one byte more per row would be 180,000.
    private const long GrowthBound = 64;

    [Fact]
    public void VectorizedKernel_AllocationDoesNotGrowWithRows()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.FraudFeatures);
        long small = BytesPerBatch(snippet, "Sample.FraudFeatures", "Sample.Transaction", SmallBatch, TestSources.FraudFeaturesParameters());
        long large = BytesPerBatch(snippet, "Sample.FraudFeatures", "Sample.Transaction", LargeBatch, TestSources.FraudFeaturesParameters());
        Assert.True(
            large - small <= GrowthBound,
            $"The fused kernel allocated {small:N0} bytes for a batch of {SmallBatch:N0} rows and {large:N0} bytes for {LargeBatch:N0} rows: " +
            $"{(double)(large - small) / (LargeBatch - SmallBatch):F3} bytes per extra row. A buffer sized by the row count is being allocated instead of rented.");
        Assert.True(
            large <= PerBatchBound,
            $"The fused kernel allocated {large:N0} bytes for one batch (expected at most {PerBatchBound:N0}: builders, columns and the batch).");
    }

    [Fact]
    public void FallbackKernel_AllocatesARowObjectPerRow()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.Fallback);
        double perRow = (double)BytesPerBatch(snippet, "S.Falling", "S.Order", SmallBatch) / SmallBatch;
        Assert.True(perRow >= 40, $"The fallback kernel allocated only {perRow:F1} bytes per row; expected the row records it builds.");
    }

    [Fact]
    public void DisposingTheOutput_ReturnsTheGatheredIndices()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.FraudFeatures);
        using RecordBatch input = LoadedSnippet.ToBatch(snippet.Type("Sample.Transaction"), RowGenerator.Rows(snippet.Type("Sample.Transaction"), 1_000, 3));
        RecordBatch output = snippet.Pipeline("Sample.FraudFeatures").WithParameters(TestSources.FraudFeaturesParameters()).Kernels[0](input);
        StringColumn country = output.GetString("Country");
        PrimitiveColumn<long> userId = output.GetPrimitive<long>("UserId", ColumnType.Int64);
        Assert.True(country.Length > 0, "The sample filter kept no rows; the test needs some.");
        _ = country.Indices[0];

        output.Dispose();

        Assert.Throws<ObjectDisposedException>(() => country.Indices.Length);
        Assert.Throws<ObjectDisposedException>(() => userId.Values.Length);
        output.Dispose(); // a second dispose returns nothing twice
    }

    [Fact]
    public void RentedBuffers_ReusedAcrossBatches_GiveTheSameRows()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.FraudFeatures);
        Type schema = snippet.Type("Sample.Transaction");
        Type features = snippet.Type("Sample.Features");
        Dsl.Execution.SegmentKernel kernel = snippet.Pipeline("Sample.FraudFeatures").WithParameters(TestSources.FraudFeaturesParameters()).Kernels[0];
        using RecordBatch first = LoadedSnippet.ToBatch(schema, RowGenerator.Rows(schema, 4_099, 11));
        using RecordBatch other = LoadedSnippet.ToBatch(schema, RowGenerator.Rows(schema, 5_003, 12));

        List<object> expected;
        using (RecordBatch output = kernel(first))
        {
            expected = LoadedSnippet.ReadRows(features, output);
        }
        // Leave other values (and nulls) in the pooled arrays the next run rents.
        kernel(other).Dispose();
        using RecordBatch again = kernel(first);

        Assert.Equal(expected, LoadedSnippet.ReadRows(features, again));
    }

    /// <summary>Bytes one call of the first kernel allocates on this thread, once warm (the least of three runs).</summary>
    private static long BytesPerBatch(LoadedSnippet snippet, string pipeline, string schema, int rows, Dsl.Execution.StageParameterValues? parameters = null)
    {
        using RecordBatch input = LoadedSnippet.ToBatch(snippet.Type(schema), RowGenerator.Rows(snippet.Type(schema), rows, 7));
        Dsl.Execution.SegmentKernel kernel = snippet.Pipeline(pipeline).WithParameters(parameters ?? Dsl.Execution.StageParameterValues.Empty).Kernels[0];
        kernel(input).Dispose(); // warm up: JIT, the array pools' buckets for this size, the dictionary's decoded strings
        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            RecordBatch output = kernel(input);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.Dispose();
            least = Math.Min(least, allocated);
        }
        return least;
    }
}
