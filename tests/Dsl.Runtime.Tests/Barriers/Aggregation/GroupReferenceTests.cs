using Dsl.Barriers.Aggregation;
using static Dsl.Runtime.Tests.Barriers.Aggregation.AggregationTestData;

namespace Dsl.Runtime.Tests.Barriers.Aggregation;

/// <summary>The engine's groups against <see cref="Group{TRow}"/>, the definition it compiles, on random rows.</summary>
public sealed class GroupReferenceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-agg-group-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(1, 1, 1L << 30, 1L << 30)]
    [InlineData(2, 3, 1L << 30, 1L << 30)]
    [InlineData(3, 4, 8_000, 20_000)]
    public void RandomRows_MatchGroup(int seed, int tasks, long partialMemory, long mergeMemory)
    {
        List<AggRow> rows = Rows(4000, seed);
        List<RecordBatch> batches = ToBatches(rows, 300);

        EngineRun run = Run(Layout(), Tasks(batches, tasks), _root, buckets: 3, partialMemory, mergeMemory);

        var expected = rows.GroupBy(r => KeyText(r.K, r.K2)).ToDictionary(g => g.Key, g => Expected(new Group<AggRow>(g.ToList())));
        Assert.Equal(expected.Count, run.Rows.Count);
        foreach (object?[] actual in run.Rows)
        {
            string key = KeyText(actual[0], actual[1]);
            Assert.True(expected.TryGetValue(key, out object?[]? want), $"The engine made a group {key} that the rows do not have.");
            AssertRow(want, actual, key);
        }
        if (partialMemory < 1L << 20)
        {
            Assert.True(run.PartialSpills > 0, "The small budget should have made the partial aggregators spill.");
        }
    }

    [Fact]
    public void FirstAndLast_BreakOrderTiesByValue_NullValueSmallest()
    {
        AggRow[] rows =
        [
            new("a", 1, 5.0, 1, 1, "m", 1, 3),
            new("a", 1, 2.0, 1, 1, "z", 1, 3),
            new("a", 1, null, 1, 1, null, 1, 3),
            new("a", 1, 9.0, 1, 1, "b", 1, 1),
            new("a", 1, 7.0, 1, 1, "c", 1, 1),
            new("a", 1, 100.0, 1, 1, "zz", 1, null),
        ];
        // In two tasks, so that the tie is also settled when the partial groups merge.
        var tasks = new List<IReadOnlyList<RecordBatch>> { ToBatches(rows[..2], 10), ToBatches(rows[2..], 10) };

        object?[] actual = Assert.Single(Run(Layout(), tasks, _root).Rows);

        var group = new Group<AggRow>(rows);
        Assert.Equal("b", group.First(r => r.S, r => r.O));
        Assert.Equal("z", group.Last(r => r.S, r => r.O));
        Assert.Equal(7.0, group.First(r => r.X, r => r.O));
        Assert.Equal(5.0, group.Last(r => r.X, r => r.O));
        AssertRow(Expected(group), actual, "ties");
    }

    [Fact]
    public void NoOrderedRow_GivesNull_AndEmptyStatisticsFollowGroup()
    {
        AggRow[] rows = [new("a", null, double.NaN, null, null, null, null, null), new("a", null, null, null, null, null, null, null)];

        object?[] actual = Assert.Single(Run(Layout(), [ToBatches(rows, 10)], _root).Rows);

        AssertRow(Expected(new Group<AggRow>(rows)), actual, "empty statistics");
        Assert.Equal(0L, actual[5]); // Sum of no integers is 0
        Assert.True(double.IsNaN((double)actual[6]!)); // Mean of no values is NaN
        Assert.Null(actual[12]); // Min of only NaN is null
    }

    // One expected output row per Members entry, computed by Group<TRow>.
    private static object?[] Expected(Group<AggRow> g) =>
    [
        g.Key(r => r.K), g.Key(r => r.K2), g.Count(), g.CountValues(r => r.X), g.Sum(r => r.X), g.Sum(r => r.I),
        g.Mean(r => r.X), g.Mean(r => (double?)r.I), g.Variance(r => r.F), g.Std(r => r.F), g.SampleVariance(r => r.F), g.SampleStd(r => r.F),
        g.Min(r => r.X), g.Max(r => r.X), g.Min(r => r.S), g.Max(r => r.S), g.Min(r => r.T), g.Max(r => r.T),
        g.CountDistinct(r => r.S), g.CountDistinct(r => r.I), g.CountDistinct(r => r.X), g.ApproxCountDistinct(r => r.S),
        g.First(r => r.S, r => r.O), g.Last(r => r.S, r => r.O), g.First(r => r.X, r => r.O), g.Last(r => r.X, r => r.O),
    ];
}
