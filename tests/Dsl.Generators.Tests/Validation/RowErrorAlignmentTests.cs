using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Validation;

namespace Dsl.Generators.Tests.Validation;

/// <summary>
/// A quarantined row error thrown while an output value is stored (a decimal too wide for its column) leaves nothing
/// of that row in any output column: the string column written before it stays aligned with the others.
/// </summary>
public sealed class RowErrorAlignmentTests
{
    private const string Source = """
        using System;
        using Dsl;
        namespace S;

        [Schema] public partial record Order(long Id, string Name, double Amount);
        [Schema] public partial record Priced(string Label, [property: Decimal(5, 2)] decimal Price, long Id);

        [Pipeline("priced")]
        public static partial class Pricing
        {
            [Map(OnRowError = RowErrorAction.Quarantine)]
            static Priced Price(Order o) => new(o.Name + "!", (decimal)o.Amount, o.Id);
        }
        """;

    [Fact]
    public void DecimalTooWideForItsColumn_QuarantinesTheRow_AndKeepsTheColumnsAligned()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline compiled = snippet.Pipeline("S.Pricing");
        Type schema = snippet.Type("S.Order");
        // Every third amount has more integer digits than DECIMAL(5, 2) holds.
        var rows = Enumerable.Range(0, 11).Select(r => Activator.CreateInstance(schema, (long)r, "n" + r, r % 3 == 1 ? 12_345.5 : r + 0.25)!).ToList();
        var violations = new RowViolations();
        using RecordBatch input = LoadedSnippet.ToBatch(schema, rows);

        using RecordBatch output = compiled.Kernels[0](input, violations);

        int[] failed = [1, 4, 7, 10];
        Assert.Equal(failed, violations.Rows.ToArray());
        Assert.All(Enumerable.Range(0, violations.Count), p => Assert.StartsWith("OverflowException", violations.MessageOf(p), StringComparison.Ordinal));
        long[] ids = output.GetPrimitive<long>("Id", ColumnType.Int64).Values.ToArray();
        Assert.Equal(Enumerable.Range(0, 11).Where(r => !failed.Contains(r)).Select(r => (long)r), ids);
        StringColumn labels = output.GetString("Label");
        Assert.Equal(ids.Select(id => "n" + id + "!"), Enumerable.Range(0, output.RowCount).Select(i => labels.Dictionary.Strings[labels.Indices[i]]));
    }
}
