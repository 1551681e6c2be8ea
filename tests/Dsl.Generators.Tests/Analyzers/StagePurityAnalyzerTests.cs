using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Analyzers;

/// <summary>DSL2006 and DSL2007 from <see cref="Generators.Analyzers.StagePurityAnalyzer"/>.</summary>
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

    [Fact]
    public void HelperWritingToTheConsole_ReportsDSL2007AtTheCall_NamingTheHelper()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.StageHasSideEffects,
            DiagnosticSeverity.Error,
            "Stage 'F' of pipeline 'p' calls 'P.Log()', which calls 'Console.WriteLine()' (I/O); a stage runs once per row on many threads, possibly more than once per row when a partition is retried, so this cannot be correct; compute the value from the input row, or do the I/O outside the pipeline",
            Pipeline("[Filter] static bool F(T t) => [|Log(t.Amount)|] > 0; static double Log(double x) { Console.WriteLine(x); return x; }"),
            Pipeline("[Filter] static bool F(T t) => Log(t.Amount) > 0; static double Log(double x) => x;"));
    }

    [Theory]
    [InlineData("static double A(double x) => B(x); static double B(double x) { System.IO.File.AppendAllText(\"log\", \"x\"); return x; }",
        "calls 'P.A()', which through 'P.B()' calls 'File.AppendAllText()' (the file system)")]
    [InlineData("static double A(double x) => B(x); static double B(double x) => C(x); static double C(double x) { Seen++; return x; }",
        "calls 'P.A()', which through 'P.B()', 'P.C()' writes the static field 'P.Seen'")]
    [InlineData("static double A(double x) => x > 0 ? A(x - 1) : Out(x); static double Out(double x) { Console.Error.WriteLine(x); return x; }",
        "calls 'P.A()', which through 'P.Out()' calls 'TextWriter.WriteLine()' (the file system)")]
    public void SideEffectDeeperInHelpers_ReportsDSL2007AtTheCallInTheStage(string helpers, string what)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(Pipeline("static long Seen; [Filter] static bool F(T t) => [|A(t.Amount)|] > 0; " + helpers));

        var diagnostics = AnalyzerRunner.Everything(source, out _);

        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == DiagnosticIds.StageHasSideEffects);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(message.StartsWith("Stage 'F' of pipeline 'p' " + what + ";", StringComparison.Ordinal), message);
    }

    [Fact]
    public void HelperReadingTheClock_ReportsDSL2006AtTheCall()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.StageNotPure,
            DiagnosticSeverity.Warning,
            "Stage 'Recent' of pipeline 'p' calls 'P.Year()', which reads 'DateTime.Now' (the clock), so re-running it on the same input can give different rows; pass the value in through the input schema or a static readonly field instead",
            Pipeline("[Filter] static bool Recent(T t) => t.Ts.Year >= [|Year()|]; static int Year() => DateTime.Now.Year;"),
            Pipeline("[Filter] static bool Recent(T t) => t.Ts.Year >= Year(); static int Year() => 2026;"));
    }

    [Fact]
    public void HelperInAnotherFile_IsFollowed()
    {
        GeneratorRun run = GeneratorHarness.Run(Pipeline("[Filter] static bool F(T t) => D.Logging.Log(t.Amount) > 0;"));
        Compilation withHelper = run.Output.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
            "namespace D; public static class Logging { public static double Log(double x) { System.Console.Write(x); return x; } }",
            GeneratorHarness.ParseOptions,
            path: "Logging.cs"));

        Diagnostic diagnostic = Assert.Single(AnalyzerRunner.Analyze(withHelper), d => d.Id == DiagnosticIds.StageHasSideEffects);

        Assert.Equal("Snippet.cs", diagnostic.Location.SourceTree!.FilePath);
        Assert.Contains("calls 'Logging.Log()', which calls 'Console.Write()' (I/O)", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("static double A(double x) => x > 1 ? B(x / 2) : x; static double B(double x) => A(x) + 1;")]
    [InlineData("static double A(double x) => Clip(Math.Abs(x)); static double Clip(double x) => Math.Min(x, Limit);")]
    [InlineData("static double A(double x) => x.Half();")]
    public void PureOrRecursiveHelpers_AreQuiet(string helpers)
    {
        string source = Pipeline("static readonly double Limit = 1; [Filter] static bool F(T t) => A(t.Amount) > 0; " + helpers)
            + "public static class Ext { public static double Half(this double x) => x / 2; }\n";

        var diagnostics = AnalyzerRunner.Everything(source, out _);

        Assert.DoesNotContain(diagnostics, d => d.Id is DiagnosticIds.StageNotPure or DiagnosticIds.StageHasSideEffects);
    }

    [Fact]
    public void SideEffectBeyondTheHelperDepth_IsNotFollowed()
    {
        // Helpers are followed MaxHelperDepth calls deep: H1 .. H4 are looked into, H5 (which writes) is not.
        Assert.Equal(4, Generators.Analyzers.StagePurityAnalyzer.MaxHelperDepth);
        string chain = "static double H1(double x) => H2(x); static double H2(double x) => H3(x); static double H3(double x) => H4(x); static double H4(double x) => H5(x); ";
        string quiet = Pipeline("[Filter] static bool F(T t) => H1(t.Amount) > 0; " + chain + "static double H5(double x) { Console.WriteLine(x); return x; }");
        string found = Pipeline("[Filter] static bool F(T t) => H1(t.Amount) > 0; " + chain + "static double H5(double x) => x;")
            .Replace("H4(double x) => H5(x)", "H4(double x) { Console.WriteLine(x); return x; }", StringComparison.Ordinal);

        Assert.DoesNotContain(AnalyzerRunner.Everything(quiet, out _), d => d.Id == DiagnosticIds.StageHasSideEffects);
        Assert.Contains(AnalyzerRunner.Everything(found, out _), d => d.Id == DiagnosticIds.StageHasSideEffects);
    }
}
