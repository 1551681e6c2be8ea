using Dsl.Barriers.Joins;
using Dsl.Execution;
using Dsl.Parquet;
using Dsl.Testing;
using static Dsl.Runtime.Tests.Barriers.Joins.JoinTestData;
using static Dsl.Runtime.Tests.Barriers.SplitTestData;

namespace Dsl.Runtime.Tests.Barriers.Joins;

/// <summary>The join engine's parts: key rules, the broadcast table's limits and threads, the bucket writer, the strategy.</summary>
public sealed class JoinEngineTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-join-engine-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void DoubleKeys_NaNMatchesEveryNaN_NegativeZeroMatchesZero_AsInDuckDb()
    {
        JoinLayout layout = Layout(DoubleKeys, JoinKind.Inner);
        double otherNaN = BitConverter.Int64BitsToDouble(0x7FF0000000000123);
        using RecordBatch left = Keyed(layout.Left, Primitive(ColumnType.Double, new double?[] { double.NaN, -0.0, null, 1.5 }));
        using RecordBatch right = Keyed(layout.Right, Primitive(ColumnType.Double, new double?[] { otherNaN, 0.0, null, 2.5 }));
        using BroadcastHashTable table = BroadcastHashTable.Build(layout, [right], "users", long.MaxValue);
        using RecordBatch output = table.Probe(left);

        Assert.Equal([(0L, 0L), (1L, 1L)], Pairs([output]));
        // DuckDB's own rules agree: NaN equals NaN, -0.0 equals 0.0, and NULL equals nothing.
        using var duck = DuckDb.Open();
        Assert.Equal(["true", "true", null], duck.QueryRows("SELECT 'nan'::DOUBLE = ('nan'::DOUBLE + 1), (-0.0)::DOUBLE = 0.0::DOUBLE, NULL::DOUBLE = NULL::DOUBLE")[0]);
    }

    [Fact]
    public void StringKeys_MatchByteForByte_EmptyAndTextualNullAreNotNull()
    {
        JoinLayout layout = Layout(StringKeys, JoinKind.Left);
        using RecordBatch left = Keyed(layout.Left, Strings(["\u00e9", "e\u0301", "", "null", null, "日本"]));
        using RecordBatch right = Keyed(layout.Right, Strings(["e\u0301", null, "null", "", "日本"]));
        using BroadcastHashTable table = BroadcastHashTable.Build(layout, [right], "users", long.MaxValue);
        using RecordBatch output = table.Probe(left);
        Assert.Equal([(0L, -1L), (1L, 0L), (2L, 3L), (3L, 2L), (4L, -1L), (5L, 4L)], Pairs([output]));
    }

    [Fact]
    public void IntKeys_MatchLongKeys_AndLandInTheSameBucket()
    {
        JoinLayout layout = Layout(IntVsLongKeys, JoinKind.Inner);
        using RecordBatch left = Keyed(layout.Left, Ints([5, -1, int.MaxValue]));
        using RecordBatch right = Keyed(layout.Right, Longs([int.MaxValue, 5, (long)int.MaxValue + 1]));
        IReadOnlyList<JoinBucketFile> l = WriteAll(layout.Left, left, "left", keepNullKeys: false);
        IReadOnlyList<JoinBucketFile> r = WriteAll(layout.Right, right, "right", keepNullKeys: false);
        Assert.Equal(BucketOf(l, 0), BucketOf(r, 1));
        Assert.Equal(BucketOf(l, 2), BucketOf(r, 0));

        // The table takes the right batch over.
        using BroadcastHashTable table = BroadcastHashTable.Build(layout, [right], "users", long.MaxValue);
        using RecordBatch output = table.Probe(left);
        Assert.Equal([(0L, 1L), (2L, 0L)], Pairs([output]));
    }

    [Fact]
    public void LeftListColumn_IsCopied_ByBroadcastAndShuffle()
    {
        var tags = new ColumnField("tags", ColumnType.List, true) { Children = [new ColumnField("element", ColumnType.Int64, true)] };
        var left = new BatchSchema(new ColumnField("k", ColumnType.Int64, true), tags);
        var right = new BatchSchema(new ColumnField("k", ColumnType.Int64, true), new ColumnField("rid", ColumnType.Int64, false));
        var output = new BatchSchema(tags, new ColumnField("rid", ColumnType.Int64, true));
        var plan = new JoinPlan("Tag", "Events", "Users", "users", null, null, "Tagged", JoinKind.Left, ["k"], ["k"], [new JoinOutput("tags", JoinSide.Left, "tags"), new JoinOutput("rid", JoinSide.Right, "rid")]);
        JoinLayout layout = JoinLayout.For(plan, left, right, output);
        RecordBatch LeftRows() => new(left, [Longs([1, 2, null]), new ListColumn(ColumnType.List, [0, 2, 2, 3], 3, Longs([10, 11, 30]), null)], 3);
        RecordBatch RightRows() => new(right, [Longs([1, 1, 3]), Longs([100, 101, 103])], 3);
        string Render(RecordBatch batch) => string.Join("; ", Enumerable.Range(0, batch.RowCount).Select(r =>
            $"[{string.Join(",", (object?[])batch["tags"].GetValue(r)!)}] {batch["rid"].GetValue(r)?.ToString() ?? "null"}"));

        using RecordBatch probe = LeftRows();
        using BroadcastHashTable table = BroadcastHashTable.Build(layout, [RightRows()], "users", long.MaxValue);
        using RecordBatch broadcast = table.Probe(probe);
        Assert.Equal("[10,11] 100; [10,11] 101; [] null; [30] null", Render(broadcast));

        string folder = Path.Combine(_root, "lists");
        using var l = new JoinBucketWriter(left, ["k"], 1, folder, "left", keepNullKeys: true);
        using var r = new JoinBucketWriter(right, ["k"], 1, folder, "right", keepNullKeys: false);
        using (RecordBatch rows = LeftRows())
        {
            l.Write(rows);
        }
        using (RecordBatch rows = RightRows())
        {
            r.Write(rows);
        }
        List<RecordBatch> shuffle = [.. BucketJoiner.Join(layout, [.. l.Finish().Select(f => f.Path)], [.. r.Finish().Select(f => f.Path)], 1 << 20, Path.Combine(folder, "scratch"))];
        Assert.Equal("[10,11] 100; [10,11] 101; [] null; [30] null", string.Join("; ", shuffle.Select(Render)));
        shuffle.ForEach(b => b.Dispose());
    }

    [Fact]
    public void Probe_FromManyThreadsAtOnce_GivesEachTheSameRows()
    {
        JoinLayout layout = Layout(TwoColumnKeys, JoinKind.Left);
        using RecordBatch left = Rows(layout.Left, 2000, seed: 5, domain: 100);
        using RecordBatch right = Rows(layout.Right, 1000, seed: 6, domain: 100);
        using BroadcastHashTable table = BroadcastHashTable.Build(layout, Pieces(right, 4), "users", long.MaxValue);
        List<(long, long)> expected;
        using (RecordBatch once = table.Probe(left))
        {
            expected = Pairs([once]);
        }
        var results = new List<(long, long)>[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var pairs = new List<(long, long)>();
            for (int round = 0; round < 5; round++)
            {
                using RecordBatch output = table.Probe(left);
                pairs = Pairs([output]);
            }
            results[i] = pairs;
        });
        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.Equal(1000, table.Rows);
        Assert.True(table.Bytes > 1000 * 16, $"{table.Bytes} bytes");
    }

    [Fact]
    public void Build_BeyondMaxBytes_NamesTheTableTheRowsAndTheLimit()
    {
        JoinLayout layout = Layout(LongKeys, JoinKind.Inner);
        using RecordBatch right = Rows(layout.Right, 5000, seed: 1, domain: 5000);
        var e = Assert.Throws<PipelineExecutionException>(() => BroadcastHashTable.Build(layout, Pieces(right, 5), "users", 20_000));
        Assert.Contains("Table 'users' of join stage 'Enrich' does not fit in memory", e.Message);
        Assert.Contains("after 1,000 rows", e.Message);
        Assert.Contains("more than the 19.5 KiB allowed", e.Message);
    }

    [Fact]
    public void BucketWriter_DropsOrKeepsNullKeys_AndListsWhatItWrote()
    {
        BatchSchema schema = LeftSchema(LongKeys);
        using RecordBatch rows = Rows(schema, 1000, seed: 3, domain: 50);
        int nulls = rows["k"].NullCount;
        Assert.True(nulls > 0);

        IReadOnlyList<JoinBucketFile> dropped = WriteAll(schema, rows, "dropped", keepNullKeys: false);
        IReadOnlyList<JoinBucketFile> kept = WriteAll(schema, rows, "kept", keepNullKeys: true);

        Assert.Equal(1000 - nulls, dropped.Sum(f => f.Rows));
        Assert.Equal(1000, kept.Sum(f => f.Rows));
        Assert.Equal(dropped.Select(f => f.Bucket).Order(), dropped.Select(f => f.Bucket));
        foreach (JoinBucketFile file in kept)
        {
            Assert.Equal(new FileInfo(file.Path).Length, file.Bytes);
            using var reader = new ParquetFileReader(file.Path);
            Assert.Equal(file.Rows, reader.RowCount);
            // Rows keep their order within a bucket.
            List<long> ids = [.. reader.ReadBatches(["lid"]).SelectMany(b => { using (b) { return b.GetPrimitive<long>("lid", ColumnType.Int64).Values.ToArray(); } })];
            Assert.Equal(ids.Order(), ids);
        }
    }

    [Fact]
    public void BucketWriter_DisposedWithoutFinish_DeletesItsFiles()
    {
        BatchSchema schema = LeftSchema(LongKeys);
        using RecordBatch rows = Rows(schema, 100, seed: 3, domain: 50);
        string folder = Path.Combine(_root, "abandoned");
        using (var writer = new JoinBucketWriter(schema, ["k"], 4, folder, "left", keepNullKeys: false))
        {
            writer.Write(rows);
        }
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public void Strategy_SaysWhichJoinAndWhy()
    {
        JoinChoice small = JoinStrategy.Choose(3_355_443, 64L << 20, "users");
        Assert.True(small.Broadcast);
        Assert.Equal("table 'users' is 3.2 MiB, below the broadcast threshold of 64 MiB: broadcast hash join", small.Reason);

        JoinChoice big = JoinStrategy.Choose(5L << 30, 64L << 20, "events");
        Assert.False(big.Broadcast);
        Assert.StartsWith("table 'events' is 5 GiB, above the broadcast threshold of 64 MiB: hash-partitioned join", big.Reason);

        Assert.True(JoinStrategy.Choose(1024, 1024).Broadcast);
        JoinChoice off = JoinStrategy.Choose(10, 0);
        Assert.False(off.Broadcast);
        Assert.Contains("broadcasting off", off.Reason);
    }

    // Rows of a side whose key column is keys and whose ids are 0, 1, 2, ...
    private static RecordBatch Keyed(BatchSchema schema, Column keys)
    {
        int n = keys.Length;
        Column[] columns =
        [
            PrimitiveColumn<long>.FromArray(ColumnType.Int64, [.. Enumerable.Range(0, n).Select(i => (long)i)]),
            keys,
            Strings(Enumerable.Repeat<string?>("x", n).ToArray()),
            schema[3].Type == ColumnType.String ? Strings(new string?[n]) : Doubles(new double?[n]),
        ];
        return new RecordBatch(schema, columns, n);
    }

    private IReadOnlyList<JoinBucketFile> WriteAll(BatchSchema schema, RecordBatch rows, string side, bool keepNullKeys)
    {
        using var writer = new JoinBucketWriter(schema, ["k"], 7, Path.Combine(_root, side), side, keepNullKeys);
        writer.Write(rows);
        return writer.Finish();
    }

    // The bucket holding the row whose id column (lid or rid) is id.
    private static int BucketOf(IReadOnlyList<JoinBucketFile> files, long id)
    {
        foreach (JoinBucketFile file in files)
        {
            using var reader = new ParquetFileReader(file.Path);
            foreach (RecordBatch batch in reader.ReadBatches())
            {
                using (batch)
                {
                    if (batch.GetPrimitive<long>(batch.Schema[0].Name, ColumnType.Int64).Values.Contains(id))
                    {
                        return file.Bucket;
                    }
                }
            }
        }
        throw new InvalidOperationException($"No bucket holds row {id}.");
    }
}
