using Dsl.Barriers.Joins;
using static Dsl.Runtime.Tests.Barriers.Joins.JoinTestData;

namespace Dsl.Runtime.Tests.Barriers.Joins;

/// <summary>
/// Broadcast and hash-partitioned joins against DuckDB's answer for the same SQL join, on random rows with null keys,
/// keys repeated on both sides, int keys against long keys, two-column keys, unicode and empty strings, and doubles
/// with NaN and -0.0.
/// </summary>
public sealed class JoinDifferentialTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-join-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string, JoinKind> Cases()
    {
        var data = new TheoryData<string, JoinKind>();
        foreach (string shape in new[] { "long", "int-vs-long", "long+string", "string", "double" })
        {
            foreach (JoinKind kind in Enum.GetValues<JoinKind>())
            {
                data.Add(shape, kind);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BroadcastAndShuffle_MatchDuckDb(string shapeName, JoinKind kind)
    {
        KeyShape shape = Shape(shapeName);
        JoinLayout layout = Layout(shape, kind);
        int domain = shape == DoubleKeys ? 14 : 60;
        using RecordBatch left = Rows(layout.Left, 1500, seed: 11, domain);
        using RecordBatch right = Rows(layout.Right, 700, seed: 12, domain);

        List<RecordBatch> broadcast = Broadcast(layout, left, right);
        var trace = new BucketJoiner.JoinTrace();
        List<RecordBatch> shuffle = Shuffle(layout, left, right, Path.Combine(_root, "buckets"), buckets: 5, memoryBytes: 64L << 20, trace);
        try
        {
            long rows = AssertSameAsDuckDb(layout, left, right, broadcast, _root);
            AssertSameAsDuckDb(layout, left, right, shuffle, _root);
            Assert.True(rows > 0, "the join produced rows");
            Assert.Equal(0, trace.Splits);

            // Broadcast: left rows in order, each one's matches in right order.
            List<(long Lid, long Rid)> pairs = Pairs(broadcast);
            Assert.Equal(pairs.OrderBy(p => p.Lid).ThenBy(p => p.Rid), pairs);
            // Shuffle: the same rows, bucket by bucket.
            Assert.Equal(pairs.Order(), Pairs(shuffle).Order());
        }
        finally
        {
            broadcast.ForEach(b => b.Dispose());
            shuffle.ForEach(b => b.Dispose());
        }
    }

    [Theory]
    [InlineData(JoinKind.Inner)]
    [InlineData(JoinKind.Left)]
    [InlineData(JoinKind.Semi)]
    [InlineData(JoinKind.Anti)]
    public void TinyMemory_SplitsBucketsAgain_AndStillMatchesDuckDb(JoinKind kind)
    {
        JoinLayout layout = Layout(TwoColumnKeys, kind);
        using RecordBatch left = Rows(layout.Left, 3000, seed: 21, domain: 400);
        using RecordBatch right = Rows(layout.Right, 2000, seed: 22, domain: 400);
        var trace = new BucketJoiner.JoinTrace();

        List<RecordBatch> shuffle = Shuffle(layout, left, right, Path.Combine(_root, "buckets"), buckets: 2, memoryBytes: 8 << 10, trace, batchRows: 256);
        try
        {
            Assert.True(trace.Splits > 0, "a bucket was split");
            Assert.True(AssertSameAsDuckDb(layout, left, right, shuffle, _root) > 0);
            // The sub-buckets are deleted once joined.
            Assert.Empty(Directory.GetFiles(Path.Combine(_root, "buckets", "scratch"), "*", SearchOption.AllDirectories));
        }
        finally
        {
            shuffle.ForEach(b => b.Dispose());
        }
    }

    [Theory]
    [InlineData(JoinKind.Inner)]
    [InlineData(JoinKind.Left)]
    [InlineData(JoinKind.Semi)]
    [InlineData(JoinKind.Anti)]
    public void SkewedKey_WithTinyMemory_IsJoinedInChunks_AndMatchesDuckDb(JoinKind kind)
    {
        JoinLayout layout = Layout(LongKeys, kind);
        // Key 7 (stored as -43) on about 70% of the rows of both sides; the rest spread over 50 keys.
        static long Skewed(Random random, int row) => random.Next(10) < 7 ? 7 : random.Next(50);
        using RecordBatch left = Rows(layout.Left, 500, seed: 31, domain: 50, Skewed);
        using RecordBatch right = Rows(layout.Right, 400, seed: 32, domain: 50, Skewed);
        var trace = new BucketJoiner.JoinTrace();

        List<RecordBatch> shuffle = Shuffle(layout, left, right, Path.Combine(_root, "buckets"), buckets: 1, memoryBytes: 1 << 10, trace, batchRows: 32);
        try
        {
            Assert.True(trace.ChunkedJoins > 0, "the skewed key was joined in chunks");
            Assert.True(trace.Chunks > 2, $"several chunks ({trace.Chunks})");
            long rows = AssertSameAsDuckDb(layout, left, right, shuffle, _root);
            Assert.True(rows > 0);
            if (kind is JoinKind.Semi or JoinKind.Anti)
            {
                // Each left row once, whatever the number of chunks it matched in.
                List<long> lids = [.. Pairs(shuffle).Select(p => p.Lid)];
                Assert.Equal(lids.Distinct().Count(), lids.Count);
            }
        }
        finally
        {
            shuffle.ForEach(b => b.Dispose());
        }
    }

    [Theory]
    [InlineData(JoinKind.Left)]
    [InlineData(JoinKind.Semi)]
    [InlineData(JoinKind.Anti)]
    public void OneKeyBucket_IsChunkedWithoutSplitting_AndKeepsLeftOrder(JoinKind kind)
    {
        JoinLayout layout = Layout(LongKeys, kind);
        using RecordBatch left = Rows(layout.Left, 300, seed: 41, domain: 1, (_, _) => 7);
        using RecordBatch right = Rows(layout.Right, 300, seed: 42, domain: 1, (_, _) => 7);
        var trace = new BucketJoiner.JoinTrace();

        List<RecordBatch> shuffle = Shuffle(layout, left, right, Path.Combine(_root, "buckets"), buckets: 1, memoryBytes: 1 << 10, trace, batchRows: 32);
        try
        {
            Assert.Equal(0, trace.Splits);
            Assert.True(trace.Chunks > 2, $"several chunks ({trace.Chunks})");
            Assert.True(AssertSameAsDuckDb(layout, left, right, shuffle, _root) > 0);
            List<long> lids = [.. Pairs(shuffle).Select(p => p.Lid)];
            if (kind == JoinKind.Left)
            {
                // Chunk by chunk in left order, then the unmatched (null-key) rows in left order.
                List<long> unmatched = [.. Pairs(shuffle).Where(p => p.Rid < 0).Select(p => p.Lid)];
                Assert.NotEmpty(unmatched);
                Assert.Equal(unmatched, lids.TakeLast(unmatched.Count));
                Assert.Equal(unmatched.Order(), unmatched);
            }
            else
            {
                Assert.Equal(lids.Order(), lids);
            }
        }
        finally
        {
            shuffle.ForEach(b => b.Dispose());
        }
    }
}
