using System.Reflection;
using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Validation;

namespace Dsl.Generators.Tests.ScoreStages;

/// <summary>
/// <c>CompiledPipeline.ScoreOne&lt;TIn, TOut&gt;(row)</c> runs one row through the kernels a batch run uses: the same
/// predictions as the batch, null for a row a filter drops, <see cref="RowRejectedException"/> for a row a quarantine
/// rule refuses, and a clear refusal where no chain of row stages leads to the output.
/// </summary>
public sealed class ScoreOneTests
{
    private const string Source = TestSources.Usings + """
        namespace O;

        [Schema] public partial record Txn(long Id, [property: Range(-1_000, 1_000)] double Amount);
        [Schema] public partial record Features(long Id, double Amount);
        [Schema] public partial record Scored(long Id, float Probability, float Margin);
        [Schema] public partial record Total(long Id, double Sum);

        [Pipeline("one")]
        public static partial class One
        {
            [Filter] static bool Positive(Txn t) => t.Amount >= 0;

            [Map(From = nameof(Positive))] static Features Featurize(Txn t) => new(t.Id, t.Amount * 2);

            [Score("models/tiny.json", From = nameof(Featurize))]
            static Scored Predict(Features f, float probability) => new(f.Id, probability, (float)Math.Log(probability / (1 - probability)));

            [Aggregate(By = new[] { nameof(Features.Id) }, From = nameof(Featurize))]
            static Total Sum(Group<Features> g) => new(g.Key(f => f.Id), g.Sum(f => f.Amount));
        }
        """;

    [Fact]
    public void ScoreOne_GivesWhatTheBatchGives_RowByRow()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline compiled = snippet.Pipeline("O.One");
        Type txn = snippet.Type("O.Txn");
        List<object> rows = [.. new[] { 0.0, 12.5, 49.9, 50.0, 51.0, 400.0, -3.0 }.Select((a, i) => Activator.CreateInstance(txn, (long)i, a)!)];

        // The batch: both segments in turn, as a run does.
        using RecordBatch input = LoadedSnippet.ToBatch(txn, rows);
        var violations = new RowViolations();
        using RecordBatch features = compiled.Kernels[compiled.Plan.Segments.Single(s => s.Stages.Contains("Featurize") && !s.FitOnly).Index](input, violations);
        using RecordBatch scored = compiled.Kernels[compiled.Plan.Segments.Single(s => s.Stages.Contains("Predict")).Index](features, violations);
        List<object> batch = LoadedSnippet.ReadRows(snippet.Type("O.Scored"), scored);

        var single = rows.Select(r => ScoreOne(compiled, snippet, r)).ToList();
        Assert.Null(single[6]); // Amount -3: the filter drops it
        Assert.Equal(batch, single.Where(s => s is not null));
        // The tiny model: doubled amounts below 100 score margin -0.5, the rest +0.5 (its base margin is 0).
        Assert.Equal(
            [1 / (1 + MathF.Exp(0.5f)), 1 / (1 + MathF.Exp(0.5f)), 1 / (1 + MathF.Exp(0.5f)), 1 / (1 + MathF.Exp(-0.5f)), 1 / (1 + MathF.Exp(-0.5f)), 1 / (1 + MathF.Exp(-0.5f))],
            batch.Select(b => (float)b.GetType().GetProperty("Probability")!.GetValue(b)!));
    }

    [Fact]
    public void ScoreOne_OfARowARuleQuarantines_ThrowsNamingTheRule()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        object row = Activator.CreateInstance(snippet.Type("O.Txn"), 1L, 5_000.0)!;
        var refused = Assert.IsType<RowRejectedException>(Assert.Throws<TargetInvocationException>(() => ScoreOne(snippet.Pipeline("O.One"), snippet, row)).InnerException);
        Assert.Equal("Txn.Amount.Range", refused.Rule);
        Assert.Equal(RuleAction.Quarantine, refused.Action);
    }

    [Fact]
    public void ScoreOne_OfARowADropRuleDrops_IsNull()
    {
        string dropping = Source.Replace("[property: Range(-1_000, 1_000)]", "[property: Range(-1_000, 1_000, Action = RuleAction.Drop)]", StringComparison.Ordinal);
        using var snippet = LoadedSnippet.Compile(dropping);
        Assert.Null(ScoreOne(snippet.Pipeline("O.One"), snippet, Activator.CreateInstance(snippet.Type("O.Txn"), 1L, 5_000.0)!));
        Assert.NotNull(ScoreOne(snippet.Pipeline("O.One"), snippet, Activator.CreateInstance(snippet.Type("O.Txn"), 2L, 500.0)!));
    }

    [Fact]
    public void ScoreOne_ThroughAnAggregate_IsRefused_SayingWhy()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        object row = Activator.CreateInstance(snippet.Type("O.Txn"), 1L, 5.0)!;
        MethodInfo method = typeof(CompiledPipeline).GetMethod(nameof(CompiledPipeline.ScoreOne))!.MakeGenericMethod(snippet.Type("O.Txn"), snippet.Type("O.Total"));
        var refused = Assert.IsType<InvalidOperationException>(Assert.Throws<TargetInvocationException>(() => method.Invoke(snippet.Pipeline("O.One"), [row])).InnerException);
        Assert.Contains("no chain of row stages from its input Txn to a Total row", refused.Message, StringComparison.Ordinal);
        Assert.Contains("an aggregate or join between them needs every row", refused.Message, StringComparison.Ordinal);
    }

    private static object? ScoreOne(CompiledPipeline compiled, LoadedSnippet snippet, object row) =>
        typeof(CompiledPipeline).GetMethod(nameof(CompiledPipeline.ScoreOne))!
            .MakeGenericMethod(snippet.Type("O.Txn"), snippet.Type("O.Scored"))
            .Invoke(compiled, [row]);
}
