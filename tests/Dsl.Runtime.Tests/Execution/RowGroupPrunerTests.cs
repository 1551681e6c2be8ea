using Dsl.Execution;
using Dsl.Parquet;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// Row-group pruning from statistics, against files our writer produced: each operator skips exactly the row groups
/// whose statistics rule out every row, and a pruned run gives the same output as an unpruned one.
/// </summary>
public sealed class RowGroupPrunerTests : IDisposable
{
    private static readonly BatchSchema Schema = new(
        new ColumnField("x", ColumnType.Int64, false),
        new ColumnField("d", ColumnType.Double, true),
        new ColumnField("s", ColumnType.String, false),
        new ColumnField("b", ColumnType.Boolean, false));

    private readonly string _root = Directory.CreateTempSubdirectory("dsl-prune-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<ScanPredicate, bool[]> Cases => new()
    {
        // Row group 0: x 0..9, d -5..-1, s a..c, b false. Row group 1: x 10..19, d 0..4 with nulls, s m..p, b mixed.
        // Row group 2: x 20..29, d all null, s x..z, b true.
        { new ScanPredicate("x", ScanOperator.GreaterThanOrEqual, 10L), [true, false, false] },
        { new ScanPredicate("x", ScanOperator.GreaterThan, 19L), [true, true, false] },
        { new ScanPredicate("x", ScanOperator.LessThan, 10L), [false, true, true] },
        { new ScanPredicate("x", ScanOperator.LessThanOrEqual, 9L), [false, true, true] },
        { new ScanPredicate("x", ScanOperator.Equal, 15L), [true, false, true] },
        { new ScanPredicate("x", ScanOperator.Equal, 15), [true, false, true] },
        { new ScanPredicate("x", ScanOperator.NotEqual, 5L), [false, false, false] },
        { new ScanPredicate("d", ScanOperator.GreaterThanOrEqual, 0.0), [true, false, true] },
        { new ScanPredicate("d", ScanOperator.LessThan, -5.0), [true, true, true] },
        { new ScanPredicate("d", ScanOperator.NotEqual, 1.0), [false, false, false] },
        { new ScanPredicate("d", ScanOperator.IsNull, null), [true, false, false] },
        { new ScanPredicate("d", ScanOperator.IsNotNull, null), [false, false, true] },
        { new ScanPredicate("s", ScanOperator.Equal, "n"), [true, false, true] },
        { new ScanPredicate("s", ScanOperator.GreaterThan, "p"), [true, true, false] },
        { new ScanPredicate("b", ScanOperator.Equal, true), [true, false, false] },
        { new ScanPredicate("b", ScanOperator.Equal, false), [false, false, true] },
        // AnyOf (x is 5 or 25; x < 0 || x > 29): a row group is skipped only when every alternative is refuted.
        { new ScanPredicate("x", ScanOperator.AnyOf, new[] { new ScanPredicate("x", ScanOperator.Equal, 5L), new ScanPredicate("x", ScanOperator.Equal, 25L) }), [false, true, false] },
        { new ScanPredicate("x", ScanOperator.AnyOf, new[] { new ScanPredicate("x", ScanOperator.LessThan, 0L), new ScanPredicate("x", ScanOperator.GreaterThan, 29L) }), [true, true, true] },
        { new ScanPredicate("x", ScanOperator.AnyOf, new[] { new ScanPredicate("x", ScanOperator.Equal, 5L), new ScanPredicate("missing", ScanOperator.Equal, 1L) }), [false, false, false] },
        // Constants of a type the column does not compare as: never prune.
        { new ScanPredicate("x", ScanOperator.Equal, 2.5), [false, false, false] },
        { new ScanPredicate("missing", ScanOperator.Equal, 1L), [false, false, false] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CanSkip_EachOperator_SkipsExactlyTheRefutedRowGroups(ScanPredicate predicate, bool[] expected)
    {
        string file = WriteFile();
        var pruner = new RowGroupPruner(Plan([predicate]));
        using var reader = new ParquetFileReader(file);

        bool[] skipped = Enumerable.Range(0, reader.RowGroupCount).Select(rg => pruner.CanSkip(reader, rg)).ToArray();

        Assert.Equal(expected, skipped);
    }

    [Fact]
    public void CanSkip_Conjunction_SkipsWhenAnyConditionIsRefuted()
    {
        string file = WriteFile();
        var pruner = new RowGroupPruner(Plan([new ScanPredicate("x", ScanOperator.GreaterThanOrEqual, 10L), new ScanPredicate("d", ScanOperator.IsNotNull, null)]));
        using var reader = new ParquetFileReader(file);

        Assert.Equal([true, false, true], Enumerable.Range(0, 3).Select(rg => pruner.CanSkip(reader, rg)));
    }

    [Fact]
    public void Run_WithPredicates_SameOutputAndFewerRowsRead()
    {
        string file = WriteFile();
        string input = Path.GetDirectoryName(file)!;
        // The kernel is the filter the predicate describes: x >= 10.
        SegmentKernel filter = (batch, _) =>
        {
            long[] x = batch.GetPrimitive<long>("x", ColumnType.Int64).Values.ToArray();
            int[] keep = Enumerable.Range(0, x.Length).Where(i => x[i] >= 10).ToArray();
            var output = new ColumnBuilder<long>(ColumnType.Int64, keep.Length, nullable: false);
            for (int i = 0; i < keep.Length; i++)
            {
                output.Values[i] = x[keep[i]];
            }
            return new RecordBatch(new BatchSchema(Schema[0]), [output.Build(keep.Length)], keep.Length);
        };
        var schemas = new Dictionary<string, BatchSchema> { ["In"] = Schema, ["X"] = new BatchSchema(Schema[0]) };
        CompiledPipeline Pipeline(IReadOnlyList<ScanPredicate>? predicates) => new(
            new PipelinePlan(
                "pruned",
                "In",
                schemas,
                [new StagePlan("Keep", StageKind.Filter, "In", "X", null, true, null, predicates)],
                [new SegmentPlan(0, ["Keep"], null, "In", "X", true, ["x"])]),
            [filter]);

        JobResult plain = new LocalExecutor().Run(Pipeline(null), input, Path.Combine(_root, "plain"));
        JobResult pruned = new LocalExecutor().Run(Pipeline([new ScanPredicate("x", ScanOperator.GreaterThanOrEqual, 10L)]), input, Path.Combine(_root, "pruned"));

        Assert.Equal(0, plain.RowGroupsSkipped);
        Assert.Equal(1, pruned.RowGroupsSkipped);
        Assert.Equal(10, pruned.RowsSkipped);
        Assert.Equal(20, pruned.RowsRead);
        Assert.Equal(20, pruned.Segments[0].RowsIn);
        Assert.Equal(plain.Sinks[0].Rows, pruned.Sinks[0].Rows);
        Assert.Equal(ReadX(Path.Combine(_root, "plain")), ReadX(Path.Combine(_root, "pruned")));
    }

    [Fact]
    public void CanSkip_IntegersDuckDbAnnotates_ArePrunedToo()
    {
        // DuckDB (like Spark and pyarrow) marks its ints INT(32, signed)/INT_32 and INT(64, signed)/INT_64; a new user's
        // integer filters never pruned such files when only unannotated ints were trusted.
        string path = Path.Combine(_root, "duck.parquet");
        using (var duck = Dsl.Testing.DuckDb.Open())
        {
            duck.Execute($"COPY (SELECT range::INTEGER AS i, range::BIGINT AS x, (range % 3)::TINYINT AS t FROM range(6144)) TO {Dsl.Testing.DuckDb.Literal(path)} (FORMAT parquet, ROW_GROUP_SIZE 2048)");
        }
        var schema = new BatchSchema(new ColumnField("i", ColumnType.Int32, false), new ColumnField("x", ColumnType.Int64, false));
        using var reader = new ParquetFileReader(path);
        Assert.Equal(3, reader.RowGroupCount);
        Dsl.Parquet.Metadata.SchemaElement i = reader.Footer.Schema.Single(e => e.Name == "i");
        Assert.True(i.LogicalType is { Kind: Dsl.Parquet.Metadata.LogicalTypeKind.Integer } || i.ConvertedType is not null, "DuckDB no longer annotates its ints; this test would prove nothing");

        bool[] Skipped(ScanPredicate predicate)
        {
            var pruner = new RowGroupPruner(new PipelinePlan(
                "p",
                "In",
                new Dictionary<string, BatchSchema> { ["In"] = schema },
                [new StagePlan("Keep", StageKind.Filter, "In", "In", null, true, null, [predicate])],
                [new SegmentPlan(0, ["Keep"], null, "In", "In", true, ["i", "x"])]));
            return Enumerable.Range(0, reader.RowGroupCount).Select(rg => pruner.CanSkip(reader, rg)).ToArray();
        }

        Assert.Equal([true, false, false], Skipped(new ScanPredicate("x", ScanOperator.GreaterThanOrEqual, 2048L)));
        Assert.Equal([false, true, true], Skipped(new ScanPredicate("i", ScanOperator.LessThan, 2048)));
        Assert.Equal([true, true, false], Skipped(new ScanPredicate("i", ScanOperator.Equal, 5000)));
    }

    private static PipelinePlan Plan(IReadOnlyList<ScanPredicate> predicates) => new(
        "p",
        "In",
        new Dictionary<string, BatchSchema> { ["In"] = Schema },
        [new StagePlan("Keep", StageKind.Filter, "In", "In", null, true, null, predicates)],
        [new SegmentPlan(0, ["Keep"], null, "In", "In", true, ["x", "d", "s", "b"])]);

    private string WriteFile()
    {
        string dir = Path.Combine(_root, "in");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "data.parquet");
        string[][] strings = [["a", "b", "c"], ["m", "n", "p"], ["x", "y", "z"]];
        using var writer = new ParquetFileWriter(path, Schema, new ParquetWriteOptions { RowGroupRows = 10 });
        for (int g = 0; g < 3; g++)
        {
            var x = new ColumnBuilder<long>(ColumnType.Int64, 10, nullable: false);
            var d = new ColumnBuilder<double>(ColumnType.Double, 10, nullable: true);
            var s = new StringColumnBuilder(ColumnType.String, 10);
            var b = new ColumnBuilder<bool>(ColumnType.Boolean, 10, nullable: false);
            for (int i = 0; i < 10; i++)
            {
                x.Values[i] = (g * 10) + i;
                d.Values[i] = g == 0 ? -5 + (i % 5) : i % 5;
                d.Validity!.Set(i, g == 0 || (g == 1 && i % 3 != 0));
                s.Append(strings[g][i % 3]);
                b.Values[i] = g == 2 || (g == 1 && i % 2 == 0);
            }
            writer.WriteBatch(new RecordBatch(Schema, [x.Build(10), d.Build(10), s.Build(), b.Build(10)], 10));
        }
        return path;
    }

    private static List<long> ReadX(string folder)
    {
        var values = new List<long>();
        foreach (string file in Directory.GetFiles(folder, "part-*.parquet").Order(StringComparer.Ordinal))
        {
            using var reader = new ParquetFileReader(file);
            foreach (RecordBatch batch in reader.ReadBatches())
            {
                using (batch)
                {
                    values.AddRange(batch.GetPrimitive<long>("x", ColumnType.Int64).Values.ToArray());
                }
            }
        }
        return values;
    }
}
