using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Diagnostics;

/// <summary>
/// The barrier rules (DSL2016-DSL2021, DSL3016-DSL3018) with their full messages, and the declaration rules an
/// aggregate or join shares with other stages (DSL2001, DSL2003, DSL2010) and the wiring rule DSL3005.
/// </summary>
public sealed class BarrierRuleTests
{
    private const string Header = TestSources.Usings + """
        namespace D;

        [Schema]
        public partial record T(long Id, double Amount, string? Name, int[] Codes, int Count);

        [Schema]
        public partial record S(long Id, long Rows, double Total);

        [Schema]
        public partial record R(int Id, string Country, string? Nick);

        [Schema]
        public partial record O(long Id, double Amount, string? Country);

        [Schema]
        public partial record N(long Id, string Country);

        [Schema]
        public partial record Q(long Id, [property: Range(0, 10)] double Amount, [property: NotNull] string? Name);

        public sealed record Scale(double Mean);

        public sealed record Plain(long Id);

        """;

    private const string AggregateFixed = """[Aggregate(By = new[] { nameof(T.Id) })] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), g.Sum(t => t.Amount));""";

    private const string JoinFixed = """[Join(Table = "r", On = new[] { nameof(T.Id) }, Kind = JoinKind.Left)] static O J(T l, R? r) => new(l.Id, l.Amount, r?.Country);""";

    private static string Pipeline(string members) => Header + """[Pipeline("p")] public static partial class P { """ + members + " }";

