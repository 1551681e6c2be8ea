using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Diagnostics;

/// <summary>
/// The fit stage rules (DSL2011-DSL2015, DSL3013-DSL3015) with their full messages, the declaration rules a fit
/// shares with other stages (DSL2001, DSL2003, DSL2010) and the wiring rules it shares (DSL3001, DSL3003-DSL3005).
/// </summary>
public sealed class FitRuleTests
{
    private const string Header = TestSources.Usings + """
        namespace D;

        [Schema]
        public partial record T(long Id, double Amount, string Name, int[] Codes, bool Flag);

        [Schema]
        public partial record U(long Id, double Score);

        public sealed record Scaling(double Mean, double Std);

        public sealed record Plain(long Id);

        """;

    // A map taking the record a fit of the input computes.
    private const string Taker = "[Map] static U M(T t, Scaling s) => new(t.Id, (t.Amount - s.Mean) / s.Std); ";

    private const string Fixed = Header + """[Pipeline("p")] public static partial class P { """ + Taker
        + "[Fit] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount)); }";

    private static string Pipeline(string members) => Header + """[Pipeline("p")] public static partial class P { """ + members + " }";

    [Fact]
    public void FitReturningNoParameterRecord_ReportsDSL2011()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitReturnTypeInvalid,
            DiagnosticSeverity.Error,
            "Fit stage 'S' of pipeline 'p' returns 'double', which is not a record; a fit returns a stage parameter record of double, float, int, long, bool, string, DateTime, double[] or string[] members, such as 'record AmountScaling(double Mean, double Std)'",
            Pipeline(Taker + "[Fit] static [|double|] S(FitData<T> d) => d.Mean(t => t.Amount);"),
            Fixed);
    }

    [Theory]
    [InlineData("d.Mean([|t => t.Amount * 2|])", "names its column with 't => t.Amount * 2', which does not return a member of 't' unchanged; write a lambda that reads one member of 'T', such as 't => t.Id'")]
    [InlineData("d.Mean([|Select|])", "names its column with 'Select', which is not a lambda; write a lambda that reads one member of 'T', such as 'r => r.Id'")]
    [InlineData("d.Mean([|row => row.Ratio|])", "names its column with 'row => row.Ratio', which reads 'Ratio', which is not a column of 'T'; write a lambda that reads one member of 'T', such as 'row => row.Id'")]
    public void SelectorThatReadsNoColumn_ReportsDSL2012(string call, string message)
    {
        const string Extra = "static double? Select(T t) => t.Amount; ";
        string failing = Header.Replace("public partial record T(long Id, double Amount, string Name, int[] Codes, bool Flag);",
            "public partial record T(long Id, double Amount, string Name, int[] Codes, bool Flag) { public double Ratio => Amount / 2; }", StringComparison.Ordinal)
            + """[Pipeline("p")] public static partial class P { """ + Taker + Extra + "[Fit] static Scaling S(FitData<T> d) => new(" + call + ", 1); }";
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitSelectorInvalid,
            DiagnosticSeverity.Error,
            "'Mean' in fit stage 'S' of pipeline 'p' " + message,
            failing,
            Fixed);
    }

    [Fact]
    public void ArgumentThatIsNoConstant_ReportsDSL2013()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitArgumentNotConstant,
            DiagnosticSeverity.Error,
            "Argument 'buckets' of 'QuantileBoundaries' in fit stage 'S' of pipeline 'p' is 'n', which is not a constant; the first pass computes the statistic before the fit method runs, so write the value as a literal or a const",
            Pipeline(Taker + "[Fit] static Scaling S(FitData<T> d) { int n = 4; return new(d.QuantileBoundaries(t => t.Amount, [|n|])[0], 1); }"),
            Pipeline(Taker + "[Fit] static Scaling S(FitData<T> d) { const int n = 4; return new(d.QuantileBoundaries(t => t.Amount, n)[0], 1); }"));
    }

    [Fact]
    public void ExpressionArgumentGivenAsAVariable_ReportsDSL2013()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitArgumentNotConstant,
            DiagnosticSeverity.Error,
            "Argument 'expression' of 'Mean' in fit stage 'S' of pipeline 'p' is 'key', which is not a constant; the first pass computes the statistic before the fit method runs, so write the value as a literal or a const",
            Pipeline(Taker + "[Fit] static Scaling S(FitData<T> d) { string key = \"k\"; return new(d.Mean(t => t.Amount, [|key|]), 1); }"),
            Pipeline(Taker + "[Fit] static Scaling S(FitData<T> d) { const string key = \"k\"; return new(d.Mean(t => t.Amount, key), 1); }"));
    }

    [Theory]
    [InlineData("[Fit] static Scaling S(FitData<T> d) => Helper([|d|]); static Scaling Helper(FitData<T> d) => new(d.Mean(t => t.Amount), 1);", "passes to 'Helper()'")]
    [InlineData("[Fit] static Scaling S(FitData<T> d) { var copy = [|d|]; return new(copy.Mean(t => t.Amount), 1); }", "stores")]
    [InlineData("[Fit] static Scaling S(FitData<T> d) { Func<double> mean = () => [|d|].Mean(t => t.Amount); return new(mean(), 1); }", "captures in a lambda")]
    [InlineData("[Fit] static Scaling S(FitData<T> d) { return new(Mean(), 1); double Mean() => [|d|].Mean(t => t.Amount); }", "captures in a local function")]
    [InlineData("[Fit] static Scaling S(FitData<T> d) => new([|d|].GetHashCode(), 1);", "calls 'GetHashCode()' on")]
    public void FitDataUsedOtherThanAsAReceiver_ReportsDSL2014(string members, string use)
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitDataEscapes,
            DiagnosticSeverity.Error,
            "Fit stage 'S' of pipeline 'p' " + use + " its FitData parameter 'd'; the build sees only the statistics called directly on 'd' in the fit method's body, so call them there and pass their results on instead",
            Pipeline(Taker + members),
            Fixed);
    }

    [Theory]
    [InlineData("d.Mean([|t => t.Name|])", "Mean", "Name", "string", "a number column (sbyte, byte, short, ushort, int, uint, long, ulong, float or double)")]
    [InlineData("d.Vocabulary([|t => t.Amount|]).Length", "Vocabulary", "Amount", "double", "a string column")]
    [InlineData("d.Distinct([|t => t.Codes|])", "Distinct", "Codes", "int[]", "a column of single values (not a list)")]
    [InlineData("d.MostFrequent([|t => t.Flag|])", "MostFrequent", "Flag", "bool", "a number or string column")]
    public void StatisticOnAColumnOfTheWrongType_ReportsDSL2015(string call, string statistic, string member, string type, string needs)
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitColumnTypeMismatch,
            DiagnosticSeverity.Error,
            "'" + statistic + "' in fit stage 'S' of pipeline 'p' reads member '" + member + "' of 'T', a " + type + " column, but " + statistic + " needs " + needs + "; pick a column of that type or another statistic",
            Pipeline(Taker + "[Fit] static Scaling S(FitData<T> d) => new(" + call + ", 1);"),
            Fixed);
    }

    [Fact]
    public void FitObservingAStageThatTakesItsRecord_ReportsDSL3013()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitNeedsItsOwnRecord,
            DiagnosticSeverity.Error,
            "Fit stage 'S' of pipeline 'p' needs its own result: 'S' observes 'F', which takes 'Scaling' from fit 'S'; let the fit read from a stage before the one taking the fitted record (From = nameof(...))",
            Pipeline("[Filter] static bool F(T t, Scaling s) => t.Amount > s.Mean; [Fit(From = [|nameof(F)|])] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), 1);"),
            Fixed);
    }

    [Fact]
    public void TwoFitsEachObservingAStageTakingTheOthersRecord_ReportDSL3013WithTheCycle()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitNeedsItsOwnRecord,
            DiagnosticSeverity.Error,
            "Fit stage 'A' of pipeline 'p' needs its own result: 'A' observes 'G', which takes 'Other' from fit 'B'; 'B' observes 'F', which takes 'Scaling' from fit 'A'; let the fit read from a stage before the one taking the fitted record (From = nameof(...))",
            Header + "public sealed record Other(double Max);\n" + """[Pipeline("p")] public static partial class P { """
                + "[Filter] static bool R(T t) => t.Id > 0; "
                + "[Filter(From = nameof(R))] static bool F(T t, Scaling s) => t.Amount > s.Mean; "
                + "[Filter(From = nameof(R))] static bool G(T t, Other o) => t.Amount < o.Max; "
                + "[Fit(From = [|nameof(G)|])] static Scaling A(FitData<T> d) => new(d.Mean(t => t.Amount), 1); "
                + "[Fit(From = nameof(F))] static Other B(FitData<T> d) => new(d.Max(t => t.Amount)); }",
            Fixed);
    }

    [Fact]
    public void TwoFitsReturningOneRecordType_ReportDSL3014()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitRecordNotUnique,
            DiagnosticSeverity.Error,
            "Fit stages 'S' and 'R' of pipeline 'p' both return 'Scaling', so the stages taking 'Scaling' would have two sets of values; return a record type of its own from each fit",
            Pipeline(Taker + "[Fit] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), 1); [Fit] static [|Scaling|] R(FitData<T> d) => new(d.Median(t => t.Amount), 1);"),
            Fixed);
    }

    [Fact]
    public void FitWhoseRecordNoStageTakes_WarnsDSL3015_AndStillGeneratesThePlan()
    {
        string failing = Pipeline("[Map] static U M(T t) => new(t.Id, t.Amount); [Fit] static [|Scaling|] S(FitData<T> d) => new(d.Mean(t => t.Amount), 1);");
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FitRecordUnused,
            DiagnosticSeverity.Warning,
            "Fit stage 'S' of pipeline 'p' returns 'Scaling', which no stage of the pipeline takes, so the first pass computes values nothing reads; add a 'Scaling' parameter to the stage that needs them, or remove the fit",
            failing,
            Fixed);
        (string source, _) = Markup.Parse(failing);
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.CompilationProblems);
        Assert.Contains("ParametersType: \"Scaling\"", run.GeneratedSource("P.Pipeline.g.cs"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Fit] static Scaling [|S|](T t) => new(t.Amount, 1);", "2003", "Stage 'S' of pipeline 'p' must be declared as 'static TParams S(FitData<TRow> data)'; change its parameters or return type to match")]
    [InlineData("[Fit] static void [|S|](FitData<T> d) { }", "2003", "Stage 'S' of pipeline 'p' must be declared as 'static TParams S(FitData<TRow> data)'; change its parameters or return type to match")]
    [InlineData("[Fit] Scaling [|S|](FitData<T> d) => new(d.Mean(t => t.Amount), 1);", "2002", "Stage 'S' of pipeline 'p' must be a static method; add the 'static' modifier")]
    [InlineData("[Fit] static Scaling S([|FitData<Plain>|] d) => new(1, 1);", "2001", "Stage 'S' of pipeline 'p' uses type 'D.Plain' as its input, but 'D.Plain' has no [Schema] attribute; mark 'D.Plain' with [Schema] or use a schema record")]
    [InlineData("[Fit] static Scaling S([|in FitData<T> d|]) => new(d.Mean(t => t.Amount), 1);", "2010", "Parameter 'd' of stage 'S' of pipeline 'p' is declared 'in'; stage parameters are passed by value, so remove the 'in' modifier")]
    public void FitDeclarations_AreCheckedLikeOtherStages(string fit, string id, string message)
    {
        string pipeline = TestSources.Usings + Header[TestSources.Usings.Length..] + (id == "2002" ? """[Pipeline("p")] public partial class P { """ : """[Pipeline("p")] public static partial class P { """)
            + Taker + fit + " }";
        RuleAssert.FiresOnceAndNotOnTheFix("DSL" + id, DiagnosticSeverity.Error, message, pipeline, Fixed);
    }

    [Theory]
    [InlineData("[Fit(From = [|\"Nope\"|])]", DiagnosticIds.FromStageNotFound, "Stage 'S' reads from 'Nope', but pipeline 'p' has no stage named 'Nope'; write From = nameof(Stage) with a stage of this pipeline")]
    [InlineData("[Fit(From = [|nameof(M)|])]", DiagnosticIds.FromSchemaMismatch, "Stage 'S' reads schema 'T' but its From stage 'M' produces 'U'; change From or the stage's parameter type")]
    public void FitFrom_IsCheckedLikeOtherStages(string attribute, string id, string message)
    {
        RuleAssert.FiresOnceAndNotOnTheFix(id, DiagnosticSeverity.Error, message,
            Pipeline(Taker + attribute + " static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), 1);"),
            Fixed);
    }

    [Fact]
    public void FitWithoutFrom_OfRowsSeveralStagesProduce_ReportsDSL3003()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.StageInputAmbiguous,
            DiagnosticSeverity.Error,
            "Stage 'S' reads schema 'T', which stages 'F', 'G' of pipeline 'p' all produce; set From = nameof(...) to pick one",
            Pipeline("[Filter] static bool F(T t) => t.Id > 0; [Filter(From = nameof(F))] static bool G(T t, Scaling s) => t.Amount > s.Mean; [Fit] static Scaling [|S|](FitData<T> d) => new(d.Mean(t => t.Amount), 1);"),
            Pipeline("[Filter] static bool F(T t) => t.Id > 0; [Filter(From = nameof(F))] static bool G(T t, Scaling s) => t.Amount > s.Mean; [Fit(From = nameof(F))] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), 1);"));
    }

    [Fact]
    public void FitOfASchemaThatIsNotTheInput_ReportsDSL3004()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.PipelineInputSchemasDiffer,
            DiagnosticSeverity.Error,
            "Stage 'S' reads schema 'V' from the input of pipeline 'p', which already reads 'T'; a pipeline has one input schema, so wire 'S' after a stage with From or split the pipeline",
            Header + "[Schema] public partial record V(long Id, double X);\n" + """[Pipeline("p")] public static partial class P { """ + Taker
                + "[Fit] static Scaling S([|FitData<V>|] d) => new(d.Mean(v => v.X), 1); }",
            Fixed);
    }
}
