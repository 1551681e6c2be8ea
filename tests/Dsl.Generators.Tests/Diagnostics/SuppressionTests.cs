using System.Collections.Immutable;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generators.Tests.Diagnostics;

/// <summary>
/// Every DSL id the compiler reports, whether a generator or an analyzer reports it, is suppressed by
/// <c>#pragma warning disable</c> and by an <c>.editorconfig</c> severity of <c>none</c>, and becomes an error with
/// <c>error</c>: the table holds one minimal snippet per id, and the tests run the generators and the analyzers over
/// it as a build does, so they hold wherever a rule is reported.
/// </summary>
/// <remarks>
/// DSL5001-DSL5005 are not in the table: they are not Roslyn diagnostics but MSBuild errors and warnings that the
/// Dsl.Sdk targets and tasks log while building or after the program is built (see docs/diagnostics/DSL5xxx.md), so no
/// source file holds them and neither pragmas nor <c>.editorconfig</c> can apply; MSBuild's own
/// <c>NoWarn</c>/<c>WarningsAsErrors</c> handle those. <see cref="BuildIds_AreMSBuildDiagnostics_NotInTheRoslynCatalog"/>
/// checks that they stay out of the catalog.
/// </remarks>
public sealed class SuppressionTests
{
    private const string Header = TestSources.Usings + """
        namespace Z;

        [Schema]
        public partial record T(long Id, double Amount, string Name, double? Session, DateTime Ts);

        [Schema]
        public partial record U(long Id, double Score);

        [Schema]
        public partial record V(string Name);

        public sealed record Plain(long Id);

        public sealed record Scaling(double Mean, double Std);

        """;

    private const string P = "[Pipeline(\"p\")] public static partial class P { ";

