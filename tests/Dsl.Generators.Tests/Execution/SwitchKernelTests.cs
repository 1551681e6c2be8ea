using System.Runtime.CompilerServices;
using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// Switch expressions in vector blocks: pattern masks and a chain of selects, and the hand-back to the per-row
/// code when a kept row matches no arm. Every pipeline is compared bit for bit with calling the stage methods.
/// </summary>
public sealed class SwitchKernelTests
{
    private const string Measures = """
        [Schema]
        public partial record M(double A, double B, float F, int I, int J, long L, double? N, int? K, bool Flag);

        """;

    public const string Arms = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(int Sign, double Band, long Bucket, bool Hot, int? Kind, double? Scaled, int Guarded, float Tier, bool Nested);

        [Pipeline("switch-arms")]
        public static partial class Arms
        {
            [Map]
            static R Classify(M m) => new(
                m.A switch { < 0 => -1, 0 => 0, > 0 => 1, _ => 2 },
                m.I switch { < 0 => m.A, < 10 => m.B * 2, _ => -m.A },
                m.L switch { 0 or 1 => 100L, >= 1000 and < 5000 => m.L * 2, not > 0 => -m.L, _ => m.I },
                m.A switch { > 100 when m.Flag => true, double.NaN => true, _ => false },
                m.K switch { null => -1, < 0 => 0, _ => m.K * 2 },
                m.N switch { null => null, > 0 => m.N * 2, _ => 0 },
                m.I switch { 0 => 1, 1 or -1 => 2, _ when m.A > 0 || m.Flag => 3, _ => 4 },
                m.F switch { < 0f => -1f, <= 1f => m.F, float.NaN => 0f, _ => m.F / 2 },
                m.J switch { > 0 => m.I switch { > 0 => true, _ => false }, _ => m.Flag });
        }
        """;

    public const string Filtered = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(long Id, int Band);

        [Pipeline("switch-filter")]
        public static partial class Gate
        {
            [Filter]
            static bool Keep(M m) => m.I switch { < 0 => false, 0 => m.Flag, _ => m.A > 0 || m.J is 7 };

            [Map(From = nameof(Keep))]
            static R Band(M m) => new(m.L, m.J switch { < -100 => 0, <= 100 => 1, _ => 2 });
        }
        """;

    // Switches over a string column are evaluated once per dictionary entry and gathered by index.
    public static readonly string Strings = TestSources.Usings + "namespace S;\n" + Measures.Replace("bool Flag)", "bool Flag, string Tag)", StringComparison.Ordinal) + """
        [Schema]
        public partial record R(int Code, bool Known, double Weight, string Tag);

        [Pipeline("switch-strings")]
        public static partial class Codes
        {
            [Filter]
            static bool NotEmpty(M m) => m.Tag is not "" || m.I > 0;

            [Map(From = nameof(NotEmpty))]
            static R Encode(M m) => new(
                m.Tag switch { "FR" => 1, "de" or "A" => 2, _ when m.Tag.Length > 5 => 3, _ => 0 },
                m.Tag is "FR" or "de",
                m.A * m.Tag switch { "a" => 0.5, _ => 1.0 },
                m.Tag);
        }
        """;

    // A switch with no discard arm: rows with I == 0 match no arm and throw, unless a filter dropped them first
    // (or, in Guard, the && never evaluates the switch for them).
    public const string NonExhaustive = TestSources.Usings + "#pragma warning disable CS8509\nnamespace S;\n" + Measures + """
        [Schema]
        public partial record R(int Sign);

        [Pipeline("switch-partial")]
        public static partial class Partial
        {
            [Filter]
            static bool Flagged(M m) => m.Flag;

            [Map(From = nameof(Flagged))]
            static R Sign(M m) => new(m.I switch { > 0 => 1, < 0 => -1 });
        }

        [Pipeline("switch-guard")]
        public static partial class Guard
        {
            [Filter]
            static bool Pick(M m) => m.Flag && m.I switch { > 0 => true, < 0 => false };
        }
        """;

    public static TheoryData<string, string> Pipelines => new()
    {
        { Arms, "S.Arms" },
        { Filtered, "S.Gate" },
        { Strings, "S.Codes" },
        { NonExhaustive, "S.Partial" },
        { NonExhaustive, "S.Guard" },
    };

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void SwitchStage_CompilesToVectorBlocksThatMatchTheStageMethods(string source, string pipeline)
    {
        using var snippet = LoadedSnippet.Compile(source);
        string generated = snippet.Run.GeneratedSource(pipeline + ".Pipeline.g.cs");
        AssertVectorized(snippet, pipeline, generated);
        DifferentialRunner.Verify(snippet, pipeline, "S.M", seeds: 6);
        foreach (int size in new[] { 1001, 4096 })
        {
            DifferentialRunner.VerifyRows(snippet, pipeline, "S.M", RowGenerator.Rows(snippet.Type("S.M"), size, size));
        }
    }

