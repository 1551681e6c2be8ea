using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Analyzers;

/// <summary>DSL2006 from <see cref="Generators.Analyzers.StagePurityAnalyzer"/>.</summary>
public sealed class StagePurityAnalyzerTests
{
    private const string Header = TestSources.Usings + """
        namespace D;

        [Schema]
        public partial record T(long Id, DateTime Ts, double Amount);

        """;

    private static string Pipeline(string members) => Header + "[Pipeline(\"p\")] public static partial class P\n{\n" + members + "\n}\n";

    [Fact]
    public void FilterReadingDateTimeNow_ReportsDSL2006()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.StageNotPure,
            DiagnosticSeverity.Warning,
            "Stage 'Recent' of pipeline 'p' reads 'DateTime.Now' (the clock), so re-running it on the same input can give different rows; pass the value in through the input schema or a static readonly field instead",
            Pipeline("[Filter] static bool Recent(T t) => t.Ts.Year >= [|DateTime.Now|].Year;"),
            Pipeline("const int FirstYear = 2026; [Filter] static bool Recent(T t) => t.Ts.Year >= FirstYear;"));
    }

    [Theory]
    [InlineData("[|DateTime.UtcNow|].Ticks > 0", "reads 'DateTime.UtcNow' (the clock)")]
    [InlineData("[|DateTime.Today|].Year > 0", "reads 'DateTime.Today' (the clock)")]
    [InlineData("[|Random.Shared|] is not null", "reads 'Random.Shared' (randomness)")]
    [InlineData("[|Guid.NewGuid()|] != Guid.Empty", "calls 'Guid.NewGuid()' (randomness)")]
    [InlineData("[|Environment.ProcessorCount|] > 1", "reads 'Environment.ProcessorCount' (the environment)")]
    [InlineData("[|System.Diagnostics.Stopwatch.GetTimestamp()|] > 0", "calls 'Stopwatch.GetTimestamp()' (the clock)")]
    [InlineData("[|new Random(1)|] is not null", "creates a 'Random' (randomness)")]
    [InlineData("t.Amount > [|Threshold|]", "reads the mutable static field 'P.Threshold'")]
    public void ImpureConstruct_ReportsDSL2006_NamingIt(string body, string what)
    {
        string markup = Pipeline("static double Threshold = 1; static long Seen; [Filter] static bool F(T t) => " + body + ";");
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(markup);

        var diagnostics = AnalyzerRunner.Everything(source, out _);

        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == DiagnosticIds.StageNotPure);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Contains("Stage 'F' of pipeline 'p' " + what + ",", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void FilterWritingAStaticField_ReportsDSL2007()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.StageHasSideEffects,
            DiagnosticSeverity.Error,
            "Stage 'Count' of pipeline 'p' writes the static field 'P.Seen'; a stage runs once per row on many threads, possibly more than once per row when a partition is retried, so this cannot be correct; compute the value from the input row, or do the I/O outside the pipeline",
            Pipeline("static long Seen; [Filter] static bool Count(T t) => ([|Seen|] = t.Id) > 0;"),
            Pipeline("[Filter] static bool Count(T t) => t.Id > 0;"));
    }

    [Theory]
    [InlineData("([|Seen|] = t.Id) > 0", "writes the static field 'P.Seen'")]
    [InlineData("[|Seen|]++ > 0", "writes the static field 'P.Seen'")]
    [InlineData("[|System.IO.File.Exists(\"x\")|]", "calls 'File.Exists()' (the file system)")]
    [InlineData("[|new System.Net.Http.HttpClient()|] is not null", "creates a 'HttpClient' (the network)")]
    [InlineData("[|Console.ReadLine()|] is not null", "calls 'Console.ReadLine()' (I/O)")]
    public void SideEffect_ReportsDSL2007AsAnError_NotDSL2006(string body, string what)
    {
        string markup = Pipeline("static long Seen; [Filter] static bool F(T t) => " + body + ";");
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(markup);

        var diagnostics = AnalyzerRunner.Everything(source, out _);

        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == DiagnosticIds.StageHasSideEffects);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Contains("Stage 'F' of pipeline 'p' " + what + ";", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.DoesNotContain(diagnostics, d => d.Id == DiagnosticIds.StageNotPure);
    }

    [Theory]
    [InlineData("t.Amount > Limit")]
    [InlineData("t.Amount > Max")]
    [InlineData("t.Ts > DateTime.MinValue")]
    [InlineData("Math.Abs(t.Amount) > Math.PI")]
    [InlineData("t.Ts.Year > 2000 && string.Empty.Length == 0")]
    public void ReadOnlyStateAndPureCalls_AreQuiet(string body)
    {
        string source = Pipeline("static readonly double Limit = 1; const double Max = 2; [Filter] static bool F(T t) => " + body + ";");

        var diagnostics = AnalyzerRunner.Everything(source, out _);

        Assert.DoesNotContain(diagnostics, d => d.Id == DiagnosticIds.StageNotPure);
    }

    [Fact]
    public void NonStageMethodReadingTheClock_IsQuiet()
    {
        string source = Pipeline("[Filter] static bool F(T t) => t.Amount > 0; static int Year() => DateTime.Now.Year;");

        Assert.DoesNotContain(AnalyzerRunner.Everything(source, out _), d => d.Id == DiagnosticIds.StageNotPure);
    }
}