    public static TheoryData<string, string, string, string> Cases => new()
    {
        {
            DiagnosticIds.AggregateOutputInvalid,
            """[Aggregate(By = new[] { nameof(T.Id) })] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), [|g.Sum(t => t.Amount) + 1|]);""",
            "Aggregate stage 'A' of pipeline 'p': member 'Total' of 'S' is 'g.Sum(t => t.Amount) + 1', which is not one call on 'g'; give every member of the result one call on the Group parameter (Key, Count, CountValues, Sum, Mean, Variance, Std, SampleVariance, SampleStd, Min, Max, CountDistinct, ApproxCountDistinct, First, Last, ArgMax or ArgMin) whose selectors return one member of the row, such as 'g.Sum(t => t.Amount)'",
            AggregateFixed
        },
        {
            DiagnosticIds.AggregateOutputInvalid,
            """[Aggregate(By = new[] { nameof(T.Id) })] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), [|g.Sum(t => t.Amount * 2)|]);""",
            "Aggregate stage 'A' of pipeline 'p': member 'Total' of 'S' is 'g.Sum(t => t.Amount * 2)', whose selector does not return a member of 't' unchanged; give every member of the result one call on the Group parameter (Key, Count, CountValues, Sum, Mean, Variance, Std, SampleVariance, SampleStd, Min, Max, CountDistinct, ApproxCountDistinct, First, Last, ArgMax or ArgMin) whose selectors return one member of the row, such as 'g.Sum(t => t.Amount)'",
            AggregateFixed
        },
        {
            DiagnosticIds.AggregateOutputInvalid,
            """[Aggregate(By = new[] { nameof(T.Id) })] static S A(Group<T> g) => [|Make(g)|]; static S Make(Group<T> g) => new(1, g.Count(), 0);""",
            "Aggregate stage 'A' of pipeline 'p': it returns 'Make(g)', which is not 'new S(...)'; give every member of the result one call on the Group parameter (Key, Count, CountValues, Sum, Mean, Variance, Std, SampleVariance, SampleStd, Min, Max, CountDistinct, ApproxCountDistinct, First, Last, ArgMax or ArgMin) whose selectors return one member of the row, such as 'g.Sum(t => t.Amount)'",
            AggregateFixed
        },
        {
            DiagnosticIds.AggregateOutputTypeMismatch,
            """[Aggregate(By = new[] { nameof(T.Id) })] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), [|g.Count()|]);""",
            "'g.Count()' for member 'Total' of 'S' in aggregate stage 'A' of pipeline 'p' gives a long, but the member is 'double'; declare it 'long'",
            AggregateFixed
        },
        {
            DiagnosticIds.AggregateOutputTypeMismatch,
            """[Aggregate(By = new[] { nameof(T.Id) })] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), g.Sum(t => t.Amount)) { Total = [|g.Max(t => t.Count)|] };""",
            "'g.Max(t => t.Count)' for member 'Total' of 'S' in aggregate stage 'A' of pipeline 'p' gives an int, but the member is 'double'; declare it 'int'",
            AggregateFixed
        },
        {
            DiagnosticIds.AggregateKeyInvalid,
            """[Aggregate([|By = new[] { "Nope" }|])] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), g.Sum(t => t.Amount));""",
            "Aggregate stage 'A' of pipeline 'p' groups by 'Nope', which is not a member of 'T' (its members are Id, Amount, Name, Codes, Count)",
            AggregateFixed
        },
        {
            DiagnosticIds.AggregateKeyInvalid,
            """[Aggregate(By = new[] { nameof(T.Id) })] static S A(Group<T> g) => new([|g.Key(t => t.Count)|], g.Count(), g.Sum(t => t.Amount));""",
            "Aggregate stage 'A' of pipeline 'p' fills member 'Id' with 'g.Key(t => t.Count)', but 'Count' is not one of its By columns (Id); add it to By, or use another function such as Max",
            AggregateFixed
        },
        {
            DiagnosticIds.JoinOutputInvalid,
            """[Join(Table = "r", On = new[] { nameof(T.Id) }, Kind = JoinKind.Left)] static O J(T l, R? r) => new(l.Id, l.Amount, [|r?.Country.ToUpperInvariant()|]);""",
            "Join stage 'J' of pipeline 'p' fills member 'Country' of 'O' with 'r?.Country.ToUpperInvariant()', which is not a member of 'l' or 'r'; copy one column of either side, such as 'r?.Id', and compute anything else in a Map stage after the join",
            JoinFixed
        },
        {
            DiagnosticIds.JoinOutputInvalid,
            """[Join(Table = "r", On = new[] { nameof(T.Id) }, Kind = JoinKind.Left)] static S J(T l, R? r) => new(l.Id, [|r?.Id ?? 0|], l.Amount);""",
            "Join stage 'J' of pipeline 'p' fills member 'Rows' of 'S' with 'r?.Id ?? 0', which is not a member of 'l' or 'r'; copy one column of either side, such as 'r?.Id', and compute anything else in a Map stage after the join",
            JoinFixed
        },
        {
            DiagnosticIds.JoinOutputInvalid,
            """[Join(Table = "r", On = new[] { nameof(T.Id) }, Kind = JoinKind.Left)] static N J(T l, R? r) => new(l.Id, [|r!.Country|]);""",
            "Join stage 'J' of pipeline 'p' fills non-nullable member 'Country' of 'N' with 'r!.Country', which may be null (a left join has no right row where no row of the table matches); declare it 'string?'",
            JoinFixed
        },
        {
            DiagnosticIds.JoinOutputInvalid,
            """[Join(Table = "r", On = new[] { nameof(T.Id) }, Kind = JoinKind.Semi)] static T J(T l, R r) => [|l with { Amount = 0 }|];""",
            "Join stage 'J' of pipeline 'p' is a semi join, which keeps or drops its left rows unchanged, but returns 'l with { Amount = 0 }'; return 'l' itself",
            """[Join(Table = "r", On = new[] { nameof(T.Id) }, Kind = JoinKind.Semi)] static T J(T l, R r) => l;"""
        },
        {
            DiagnosticIds.JoinKeyInvalid,
            """[[|Join(On = new[] { nameof(T.Id) }, Kind = JoinKind.Left)|]] static O J(T l, R? r) => new(l.Id, l.Amount, r?.Country);""",
            "Join stage 'J' of pipeline 'p' names no table; set Table = \"name\" to the table its right side 'R' is read from (tables: in pipeline.yaml, or --table NAME=PATH)",
            JoinFixed
        },
        {
            DiagnosticIds.JoinKeyInvalid,
            """[Join(Table = "r", [|On = new[] { nameof(T.Name) }|], RightOn = new[] { nameof(R.Id) }, Kind = JoinKind.Left)] static O J(T l, R? r) => new(l.Id, l.Amount, r?.Country);""",
            "Join stage 'J' of pipeline 'p' joins 'T.Name' (string) with 'R.Id' (int), which cannot be compared; key columns have the same type, or whole-number types of which one widens to the other",
            JoinFixed
        },
        {
            DiagnosticIds.SplitInvalid,
            """[Map] [Split(Key = new[] { nameof(S.Id) }, Names = new[] { "train", "test" }, [|Fractions = new[] { 0.8, 0.1 }|])] static S M(T t) => new(t.Id, 1, t.Amount);""",
            "[Split] on stage 'M' of pipeline 'p': its fractions sum to 0.9; they must sum to 1",
            """[Map] [Split(Key = new[] { nameof(S.Id) }, Names = new[] { "train", "test" }, Fractions = new[] { 0.8, 0.2 })] static S M(T t) => new(t.Id, 1, t.Amount);"""
        },
        {
            DiagnosticIds.SplitInvalid,
            """[Map] [Split(Key = new[] { nameof(S.Id) }, [|Names = new[] { "train", "Train", "test" }|])] static S M(T t) => new(t.Id, 1, t.Amount);""",
            "[Split] on stage 'M' of pipeline 'p': subset name 'Train' appears twice (folder names are compared ignoring case); give every subset its own name",
            """[Map] [Split(Key = new[] { nameof(S.Id) }, Names = new[] { "train", "tune", "test" })] static S M(T t) => new(t.Id, 1, t.Amount);"""
        },
        {
            DiagnosticIds.SplitNotOnSink,
            """[Filter] [[|Split(Key = new[] { nameof(T.Id) })|]] static bool F(T t) => t.Amount > 0; [Map(From = nameof(F))] static S M(T t) => new(t.Id, 1, t.Amount);""",
            "[Split] on 'F' of pipeline 'p' splits nothing: its output is not written but read by 'M'; put it on the stage whose output is written (the last stage of an output, or an aggregate or join that no stage reads)",
            """[Filter] static bool F(T t) => t.Amount > 0; [Map(From = nameof(F))] [Split(Key = new[] { nameof(S.Id) })] static S M(T t) => new(t.Id, 1, t.Amount);"""
        },
        {
            DiagnosticIds.BarrierSkipsInputRules,
            """[Aggregate(By = new[] { nameof(Q.Id) })] static S [|A|](Group<Q> g) => new(g.Key(q => q.Id), g.Count(), g.Sum(q => q.Amount));""",
            "Aggregate stage 'A' of pipeline 'p' reads the pipeline input directly, so the rules on its input schema 'Q' (Amount.Range, Name.NotNull) would not be checked on the rows it reads; let it read a row stage instead, for example '[Filter] static bool Checked(Q row) => true' with From = nameof(Checked)",
            """[Filter] static bool C(Q q) => true; [Aggregate(By = new[] { nameof(Q.Id) }, From = nameof(C))] static S A(Group<Q> g) => new(g.Key(q => q.Id), g.Count(), g.Sum(q => q.Amount));"""
        },
        {
            DiagnosticIds.FitAfterBarrier,
            """[Filter] static bool V(T t) => t.Amount > 0; [Aggregate(By = new[] { nameof(T.Id) }, From = nameof(V))] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), g.Sum(t => t.Amount)); [Map(From = nameof(A))] static S M(S s, Scale k) => new(s.Id, s.Rows, s.Total / k.Mean); [Fit(From = [|nameof(A)|])] static Scale F(FitData<S> d) => new(d.Mean(s => s.Total));""",
            "Fit stage 'F' of pipeline 'p' observes the rows of 'A', the output of aggregate stage 'A'; fits over the output of an aggregate or join are not supported yet, so let the fit observe a stage before 'A' (From = nameof(...))",
            """[Filter] static bool V(T t) => t.Amount > 0; [Aggregate(By = new[] { nameof(T.Id) }, From = nameof(V))] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), g.Sum(t => t.Amount)); [Map(From = nameof(A))] static S M(S s, Scale k) => new(s.Id, s.Rows, s.Total / k.Mean); [Fit(From = nameof(V))] static Scale F(FitData<T> d) => new(d.Mean(t => t.Amount));"""
        },
        {
            DiagnosticIds.FitAfterBarrier,
            """[Filter] static bool V(T t) => t.Amount > 0; [Join(Table = "r", On = new[] { nameof(T.Id) }, Kind = JoinKind.Semi, From = nameof(V))] static T J(T l, R r) => l; [Map(From = nameof(J))] static S M(T t, Scale k) => new(t.Id, 1, t.Amount / k.Mean); [Filter(From = nameof(M))] static bool Q(S s) => s.Total > 0; [Fit(From = [|nameof(Q)|])] static Scale F(FitData<S> d) => new(d.Mean(s => s.Total));""",
            "Fit stage 'F' of pipeline 'p' observes the rows of 'Q', which come after join stage 'J'; fits over the output of an aggregate or join are not supported yet, so let the fit observe a stage before 'J' (From = nameof(...))",
            """[Filter] static bool V(T t) => t.Amount > 0; [Join(Table = "r", On = new[] { nameof(T.Id) }, Kind = JoinKind.Semi, From = nameof(V))] static T J(T l, R r) => l; [Map(From = nameof(J))] static S M(T t, Scale k) => new(t.Id, 1, t.Amount / k.Mean); [Fit(From = nameof(V))] static Scale F(FitData<T> d) => new(d.Mean(t => t.Amount));"""
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_FiresOnceAtTheMarkedSpan_WithItsMessage_AndNotOnTheFix(string id, string failing, string message, string fixedMembers)
    {
        RuleAssert.FiresOnceAndNotOnTheFix(id, DiagnosticSeverity.Error, message, Pipeline(failing), Pipeline(fixedMembers));
    }

    [Theory]
    [InlineData("[Aggregate(By = new[] { nameof(T.Id) })] static S [|A|](T t) => new(t.Id, 1, t.Amount);", "2003", "Stage 'A' of pipeline 'p' must be declared as 'static TOut A(Group<TRow> g)'; change its parameters or return type to match")]
    [InlineData("[Join(Table = \"r\", On = new[] { nameof(T.Id) }, Kind = JoinKind.Anti)] static O [|J|](T l, R r) => new(l.Id, l.Amount, r.Country);", "2003", "Stage 'J' of pipeline 'p' must be declared as 'static TLeft J(TLeft l, TRight r), returning l'; change its parameters or return type to match")]
    [InlineData("[Join(Table = \"r\", On = new[] { nameof(T.Id) })] static O J(T l, [|Plain|] r) => new(l.Id, l.Amount, null);", "2001", "Stage 'J' of pipeline 'p' uses type 'D.Plain' as its table, but 'D.Plain' has no [Schema] attribute; mark 'D.Plain' with [Schema] or use a schema record")]
    [InlineData("[Join(Table = \"r\", On = new[] { nameof(T.Id) })] static O J(T l, [|in R r|]) => new(l.Id, l.Amount, r.Country);", "2010", "Parameter 'r' of stage 'J' of pipeline 'p' is declared 'in'; stage parameters are passed by value, so remove the 'in' modifier")]
    public void BarrierDeclarations_ShareTheStageSignatureRules(string failing, string id, string message)
    {
        RuleAssert.FiresOnceAndNotOnTheFix("DSL" + id, DiagnosticSeverity.Error, message, Pipeline(failing), Pipeline(failing.Contains("Aggregate", StringComparison.Ordinal) ? AggregateFixed : JoinFixed));
    }

    [Fact]
    public void AggregateFromAStageOfAnotherSchema_ReportsDSL3005()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.FromSchemaMismatch,
            DiagnosticSeverity.Error,
            "Stage 'A' reads schema 'T' but its From stage 'M' produces 'O'; change From or the stage's parameter type",
            Pipeline("[Map] static O M(T t) => new(t.Id, t.Amount, null); [Aggregate(By = new[] { nameof(T.Id) }, From = [|nameof(M)|])] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), g.Sum(t => t.Amount));"),
            Pipeline("[Filter] static bool M(T t) => t.Amount > 0; [Aggregate(By = new[] { nameof(T.Id) }, From = nameof(M))] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), g.Sum(t => t.Amount));"));
    }

