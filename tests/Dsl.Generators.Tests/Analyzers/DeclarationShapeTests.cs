using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Analyzers;

/// <summary>
/// The declaration-shape rules are analyzers (live in the IDE), shared with the generators' parsers: the analyzer
/// reports each once, the generator reports none of them and emits no code for the invalid declaration.
/// </summary>
public sealed class DeclarationShapeTests
{
    private const string Header = TestSources.Usings + """
        namespace D;

        [Schema]
        public partial record T(long Id, double Amount);

        """;

    /// <summary>The ids that moved from the generators into <c>SchemaAnalyzer</c> and <c>PipelineAnalyzer</c>.</summary>
    public static readonly string[] AnalyzerIds =
    [
        DiagnosticIds.SchemaNotPartial,
        DiagnosticIds.SchemaMemberTypeUnsupported,
        DiagnosticIds.SchemaNotPositionalRecord,
        DiagnosticIds.StageTypeNotSchema,
        DiagnosticIds.StageNotStatic,
        DiagnosticIds.StageSignatureInvalid,
        DiagnosticIds.PipelineNotPartial,
        DiagnosticIds.StageNameNotUnique,
        DiagnosticIds.StageParameterTypeUnsupported,
        DiagnosticIds.StageHasTooManyParameters,
        DiagnosticIds.StageParameterByReference,
        DiagnosticIds.AggregateOutputInvalid,
        DiagnosticIds.AggregateOutputTypeMismatch,
        DiagnosticIds.AggregateKeyInvalid,
        DiagnosticIds.JoinOutputInvalid,
        DiagnosticIds.JoinKeyInvalid,
        DiagnosticIds.SplitInvalid,
    ];

    public static TheoryData<string, string> ShapeCases()
    {
        var data = new TheoryData<string, string>();
        foreach (object[] row in DiagnosticTests.Cases)
        {
            if (AnalyzerIds.Contains((string)row[0]))
            {
                data.Add((string)row[0], (string)row[1]);
            }
        }
        return data;
    }

    [Fact]
    public void EveryMovedId_HasAFailingCase()
    {
        Assert.Equal(AnalyzerIds.Order(StringComparer.Ordinal), ShapeCases().Select(c => (string)c[0]).Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ShapeCases))]
    public void ShapeRule_ComesFromAnAnalyzerOnly_AtTheMarkedSpan(string id, string markup)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(markup);
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.DoesNotContain(run.GeneratorDiagnostics, d => AnalyzerIds.Contains(d.Id));
        Diagnostic diagnostic = Assert.Single(AnalyzerRunner.Analyze(run.Output), d => d.Id == id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.True(diagnostic.Location.IsInSource);
        // The invalid declaration is skipped, so its generated code cannot add errors of its own.
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void SchemaNestedInANonPartialClass_ReportsDSL1001OnTheClass_AndGeneratesNothingForIt()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.SchemaNotPartial,
            DiagnosticSeverity.Error,
            "Schema 'W' and every type it is nested in must be declared 'partial' so that the generator can add its column layout; add the 'partial' modifier to 'Outer'",
            Header + "public static class [|Outer|] { [Schema] public partial record W(long Id); }",
            Header + "public static partial class Outer { [Schema] public partial record W(long Id); }");

        GeneratorRun run = GeneratorHarness.Run(Header + "public static class Outer { [Schema] public partial record W(long Id); }");
        Assert.DoesNotContain(run.Result.Results.SelectMany(r => r.GeneratedSources), s => s.HintName.Contains("Outer", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Id == "CS0260");
    }

    [Fact]
    public void SchemasInNonPartialClasses_ReportDSL1001OncePerClass()
    {
        string source = Header + "public class Outer { public class Inner { [Schema] public partial record A(long Id); } [Schema] public partial record B(long Id); }";

        Diagnostic[] notPartial = AnalyzerRunner.Everything(source, out _).Where(d => d.Id == DiagnosticIds.SchemaNotPartial).ToArray();

        Assert.Equal(["Inner", "Outer"], notPartial.Select(d => source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PipelineNestedInANonPartialClass_ReportsDSL2004OnTheClass()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.PipelineNotPartial,
            DiagnosticSeverity.Error,
            "Pipeline class 'P' and every type it is nested in must be declared 'partial' so that the generator can add its compiled plan; add the 'partial' modifier to 'Jobs'",
            Header + """public static class [|Jobs|] { [Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; } }""",
            Header + """public static partial class Jobs { [Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; } }""");
    }

    [Fact]
    public void StageReadingANonPartialSchema_GeneratesNoPipeline_AndOnlyDSL1001IsReported()
    {
        string source = Header + """[Schema] public record W(long Id); [Pipeline("p")] public static partial class P { [Filter] static bool F(W w) => w.Id > 0; }""";

        var diagnostics = AnalyzerRunner.Everything(source, out GeneratorRun run);

        Assert.Equal([DiagnosticIds.SchemaNotPartial], diagnostics.Select(d => d.Id));
        Assert.DoesNotContain(run.Result.Results.SelectMany(r => r.GeneratedSources), s => s.HintName.Contains(".P.", StringComparison.Ordinal));
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void StageOutsideAPipelineClass_IsNotChecked()
    {
        string source = Header + "public static class NotAPipeline { [Filter] static int F(T t) => 1; }";

        Assert.Empty(AnalyzerRunner.Everything(source, out _));
    }

    [Fact]
    public void InputAndOutputNotSchemas_ReportDSL2001Twice()
    {
        string source = Header + """public sealed record Plain(long Id); [Pipeline("p")] public static partial class P { [Map] static Plain M(Plain p) => p; }""";

        Diagnostic[] notSchema = AnalyzerRunner.Everything(source, out _).Where(d => d.Id == DiagnosticIds.StageTypeNotSchema).ToArray();

        Assert.Equal(2, notSchema.Length);
        Assert.Contains(notSchema, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("as its input", StringComparison.Ordinal));
        Assert.Contains(notSchema, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("as its output", StringComparison.Ordinal));
    }
}