    /// <summary>One snippet per id that reports it (with the header above).</summary>
    private static readonly Dictionary<string, string> s_snippets = new(StringComparer.Ordinal)
    {
        [DiagnosticIds.SchemaNotPartial] = "[Schema] public record W(long Id);",
        [DiagnosticIds.SchemaMemberTypeUnsupported] = "[Schema] public partial record W(long Id, System.Uri Link);",
        [DiagnosticIds.SchemaNotPositionalRecord] = "[Schema] public partial class W { public long Id { get; set; } }",
        [DiagnosticIds.SchemaColumnNameDuplicate] = "[Schema] public partial record W(long Id, [property: Column(\"Id\")] long Other);",
        [DiagnosticIds.SchemaColumnNameInvalid] = "[Schema] public partial record W([property: Column(\"a.b\")] long Id);",
        [DiagnosticIds.ConstraintBoundsImpossible] = "[Schema] public partial record W(long Id, [property: Range(10, 1)] double X);",
        [DiagnosticIds.UtcOnNonDateTime] = "[Schema] public partial record W(long Id, [property: Utc] long Micros);",
        [DiagnosticIds.ColumnTypeAttributeInvalid] = "[Schema] public partial record W(long Id, [property: Decimal(10, 12)] decimal Price);",
        [DiagnosticIds.RuleDoesNotFitMember] = "[Schema] public partial record W(long Id, [property: Range(0, 1)] string Code);",
        [DiagnosticIds.RegexPatternInvalid] = "[Schema] public partial record W(long Id, [property: Regex(\"(\")] string Code);",
        [DiagnosticIds.StageTypeNotSchema] = P + "[Filter] static bool F(Plain p) => p.Id > 0; }",
        [DiagnosticIds.StageNotStatic] = "[Pipeline(\"p\")] public partial class P { [Filter] bool F(T t) => t.Id > 0; }",
        [DiagnosticIds.StageSignatureInvalid] = P + "[Filter] static int F(T t) => 1; }",
        [DiagnosticIds.PipelineNotPartial] = "[Pipeline(\"p\")] public static class P { [Filter] static bool F(T t) => true; }",
        [DiagnosticIds.StageNameNotUnique] = P + "[Filter] static bool F(T t) => true; [Filter(From = nameof(M))] static bool F(U u) => true; [Map(From = \"F\")] static U M(T t) => new(t.Id, 1); }",
        [DiagnosticIds.StageNotPure] = P + "[Filter] static bool F(T t) => t.Ts.Year >= DateTime.Now.Year; }",
        [DiagnosticIds.StageHasSideEffects] = P + "static long Seen; [Filter] static bool F(T t) => (Seen = t.Id) > 0; }",
        [DiagnosticIds.StageParameterTypeUnsupported] = P + "[Map] static U M(T t, int scale) => new(t.Id, scale); }",
        [DiagnosticIds.StageHasTooManyParameters] = P + "[Filter] static bool F(T t, Scaling s, Scaling r) => t.Amount > s.Mean + r.Std; }",
        [DiagnosticIds.StageParameterByReference] = P + "[Filter] static bool F(T t, in Scaling s) => t.Amount > s.Mean; }",
        [DiagnosticIds.FitReturnTypeInvalid] = P + "[Filter] static bool F(T t) => true; [Fit] static string S(FitData<T> d) => \"x\"; }",
        [DiagnosticIds.FitSelectorInvalid] = P + "[Map] static U M(T t, Scaling s) => new(t.Id, t.Amount - s.Mean); [Fit] static Scaling S(FitData<T> d) => new(d.Mean(t => -t.Amount), 1); }",
        [DiagnosticIds.FitArgumentNotConstant] = P + "[Map] static U M(T t, Scaling s) => new(t.Id, t.Amount - s.Mean); [Fit] static Scaling S(FitData<T> d) => new(d.Quantile(t => t.Amount, d.Count() > 9 ? 0.1 : 0.2), 1); }",
        [DiagnosticIds.FitDataEscapes] = P + "[Map] static U M(T t, Scaling s) => new(t.Id, t.Amount - s.Mean); [Fit] static Scaling S(FitData<T> d) { var e = d; return new(1, 1); } }",
        [DiagnosticIds.FitColumnTypeMismatch] = P + "[Map] static U M(T t, Scaling s) => new(t.Id, t.Amount - s.Mean); [Fit] static Scaling S(FitData<T> d) => new(d.Vocabulary(t => t.Amount).Length, 1); }",
        [DiagnosticIds.FromStageNotFound] = P + "[Filter] static bool F(T t) => true; [Map(From = \"Nope\")] static U M(T t) => new(t.Id, 1); }",
        [DiagnosticIds.StageCycle] = P + "[Filter(From = nameof(B))] static bool A(T t) => true; [Filter(From = nameof(A))] static bool B(T t) => true; }",
        [DiagnosticIds.StageInputAmbiguous] = P + "[Map] static U M1(T t) => new(t.Id, 1); [Map] static U M2(T t) => new(t.Id, 2); [Filter] static bool F(U u) => true; }",
        [DiagnosticIds.PipelineInputSchemasDiffer] = P + "[Filter] static bool A(T t) => true; [Filter] static bool B(V v) => true; }",
        [DiagnosticIds.FromSchemaMismatch] = P + "[Filter] static bool A(T t) => true; [Map(From = nameof(A))] static V M(U u) => new(\"x\"); }",
        [DiagnosticIds.StageUnreachable] = "[Pipeline(\"p\", Input = typeof(T))] public static partial class P { [Filter] static bool F(T t) => t.Amount > 0; [Filter] static bool G(U u) => u.Score > 0; }",
        [DiagnosticIds.PipelineHasNoStages] = P + "}",
        [DiagnosticIds.FromColumnMissing] = P + "[Filter] static bool F(T t) => t.Amount > 0; [Filter(From = nameof(F))] static bool G(U u) => u.Score > 0; }",
        [DiagnosticIds.FromColumnTypeMismatch] = "[Schema] public partial record N(long Id, float Amount);\n" + P + "[Filter] static bool F(T t) => t.Id > 0; [Map(From = nameof(F))] static U M(N n) => new(n.Id, n.Amount); }",
        [DiagnosticIds.FromColumnNullability] = "[Schema] public partial record L(long Id, double Session);\n" + P + "[Filter] static bool F(T t) => t.Id > 0; [Map(From = nameof(F))] static U M(L l) => new(l.Id, l.Session); }",
        [DiagnosticIds.UniqueNotOnInput] = "[Schema] public partial record W(long Id, [property: Unique] double Score);\n" + P + "[Map] static W M(T t) => new(t.Id, t.Amount); }",
        [DiagnosticIds.GateInvalid] = "[Pipeline(\"p\")] [Gate(GateMetric.Min, Column = \"Name\")] public static partial class P { [Filter] static bool F(T t) => t.Id > 0; }",
        [DiagnosticIds.FitNeedsItsOwnRecord] = P + "[Filter] static bool F(T t, Scaling s) => t.Amount > s.Mean; [Fit(From = nameof(F))] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), 1); }",
        [DiagnosticIds.FitRecordNotUnique] = P + "[Map] static U M(T t, Scaling s) => new(t.Id, t.Amount - s.Mean); [Fit] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), 1); [Fit] static Scaling R(FitData<T> d) => new(d.Median(t => t.Amount), 1); }",
        [DiagnosticIds.FitRecordUnused] = P + "[Map] static U M(T t) => new(t.Id, t.Amount); [Fit] static Scaling S(FitData<T> d) => new(d.Mean(t => t.Amount), 1); }",
        [DiagnosticIds.AggregateOutputInvalid] = P + "[Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), -g.Sum(t => t.Amount)); }",
        [DiagnosticIds.AggregateOutputTypeMismatch] = P + "[Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), g.Count()); }",
        [DiagnosticIds.AggregateKeyInvalid] = P + "[Aggregate] static U A(Group<T> g) => new(g.Count(), g.Sum(t => t.Amount)); }",
        [DiagnosticIds.JoinOutputInvalid] = P + "[Join(Table = \"u\", On = new[] { nameof(T.Id) })] static U J(T l, U r) => new(l.Id, l.Amount + r.Score); }",
        [DiagnosticIds.JoinKeyInvalid] = P + "[Join(Table = \"u\")] static U J(T l, U r) => new(l.Id, r.Score); }",
        [DiagnosticIds.SplitInvalid] = P + "[Map] [Split(Key = new[] { nameof(U.Id) }, Names = new[] { \"all\" }, Fractions = new[] { 1.0 })] static U M(T t) => new(t.Id, t.Amount); }",
        [DiagnosticIds.SplitNotOnSink] = P + "[Filter] [Split(Key = new[] { nameof(T.Id) })] static bool F(T t) => t.Amount > 0; [Map(From = nameof(F))] static U M(T t) => new(t.Id, t.Amount); }",
        [DiagnosticIds.BarrierSkipsInputRules] = "[Schema] public partial record Q(long Id, [property: Range(0, 10)] double Amount); " + P + "[Aggregate(By = new[] { nameof(Q.Id) })] static U A(Group<Q> g) => new(g.Key(q => q.Id), g.Sum(q => q.Amount)); }",
        [DiagnosticIds.FitAfterBarrier] = P + "[Aggregate(By = new[] { nameof(T.Id) })] static U A(Group<T> g) => new(g.Key(t => t.Id), g.Sum(t => t.Amount)); [Map(From = nameof(A))] static U M(U u, Scaling s) => new(u.Id, u.Score - s.Mean); [Fit(From = nameof(A))] static Scaling S(FitData<U> d) => new(d.Mean(u => u.Score), 1); }",
        [DiagnosticIds.ModelFileInvalid] = P + "[Score(\"models/missing.json\")] static U S(T t, float p) => new(t.Id, p); }",
        [DiagnosticIds.ModelDoesNotFitStage] = P + "[Score(\"models/tiny.json\")] static U S(T t, float a, float b) => new(t.Id, a + b); }",
        [DiagnosticIds.KernelFallback] = P + "[Filter] static bool F(T t) => Check(t); static bool Check(T t) { return t.Id > 0; } }",
        [DiagnosticIds.VectorBlockDeclined] = P + "[Map] static U M(T t) => new(t.Id, Math.Round(t.Amount, (int)t.Id)); }",
    };

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (string id in s_snippets.Keys.Order(StringComparer.Ordinal))
        {
            data.Add(id);
        }
        return data;
    }

    [Fact]
    public void TheTable_HasASnippetForEveryIdOfTheCatalog()
    {
        Assert.Equal(
            DiagnosticDescriptors.All.Select(d => d.Id).Order(StringComparer.Ordinal),
            s_snippets.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Snippet_ReportsTheRule_WithItsDefaultSeverity(string id)
    {
        Diagnostic diagnostic = Assert.Single(Reported(Header + s_snippets[id], id));
        Assert.Equal(DiagnosticDescriptors.ById(id).DefaultSeverity, diagnostic.Severity);
        // A location in the snippet's own tree, not an external file: pragmas and .editorconfig only apply there.
        Assert.True(diagnostic.Location.IsInSource, $"{id} is reported at {diagnostic.Location.Kind}.");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void PragmaWarningDisable_SuppressesIt(string id)
    {
        Assert.Empty(Reported("#pragma warning disable " + id + "\n" + Header + s_snippets[id], id));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EditorConfigSeverityNone_SuppressesIt(string id)
    {
        Assert.Empty(Reported(Header + s_snippets[id], id, "[*.cs]\ndotnet_diagnostic." + id + ".severity = none\n"));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EditorConfigSeverityError_MakesItAnError(string id)
    {
        Diagnostic diagnostic = Assert.Single(Reported(Header + s_snippets[id], id, "[*.cs]\ndotnet_diagnostic." + id + ".severity = error\n"));
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EditorConfigSeverityWarning_MakesItAWarning(string id)
    {
        Diagnostic diagnostic = Assert.Single(Reported(Header + s_snippets[id], id, "[*.cs]\ndotnet_diagnostic." + id + ".severity = warning\n"));
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
    }

    [Fact]
    public void EditorConfigForAnotherFolder_LeavesItAlone()
    {
        string id = DiagnosticIds.VectorBlockDeclined;
        Assert.Single(Reported(Header + s_snippets[id], id, "[other/*.cs]\ndotnet_diagnostic." + id + ".severity = none\n"));
    }

    [Fact]
    public void BuildIds_AreMSBuildDiagnostics_NotInTheRoslynCatalog()
    {
        string[] pages = Directory.GetFiles(Path.Combine(DiagnosticTests.RepositoryRoot(), "docs", "diagnostics"), "DSL5*.md");
        Assert.NotEmpty(pages);
        foreach (string page in pages)
        {
            string id = Path.GetFileNameWithoutExtension(page);
            Assert.DoesNotContain(DiagnosticDescriptors.All, d => d.Id == id);
            Assert.Matches(@"\| Severity \| \w+ \(MSBuild[,)]", File.ReadAllText(page));
        }
    }

    /// <summary>
    /// The unsuppressed diagnostics with <paramref name="id"/> that generators and analyzers report over
    /// <paramref name="source"/>, with <paramref name="editorConfig"/> (an .editorconfig next to the file) applied
    /// the way the compiler applies it.
    /// </summary>
    private static List<Diagnostic> Reported(string source, string id, string? editorConfig = null)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
        if (editorConfig is not null)
        {
            compilation = compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new EditorConfigOptions(editorConfig)));
        }
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        return generatorDiagnostics
            .AddRange(AnalyzerRunner.Analyze(output))
            .Where(d => d.Id == id && !d.IsSuppressed && d.Severity != DiagnosticSeverity.Hidden)
            .ToList();
    }

    /// <summary>
    /// Diagnostic severities from one .editorconfig at the root of the snippet's folder, parsed and matched by
    /// Roslyn's own <see cref="AnalyzerConfigSet"/>, as the compiler does for the files of a build.
    /// </summary>
    private sealed class EditorConfigOptions(string text) : SyntaxTreeOptionsProvider
    {
        private const string Root = "/snippet";

        private readonly AnalyzerConfigSet _set = AnalyzerConfigSet.Create(ImmutableArray.Create(AnalyzerConfig.Parse(text, Root + "/.editorconfig")));

        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            _set.GetOptionsForSourcePath(Root + "/" + tree.FilePath.TrimStart('/')).TreeOptions.TryGetValue(diagnosticId, out severity);

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            _set.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