    [Fact]
    public void SwitchStage_WritesOneMaskPerArmAndSelects()
    {
        using var snippet = LoadedSnippet.Compile(Arms);
        string generated = snippet.Run.GeneratedSource("S.Arms.Pipeline.g.cs");
        AssertVectorized(snippet, "S.Arms", generated);
        string block = VectorBlock(generated);
        Assert.Contains("// A switch, arm 1: < 0 => -1", block, StringComparison.Ordinal);
        Assert.Contains("// I switch, arm 3: _ when (A > 0) || Flag => 3", block, StringComparison.Ordinal);
        Assert.Contains("ConditionalSelect(", block, StringComparison.Ordinal);
        // Every switch here ends with a discard arm, so no block is handed back for an unmatched row.
        Assert.DoesNotContain("SwitchExpressionException", block, StringComparison.Ordinal);
        Assert.DoesNotContain(block.Split('\n'), line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal) && line.Contains(" switch {", StringComparison.Ordinal));
    }

    [Fact]
    public void NonExhaustiveSwitch_ThrowsForAKeptRowButNotForAFilteredOne()
    {
        using var snippet = LoadedSnippet.Compile(NonExhaustive);
        string generated = snippet.Run.GeneratedSource("S.Partial.Pipeline.g.cs");
        AssertVectorized(snippet, "S.Partial", generated);
        Assert.Contains("SwitchExpressionException", VectorBlock(generated), StringComparison.Ordinal);
        Type schema = snippet.Type("S.M");

        foreach (string pipeline in new[] { "S.Partial", "S.Guard" })
        {
            foreach (bool vectors in new[] { true, false })
            {
                using IDisposable? scalar = vectors ? null : Dsl.Kernels.KernelDispatch.ScalarOnly();

                // Row 5 (in the second block) matches no arm, but the filter drops it: no throw.
                List<object> rows = Rows(schema, unmatchedRow: 5, unmatchedFlag: false);
                using (RecordBatch input = LoadedSnippet.ToBatch(schema, rows))
                using (RecordBatch output = snippet.Pipeline(pipeline).Kernels[0](input))
                {
                    Assert.Equal(pipeline == "S.Partial" ? 7 : 4, output.RowCount);
                }
                DifferentialRunner.VerifyRows(snippet, pipeline, "S.M", rows);

                // The same row kept: the kernel throws what the stage method throws.
                rows = Rows(schema, unmatchedRow: 5, unmatchedFlag: true);
                using (RecordBatch input = LoadedSnippet.ToBatch(schema, rows))
                {
                    RowErrorAssert.Throws(typeof(SwitchExpressionException), pipeline == "S.Partial" ? "Sign" : "Pick", 5, () => snippet.Pipeline(pipeline).Kernels[0](input).Dispose());
                }
                DifferentialRunner.VerifyRows(snippet, pipeline, "S.M", rows);
            }
        }
    }

    /// <summary>Eight rows, all kept and matched, except row <paramref name="unmatchedRow"/>: I = 0, kept only if <paramref name="unmatchedFlag"/>.</summary>
    private static List<object> Rows(Type schema, int unmatchedRow, bool unmatchedFlag)
    {
        var rows = new List<object>();
        for (int r = 0; r < 8; r++)
        {
            bool unmatched = r == unmatchedRow;
            int i = unmatched ? 0 : r % 2 == 0 ? r + 1 : -r;
            rows.Add(Activator.CreateInstance(schema, 1.5 * r, -2.0, 0.5f, i, r, (long)r, (double?)null, (int?)r, unmatched ? unmatchedFlag : true)!);
        }
        return rows;
    }

    private static void AssertVectorized(LoadedSnippet snippet, string pipeline, string generated)
    {
        Assert.All(snippet.Pipeline(pipeline).Plan.Stages, s => Assert.True(s.Vectorized, s.FallbackReason));
        Assert.Contains("for (; i < vectorEnd; i += 4)", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("calls the method per row", generated, StringComparison.Ordinal);
    }

    /// <summary>The body of the loop over whole blocks.</summary>
    private static string VectorBlock(string generated)
    {
        int start = generated.IndexOf("for (; i < vectorEnd; i += 4)", StringComparison.Ordinal);
        int end = generated.IndexOf("int scalarEnd", start, StringComparison.Ordinal);
        return generated.Substring(start, end - start);
    }
}