    [Theory]
    [InlineData("[[|Split(Key = new[] { nameof(S.Id) })|]] static S Helper(T t) => new(t.Id, 1, t.Amount); [Map] static S M(T t) => new(t.Id, 1, t.Amount);", "'Helper' is not a stage")]
    [InlineData("[Map] static S M(T t, Scale k) => new(t.Id, 1, t.Amount / k.Mean); [Fit] [[|Split(Key = new[] { nameof(T.Id) })|]] static Scale F(FitData<T> d) => new(d.Mean(t => t.Amount));", "'F' is a fit stage, which computes a parameter record and writes no rows")]
    [InlineData("[Aggregate(By = new[] { nameof(T.Id) })] [[|Split(Key = new[] { nameof(S.Id) })|]] static S A(Group<T> g) => new(g.Key(t => t.Id), g.Count(), g.Sum(t => t.Amount)); [Filter] static bool F(S s) => s.Rows > 1;", "its output is not written but read by 'F'")]
    public void SplitOnAMethodWhoseRowsAreNotWritten_ReportsDSL3016(string members, string why)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(Pipeline(members));
        Diagnostic diagnostic = Assert.Single(AnalyzerRunner.Everything(source, out GeneratorRun run), d => d.Id == DiagnosticIds.SplitNotOnSink);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Contains("splits nothing: " + why + "; put it on", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.DoesNotContain(run.Result.Results.SelectMany(r => r.GeneratedSources), g => g.HintName.EndsWith(".P.Plan.g.cs", StringComparison.Ordinal));
    }
}
