using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// Stages that take a parameter object after their row: its members are read once per batch (scalar locals, vectors
/// broadcast once), and the vector blocks, the per-row code and the per-row fallback all give what calling the stage
/// methods row by row with the same object gives.
/// </summary>
public sealed class StageParameterTests
{
    private const string Measures = """
        [Schema]
        public partial record M(double A, double B, float F, float G, int I, int J, long L, double? N, int? K, bool Flag, DateTime Ts, string Tag);

        public record struct Scaling(double Mean, double Std, float Factor, int Offset, long Shift, bool Flip, string Country, double Min, double Max);

        public sealed record Window(DateTime After, double Limit, string Prefix);

        """;

    public const string Scaled = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(double Z, float Scaled, int Moved, long Shifted, bool Flipped, bool Home, bool HomePrefix, double Clamped, double Filled, int Bucket);

        [Pipeline("scaled")]
        public static partial class Scaled
        {
            [Filter]
            static bool Keep(M m, Scaling s) => m.A >= s.Min || m.Tag != s.Country || s.Flip;

            [Map(From = nameof(Keep))]
            static R Compute(M m, Scaling s) => new(
                (m.A - s.Mean) / s.Std,
                m.F * s.Factor,
                unchecked(m.I + s.Offset),
                unchecked(m.L - s.Shift),
                s.Flip ^ m.Flag,
                m.Tag == s.Country,
                m.Tag.StartsWith(s.Country, StringComparison.Ordinal),
                Math.Clamp(m.B, s.Min, s.Max),
                m.N ?? s.Mean,
                m.Tag.Length + s.Offset);
        }
        """;

    // A fallback stage (it passes the parameter object to a helper) and a DateTime parameter, fused with a map taking another parameter type.
    public const string Windowed = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record Out(double Z, string Tag);

        [Pipeline("windowed")]
        public static partial class Windowed
        {
            [Filter]
            static bool Recent(M m, Window w) => After(m.Ts, w) && m.Tag.StartsWith(w.Prefix, StringComparison.Ordinal);

            static bool After(DateTime ts, Window w) => ts > w.After;

            [Filter(From = nameof(Recent))]
            static bool Small(M m, Window w) => m.A < w.Limit && m.Ts.Year >= w.After.Year;

            [Map(From = nameof(Small))]
            static Out Scale(M m, Scaling s) => new((m.A - s.Mean) / s.Std, m.Tag);
        }
        """;

