using Dsl.Execution;
using Dsl.Testing;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// Hive partition folders (<c>key=value</c>) fill schema columns named like their keys: typed values, the null
/// default partition, escaped values, conflicts and bad values, pruning whole files by the source filters, compared
/// with DuckDB's <c>read_parquet(..., hive_partitioning = true)</c>.
/// </summary>
public sealed class HivePartitionTests : IDisposable
{
    private static readonly BatchSchema Typed = new(
        new ColumnField("x", ColumnType.Int64, false),
        new ColumnField("country", ColumnType.String, true),
        new ColumnField("year", ColumnType.Int32, false),
        new ColumnField("day", ColumnType.Date, false),
        new ColumnField("flag", ColumnType.Boolean, false));

    private readonly string _root = Directory.CreateTempSubdirectory("dsl-hive-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string In => Path.Combine(_root, "in");

    private string Out => Path.Combine(_root, "out");

    [Fact]
    public void FolderValues_OfSeveralTypes_AndTheDefaultPartition_MatchDuckDb()
    {
        TestPipelines.WriteFile(Path.Combine(In, "country=FR", "year=2024", "day=2024-01-05", "flag=true", "part-0.parquet"), 1, 3, 0);
        TestPipelines.WriteFile(Path.Combine(In, "country=US", "year=-7", "day=1999-12-31", "flag=0", "part-0.parquet"), 1, 2, 10);
        TestPipelines.WriteFile(Path.Combine(In, "country=__HIVE_DEFAULT_PARTITION__", "year=2147483647", "day=0001-01-01", "flag=FALSE", "part-0.parquet"), 1, 2, 20);
        TestPipelines.WriteFile(Path.Combine(In, "country=", "year=0", "day=2000-02-29", "flag=1", "part-0.parquet"), 1, 1, 30);

        JobResult result = new LocalExecutor().Run(TextInputPipelines.Copy(Typed), In, Out);

        Assert.Equal(8, result.Sinks[0].Rows);
        List<object?[]> rows = TextInputPipelines.ReadRows(Out);
        Assert.Equal(new object?[] { "FR", 2024, new DateOnly(2024, 1, 5), true }, rows.Single(r => (long)r[0]! == 1)[1..]);
        Assert.Equal(new object?[] { "US", -7, new DateOnly(1999, 12, 31), false }, rows.Single(r => (long)r[0]! == 11)[1..]);
        Assert.Equal(new object?[] { null, int.MaxValue, DateOnly.MinValue, false }, rows.Single(r => (long)r[0]! == 21)[1..]);
        Assert.Equal(new object?[] { "", 0, new DateOnly(2000, 2, 29), true }, rows.Single(r => (long)r[0]! == 30)[1..]); // key= is the empty string

        using var duck = DuckDb.Open();
        string expected = $"read_parquet({DuckDb.Literal(Path.Combine(In, "**", "*.parquet"))}, hive_partitioning = true, hive_types = {{'country': 'VARCHAR', 'year': 'INTEGER', 'day': 'DATE', 'flag': 'BOOLEAN'}})";
        string output = $"read_parquet({DuckDb.Literal(Path.Combine(Out, "*.parquet"))})";
        Assert.Equal(0, duck.QueryScalarInt64(
            $"SELECT count(*) FROM {output} o FULL OUTER JOIN (SELECT * FROM {expected}) e ON o.x = e.x WHERE o.x IS NULL OR e.x IS NULL OR o.country IS DISTINCT FROM e.country OR o.year IS DISTINCT FROM e.year OR o.day IS DISTINCT FROM e.day OR o.flag IS DISTINCT FROM e.flag"));
        Assert.Equal(1, duck.QueryScalarInt64($"SELECT count(DISTINCT x) FROM {expected} WHERE country IS NULL AND x = 20"));
    }

    [Fact]
    public void EscapedValues_WrittenByDuckDb_ReadBackTheSame()
    {
        Directory.CreateDirectory(In);
        using (var duck = DuckDb.Open())
        {
            duck.Execute($"COPY (SELECT * FROM (VALUES (1::BIGINT, 'a/b'), (2, 'x y'), (3, 'é ü 日本'), (4, 'a=b%c'), (5, 'q?#*:\"'), (6, 'plus+sign')) t(x, k)) TO {DuckDb.Literal(In)} (FORMAT parquet, PARTITION_BY (k), OVERWRITE_OR_IGNORE)");
        }
        // A folder written by hand with raw (unescaped) unicode and spaces, as Hive and Spark leave them.
        TestPipelines.WriteFile(Path.Combine(In, "k=raw é space", "part.parquet"), 1, 1, 7);
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Int64, false), new ColumnField("k", ColumnType.String, false));

