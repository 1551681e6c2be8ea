using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Diagnostics;

/// <summary>DSL3006-DSL3010 from the pipeline generator's diagnostics branch, and DSL4001's message.</summary>
public sealed class GraphRuleTests
{
    private const string Header = TestSources.Usings + """
        namespace D;

        [Schema]
        public partial record T(long Id, double Amount, double? Session);

        [Schema]
        public partial record S(long Id, double Score);

        """;

    [Fact]
    public void StageReadingASchemaNothingProduces_WithDeclaredInput_ReportsDSL3006()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.StageUnreachable,
            DiagnosticSeverity.Warning,
            "Stage 'Likely' of pipeline 'p' reads schema 'S', which is neither the pipeline input 'T' nor produced by any stage, so it never runs; wire it after a stage with From = nameof(...) or remove it",
            Header + """[Pipeline("p", Input = typeof(T))] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; [Filter] static bool Likely([|S|] s) => s.Score > 0.5; }""",
            Header + """[Pipeline("p", Input = typeof(T))] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; [Map(From = nameof(F))] static S M(T t) => new(t.Id, t.Amount); [Filter] static bool Likely(S s) => s.Score > 0.5; }""");
    }

    [Fact]
    public void UnreachableStage_IsLeftOutOfThePlan()
    {
        GeneratorRun run = GeneratorHarness.Run(Header + """[Pipeline("p", Input = typeof(T))] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; [Filter] static bool Likely(S s) => s.Score > 0.5; }""");

        Assert.Empty(run.CompilationProblems);
        string generated = run.GeneratedSource("P.Pipeline.g.cs");
        Assert.Contains("\"F\"", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Likely\"", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineWithoutStages_ReportsDSL3007()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.PipelineHasNoStages,
            DiagnosticSeverity.Warning,
            "Pipeline 'p' has no stages, so it writes no output; add a [Filter] or [Map] method that reads the pipeline input",
            Header + """[Pipeline("p")] public static partial class [|P|] { }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; }""");
    }

    [Fact]
    public void PipelineWhoseStagesAreAllUnreachable_ReportsDSL3007()
    {
        (string source, _) = Markup.Parse(Header + """[Pipeline("p", Input = typeof(T))] public static partial class [|P|] { [Filter] static bool Likely(S s) => s.Score > 0.5; }""");
        var diagnostics = AnalyzerRunner.Everything(source, out _);

        Assert.Contains(diagnostics, d => d.Id == DiagnosticIds.StageUnreachable);
        Diagnostic none = Assert.Single(diagnostics, d => d.Id == DiagnosticIds.PipelineHasNoStages);
        Assert.Contains("has no stage reachable from its input 'T'", none.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void FromStageLackingAColumnTheStageReads_ReportsDSL3008()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FromColumnMissing,
            DiagnosticSeverity.Error,
            "Stage 'Likely' of pipeline 'p' reads member 'Score' (column 'Score') of 'S', but its From stage 'F' produces 'T', which has no column 'Score'; add the column to 'T' or read from a stage that produces it",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; [Filter(From = [|nameof(F)|])] static bool Likely(S s) => s.Score > 0.5; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; [Map(From = nameof(F))] static S M(T t) => new(t.Id, t.Amount); [Filter(From = nameof(M))] static bool Likely(S s) => s.Score > 0.5; }""");
    }

    [Fact]
    public void FromStageWithAnotherColumnType_ReportsDSL3009()
    {
        const string narrow = "[Schema] public partial record N(long Id, float Amount);\n";
        const string wide = "[Schema] public partial record N(long Id, double Amount);\n";
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FromColumnTypeMismatch,
            DiagnosticSeverity.Error,
            "Stage 'Large' of pipeline 'p' reads column 'Amount' of 'N' as 'float' through member 'Amount', but its From stage 'F' produces it as 'double'; make the types match",
            Header + narrow + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; [Map(From = [|nameof(F)|])] static S Large(N n) => new(n.Id, n.Amount); }""",
            Header + wide + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; [Map(From = nameof(F))] static S Large(N n) => new(n.Id, n.Amount); }""");
    }

    [Fact]
    public void NullableColumnIntoNonNullableMember_ReportsDSL3010()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FromColumnNullability,
            DiagnosticSeverity.Error,
            "Stage 'Long' of pipeline 'p' reads column 'Session' through non-nullable member 'Session' of 'L', but its From stage 'F' produces it as nullable; make 'Session' nullable or filter out nulls first",
            Header + "[Schema] public partial record L(long Id, double Session);\n" + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; [Map(From = [|nameof(F)|])] static S Long(L l) => new(l.Id, l.Session); }""",
            Header + "[Schema] public partial record L(long Id, double? Session);\n" + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; [Map(From = nameof(F))] static S Long(L l) => new(l.Id, l.Session ?? 0); }""");
    }

    [Fact]
    public void DistinctButCompatibleSchema_WiresByColumnName_InItsOwnSegment()
    {
        GeneratorRun run = GeneratorHarness.Run(Header + "[Schema] public partial record Narrow(long Id, double Amount);\n"
            + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; [Filter(From = nameof(F))] static bool G(Narrow n) => n.Amount < 10; }""");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        string generated = run.GeneratedSource("P.Pipeline.g.cs");
        Assert.Contains("Kernel_F(", generated, StringComparison.Ordinal);
        Assert.Contains("Kernel_G(", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelFallback_IsAWarning_AndNamesStagePipelineAndConstruct()
    {
        GeneratorRun run = GeneratorHarness.Run(Header + """[Pipeline("fraud")] public static partial class P { [Filter] static bool F(T t) => !ReferenceEquals(t, null); }""");

        Diagnostic fallback = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(DiagnosticIds.KernelFallback, fallback.Id);
        Assert.Equal(DiagnosticSeverity.Warning, fallback.Severity);
        Assert.Equal(
            "Stage 'F' of pipeline 'fraud' is compiled to a loop that calls the method per row because the kernel compiler does not support the row parameter 't' used as a whole object ('t'); rewrite it with supported constructs for a columnar kernel",
            fallback.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
