using Dsl.Generators.Analyzers;
using Dsl.Generators.CodeFixes;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.CodeFixes;

/// <summary>Each code fix turns the failing source into the expected one, which then builds without Dsl diagnostics.</summary>
public sealed class CodeFixTests
{
    private const string Header = TestSources.Usings + """
        namespace D;

        [Schema]
        public partial record T(long Id, double Amount, double? Session);

        [Schema]
        public partial record U(long Id, double Score);

        """;

    [Fact]
    public Task SchemaNotPartial_AddsPartial() =>
        CodeFixVerifier<SchemaAnalyzer, AddPartialCodeFix>.VerifyAsync(
            Header + "[Schema] public record {|DSL1001:W|}(long Id);",
            Header + "[Schema] public partial record W(long Id);");

    [Fact]
    public Task SchemaInNonPartialClasses_AddsPartialToEachEnclosingClass() =>
        CodeFixVerifier<SchemaAnalyzer, AddPartialCodeFix>.VerifyAsync(
            Header + "public static class {|DSL1001:Outer|} { public class {|DSL1001:Inner|} { [Schema] public partial record W(long Id); } }",
            Header + "public static partial class Outer { public partial class Inner { [Schema] public partial record W(long Id); } }");

    [Fact]
    public Task PipelineNotPartial_AddsPartial() =>
        CodeFixVerifier<PipelineAnalyzer, AddPartialCodeFix>.VerifyAsync(
            Header + """[Pipeline("p")] public static class {|DSL2004:P|} { [Filter] static bool F(T t) => t.Amount > 0; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; }""");

    [Fact]
    public Task StageTypeNotSchema_MarksTheTypeWithSchemaAndPartial() =>
        CodeFixVerifier<PipelineAnalyzer, AddSchemaAttributeCodeFix>.VerifyAsync(
            Header + "public sealed record Plain(long Id);\n" + """[Pipeline("p")] public static partial class P { [Filter] static bool F({|DSL2001:Plain|} p) => p.Id > 0; }""",
            Header + "[Schema]\npublic sealed partial record Plain(long Id);\n" + """[Pipeline("p")] public static partial class P { [Filter] static bool F(Plain p) => p.Id > 0; }""");

    [Theory]
    [InlineData("\"Vaild\"")]
    [InlineData("\"valid\"")]
    [InlineData("\"Valdi\"")]
    public void FromNamingNoStage_UsesNameofOfTheClosestStage(string written)
    {
        AssertFix(new FromCodeFix(), DiagnosticIds.FromStageNotFound,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool Valid(T t) => t.Amount > 0; [Map(From = """ + written + """)] static U M(T t) => new(t.Id, 1); }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool Valid(T t) => t.Amount > 0; [Map(From = nameof(Valid))] static U M(T t) => new(t.Id, 1); }""");
    }

    [Fact]
    public void FromFarFromEveryStage_OffersNoFix()
    {
        string source = Header + """[Pipeline("p")] public static partial class P { [Filter] static bool Valid(T t) => t.Amount > 0; [Map(From = "SomethingElse")] static U M(T t) => new(t.Id, 1); }""";

        Assert.Empty(CodeFixRunner.Titles(new FromCodeFix(), source, DiagnosticIds.FromStageNotFound));
    }

    [Fact]
    public void AmbiguousInput_OffersOneFixPerCandidate_AndEachWiresIt()
    {
        string source = Header + """[Pipeline("p")] public static partial class P { [Map] static U M1(T t) => new(t.Id, 1); [Map] static U M2(T t) => new(t.Id, 2); [Filter] static bool F(U u) => u.Score > 0; }""";

        Assert.Equal(
            ["Read from 'M1' (From = nameof(M1))", "Read from 'M2' (From = nameof(M2))"],
            CodeFixRunner.Titles(new FromCodeFix(), source, DiagnosticIds.StageInputAmbiguous));
        AssertFix(new FromCodeFix(), DiagnosticIds.StageInputAmbiguous, source,
            source.Replace("[Filter] static bool F", "[Filter(From = nameof(M2))] static bool F", StringComparison.Ordinal),
            "Read from 'M2' (From = nameof(M2))");
    }

    [Fact]
    public void AmbiguousFitInput_OffersOneFixPerCandidate_AndEachWiresIt()
    {
        string source = Header + "public sealed record Center(double Mean);\n"
            + """[Pipeline("p")] public static partial class P { [Filter] static bool A(T t) => t.Id > 0; [Filter(From = nameof(A))] static bool B(T t, Center c) => t.Amount > c.Mean; [Fit] static Center C(FitData<T> d) => new(d.Mean(t => t.Amount)); }""";

        Assert.Equal(
            ["Read from 'A' (From = nameof(A))", "Read from 'B' (From = nameof(B))"],
            CodeFixRunner.Titles(new FromCodeFix(), source, DiagnosticIds.StageInputAmbiguous));
        AssertFix(new FromCodeFix(), DiagnosticIds.StageInputAmbiguous, source,
            source.Replace("[Fit] static Center C", "[Fit(From = nameof(A))] static Center C", StringComparison.Ordinal),
            "Read from 'A' (From = nameof(A))");
    }

    [Fact]
    public void NullableIntoNonNullable_MakesTheMemberNullable()
    {
        const string pipeline = """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; [Filter(From = nameof(F))] static bool Long(L l) => l.Session > 60; }""";
        AssertFix(new MakeMemberNullableCodeFix(), DiagnosticIds.FromColumnNullability,
            Header + "[Schema] public partial record L(long Id, double Session);\n" + pipeline,
            Header + "[Schema] public partial record L(long Id, double? Session);\n" + pipeline);
    }

    private static void AssertFix(Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider fix, string id, string before, string after, string? title = null)
    {
        Assert.Equal(after, CodeFixRunner.Apply(fix, before, id, title));
        var remaining = AnalyzerRunner.Everything(after, out GeneratorRun run);
        Assert.True(remaining.IsEmpty, string.Join(Environment.NewLine, remaining));
        Assert.True(run.CompilationProblems.IsEmpty, string.Join(Environment.NewLine, run.CompilationProblems));
    }
}
