using Dsl.Barriers.Aggregation;
using Dsl.Execution;
using static Dsl.Runtime.Tests.Barriers.Aggregation.AggregationTestData;

namespace Dsl.Runtime.Tests.Barriers.Aggregation;

/// <summary>Spilling, re-partitioning, skew, overflow, damaged files and empty input of the hash aggregation engine.</summary>
public sealed class AggregationEngineTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-agg-engine-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    [Fact]
    public void Batches_WithTheColumnsReadInAnotherOrderAndOthers_GiveTheSameRows_AndAMissingColumnIsNamed()
    {
        List<RecordBatch> whole = ToBatches(Rows(3_000, seed: 5), batchRows: 700);
        // The pipeline input as scanned: the columns the aggregate reads, last first, and one it does not know.
        AggregateLayout layout = Layout();
        string[] read = layout.Keys.Fields.Select(f => f.Name)
            .Concat(layout.Columns.SelectMany(c => new[] { c.InputField?.Name, c.OrderField?.Name }).OfType<string>())
            .Distinct().Reverse().ToArray();
        List<RecordBatch> projected = whole.Select(b => new RecordBatch(
            new BatchSchema([.. read.Select(n => b.Schema[b.Schema.IndexOf(n)]), new ColumnField("Other", ColumnType.Int64, false)]),
            [.. read.Select(n => b[n]), PrimitiveColumn<long>.FromArray(ColumnType.Int64, new long[b.RowCount])],
            b.RowCount)).ToList();

        EngineRun expected = Run(layout, [whole], Folder("whole"));
        EngineRun actual = Run(layout, [projected], Folder("projected"));

        Assert.Equal(expected.Rows.Count, actual.Rows.Count);
        for (int i = 0; i < expected.Rows.Count; i++)
        {
            AssertRow(expected.Rows[i], actual.Rows[i], $"row {i}");
        }
        using var partial = new PartialAggregator(layout, 2, Folder("missing"), 1L << 20);
        using var lacking = new RecordBatch(new BatchSchema(read.Skip(1).Select(n => whole[0].Schema[whole[0].Schema.IndexOf(n)])), read.Skip(1).Select(n => whole[0][n]).ToArray(), whole[0].RowCount);
        var e = Assert.Throws<InvalidOperationException>(() => partial.Add(lacking));
        Assert.Contains($"reads column '{read[0]}'", e.Message);
        whole.ForEach(b => b.Dispose());
    }

    [Fact]
    public void TinyBudgets_SpillAndRepartition_SameRowsInTheSameOrderAsInMemory()
    {
        List<AggRow> rows = Rows(20_000, seed: 11, keys: 40, uniqueOrder: true);
        // Many groups: K x K2 from 9 strings x 40 ints, plus nulls.
        List<RecordBatch> batches = ToBatches(rows, 500);
        List<IReadOnlyList<RecordBatch>> tasks = Tasks(batches, 4);

        EngineRun inMemory = Run(Layout(), tasks, Folder("memory"), buckets: 2);
        EngineRun spilled = Run(Layout(), tasks, Folder("spilled"), buckets: 2, partialMemory: 4_000, mergeMemory: 6_000, batchRows: 7);

        Assert.Equal(0, inMemory.PartialSpills);
        Assert.True(spilled.PartialSpills >= 20, $"Only {spilled.PartialSpills} spills.");
        Assert.True(inMemory.Rows.Count > 300, $"Only {inMemory.Rows.Count} groups.");
        Assert.Equal(inMemory.Rows.Count, spilled.Rows.Count);
        for (int i = 0; i < inMemory.Rows.Count; i++)
        {
            // Same keys in the same order; sums may differ in the last bits as the partial sums were cut elsewhere.
            AssertRow(inMemory.Rows[i], spilled.Rows[i], $"row {i}");
        }
    }

    [Fact]
    public void SameFiles_MergedInMemoryOrRepartitioned_GiveIdenticalValues()
    {
        List<RecordBatch> batches = ToBatches(Rows(12_000, seed: 5, keys: 40), 400);
        AggregateLayout layout = Layout();
        string folder = Folder("files");
        var files = new List<string>();
        for (int t = 0; t < 3; t++)
        {
            using var partial = new PartialAggregator(layout, 1, Path.Combine(folder, $"t{t}"), 10_000);
            foreach (RecordBatch batch in batches.Where((_, i) => i % 3 == t))
            {
                partial.Add(batch);
            }
            files.Add(Assert.Single(partial.Finish()).Path);
        }
        string scratch = Folder("scratch");
        bool sawSubBuckets = false;

        List<object?[]> whole = Merge(layout, [files], Folder("a"), 1L << 30);
        var split = new List<object?[]>();
        foreach (RecordBatch batch in BucketMerger.Merge(layout, files, 3_000, scratch, batchRows: 50))
        {
            sawSubBuckets |= Directory.EnumerateDirectories(scratch).Any();
            for (int r = 0; r < batch.RowCount; r++)
            {
                split.Add(batch.Columns.Select(c => Value(c, r)).ToArray());
            }
        }

        Assert.True(sawSubBuckets, "The small budget should have re-partitioned the bucket.");
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        Assert.Equal(whole.Count, split.Count);
        for (int i = 0; i < whole.Count; i++)
        {
            // Exactly equal, doubles included: each group's records merge in the same order either way.
            Assert.Equal(whole[i].Select(Show), split[i].Select(Show));
        }
    }

    [Fact]
    public void SkewedKey_HoldingNinetyPercentOfRows_IsOneGroup()
    {
        var random = new Random(3);
        var rows = new List<AggRow>();
        for (int i = 0; i < 30_000; i++)
        {
            bool hot = random.Next(10) != 0;
            rows.Add(new AggRow(hot ? "hot" : "k" + random.Next(2_000), 0, i, i, i, (i % 500).ToString(System.Globalization.CultureInfo.InvariantCulture), i, i));
        }
        List<IReadOnlyList<RecordBatch>> tasks = Tasks(ToBatches(rows, 1000), 3);

        EngineRun small = Run(Layout(), tasks, Folder("small"), buckets: 4, partialMemory: 20_000, mergeMemory: 20_000);
        EngineRun big = Run(Layout(), tasks, Folder("big"), buckets: 4);

        Assert.True(small.PartialSpills > 0);
        object?[] hotRow = Assert.Single(small.Rows, r => (string?)r[0] == "hot");
        long hotCount = rows.LongCount(r => r.K == "hot");
        Assert.Equal(hotCount, hotRow[2]);
        Assert.Equal(rows.Where(r => r.K == "hot").Sum(r => r.I!.Value), hotRow[5]);
        Assert.Equal(500L, hotRow[18]);
        Assert.Equal(big.Rows.Count, small.Rows.Count);
        for (int i = 0; i < big.Rows.Count; i++)
        {
            AssertRow(big.Rows[i], small.Rows[i], $"row {i}");
        }
    }

    [Fact]
    public void IntegerSumOverflow_InOneTask_NamesStageAndMember()
    {
        AggRow[] rows = [new("a", 1, 1, 1, long.MaxValue, "s", 1, 1), new("a", 1, 1, 1, 1, "s", 1, 1)];
        using var partial = new PartialAggregator(Layout(), 2, Folder("one"), 1L << 30);

        OverflowException error = Assert.Throws<OverflowException>(() => partial.Add(ToBatches(rows, 10)[0]));

        Assert.Contains("'Summarize'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'SumI'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'I'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IntegerSumOverflow_WhenMerging_NamesStageAndMember()
    {
        AggRow[] rows = [new("a", 1, 1, 1, long.MaxValue - 5, "s", 1, 1), new("a", 1, 1, 1, 10, "s", 1, 1)];
        var tasks = new List<IReadOnlyList<RecordBatch>> { ToBatches(rows[..1], 10), ToBatches(rows[1..], 10) };

        OverflowException error = Assert.Throws<OverflowException>(() => Run(Layout(), tasks, Folder("two")));

        Assert.Contains("'Summarize'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'SumI'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedSpillFiles_AreRefused_NamingTheFile()
    {
        AggregateLayout layout = Layout();
        string path;
        using (var partial = new PartialAggregator(layout, 1, Folder("damaged"), 1L << 30))
        {
            foreach (RecordBatch batch in ToBatches(Rows(3000, seed: 8), 500))
            {
                partial.Add(batch);
            }
            path = Assert.Single(partial.Finish()).Path;
        }
        byte[] good = File.ReadAllBytes(path);
        string scratch = Folder("scratch");
        string Error(byte[] bytes)
        {
            File.WriteAllBytes(path, bytes);
            return Assert.Throws<InvalidDataException>(() => BucketMerger.Merge(layout, [path], 1L << 30, scratch).ToList()).Message;
        }

        byte[] flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x40;
        Assert.Contains(path, Error(flipped), StringComparison.Ordinal);
        Assert.Contains("checksum", Error(flipped), StringComparison.Ordinal);
        Assert.Contains("without its end marker", Error(good[..(good.Length - 12)]), StringComparison.Ordinal);
        Assert.Contains("cut off", Error(good[..(good.Length / 2)]), StringComparison.Ordinal);
        byte[] version = (byte[])good.Clone();
        version[8] = 9;
        Assert.Contains("format version 9", Error(version), StringComparison.Ordinal);
        Assert.Contains("header", Error([1, 2, 3]), StringComparison.Ordinal);

        var otherPlan = Plan() with { Stage = "Other" };
        AggregateLayout other = AggregateLayout.For(otherPlan, Input, Output());
        File.WriteAllBytes(path, good);
        string wrongLayout = Assert.Throws<InvalidDataException>(() => BucketMerger.Merge(other, [path], 1L << 30, scratch).ToList()).Message;
        Assert.Contains("another aggregate stage", wrongLayout, StringComparison.Ordinal);
        Assert.NotEmpty(BucketMerger.Merge(layout, [path], 1L << 30, scratch).ToList());
    }

    [Fact]
    public void EmptyInput_WritesNoFiles_AndMergesToNothing()
    {
        AggregateLayout layout = Layout();
        string folder = Folder("empty");
        using var partial = new PartialAggregator(layout, 4, folder, 1L << 30);
        partial.Add(new RecordBatch(Input, [Strings([]), Primitive<int>(ColumnType.Int32, []), Primitive<double>(ColumnType.Double, []), Primitive<double>(ColumnType.Double, []), Primitive<long>(ColumnType.Int64, []), Strings([]), Primitive<long>(ColumnType.Timestamp, []), Primitive<long>(ColumnType.Int64, [])], 0));

        Assert.Empty(partial.Finish());
        Assert.Empty(Directory.EnumerateFiles(folder));
        Assert.Empty(BucketMerger.Merge(layout, [], 1000, Folder("scratch")));
    }

    [Fact]
    public void SpillFolder_WithBucketFiles_IsRefused()
    {
        string folder = Folder("reused");
        using (var partial = new PartialAggregator(Layout(), 1, folder, 1L << 30))
        {
            partial.Add(ToBatches(Rows(10, seed: 1), 10)[0]);
            partial.Finish();
        }

        IOException error = Assert.Throws<IOException>(() => new PartialAggregator(Layout(), 1, folder, 1L << 30));

        Assert.Contains("bucket-00000.agg", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spills_ReportGroupsAndBytes_AndAnUnfinishedAggregatorDeletesItsFiles()
    {
        string folder = Folder("report");
        List<RecordBatch> batches = ToBatches(Rows(2000, seed: 4, keys: 8), 200);
        using (var partial = new PartialAggregator(Layout(), 3, folder, 1L << 30))
        {
            foreach (RecordBatch batch in batches)
            {
                partial.Add(batch);
            }
            long groups = partial.Groups;
            IReadOnlyList<AggregateSpill> spills = partial.Finish();
            Assert.Equal(groups, spills.Sum(s => s.Groups));
            Assert.All(spills, s => Assert.Equal(new FileInfo(s.Path).Length, s.Bytes));
            Assert.Equal(spills.Select(s => s.Bucket).Order(), spills.Select(s => s.Bucket));
        }
        string abandoned = Folder("abandoned");
        using (var partial = new PartialAggregator(Layout(), 3, abandoned, 100))
        {
            partial.Add(batches[0]);
            Assert.NotEmpty(Directory.EnumerateFiles(abandoned));
        }
        Assert.Empty(Directory.EnumerateFiles(abandoned));
    }

    [Fact]
    public void ApproxCountDistinct_IsExactWhenSmall_AndWithinThreeStandardErrorsWhenLarge()
    {
        var plan = new AggregatePlan("Distinct", "R", null, null, "O", ["g"],
        [
            new AggregateOutput("g", AggregateFunction.Key, "g"),
            new AggregateOutput("approx", AggregateFunction.ApproxCountDistinct, "v"),
            new AggregateOutput("exact", AggregateFunction.CountDistinct, "v"),
        ]);
        var input = new BatchSchema(new ColumnField("g", ColumnType.Int32, false), new ColumnField("v", ColumnType.Int64, true));
        var output = new BatchSchema(new ColumnField("g", ColumnType.Int32, false), new ColumnField("approx", ColumnType.Int64, false), new ColumnField("exact", ColumnType.Int64, false));
        AggregateLayout layout = AggregateLayout.For(plan, input, output);
        int[] distinct = [1, 200, 256, 257, 5_000, 60_000];
        var random = new Random(17);
        var tasks = new List<IReadOnlyList<RecordBatch>>();
        for (int t = 0; t < 3; t++)
        {
            var g = new List<int?>();
            var v = new List<long?>();
            for (int group = 0; group < distinct.Length; group++)
            {
                // Every task sees a random part of each group's values, repeated, so sketches of both forms merge.
                for (int i = 0; i < distinct[group]; i++)
                {
                    if (random.Next(3) == t || i % 3 == t)
                    {
                        g.Add(group);
                        v.Add((group * 1_000_000L) + i);
                    }
                }
                g.Add(group);
                v.Add(null);
            }
            tasks.Add([new RecordBatch(input, [Primitive(ColumnType.Int32, g), Primitive(ColumnType.Int64, v)], g.Count)]);
        }

        List<object?[]> rows = Run(layout, tasks, Folder("hll"), buckets: 2, partialMemory: 200_000).Rows;

        Assert.Equal(distinct.Length, rows.Count);
        foreach (object?[] row in rows)
        {
            long exact = distinct[(int)row[0]!];
            Assert.Equal(exact, row[2]);
            long approx = (long)row[1]!;
            if (exact <= ApproxDistinctAccumulator.ExactLimit)
            {
                Assert.Equal(exact, approx);
            }
            else
            {
                double bound = 3 * Dsl.Validation.Statistics.HyperLogLog.StandardError * exact;
                Assert.True(Math.Abs(approx - exact) <= bound, $"{approx} distinct estimated for {exact}; bound ±{bound:F0}.");
            }
        }
    }

    [Fact]
    public void CountDistinct_OfFixedWidthTypes_CountsEncodedValues_AcrossRepeatsSpillsAndRepartitions()
    {
        var plan = new AggregatePlan("Fixed", "R", null, null, "O", ["g"],
        [
            new AggregateOutput("g", AggregateFunction.Key, "g"),
            new AggregateOutput("b", AggregateFunction.CountDistinct, "b"),
            new AggregateOutput("u", AggregateFunction.CountDistinct, "u"),
            new AggregateOutput("d", AggregateFunction.CountDistinct, "d"),
        ]);
        var input = new BatchSchema(
            new ColumnField("g", ColumnType.Int32, false),
            new ColumnField("b", ColumnType.Boolean, true),
            new ColumnField("u", ColumnType.UInt64, true),
            new ColumnField("d", ColumnType.Double, true));
        var output = new BatchSchema(
            new ColumnField("g", ColumnType.Int32, false),
            new ColumnField("b", ColumnType.Int64, false),
            new ColumnField("u", ColumnType.Int64, false),
            new ColumnField("d", ColumnType.Int64, false));
        AggregateLayout layout = AggregateLayout.For(plan, input, output);
        // Per group, how many rows and how many values they draw from: 1, a few, past the 64 a list grows to
        // unsorted, and many rows of a few values (a list that sorting keeps small).
        (int Rows, int Values)[] groups = [(1, 1), (50, 3), (2_000, 300), (5_000, 5), (3_000, 3_000)];
        var random = new Random(23);
        var g = new List<int?>();
        var b = new List<bool?>();
        var u = new List<ulong?>();
        var d = new List<double?>();
        for (int group = 0; group < groups.Length; group++)
        {
            for (int row = 0; row < groups[group].Rows; row++)
            {
                int value = random.Next(groups[group].Values);
                g.Add(group);
                b.Add(value % 3 == 2 ? null : value % 2 == 0);
                // Values on both sides of long.MaxValue, which are encoded with different tags.
                u.Add(value % 7 == 6 ? null : value % 2 == 0 ? (ulong)value : ulong.MaxValue - (ulong)value);
                // -0.0 and 0.0 are one value; NaN and null are not counted.
                d.Add(value % 11 == 10 ? double.NaN : value == 0 ? (row % 2 == 0 ? -0.0 : 0.0) : value * 0.5);
            }
        }
        var batches = new List<RecordBatch>();
        for (int start = 0; start < g.Count; start += 700)
        {
            int rows = Math.Min(700, g.Count - start);
            batches.Add(new RecordBatch(input,
            [
                Primitive(ColumnType.Int32, g.Skip(start).Take(rows)),
                Primitive(ColumnType.Boolean, b.Skip(start).Take(rows)),
                Primitive(ColumnType.UInt64, u.Skip(start).Take(rows)),
                Primitive(ColumnType.Double, d.Skip(start).Take(rows)),
            ], rows));
        }
        List<IReadOnlyList<RecordBatch>> tasks = Tasks(batches, 3);

        EngineRun inMemory = Run(layout, tasks, Folder("memory"), buckets: 2);
        EngineRun spilled = Run(layout, tasks, Folder("spilled"), buckets: 2, partialMemory: 2_000, mergeMemory: 3_000);

        Assert.True(spilled.PartialSpills >= 10, $"Only {spilled.PartialSpills} spills.");
        foreach (List<object?[]> rows in new[] { inMemory.Rows, spilled.Rows })
        {
            Assert.Equal(groups.Length, rows.Count);
            foreach (object?[] row in rows)
            {
                int group = (int)row[0]!;
                IEnumerable<int> members = Enumerable.Range(0, g.Count).Where(i => g[i] == group);
                Assert.Equal((long)members.Where(i => b[i] is not null).Select(i => b[i]).Distinct().Count(), row[1]);
                Assert.Equal((long)members.Where(i => u[i] is not null).Select(i => u[i]).Distinct().Count(), row[2]);
                Assert.Equal((long)members.Where(i => d[i] is double x && !double.IsNaN(x)).Select(i => BitConverter.DoubleToInt64Bits(d[i]!.Value + 0.0)).Distinct().Count(), row[3]);
            }
        }
    }

    [Theory]
    [InlineData("Sum", "S", "Int64", "number column")]
    [InlineData("Mean", "T", "Double", "number column")]
    [InlineData("Key", "S", "String", "not a grouping column")]
    [InlineData("Min", "Missing", "Double", "not a column of the input schema")]
    [InlineData("Sum", "I", "Double", "is Int64 but the output schema declares Double")]
    [InlineData("Variance", "X", "Int64", "is Double but the output schema declares Int64")]
    [InlineData("First", "X", "Double", "names no order column")]
    public void UnsupportedOutputs_AreRefused_NamingStageMemberColumnAndType(string function, string column, string outputType, string expected)
    {
        var plan = new AggregatePlan("Bad", "AggRow", null, null, "Out", ["K"],
        [
            new AggregateOutput("K", AggregateFunction.Key, "K"),
            new AggregateOutput("Value", Enum.Parse<AggregateFunction>(function), column),
        ]);
        var output = new BatchSchema(new ColumnField("K", ColumnType.String, true), new ColumnField("Value", Enum.Parse<ColumnType>(outputType), true));

        ArgumentException error = Assert.Throws<ArgumentException>(() => AggregateLayout.For(plan, Input, output));

        Assert.Contains("'Bad'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Value'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{column}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputMemberWithoutACall_IsRefused()
    {
        var plan = new AggregatePlan("Bad", "AggRow", null, null, "Out", ["K"], [new AggregateOutput("K", AggregateFunction.Key, "K")]);
        var output = new BatchSchema(new ColumnField("K", ColumnType.String, true), new ColumnField("Extra", ColumnType.Int64, false));

        ArgumentException error = Assert.Throws<ArgumentException>(() => AggregateLayout.For(plan, Input, output));

        Assert.Contains("'Extra' (Int64) is not computed", error.Message, StringComparison.Ordinal);
    }
}