    public static TheoryData<int> ParameterSets => [0, 1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void Scaled_VectorAndPerRowKernels_MatchTheStageMethods(int set)
    {
        using var snippet = LoadedSnippet.Compile(Scaled);
        Assert.All(snippet.Pipeline("S.Scaled").Plan.Stages, s => Assert.True(s.Vectorized, s.FallbackReason));
        DifferentialRunner.Verify(snippet, "S.Scaled", "S.M", seeds: 3, parameters: Values(set));
    }

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void Windowed_FallbackAndDateTimeParameters_MatchTheStageMethods(int set)
    {
        using var snippet = LoadedSnippet.Compile(Windowed);
        PipelinePlan plan = snippet.Pipeline("S.Windowed").Plan;
        Assert.False(plan.Stages[0].Vectorized);
        Assert.Single(plan.Segments);
        DifferentialRunner.Verify(snippet, "S.Windowed", "S.M", seeds: 3, parameters: Values(set));
    }

    [Fact]
    public void Plan_ListsEachStagesParameterTypeAndMembers()
    {
        using var snippet = LoadedSnippet.Compile(Windowed);
        PipelinePlan plan = snippet.Pipeline("S.Windowed").Plan;

        Assert.Equal("Window", plan.Stages[0].Parameters!.TypeName);
        Assert.Equal(
            [new StageParameterMember("After", ParameterType.DateTime), new StageParameterMember("Limit", ParameterType.Double), new StageParameterMember("Prefix", ParameterType.String)],
            plan.Stages[0].Parameters!.Members);
        Assert.Equal(["Window", "Scaling"], plan.ParameterTypes().Select(p => p.TypeName));
        Assert.Equal(9, plan.ParameterTypes()[1].Members.Count);
    }

    [Fact]
    public void Kernels_BeforeValuesAreBound_Throw_AndMissingValuesAreNamed()
    {
        using var snippet = LoadedSnippet.Compile(Scaled);
        CompiledPipeline compiled = snippet.Pipeline("S.Scaled");

        Assert.False(compiled.IsBound);
        InvalidOperationException unbound = Assert.Throws<InvalidOperationException>(() => compiled.Kernels);
        Assert.Contains("Scaling", unbound.Message, StringComparison.Ordinal);
        ArgumentException missing = Assert.Throws<ArgumentException>(() => compiled.WithParameters(new StageParameterValues().Set("Scaling", "Mean", 1.0)));
        Assert.Contains("Scaling.Std", missing.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Scaling.Mean", missing.Message, StringComparison.Ordinal);
        Assert.True(compiled.WithParameters(Values(0)).IsBound);
    }

    [Fact]
    public void GeneratedKernel_ReadsParameterMembersOnceBeforeTheLoop()
    {
        GeneratorRun run = GeneratorHarness.Run(Scaled);
        Assert.Empty(run.CompilationProblems);
        string source = run.GeneratedSource("Scaled.Pipeline.g.cs");
        int loop = source.IndexOf("while (i < rowCount)", StringComparison.Ordinal);
        Assert.True(loop > 0);
        string before = source[..loop];
        string inLoop = source[loop..];

        Assert.Contains("private static RecordBatch Kernel_Keep_Compute(RecordBatch input, RowViolations? violations, Scaling scaling)", before, StringComparison.Ordinal);
        Assert.Contains("// Stage parameters, read once per batch", before, StringComparison.Ordinal);
        Assert.Contains("double scalingMean = scaling.Mean;", before, StringComparison.Ordinal);
        Assert.Contains("string scalingCountry = scaling.Country;", before, StringComparison.Ordinal);
        Assert.Contains("var hoistedScalingMean = Vector256.Create(scalingMean); // Scaling.Mean, read once per batch", before, StringComparison.Ordinal);
        Assert.Contains("var hoistedScalingFactor = Vector128.Create(scalingFactor); // Scaling.Factor, read once per batch", before, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(source, "var hoistedScalingMean ="));
        // String comparisons with a parameter run once per dictionary entry.
        Assert.Contains("== scalingCountry) ? -1L : 0L;", before, StringComparison.Ordinal);
        Assert.Contains(".StartsWith(scalingCountry, StringComparison.Ordinal)) ? -1L : 0L;", before, StringComparison.Ordinal);
        // Inside the loop, only the hoisted locals are read; the object is never touched per row.
        Assert.DoesNotContain("scaling.", inLoop, StringComparison.Ordinal);
        Assert.Contains("hoistedScalingMean", inLoop, StringComparison.Ordinal);
        Assert.Contains("in_A - scalingMean", inLoop, StringComparison.Ordinal);

        // The binder builds the object once and binds it into the kernel.
        Assert.Contains("BindKernels);", source, StringComparison.Ordinal);
        Assert.Contains("var scaling = new Scaling(", source, StringComparison.Ordinal);
        Assert.Contains("parameters.Get<double>(\"Scaling\", \"Mean\"),", source, StringComparison.Ordinal);
        Assert.Contains("(input, violations) => Kernel_Keep_Compute(input, violations, scaling),", source, StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratedFallback_PassesTheParameterObjectToTheStageMethod()
    {
        GeneratorRun run = GeneratorHarness.Run(Windowed);
        Assert.Empty(run.CompilationProblems);
        string source = run.GeneratedSource("Windowed.Pipeline.g.cs");

        Assert.Contains("Kernel_Recent_Small_Scale(RecordBatch input, RowViolations? violations, Window window, Scaling scaling)", source, StringComparison.Ordinal);
        Assert.Contains("Windowed.Recent(new M(", source, StringComparison.Ordinal);
        Assert.Contains("), window))", source, StringComparison.Ordinal);
        Assert.Contains("DateTime windowAfter = window.After;", source, StringComparison.Ordinal);
    }

    /// <summary>Parameter values rich in edge cases: NaN, zero and negative zero, extremes, reversed clamp bounds.</summary>
    private static StageParameterValues Values(int set)
    {
        var values = new StageParameterValues();
        (double mean, double std, float factor, int offset, long shift, bool flip, string country, double min, double max) = set switch
        {
            0 => (120.5, 33.0, 1.5f, 7, 3L, false, "FR", -10.0, 10.0),
            1 => (double.NaN, 0.0, float.NaN, int.MaxValue, long.MinValue, true, "", double.NegativeInfinity, double.PositiveInfinity),
            2 => (-0.0, -0.0, -0f, int.MinValue, long.MaxValue, false, "日本語", 0.0, 0.0),
            3 => (1e300, double.Epsilon, float.MaxValue, -1, -1L, true, "a", -2.5, 2.5),
            _ => (0.5, 2.0, 2f, 0, 0L, false, "de", 5.0, -5.0), // reversed bounds: Math.Clamp throws, in the kernel as in the method
        };
        values.Set("Scaling", "Mean", mean).Set("Scaling", "Std", std).Set("Scaling", "Factor", factor)
            .Set("Scaling", "Offset", offset).Set("Scaling", "Shift", shift).Set("Scaling", "Flip", flip)
            .Set("Scaling", "Country", country).Set("Scaling", "Min", min).Set("Scaling", "Max", max);
        (DateTime after, double limit, string prefix) = set switch
        {
            0 => (new DateTime(2000, 1, 1), 100.0, "F"),
            1 => (DateTime.MinValue, double.NaN, ""),
            2 => (new DateTime(1950, 6, 15, 12, 0, 0), double.PositiveInfinity, "a"),
            3 => (DateTime.MaxValue, 0.0, "FR"),
            _ => (new DateTime(2050, 1, 1), -0.0, "日"),
        };
        values.Set("Window", "After", after).Set("Window", "Limit", limit).Set("Window", "Prefix", prefix);
        return values;
    }
}