        new LocalExecutor().Run(TextInputPipelines.Copy(schema), In, Out);

        Assert.Equal(
            [(1L, "a/b"), (2L, "x y"), (3L, "é ü 日本"), (4L, "a=b%c"), (5L, "q?#*:\""), (6L, "plus+sign"), (7L, "raw é space")],
            TextInputPipelines.ReadRows(Out).Select(r => ((long)r[0]!, (string)r[1]!)).OrderBy(r => r.Item1));
        Assert.Contains(Directory.GetDirectories(In), d => Path.GetFileName(d) == "k=a%2Fb");
        using var check = DuckDb.Open();
        Assert.Equal(0, check.QueryScalarInt64(
            $"SELECT count(*) FROM read_parquet({DuckDb.Literal(Path.Combine(Out, "*.parquet"))}) o FULL OUTER JOIN (SELECT * FROM read_parquet({DuckDb.Literal(Path.Combine(In, "**", "*.parquet"))}, hive_partitioning = true)) e ON o.x = e.x WHERE o.k IS DISTINCT FROM e.k"));
    }

    [Fact]
    public void ColumnInTheFileAndInTheFolder_IsAConflictError()
    {
        // The file has column x, and sits in a folder x=5.
        TestPipelines.WriteFile(Path.Combine(In, "x=5", "part.parquet"), 1, 3, 0);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TestPipelines.Pipeline(TestPipelines.Doubling()), In, Out));

        Assert.Contains("has a column 'x' and also sits in the hive partition folder 'x=...', so which value schema 'N' of pipeline 'doubling' should read is ambiguous", error.Message);

        // A folder key the schema does not read is only a layout: nothing to fill, nothing to conflict with.
        string other = Path.Combine(_root, "other");
        TestPipelines.WriteFile(Path.Combine(other, "y=5", "part.parquet"), 1, 3, 0);
        Assert.Equal([0L, 2L, 4L], ReadDoubled(other));
    }

    private List<long> ReadDoubled(string input)
    {
        new LocalExecutor().Run(TestPipelines.Pipeline(TestPipelines.Doubling()), input, Out);
        return TestPipelines.ReadLongs(Out);
    }

    [Theory]
    [InlineData("year=abc", "The hive partition folder 'year=abc' (file '", "gives column 'year' the value 'abc', which is not an integer from -2147483648 to 2147483647 as schema 'In' declares it (Int32)")]
    [InlineData("year=2147483648", "The hive partition folder 'year=2147483648'", "the value '2147483648', which is not an integer")]
    [InlineData("year=__HIVE_DEFAULT_PARTITION__", "The hive partition folder 'year=__HIVE_DEFAULT_PARTITION__'", "means null (__HIVE_DEFAULT_PARTITION__), but schema 'In' declares column 'year' non-nullable (Int32)")]
    public void BadFolderValue_IsAnErrorNamingTheFolder(string folder, string start, string expected)
    {
        TestPipelines.WriteFile(Path.Combine(In, folder, "part.parquet"), 1, 3, 0);
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Int64, false), new ColumnField("year", ColumnType.Int32, false));

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), In, Out));

        Assert.StartsWith(start, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void TextFilesInHiveFolders_GetTheValuesToo_AndAJsonMemberNamedLikeAKeyConflicts()
    {
        Directory.CreateDirectory(Path.Combine(In, "day=2024-01-01"));
        Directory.CreateDirectory(Path.Combine(In, "day=2024-01-02"));
        File.WriteAllText(Path.Combine(In, "day=2024-01-01", "a.csv"), "x\n1\n2\n");
        File.WriteAllText(Path.Combine(In, "day=2024-01-02", "b.jsonl"), "{\"x\":3}\n");
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Int64, false), new ColumnField("day", ColumnType.Date, false));

        new LocalExecutor().Run(TextInputPipelines.Copy(schema), In, Out);

        Assert.Equal(
            [(1L, new DateOnly(2024, 1, 1)), (2L, new DateOnly(2024, 1, 1)), (3L, new DateOnly(2024, 1, 2))],
            TextInputPipelines.ReadRows(Out).Select(r => ((long)r[0]!, (DateOnly)r[1]!)));

        File.WriteAllText(Path.Combine(In, "day=2024-01-02", "b.jsonl"), "{\"x\":3}\n{\"x\":4,\"day\":\"2024-01-09\"}\n");
        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), In, Out));
        Assert.Contains("b.jsonl', line 2: the object has member 'day', which is also a partition folder key of the file", error.Message);

        File.WriteAllText(Path.Combine(In, "day=2024-01-01", "a.csv"), "x,day\n1,2024-01-01\n");
        error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), In, Out));
        Assert.Contains("a.csv' has a column 'day' and also sits in the hive partition folder 'day=...'", error.Message);
    }

    [Fact]
    public void FolderKey_MatchesAMemberIgnoringCase_AsHiveLowerCasesKeys()
    {
        TestPipelines.WriteFile(Path.Combine(In, "country=FR", "a.parquet"), 1, 2, 0);
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Int64, false), new ColumnField("Country", ColumnType.String, false));

        new LocalExecutor().Run(TextInputPipelines.Copy(schema), In, Out);

        Assert.Equal([(0L, "FR"), (1L, "FR")], TextInputPipelines.ReadRows(Out).Select(r => ((long)r[0]!, (string)r[1]!)));

        var ambiguous = new BatchSchema(new ColumnField("x", ColumnType.Int64, false), new ColumnField("Country", ColumnType.String, false), new ColumnField("COUNTRY", ColumnType.String, false));
        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(ambiguous), In, Out));
        Assert.Contains("The hive partition folder key 'country' (file '", error.Message);
        Assert.Contains("matches columns 'Country' and 'COUNTRY' of schema 'In' ignoring letter case", error.Message);
    }

    [Fact]
    public void PipelineReadingOnlyFolderColumns_GetsARowPerRecord()
    {
        TestPipelines.WriteFile(Path.Combine(In, "country=FR", "a.parquet"), 2, 10_000, 0); // row groups larger than a batch
        Directory.CreateDirectory(Path.Combine(In, "country=US"));
        var schema = new BatchSchema(new ColumnField("country", ColumnType.String, false));

        JobResult parquet = new LocalExecutor().Run(TextInputPipelines.Copy(schema), In, Out);
        Assert.Equal(20_000, parquet.Sinks[0].Rows);

        string text = Path.Combine(_root, "text");
        Directory.CreateDirectory(Path.Combine(text, "country=FR"));
        File.WriteAllText(Path.Combine(text, "country=FR", "a.csv"), "x\n1\n2\n3\n");
        File.WriteAllText(Path.Combine(text, "country=FR", "b.jsonl"), "{\"x\":1}\n{}\n");
        JobResult csv = new LocalExecutor().Run(TextInputPipelines.Copy(schema), text, Out);
        Assert.Equal(5, csv.Sinks[0].Rows);
        Assert.All(TextInputPipelines.ReadRows(Out), r => Assert.Equal("FR", r[0]));
    }

    [Fact]
    public void SourceFilterOnAFolderColumn_SkipsWholeFilesWithoutOpeningThem()
    {
        TestPipelines.WriteFile(Path.Combine(In, "year=2023", "a.parquet"), 1, 2, 0);
        TestPipelines.WriteFile(Path.Combine(In, "year=2024", "a.parquet"), 1, 2, 10);
        TestPipelines.WriteFile(Path.Combine(In, "year=2025", "a.parquet"), 1, 2, 20);
        // Not a Parquet file at all: opening it would fail the run, so a pruned folder proves it was never opened.
        File.WriteAllText(Path.Combine(In, "year=2023", "b.parquet"), "not parquet");
        File.WriteAllText(Path.Combine(In, "year=2025", "b.parquet"), "not parquet");
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Int64, false), new ColumnField("year", ColumnType.Int32, false));

        // The kernel keeps every row it is given: rows from a skipped folder would show up in the output.
        JobResult equal = new LocalExecutor().Run(TextInputPipelines.Copy(schema, predicates: [new ScanPredicate("year", ScanOperator.Equal, 2024)]), In, Out);

        Assert.Equal(4, equal.FilesSkipped);
        Assert.Equal(5, equal.InputFiles);
        Assert.Equal([10L, 11L], TextInputPipelines.ReadRows(Out).Select(r => r[0]));
        Assert.Contains("\"partitionValues\"", File.ReadAllText(Path.Combine(Out, LocalExecutor.ManifestFile)));

        var stdout = new StringWriter();
        Assert.Equal(0, Dsl.Hosting.PipelineHost.Run(TextInputPipelines.Copy(schema, predicates: [new ScanPredicate("year", ScanOperator.Equal, 2024)]), ["run", "--input", In, "--output", Out, "--force"], null, stdout, new StringWriter()));
        Assert.Contains("skipped 4 file(s) unopened, whose partition folder values rule out every row the filters keep", stdout.ToString());

        File.Delete(Path.Combine(In, "year=2025", "b.parquet"));
        JobResult range = new LocalExecutor().Run(TextInputPipelines.Copy(schema, predicates: [new ScanPredicate("year", ScanOperator.GreaterThanOrEqual, 2024L), new ScanPredicate("x", ScanOperator.GreaterThanOrEqual, 0L)]), In, Out);
        Assert.Equal(2, range.FilesSkipped);
        Assert.Equal([10L, 11L, 20L, 21L], TextInputPipelines.ReadRows(Out).Select(r => r[0]));
    }

    [Fact]
    public void Pruning_EveryFileSkipped_CommitsAnEmptyOutput()
    {
        TestPipelines.WriteFile(Path.Combine(In, "year=2023", "a.parquet"), 1, 2, 0);
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Int64, false), new ColumnField("year", ColumnType.Int32, false));

        JobResult result = new LocalExecutor().Run(TextInputPipelines.Copy(schema, predicates: [new ScanPredicate("year", ScanOperator.LessThan, 2000)]), In, Out);

        Assert.Equal(1, result.FilesSkipped);
        Assert.Equal(0, result.Sinks[0].Rows);
        Assert.True(File.Exists(Path.Combine(Out, LocalExecutor.SuccessMarker)));
    }

    public static TheoryData<ScanPredicate, object?, bool> Constants => new()
    {
        { new ScanPredicate("year", ScanOperator.Equal, 2024), 2024, false },
        { new ScanPredicate("year", ScanOperator.Equal, 2024), 2023, true },
        { new ScanPredicate("year", ScanOperator.NotEqual, 2024), 2024, true },
        { new ScanPredicate("year", ScanOperator.NotEqual, 2024), null, false }, // null != 2024 holds (lifted)
        { new ScanPredicate("year", ScanOperator.LessThan, 2024), 2024, true },
        { new ScanPredicate("year", ScanOperator.LessThanOrEqual, 2024), 2024, false },
        { new ScanPredicate("year", ScanOperator.GreaterThan, 2024L), 2024, true },
        { new ScanPredicate("year", ScanOperator.GreaterThanOrEqual, 2024L), 2025, false },
        { new ScanPredicate("year", ScanOperator.Equal, 2024), null, true }, // null == 2024 is false
        { new ScanPredicate("year", ScanOperator.IsNull, null), null, false },
        { new ScanPredicate("year", ScanOperator.IsNull, null), 1, true },
        { new ScanPredicate("year", ScanOperator.IsNotNull, null), null, true },
        { new ScanPredicate("year", ScanOperator.AnyOf, new[] { new ScanPredicate("year", ScanOperator.Equal, 1), new ScanPredicate("year", ScanOperator.Equal, 2) }), 2, false },
        { new ScanPredicate("year", ScanOperator.AnyOf, new[] { new ScanPredicate("year", ScanOperator.Equal, 1), new ScanPredicate("year", ScanOperator.Equal, 2) }), 3, true },
        { new ScanPredicate("year", ScanOperator.Equal, 2.5), 2, false }, // a constant of another type: never prune
        { new ScanPredicate("other", ScanOperator.Equal, 1), 2, false }, // not a folder column
    };

    [Theory]
    [MemberData(nameof(Constants))]
    public void CanSkipConstants_EachOperator(ScanPredicate predicate, object? value, bool skipped)
    {
        var schema = new BatchSchema(new ColumnField("year", ColumnType.Int32, true), new ColumnField("other", ColumnType.Int32, true));
        var plan = TextInputPipelines.Copy(schema, predicates: [predicate]).Plan;

        Assert.Equal(skipped, new RowGroupPruner(plan).CanSkipConstants(new Dictionary<string, object?> { ["year"] = value }));
    }

    [Fact]
    public void CanSkipConstants_StringsCompareAsTheFilterDoes()
    {
        var schema = new BatchSchema(new ColumnField("country", ColumnType.String, true));
        var pruner = new RowGroupPruner(TextInputPipelines.Copy(schema, predicates: [new ScanPredicate("country", ScanOperator.Equal, "FR")]).Plan);

        Assert.False(pruner.CanSkipConstants(new Dictionary<string, object?> { ["country"] = "FR" }));
        Assert.True(pruner.CanSkipConstants(new Dictionary<string, object?> { ["country"] = "fr" }));
        Assert.True(pruner.CanSkipConstants(new Dictionary<string, object?> { ["country"] = null }));
    }
}
