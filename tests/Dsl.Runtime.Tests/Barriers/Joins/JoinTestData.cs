using Dsl.Barriers.Joins;
using Dsl.Execution;
using Dsl.Parquet;
using Dsl.Testing;

namespace Dsl.Runtime.Tests.Barriers.Joins;

/// <summary>
/// Random join inputs and the two ways of running a join (broadcast, and bucket files joined bucket by bucket), with
/// DuckDB's answer to the same join for comparison. Left rows: <c>lid, k, k2, lv</c>; right rows: <c>rid, k, k2, rv</c>.
/// </summary>
internal static class JoinTestData
{
    /// <summary>The key columns' types: the left and right type of <c>k</c>, and whether <c>k2</c> is a key too.</summary>
    public sealed record KeyShape(string Name, ColumnType Left, ColumnType Right, bool TwoColumns);

    public static readonly KeyShape LongKeys = new("long", ColumnType.Int64, ColumnType.Int64, false);
    public static readonly KeyShape IntVsLongKeys = new("int-vs-long", ColumnType.Int32, ColumnType.Int64, false);
    public static readonly KeyShape TwoColumnKeys = new("long+string", ColumnType.Int64, ColumnType.Int64, true);
    public static readonly KeyShape StringKeys = new("string", ColumnType.String, ColumnType.String, false);
    public static readonly KeyShape DoubleKeys = new("double", ColumnType.Double, ColumnType.Double, false);

    public static KeyShape Shape(string name) => new[] { LongKeys, IntVsLongKeys, TwoColumnKeys, StringKeys, DoubleKeys }.Single(s => s.Name == name);

    public static BatchSchema LeftSchema(KeyShape shape) => new(
        new ColumnField("lid", ColumnType.Int64, false),
        new ColumnField("k", shape.Left, true),
        new ColumnField("k2", ColumnType.String, true),
        new ColumnField("lv", ColumnType.String, true));

    public static BatchSchema RightSchema(KeyShape shape) => new(
        new ColumnField("rid", ColumnType.Int64, false),
        new ColumnField("k", shape.Right, true),
        new ColumnField("k2", ColumnType.String, true),
        new ColumnField("rv", ColumnType.Double, true));

    public static JoinLayout Layout(KeyShape shape, JoinKind kind)
    {
        BatchSchema left = LeftSchema(shape);
        BatchSchema right = RightSchema(shape);
        string[] keys = shape.TwoColumns ? ["k", "k2"] : ["k"];
        BatchSchema output;
        JoinOutput[] outputs;
        if (kind is JoinKind.Semi or JoinKind.Anti)
        {
            output = left;
            outputs = [.. left.Fields.Select(f => new JoinOutput(f.Name, JoinSide.Left, f.Name))];
        }
        else
        {
            output = new BatchSchema([.. left.Fields, new ColumnField("rid", ColumnType.Int64, kind == JoinKind.Left), new ColumnField("rv", ColumnType.Double, true)]);
            outputs = [.. left.Fields.Select(f => new JoinOutput(f.Name, JoinSide.Left, f.Name)), new JoinOutput("rid", JoinSide.Right, "rid"), new JoinOutput("rv", JoinSide.Right, "rv")];
        }
        var plan = new JoinPlan("Enrich", "Events", "Users", "users", null, null, "Enriched", kind, keys, keys, outputs);
        return JoinLayout.For(plan, left, right, output);
    }

    /// <summary>
    /// <paramref name="rows"/> random rows of a side: keys drawn from a small domain (so both sides repeat them), a
    /// tenth of them null, the ids 0, 1, 2, ... in row order.
    /// </summary>
    public static RecordBatch Rows(BatchSchema schema, int rows, int seed, int domain, Func<Random, int, long>? key = null)
    {
        var random = new Random(seed);
        ColumnType keyType = schema[1].Type;
        var ids = new long[rows];
        var keys = new List<object?>(rows);
        var k2 = new StringColumnBuilder(ColumnType.String, rows);
        var payload = new List<object?>(rows);
        for (int r = 0; r < rows; r++)
        {
            ids[r] = r;
            long k = key?.Invoke(random, r) ?? random.Next(domain);
            keys.Add(random.Next(10) == 0 ? null : KeyValue(keyType, k));
            k2.Append(random.Next(12) == 0 ? null : Texts[random.Next(3)]);
            payload.Add(random.Next(8) == 0 ? null : schema[3].Type == ColumnType.String ? Texts[random.Next(Texts.Length)] : Math.Round(random.NextDouble() * 100, 2));
        }
        Column[] columns =
        [
            PrimitiveColumn<long>.FromArray(ColumnType.Int64, ids),
            Build(keyType, keys),
            k2.Build(),
            Build(schema[3].Type, payload),
        ];
        return new RecordBatch(schema, columns, rows);
    }

