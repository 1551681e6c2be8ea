using Dsl.Barriers.Splits;
using Dsl.Execution;
using static Dsl.Runtime.Tests.Barriers.SplitTestData;

namespace Dsl.Runtime.Tests.Barriers;

/// <summary>Plain (not stratified) splits by <see cref="SplitAssigner"/>.</summary>
public sealed class SplitAssignerTests
{
    private static RecordBatch Users(int rows, int countries = 12)
    {
        string[] codes = [.. Enumerable.Range(0, countries).Select(c => $"C{c}")];
        return Batch(
            ("UserId", Longs([.. Enumerable.Range(0, rows).Select(i => (long?)(1_000_003L * i))])),
            ("Country", Strings([.. Enumerable.Range(0, rows).Select(i => i % 97 == 0 ? null : codes[i % countries])])),
            ("Label", Bools([.. Enumerable.Range(0, rows).Select(i => (bool?)(i % 5 == 0))])));
    }

    [Fact]
    public void Assign_MatchesPythonReference()
    {
        using RecordBatch batch = Users(20_000);
        foreach (SplitPlan plan in new[] { Plan(["UserId", "Country"], [0.7, 0.2, 0.1], seed: 123), Plan(["Country"], [0.5, 0.5], seed: -1, names: ["a", "b"]) })
        {
            (_, int[] expected) = SplitReference.Run(plan, batch);
            Assert.Equal(expected, Assign(new SplitAssigner(plan, batch.Schema), batch));
        }
    }

    [Fact]
    public void Assign_SameSubsetsInAnyRowOrderAndPartitioning()
    {
        using RecordBatch batch = Users(30_000);
        var assigner = new SplitAssigner(Plan(["UserId", "Country"]), batch.Schema);
        int[] whole = Assign(assigner, batch);
        Assert.Equal(whole, AssignShuffled(assigner, batch, seed: 1, pieces: 1));
        Assert.Equal(whole, AssignShuffled(assigner, batch, seed: 2, pieces: 4));
        Assert.Equal(whole, AssignShuffled(new SplitAssigner(Plan(["UserId", "Country"]), batch.Schema), batch, seed: 3, pieces: 9));
    }

    [Theory]
    [InlineData(new[] { 0.8, 0.1, 0.1 })]
    [InlineData(new[] { 0.5, 0.5 })]
    [InlineData(new[] { 0.01, 0.09, 0.3, 0.6 })]
    public void Assign_ProportionsWithinBinomialBounds(double[] fractions)
    {
        const int rows = 200_000;
        using RecordBatch batch = Users(rows);
        string[] names = [.. fractions.Select((_, i) => $"s{i}")];
        int[] subsets = Assign(new SplitAssigner(Plan(["UserId"], fractions, names: names), batch.Schema), batch);
        for (int k = 0; k < fractions.Length; k++)
        {
            // Distinct keys make each subset's count binomial(rows, f); 4.5 standard deviations.
            double expected = rows * fractions[k];
            double sigma = Math.Sqrt(rows * fractions[k] * (1 - fractions[k]));
            int count = subsets.Count(s => s == k);
            Assert.True(Math.Abs(count - expected) <= 4.5 * sigma, $"subset {k}: {count} rows, expected {expected} ± {4.5 * sigma:F0}");
        }
    }

    [Fact]
    public void Assign_RowsWithOneKeyStayTogether()
    {
        long[] keys = SkewedKeys(3000, 400);
        using RecordBatch batch = Batch(("UserId", Longs([.. keys.Select(k => (long?)k)])), ("Row", Longs([.. keys.Select((_, i) => (long?)i)])));
        int[] subsets = AssignShuffled(new SplitAssigner(Plan(["UserId"]), batch.Schema), batch, seed: 5, pieces: 6);
        foreach (IGrouping<long, int> user in Enumerable.Range(0, keys.Length).GroupBy(i => keys[i]))
        {
            Assert.Single(user.Select(i => subsets[i]).Distinct());
        }
        Assert.Equal(3, subsets.Distinct().Count());
    }

    [Fact]
    public void Assign_AnotherSeedGivesAnotherSplit()
    {
        const int rows = 50_000;
        using RecordBatch batch = Users(rows);
        int[] first = Assign(new SplitAssigner(Plan(["UserId"], seed: 1), batch.Schema), batch);
        Assert.Equal(first, Assign(new SplitAssigner(Plan(["UserId"], seed: 1), batch.Schema), batch));
        int[] second = Assign(new SplitAssigner(Plan(["UserId"], seed: 2), batch.Schema), batch);
        // Independent splits agree on a row with probability 0.8² + 0.1² + 0.1² = 0.66.
        double changed = Enumerable.Range(0, rows).Count(i => first[i] != second[i]) / (double)rows;
        Assert.InRange(changed, 0.33, 0.35);
    }

    [Fact]
    public void Cumulative_EndsAtOneExactly()
    {
        double[] cumulative = SplitCuts.Cumulative([0.3, 0.3, 0.4 - 1e-10]);
        Assert.Equal(1.0, cumulative[^1]);
        Assert.Equal(0.3, cumulative[0]);
        Assert.Equal(0.3 + 0.3, cumulative[1]);
    }

    [Fact]
    public void FolderName_IsSplitEqualsName()
    {
        using RecordBatch batch = Users(10);
        var assigner = new SplitAssigner(Plan(["UserId"]), batch.Schema);
        Assert.Equal(["split=train", "split=validation", "split=test"], Enumerable.Range(0, assigner.SubsetCount).Select(assigner.FolderName));
    }

    [Fact]
    public void Constructor_CutsMissingForStratifiedOrGivenForPlain_Fails()
    {
        using RecordBatch batch = Users(100);
        var stratified = Plan(["UserId"], stratifyBy: "Label");
        Assert.Contains("needs the cuts", Assert.Throws<ArgumentException>(() => new SplitAssigner(stratified, batch.Schema)).Message);
        var histogram = new StrataHistogram(stratified, batch.Schema);
        histogram.Add(batch);
        SplitCuts cuts = histogram.ComputeCuts();
        Assert.Contains("takes no cuts", Assert.Throws<ArgumentException>(() => new SplitAssigner(Plan(["UserId"]), batch.Schema, cuts)).Message);
        Assert.Contains("not for this split", Assert.Throws<ArgumentException>(() => new SplitAssigner(stratified with { Seed = 99 }, batch.Schema, cuts)).Message);
    }

    [Fact]
    public void Constructor_InvalidPlan_FailsWithTheValidationMessage()
    {
        using RecordBatch batch = Users(10);
        var error = Assert.Throws<ArgumentException>(() => new SplitAssigner(Plan(["Nope"]), batch.Schema));
        Assert.Contains("key column 'Nope'", error.Message);
    }
}
