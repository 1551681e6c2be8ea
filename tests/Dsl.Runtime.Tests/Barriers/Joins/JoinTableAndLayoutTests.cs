using Dsl.Barriers.Joins;
using Dsl.Execution;
using Dsl.Testing;
using static Dsl.Runtime.Tests.Barriers.Joins.JoinTestData;

namespace Dsl.Runtime.Tests.Barriers.Joins;

/// <summary>Reading a join's table (files, folders, widening, errors) and checking a join plan against its schemas.</summary>
public sealed class JoinTableAndLayoutTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-join-table-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly BatchSchema Users = new(
        new ColumnField("id", ColumnType.Int64, false),
        new ColumnField("name", ColumnType.String, true));

    [Fact]
    public void Folder_IsReadFileByFileInNameOrder_ProjectedAndWidened()
    {
        string folder = Path.Combine(_root, "users");
        Directory.CreateDirectory(folder);
        using (var duck = DuckDb.Open())
        {
            // INTEGER ids (read into the long member) and a column the schema does not name.
            duck.CopyToParquet("SELECT (i + 10)::INTEGER AS id, 'b' || i AS name, i * 2 AS extra FROM range(3) t(i)", Path.Combine(folder, "part-b.parquet"));
            duck.CopyToParquet("SELECT i::INTEGER AS id, CASE WHEN i = 1 THEN NULL ELSE 'a' || i END AS name, 0 AS extra FROM range(3) t(i)", Path.Combine(folder, "part-a.parquet"));
        }
        File.WriteAllText(Path.Combine(folder, "_SUCCESS"), "");

        var ids = new List<long>();
        var names = new List<string?>();
        foreach (RecordBatch batch in TableReader.Read(folder, Users, "users", batchRows: 2))
        {
            using (batch)
            {
                Assert.Equal(Users, batch.Schema);
                Assert.True(batch.RowCount <= 2);
                ids.AddRange(batch.GetPrimitive<long>("id", ColumnType.Int64).Values.ToArray());
                names.AddRange(Enumerable.Range(0, batch.RowCount).Select(r => batch.GetString("name").GetString(r)));
            }
        }
        Assert.Equal([0L, 1, 2, 10, 11, 12], ids);
        Assert.Equal(["a0", null, "a2", "b0", "b1", "b2"], names);
        Assert.Equal(new FileInfo(Path.Combine(folder, "part-a.parquet")).Length + new FileInfo(Path.Combine(folder, "part-b.parquet")).Length, TableReader.SizeBytes(folder));
    }

    [Fact]
    public void MissingPath_OrEmptyFolder_NamesTheTableAndPath()
    {
        string missing = Path.Combine(_root, "nope.parquet");
        var e = Assert.Throws<PipelineExecutionException>(() => TableReader.Read(missing, Users, "users"));
        Assert.Contains($"Table 'users' should be read from '{missing}', which is neither a file nor a folder", e.Message);
        Assert.Throws<PipelineExecutionException>(() => TableReader.SizeBytes(missing));

        string empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        e = Assert.Throws<PipelineExecutionException>(() => TableReader.Read(empty, Users, "users"));
        Assert.Contains("holds no .parquet file", e.Message);
    }

    [Theory]
    [InlineData("SELECT i::VARCHAR AS id, 'x' AS name FROM range(3) t(i)", "stores column 'id' as String, but the table's schema declares it Int64, which would lose information")]
    [InlineData("SELECT i::DOUBLE AS id, 'x' AS name FROM range(3) t(i)", "stores column 'id' as Double, but the table's schema declares it Int64")]
    [InlineData("SELECT i AS user_id, 'x' AS name FROM range(3) t(i)", "has no column 'id', which the table's schema declares Int64. Its columns are user_id, name")]
    [InlineData("SELECT CASE WHEN i = 2 THEN NULL ELSE i END AS id, 'x' AS name FROM range(3) t(i)", "holds a null in column 'id' (row group 0, row 2 of the row group), which the table's schema declares non-nullable Int64")]
    public void BadFile_IsRefusedNamingTableFileColumnAndExpectedType(string select, string expected)
    {
        string file = Path.Combine(_root, "users.parquet");
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet(select, file);
        }
        var e = Assert.Throws<PipelineExecutionException>(() =>
        {
            foreach (RecordBatch batch in TableReader.Read(file, Users, "users"))
            {
                batch.Dispose();
            }
        });
        Assert.Contains($"Table 'users': file '{file}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Layout_RefusesKeysThatCanNeverBeEqual()
    {
        var left = new BatchSchema(new ColumnField("k", ColumnType.Int64, false), new ColumnField("d", ColumnType.Decimal, false) { Precision = 9, Scale = 2 });
        var right = new BatchSchema(new ColumnField("k", ColumnType.Double, false), new ColumnField("d", ColumnType.Decimal, false) { Precision = 9, Scale = 3 });
        var e = Assert.Throws<ArgumentException>(() => JoinLayout.For(Plan(JoinKind.Semi, ["k", "d"], [new JoinOutput("k", JoinSide.Left, "k"), new JoinOutput("d", JoinSide.Left, "d")]), left, right, left));
        Assert.Contains("Join stage 'Enrich' (table 'users'): left key column 'k' (Int64) cannot be matched with right key column 'k' (Double): a whole number never equals a floating-point number", e.Message);
        Assert.Contains("decimals match only with the same scale (2 and 3 digits after the point)", e.Message);

        e = Assert.Throws<ArgumentException>(() => JoinLayout.For(Plan(JoinKind.Semi, ["nope"], [new JoinOutput("k", JoinSide.Left, "k"), new JoinOutput("d", JoinSide.Left, "d")]), left, right, left));
        Assert.Contains("left key column 'nope' is not a column of schema 'Events'", e.Message);
    }

    [Theory]
    [InlineData(ColumnType.String, false, ColumnType.Binary, false, "a string never equals a byte array")]
    [InlineData(ColumnType.Timestamp, true, ColumnType.Timestamp, false, "one is a UTC instant and the other a local wall-clock value")]
    [InlineData(ColumnType.Int32, false, ColumnType.UInt64, false, null)]
    [InlineData(ColumnType.Timestamp, false, ColumnType.TimestampNanos, false, null)]
    public void Layout_JoinsKeysOnlyWhenTheirValuesCanBeEqual(ColumnType leftType, bool leftUtc, ColumnType rightType, bool rightUtc, string? refusal)
    {
        var left = new BatchSchema(new ColumnField("k", leftType, false) { IsAdjustedToUtc = leftUtc });
        var right = new BatchSchema(new ColumnField("k", rightType, false) { IsAdjustedToUtc = rightUtc });
        JoinPlan plan = Plan(JoinKind.Semi, ["k"], [new JoinOutput("k", JoinSide.Left, "k")]);
        if (refusal is null)
        {
            Assert.NotNull(JoinLayout.For(plan, left, right, left));
        }
        else
        {
            Assert.Contains(refusal, Assert.Throws<ArgumentException>(() => JoinLayout.For(plan, left, right, left)).Message);
        }
    }

    [Fact]
    public void Layout_RefusesNestedTableColumnsInTheOutput()
    {
        BatchSchema left = LeftSchema(LongKeys);
        var tags = new ColumnField("tags", ColumnType.List, true) { Children = [new ColumnField("element", ColumnType.Int64, true)] };
        var right = new BatchSchema([.. RightSchema(LongKeys).Fields, tags]);
        var output = new BatchSchema(new ColumnField("lid", ColumnType.Int64, false), tags);
        var e = Assert.Throws<ArgumentException>(() => JoinLayout.For(Plan(JoinKind.Inner, ["k"], [new JoinOutput("lid", JoinSide.Left, "lid"), new JoinOutput("tags", JoinSide.Right, "tags")]), left, right, output));
        Assert.Contains("output member 'tags' copies the nested column 'tags'", e.Message);
    }

    [Fact]
    public void Layout_RefusesOutputsOfTheWrongTypeOrNullability()
    {
        BatchSchema left = LeftSchema(LongKeys);
        BatchSchema right = RightSchema(LongKeys);
        JoinOutput[] outputs = [new JoinOutput("lid", JoinSide.Left, "lid"), new JoinOutput("rid", JoinSide.Right, "rid")];

        // A left join may find no match: its right members must be nullable.
        var output = new BatchSchema(new ColumnField("lid", ColumnType.Int64, false), new ColumnField("rid", ColumnType.Int64, false));
        var e = Assert.Throws<ArgumentException>(() => JoinLayout.For(Plan(JoinKind.Left, ["k"], outputs), left, right, output));
        Assert.Contains("output member 'rid' is not nullable but a left join leaves it null on rows without a match in table 'users'", e.Message);
        Assert.NotNull(JoinLayout.For(Plan(JoinKind.Inner, ["k"], outputs), left, right, output));

        var wrongType = new BatchSchema(new ColumnField("lid", ColumnType.Int64, false), new ColumnField("rid", ColumnType.Int32, true));
        e = Assert.Throws<ArgumentException>(() => JoinLayout.For(Plan(JoinKind.Left, ["k"], outputs), left, right, wrongType));
        Assert.Contains("output member 'rid' is declared Int32 but column 'rid' of the table's schema 'Users' is Int64", e.Message);

        var nullableSource = new BatchSchema(new ColumnField("lid", ColumnType.Int64, false), new ColumnField("rv", ColumnType.Double, false));
        e = Assert.Throws<ArgumentException>(() => JoinLayout.For(Plan(JoinKind.Inner, ["k"], [new JoinOutput("lid", JoinSide.Left, "lid"), new JoinOutput("rv", JoinSide.Right, "rv")]), left, right, nullableSource));
        Assert.Contains("output member 'rv' is not nullable but column 'rv' of the table's schema 'Users' is nullable", e.Message);

        e = Assert.Throws<ArgumentException>(() => JoinLayout.For(Plan(JoinKind.Semi, ["k"], outputs), left, right, output));
        Assert.Contains("is a Semi join, whose output is the left row unchanged, but member 'rid' is taken from table column 'rid'", e.Message);

        e = Assert.Throws<ArgumentException>(() => JoinLayout.For(Plan(JoinKind.Inner, ["k"], outputs[..1]), left, right, output));
        Assert.Contains("does not fill output member 'rid'", e.Message);
    }

    private static JoinPlan Plan(JoinKind kind, string[] keys, JoinOutput[] outputs) =>
        new("Enrich", "Events", "Users", "users", null, null, "Enriched", kind, keys, keys, outputs);
}