    // Unicode (combining marks, astral plane), the empty string and the text "null".
    private static readonly string[] Texts = ["", "a", "ü", "null", "日本", "e\u0301", "🙂x", "A"];

    // Several NaN payloads, both zeros: every NaN equals every NaN and -0.0 equals 0.0 (KeyEncoder).
    private static readonly double[] DoubleKeyValues = [double.NaN, BitConverter.Int64BitsToDouble(0x7FF0000000000123), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000000)), -0.0, 0.0, 1.5, -2.25, 1e300, double.PositiveInfinity];

    private static object KeyValue(ColumnType type, long k) => type switch
    {
        ColumnType.Int32 => (int)(k - 50),
        ColumnType.Int64 => k - 50,
        ColumnType.Double => k < DoubleKeyValues.Length ? DoubleKeyValues[k] : k / 4.0,
        _ => k < Texts.Length ? Texts[k] : "k" + k.ToString(System.Globalization.CultureInfo.InvariantCulture) + "é",
    };

    private static Column Build(ColumnType type, List<object?> values)
    {
        if (type == ColumnType.String)
        {
            var builder = new StringColumnBuilder(ColumnType.String, values.Count);
            values.ForEach(v => builder.Append((string?)v));
            return builder.Build();
        }
        return type switch
        {
            ColumnType.Int32 => SplitTestData.Primitive(type, values.Select(v => (int?)v).ToArray()),
            ColumnType.Int64 => SplitTestData.Primitive(type, values.Select(v => (long?)v).ToArray()),
            _ => SplitTestData.Primitive(type, values.Select(v => (double?)v).ToArray()),
        };
    }

    /// <summary>Cuts <paramref name="batch"/> into <paramref name="pieces"/> batches of consecutive rows.</summary>
    public static List<RecordBatch> Pieces(RecordBatch batch, int pieces)
    {
        var result = new List<RecordBatch>();
        int size = (batch.RowCount + pieces - 1) / pieces;
        for (int start = 0; start < batch.RowCount; start += size)
        {
            int[] rows = Enumerable.Range(start, Math.Min(size, batch.RowCount - start)).ToArray();
            result.Add(SplitTestData.Take(batch, rows));
        }
        return result;
    }

    public static void WriteParquet(string path, params RecordBatch[] batches)
    {
        using var writer = new ParquetFileWriter(path, batches[0].Schema);
        foreach (RecordBatch batch in batches)
        {
            writer.WriteBatch(batch);
        }
    }

    /// <summary>The broadcast join of <paramref name="left"/> (probed in pieces) with <paramref name="right"/>.</summary>
    public static List<RecordBatch> Broadcast(JoinLayout layout, RecordBatch left, RecordBatch right, int leftPieces = 3, int rightPieces = 3)
    {
        using BroadcastHashTable table = BroadcastHashTable.Build(layout, Pieces(right, rightPieces), "users", long.MaxValue);
        var output = new List<RecordBatch>();
        foreach (RecordBatch piece in Pieces(left, leftPieces))
        {
            using (piece)
            {
                output.Add(table.Probe(piece));
            }
        }
        return output;
    }

    /// <summary>
    /// The hash-partitioned join: each side written by two "tasks" into <paramref name="buckets"/> bucket files, then
    /// every bucket joined with <paramref name="memoryBytes"/>.
    /// </summary>
    public static List<RecordBatch> Shuffle(JoinLayout layout, RecordBatch left, RecordBatch right, string folder, int buckets, long memoryBytes, BucketJoiner.JoinTrace trace, int batchRows = 8192)
    {
        List<JoinBucketFile> leftFiles = WriteBuckets(left, layout.Left, layout.Plan.LeftKeys, buckets, folder, "left", layout.KeepsUnmatchedLeft);
        List<JoinBucketFile> rightFiles = WriteBuckets(right, layout.Right, layout.Plan.RightKeys, buckets, folder, "right", keepNullKeys: false);
        var output = new List<RecordBatch>();
        for (int b = 0; b < buckets; b++)
        {
            string[] l = [.. leftFiles.Where(f => f.Bucket == b).Select(f => f.Path)];
            string[] r = [.. rightFiles.Where(f => f.Bucket == b).Select(f => f.Path)];
            output.AddRange(BucketJoiner.Join(layout, l, r, memoryBytes, Path.Combine(folder, "scratch"), batchRows, trace));
        }
        return output;
    }

    private static List<JoinBucketFile> WriteBuckets(RecordBatch rows, BatchSchema schema, IReadOnlyList<string> keys, int buckets, string folder, string side, bool keepNullKeys)
    {
        var files = new List<JoinBucketFile>();
        List<RecordBatch> pieces = Pieces(rows, 4);
        for (int task = 0; task < 2; task++)
        {
            using var writer = new JoinBucketWriter(schema, keys, buckets, folder, $"{side}-t{task}", keepNullKeys);
            foreach (RecordBatch piece in pieces.Skip(task * 2).Take(2))
            {
                writer.Write(piece);
            }
            files.AddRange(writer.Finish());
        }
        pieces.ForEach(p => p.Dispose());
        return files;
    }

    /// <summary>DuckDB's rows for the join, as SQL over views <c>L</c> and <c>R</c>.</summary>
    public static string ReferenceSql(JoinLayout layout)
    {
        string on = string.Join(" AND ", layout.Plan.LeftKeys.Select((k, i) => $"l.{k} = r.{layout.Plan.RightKeys[i]}"));
        return layout.Kind switch
        {
            JoinKind.Inner => $"SELECT l.lid, l.k, l.k2, l.lv, r.rid, r.rv FROM L l JOIN R r ON {on}",
            JoinKind.Left => $"SELECT l.lid, l.k, l.k2, l.lv, r.rid, r.rv FROM L l LEFT JOIN R r ON {on}",
            JoinKind.Semi => $"SELECT l.* FROM L l WHERE EXISTS (SELECT 1 FROM R r WHERE {on})",
            _ => $"SELECT l.* FROM L l WHERE NOT EXISTS (SELECT 1 FROM R r WHERE {on})",
        };
    }

    /// <summary>
    /// Checks that <paramref name="ours"/> holds exactly DuckDB's rows for the join (as multisets: same count, nothing
    /// in one that is not in the other as often), and returns that count.
    /// </summary>
    public static long AssertSameAsDuckDb(JoinLayout layout, RecordBatch left, RecordBatch right, IReadOnlyList<RecordBatch> ours, string folder, string? referenceSql = null)
    {
        string l = Path.Combine(folder, "ref-left.parquet");
        string r = Path.Combine(folder, "ref-right.parquet");
        string o = Path.Combine(folder, "ours.parquet");
        WriteParquet(l, left);
        WriteParquet(r, right);
        using (var writer = new ParquetFileWriter(o, layout.Output))
        {
            foreach (RecordBatch batch in ours)
            {
                writer.WriteBatch(batch);
            }
        }
        using var duck = DuckDb.Open();
        duck.Execute($"CREATE VIEW L AS SELECT * FROM read_parquet({DuckDb.Literal(l)}); CREATE VIEW R AS SELECT * FROM read_parquet({DuckDb.Literal(r)}); CREATE VIEW O AS SELECT * FROM read_parquet({DuckDb.Literal(o)})");
        string reference = referenceSql ?? ReferenceSql(layout);
        long expected = duck.QueryScalarInt64($"SELECT count(*) FROM ({reference})");
        Assert.Equal(expected, ours.Sum(b => (long)b.RowCount));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM (SELECT * FROM O EXCEPT ALL {reference})"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM ({reference} EXCEPT ALL SELECT * FROM O)"));
        return expected;
    }

    /// <summary>The output's (lid, rid) pairs in order (rid -1 where null; semi and anti joins have no rid).</summary>
    public static List<(long Lid, long Rid)> Pairs(IEnumerable<RecordBatch> output)
    {
        var pairs = new List<(long, long)>();
        foreach (RecordBatch batch in output)
        {
            Column lid = batch["lid"];
            Column? rid = batch.Schema.IndexOf("rid") >= 0 ? batch["rid"] : null;
            for (int row = 0; row < batch.RowCount; row++)
            {
                pairs.Add(((long)lid.GetValue(row)!, rid is null || rid.IsNull(row) ? -1 : (long)rid.GetValue(row)!));
            }
        }
        return pairs;
    }
}
