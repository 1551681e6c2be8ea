using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Diagnostics;

/// <summary>Each rule fires with its id at the marked span, and stays quiet on the corrected neighbour.</summary>
public sealed class DiagnosticTests
{
    private const string Header = TestSources.Usings + """
        namespace D;

        [Schema]
        public partial record T(long Id, double Amount, string Name);

        [Schema]
        public partial record U(long Id, double Score);

        [Schema]
        public partial record V(string Name);

        public sealed record Plain(long Id);

        public sealed record Scaling(double Mean, double Std);

        public record struct Limits(int Low, int High);

        public sealed record Priced(decimal Price);

        """;

    // A map taking the record a fit of the input computes: what every fit rule's fixed source is.
    private const string FitFixed = """[Pipeline("p")] public static partial class P { [Map] static U M(T t, Scaling s) => new(t.Id, (t.Amount - s.Mean) / s.Std); [Fit] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount)); }""";

    public static TheoryData<string, string, string> Cases => new()
    {
        {
            DiagnosticIds.SchemaNotPartial,
            Header + "[Schema] public record [|W|](long Id);",
            Header + "[Schema] public partial record W(long Id);"
        },
        {
            DiagnosticIds.SchemaMemberTypeUnsupported,
            Header + "[Schema] public partial record W(long Id, [|System.Uri|] Link);",
            Header + "[Schema] public partial record W(long Id, string Link);"
        },
        {
            DiagnosticIds.UtcOnNonDateTime,
            Header + "[Schema] public partial record W(long Id, [property: [|Utc|]] long Micros);",
            Header + "[Schema] public partial record W(long Id, [property: Utc] DateTime At);"
        },
        {
            DiagnosticIds.ColumnTypeAttributeInvalid,
            Header + "[Schema] public partial record W(long Id, [property: [|Decimal(10, 12)|]] decimal Price);",
            Header + "[Schema] public partial record W(long Id, [property: Decimal(12, 2)] decimal Price);"
        },
        {
            DiagnosticIds.RuleDoesNotFitMember,
            Header + "[Schema] public partial record W(long Id, [property: [|Range(0, 1)|]] string Code);",
            Header + "[Schema] public partial record W(long Id, [property: Range(0, 1)] double Code);"
        },
        {
            DiagnosticIds.RuleDoesNotFitMember,
            Header + "[Schema] public partial record W(long Id, [property: [|OneOf(1, 300)|]] byte Level, [property: NotNull] string? Name);",
            Header + "[Schema] public partial record W(long Id, [property: OneOf(1, 200)] byte Level, [property: NotNull] string? Name);"
        },
        {
            DiagnosticIds.RuleDoesNotFitMember,
            Header + "[Schema] public partial record W(long Id, [property: [|NotNull|]] string Name, [property: [|Finite|]] long Count);",
            Header + "[Schema] public partial record W(long Id, [property: NotNull] string? Name, [property: Finite] double Count);"
        },
        {
            DiagnosticIds.RegexPatternInvalid,
            Header + "[Schema] public partial record W(long Id, [property: [|Regex(\"^[A-Z\")|]] string Code);",
            Header + "[Schema] public partial record W(long Id, [property: Regex(\"^[A-Z]$\")] string Code);"
        },
        {
            DiagnosticIds.UniqueNotOnInput,
            Header + "[Schema] public partial record W(long Id, [property: Unique] double Score);\n"
                + """[Pipeline("p")] public static partial class P { [Map] static W [|M|](T t) => new(t.Id, t.Amount); }""",
            Header + "[Schema] public partial record W(long Id, double Score);\n"
                + """[Pipeline("p")] public static partial class P { [Map] static W M(T t) => new(t.Id, t.Amount); }"""
        },
        {
            DiagnosticIds.GateInvalid,
            Header + """[Pipeline("p")] [[|Gate(GateMetric.Mean, Column = "Name")|]] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; }""",
            Header + """[Pipeline("p")] [Gate(GateMetric.Mean, Column = "Amount", Max = 10)] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; }"""
        },
        {
            DiagnosticIds.GateInvalid,
            Header + """[Pipeline("p")] [[|Gate(GateMetric.RowCount, Min = 10, Max = 1)|]] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; }""",
            Header + """[Pipeline("p")] [Gate(GateMetric.RowCount, Min = 1, Max = 10)] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; }"""
        },
        {
            DiagnosticIds.GateInvalid,
            Header + """[Pipeline("p")] [[|Gate(GateMetric.NullRate, Column = "Missing", Max = 0.1)|]] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; }""",
            Header + """[Pipeline("p")] [Gate(GateMetric.NullRate, Column = "U.Score", Max = 0.1)] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; [Map] static U M(T t) => new(t.Id, t.Amount); }"""
        },
        {
            DiagnosticIds.GateInvalid,
            Header + """[Pipeline("p")] [[|Gate(GateMetric.QuarantineRate, Rule = "Positive", Max = 0.1)|]] public static partial class P { [Check(Action = RuleAction.Warn)] static bool Positive(T t) => t.Amount > 0; }""",
            Header + """[Pipeline("p")] [Gate(GateMetric.QuarantineRate, Rule = "Positive", Max = 0.1)] public static partial class P { [Check] static bool Positive(T t) => t.Amount > 0; }"""
        },
        {
            DiagnosticIds.SchemaNotPositionalRecord,
            Header + "[Schema] public partial class [|W|] { public long Id { get; set; } }",
            Header + "[Schema] public partial record W(long Id);"
        },
        {
            DiagnosticIds.StageTypeNotSchema,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F([|Plain|] p) => p.Id > 0; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T p) => p.Id > 0; }"""
        },
        {
            DiagnosticIds.StageTypeNotSchema,
            Header + """[Pipeline("p")] public static partial class P { [Map] static [|Plain|] M(T t) => new(t.Id); }""",
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t) => new(t.Id, t.Amount); }"""
        },
        {
            DiagnosticIds.StageNotStatic,
            Header + """[Pipeline("p")] public partial class P { [Filter] bool [|F|](T t) => t.Id > 0; }""",
            Header + """[Pipeline("p")] public partial class P { [Filter] static bool F(T t) => t.Id > 0; }"""
        },
        {
            DiagnosticIds.StageSignatureInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static int [|F|](T t) => 1; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => true; }"""
        },
        {
            // A check is a bool-returning rule on a row, like a filter.
            DiagnosticIds.StageSignatureInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Check] static double [|C|](T t) => t.Amount; }""",
            Header + """[Pipeline("p")] public static partial class P { [Check] static bool C(T t) => t.Amount >= 0; }"""
        },
        {
            DiagnosticIds.StageSignatureInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U [|M|]<X>(T t) => new(t.Id, 2); }""",
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t) => new(t.Id, 2); }"""
        },
        {
            DiagnosticIds.StageParameterTypeUnsupported,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t, [|int|] scale) => new(t.Id, scale); }""",
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t, Scaling s) => new(t.Id, (t.Amount - s.Mean) / s.Std); }"""
        },
        {
            DiagnosticIds.StageParameterTypeUnsupported,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t, [|Priced|] p) => t.Amount > (double)p.Price; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t, Limits l) => t.Amount > l.Low; }"""
        },
        {
            DiagnosticIds.StageHasTooManyParameters,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t, Scaling s, [|Limits l|]) => t.Amount > s.Mean && t.Id < l.High; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t, Scaling s) => t.Amount > s.Mean; }"""
        },
        {
            DiagnosticIds.StageParameterByReference,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t, [|in Scaling s|]) => t.Amount > s.Mean; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t, Scaling s) => t.Amount > s.Mean; }"""
        },
        {
            DiagnosticIds.StageParameterByReference,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F([|ref T t|]) => t.Amount > 0; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; }"""
        },
        {
            DiagnosticIds.FitReturnTypeInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => true; [Fit] static [|Priced|] S(FitData<T> d) => new((decimal)d.Mean(t => t.Amount)); }""",
            Header + FitFixed
        },
        {
            DiagnosticIds.FitSelectorInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t, Scaling s) => new(t.Id, (t.Amount - s.Mean) / s.Std); [Fit] static Scaling S(FitData<T> d) => new(d.Mean([|t => t.Amount * 2|]), d.Std(t => t.Amount)); }""",
            Header + FitFixed
        },
        {
            DiagnosticIds.FitArgumentNotConstant,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t, Scaling s) => new(t.Id, (t.Amount - s.Mean) / s.Std); [Fit] static Scaling S(FitData<T> d) { double q = 0.5; return new(d.Quantile(t => t.Amount, [|q|]), d.Std(t => t.Amount)); } }""",
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t, Scaling s) => new(t.Id, (t.Amount - s.Mean) / s.Std); [Fit] static Scaling S(FitData<T> d) { const double q = 0.5; return new(d.Quantile(t => t.Amount, q), d.Std(t => t.Amount)); } }"""
        },
        {
            DiagnosticIds.FitDataEscapes,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t, Scaling s) => new(t.Id, (t.Amount - s.Mean) / s.Std); [Fit] static Scaling S(FitData<T> d) => Helper([|d|]); static Scaling Helper(FitData<T> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount)); }""",
            Header + FitFixed
        },
        {
            DiagnosticIds.FitColumnTypeMismatch,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t, Scaling s) => new(t.Id, (t.Amount - s.Mean) / s.Std); [Fit] static Scaling S(FitData<T> d) => new(d.Mean([|t => t.Name|]), d.Std(t => t.Amount)); }""",
            Header + FitFixed
        },
        {
            DiagnosticIds.FitNeedsItsOwnRecord,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool G(T t) => t.Id > 0; [Filter(From = nameof(G))] static bool F(T t, Scaling s) => t.Amount > s.Mean; [Fit(From = [|nameof(F)|])] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount)); }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool G(T t) => t.Id > 0; [Filter(From = nameof(G))] static bool F(T t, Scaling s) => t.Amount > s.Mean; [Fit(From = nameof(G))] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount)); }"""
        },
        {
            DiagnosticIds.FitRecordNotUnique,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t, Scaling s) => new(t.Id, (t.Amount - s.Mean) / s.Std); [Fit] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount)); [Fit] static [|Scaling|] R(FitData<T> d) => new(d.Median(t => t.Amount), d.Std(t => t.Amount)); }""",
            Header + FitFixed
        },
        {
            DiagnosticIds.FitRecordUnused,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t) => new(t.Id, t.Amount); [Fit] static [|Scaling|] S(FitData<T> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount)); }""",
            Header + FitFixed
        },
        {
            DiagnosticIds.PipelineNotPartial,
            Header + """[Pipeline("p")] public static class [|P|] { [Filter] static bool F(T t) => true; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => true; }"""
        },
        {
            DiagnosticIds.StageNameNotUnique,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => true; [Filter(From = nameof(M))] static bool [|F|](U u) => true; [Map(From = "F")] static U M(T t) => new(t.Id, 1); }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => true; [Filter(From = nameof(M))] static bool G(U u) => true; [Map(From = "F")] static U M(T t) => new(t.Id, 1); }"""
        },
        {
            DiagnosticIds.FromStageNotFound,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => true; [Map(From = [|"Nope"|])] static U M(T t) => new(t.Id, 1); }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => true; [Map(From = nameof(F))] static U M(T t) => new(t.Id, 1); }"""
        },
        {
            DiagnosticIds.StageCycle,
            Header + """[Pipeline("p")] public static partial class P { [Filter(From = [|nameof(B)|])] static bool A(T t) => true; [Filter(From = nameof(A))] static bool B(T t) => true; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool A(T t) => true; [Filter(From = nameof(A))] static bool B(T t) => true; }"""
        },
        {
            DiagnosticIds.StageInputAmbiguous,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M1(T t) => new(t.Id, 1); [Map] static U M2(T t) => new(t.Id, 2); [Filter] static bool [|F|](U u) => true; }""",
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M1(T t) => new(t.Id, 1); [Map] static U M2(T t) => new(t.Id, 2); [Filter(From = nameof(M2))] static bool F(U u) => true; }"""
        },
        {
            DiagnosticIds.PipelineInputSchemasDiffer,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool A(T t) => true; [Filter] static bool B([|V|] v) => true; }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool A(T t) => true; [Map] static V ToV(T t) => new(t.Name); [Filter] static bool B(V v) => true; }"""
        },
        {
            DiagnosticIds.FromSchemaMismatch,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool A(T t) => true; [Map(From = [|nameof(A)|])] static V M(U u) => new("x"); }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool A(T t) => true; [Map(From = nameof(A))] static V M(T t) => new("x"); }"""
        },
        {
            DiagnosticIds.VectorBlockDeclined,
            Header + """[Pipeline("p")] public static partial class P { [Map] static U [|M|](T t) => new(t.Id, Math.Round(t.Amount, (int)t.Id)); }""",
            Header + """[Pipeline("p")] public static partial class P { [Map] static U M(T t) => new(t.Id, Math.Round(t.Amount, 2)); }"""
        },
        {
            DiagnosticIds.KernelFallback,
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => !ReferenceEquals([|t|], null); }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => Check(t.Id); static bool Check(long id) => id > 0; }"""
        },
        {
            DiagnosticIds.AggregateOutputInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), [|g.Sum(t => t.Amount) / 2|]); }""",
            Header + """[Pipeline("p")] public static partial class P { [Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), g.Sum(t => t.Amount)); }"""
        },
        {
            DiagnosticIds.AggregateOutputTypeMismatch,
            Header + """[Pipeline("p")] public static partial class P { [Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), [|g.Count()|]); }""",
            Header + """[Pipeline("p")] public static partial class P { [Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), g.Mean(t => t.Amount)); }"""
        },
        {
            DiagnosticIds.AggregateKeyInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Aggregate([|By = new[] { "Nope" }|])] static U A(Group<T> g) => new(g.Key(t => t.Id), g.Sum(t => t.Amount)); }""",
            Header + """[Pipeline("p")] public static partial class P { [Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), g.Sum(t => t.Amount)); }"""
        },
        {
            DiagnosticIds.JoinOutputInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Join(Table = "u", On = new[] { nameof(T.Id) })] static U J(T l, U r) => new(l.Id, [|r.Score * 2|]); }""",
            Header + """[Pipeline("p")] public static partial class P { [Join(Table = "u", On = new[] { nameof(T.Id) })] static U J(T l, U r) => new(l.Id, r.Score); }"""
        },
        {
            DiagnosticIds.JoinKeyInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Join(Table = "u", [|On = new[] { nameof(T.Name) }|])] static U J(T l, U r) => new(l.Id, r.Score); }""",
            Header + """[Pipeline("p")] public static partial class P { [Join(Table = "u", On = new[] { nameof(T.Id) })] static U J(T l, U r) => new(l.Id, r.Score); }"""
        },
        {
            DiagnosticIds.SplitInvalid,
            Header + """[Pipeline("p")] public static partial class P { [Map] [Split(Key = new[] { nameof(U.Id) }, [|StratifyBy = nameof(U.Score)|])] static U M(T t) => new(t.Id, t.Amount); }""",
            Header + """[Pipeline("p")] public static partial class P { [Map] [Split(Key = new[] { nameof(U.Id) })] static U M(T t) => new(t.Id, t.Amount); }"""
        },
        {
            DiagnosticIds.SplitNotOnSink,
            Header + """[Pipeline("p")] public static partial class P { [Filter] [[|Split(Key = new[] { nameof(T.Id) })|]] static bool F(T t) => t.Amount > 0; [Map(From = nameof(F))] static U M(T t) => new(t.Id, t.Amount); }""",
            Header + """[Pipeline("p")] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; [Map(From = nameof(F))] [Split(Key = new[] { nameof(U.Id) })] static U M(T t) => new(t.Id, t.Amount); }"""
        },
        {
            DiagnosticIds.BarrierSkipsInputRules,
            Header + """[Schema] public partial record Q(long Id, [property: Range(0, 10)] double Amount); [Pipeline("p")] public static partial class P { [Aggregate(By = new[] { nameof(Q.Id) })] static U [|A|](Group<Q> g) => new(g.Key(q => q.Id), g.Sum(q => q.Amount)); }""",
            Header + """[Schema] public partial record Q(long Id, [property: Range(0, 10)] double Amount); [Pipeline("p")] public static partial class P { [Filter] static bool C(Q q) => true; [Aggregate(By = new[] { nameof(Q.Id) }, From = nameof(C))] static U A(Group<Q> g) => new(g.Key(q => q.Id), g.Sum(q => q.Amount)); }"""
        },
        {
            DiagnosticIds.ModelFileInvalid,
            Header + """[Pipeline("p")] public static partial class P { [[|Score("models/fraud.json")|]] static U S(T t, float p) => new(t.Id, p); }""",
            Header + """[Pipeline("p")] public static partial class P { [Score("models/tiny.json")] static U S(T t, float p) => new(t.Id, p); }"""
        },
        {
            DiagnosticIds.ModelDoesNotFitStage,
            Header + """[Pipeline("p")] public static partial class P { [[|Score("models/tiny.json", Output = ScoreOutput.Margin)|]] static U S(T t, float a, float b) => new(t.Id, a + b); }""",
            Header + """[Pipeline("p")] public static partial class P { [Score("models/tiny.json", Output = ScoreOutput.Margin)] static U S(T t, float m) => new(t.Id, m); }"""
        },
        {
            DiagnosticIds.FitAfterBarrier,
            Header + """[Pipeline("p")] public static partial class P { [Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), g.Sum(t => t.Amount)); [Map(From = nameof(A))] static U M(U u, Scaling s) => new(u.Id, (u.Score - s.Mean) / s.Std); [Fit(From = [|nameof(A)|])] static Scaling S(FitData<U> d) => new(d.Mean(u => u.Score), d.Std(u => u.Score)); }""",
            Header + """[Pipeline("p")] public static partial class P { [Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), g.Sum(t => t.Amount)); [Map(From = nameof(A))] static U M(U u, Scaling s) => new(u.Id, (u.Score - s.Mean) / s.Std); [Fit] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), d.Std(t => t.Amount)); }"""
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_FiresAtTheMarkedSpan_AndNotOnTheFixedSource(string id, string markup, string fixedSource)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(markup);
        // Generators and analyzers together: declaration-shape rules are analyzers, the rest come from the generators.
        Diagnostic diagnostic = Assert.Single(AnalyzerRunner.Everything(source, out _), d => d.Id == id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal(DiagnosticDescriptors.HelpLinkBase + id + ".md", diagnostic.Descriptor.HelpLinkUri);
        Assert.DoesNotContain("{", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // The fixed source reports nothing, except that a segment may still get no vector block (DSL4002) where that
        // is not the rule under test.
        var quiet = AnalyzerRunner.Everything(fixedSource, out GeneratorRun fixedRun).Where(d => d.Id == id || d.Id != DiagnosticIds.VectorBlockDeclined).ToList();
        Assert.True(quiet.Count == 0, string.Join(Environment.NewLine, quiet));
        Assert.True(fixedRun.CompilationProblems.IsEmpty, string.Join(Environment.NewLine, fixedRun.CompilationProblems));
    }

    [Fact]
    public void Messages_NameTheStagePipelineAndConstruct()
    {
        (string source, _) = Markup.Parse(FailingSource(DiagnosticIds.FromStageNotFound));
        Diagnostic fromNotFound = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("Stage 'M' reads from 'Nope', but pipeline 'p' has no stage named 'Nope'; write From = nameof(Stage) with a stage of this pipeline", fromNotFound.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        (source, _) = Markup.Parse(FailingSource(DiagnosticIds.StageCycle));
        Diagnostic cycle = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Contains("'A' -> 'B' -> 'A'", cycle.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        (source, _) = Markup.Parse(FailingSource(DiagnosticIds.KernelFallback));
        Diagnostic fallback = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, fallback.Severity);
        Assert.Contains("Stage 'F'", fallback.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("the row parameter 't' used as a whole object", fallback.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void StageParameterMessages_NameTheParameterAndWhy()
    {
        string Message(string id, int index = 0)
        {
            (string source, _) = Markup.Parse((string)Cases.Where(c => (string)c[0] == id).ElementAt(index)[1]);
            return Assert.Single(AnalyzerRunner.Everything(source, out _), d => d.Id == id).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(
            "Parameter 'scale' of stage 'M' of pipeline 'p' has type 'int', which is not a record; stage parameters are a record of double, float, int, long, bool, string, DateTime, double[] or string[] members, such as 'record AmountScaling(double Mean, double Std)'",
            Message(DiagnosticIds.StageParameterTypeUnsupported));
        Assert.Contains("has member 'Price' of type 'decimal'", Message(DiagnosticIds.StageParameterTypeUnsupported, 1), StringComparison.Ordinal);
        Assert.Equal(
            "Stage 'F' of pipeline 'p' takes 2 parameters after its row (D.Scaling s, D.Limits l); a stage takes at most one parameter object after its row, so put these values into one record",
            Message(DiagnosticIds.StageHasTooManyParameters));
        Assert.Equal(
            "Parameter 's' of stage 'F' of pipeline 'p' is declared 'in'; stage parameters are passed by value, so remove the 'in' modifier",
            Message(DiagnosticIds.StageParameterByReference));
    }

    [Theory]
    [InlineData("public sealed record Odd(double? Mean);", "has member 'Mean' of type 'double?' (configuration values are never null)")]
    [InlineData("public sealed class Odd { public double Mean { get; init; } }", "is not a positional record")]
    [InlineData("[Schema] public partial record Odd(double Mean);", "is a schema")]
    public void StageParameterType_WithoutAConfigurationForm_ReportsDSL2008(string declaration, string why)
    {
        var diagnostics = AnalyzerRunner.Everything(Header + declaration + """ [Pipeline("p")] public static partial class P { [Filter] static bool F(T t, Odd o) => t.Amount > 0; }""", out _);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == DiagnosticIds.StageParameterTypeUnsupported);
        Assert.Contains(why, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_EveryDescriptorHasReleaseTrackingAndDocs()
    {
        string root = RepositoryRoot();
        string unshipped = File.ReadAllText(Path.Combine(root, "generators", "Dsl.Generators", "AnalyzerReleases.Unshipped.md"));
        foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
        {
            Assert.Contains(descriptor.Id + " |", unshipped, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(root, "docs", "diagnostics", descriptor.Id + ".md")), $"docs/diagnostics/{descriptor.Id}.md is missing.");
            Assert.Equal(DiagnosticDescriptors.HelpLinkBase + descriptor.Id + ".md", descriptor.HelpLinkUri);
        }
    }

    private static string FailingSource(string id) => (string)Cases.First(c => (string)c[0] == id)[1];

    internal static string RepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "Dsl.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }
        return directory ?? throw new InvalidOperationException("The repository root (the folder holding Dsl.sln) was not found above the test output folder.");
    }
}
