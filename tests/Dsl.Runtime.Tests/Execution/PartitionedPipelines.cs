using Dsl.Execution;
using Dsl.Parquet;
using Dsl.Testing;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// Hand-written pipelines for partitioned-output tests: each reads the numbers files of <see cref="TestPipelines"/>
/// (column "x") and derives the columns to partition by from x.
/// </summary>
internal static class PartitionedPipelines
{
    /// <summary>(Key: string?, x: long): one string to partition by.</summary>
    public static readonly BatchSchema Keyed = new(new ColumnField("Key", ColumnType.String, true), new ColumnField("x", ColumnType.Int64, false));

    /// <summary>(Country: string, Year: int, x: long, Day: DateOnly, Flag: bool, Score: double).</summary>
    public static readonly BatchSchema Typed = new(
        new ColumnField("Country", ColumnType.String, false),
        new ColumnField("Year", ColumnType.Int32, false),
        new ColumnField("x", ColumnType.Int64, false),
        new ColumnField("Day", ColumnType.Date, true),
        new ColumnField("Flag", ColumnType.Boolean, false),
        new ColumnField("Score", ColumnType.Double, false));

    /// <summary>The sink is stage "Tag", writing <see cref="Keyed"/> rows with <paramref name="key"/>(x).</summary>
    public static CompiledPipeline ByKey(Func<long, string?> key, string name = "keyed") => Single(name, Keyed, (input, _) =>
    {
        ReadOnlySpan<long> x = input.GetPrimitive<long>("x", ColumnType.Int64).Values;
        var keys = new StringColumnBuilder(ColumnType.String, x.Length);
        var values = new ColumnBuilder<long>(ColumnType.Int64, x.Length, nullable: false);
        for (int i = 0; i < x.Length; i++)
        {
            keys.Append(key(x[i]));
            values.Values[i] = x[i];
        }
        return new RecordBatch(Keyed, [keys.Build(), values.Build(x.Length)], x.Length);
    });

    /// <summary>
    /// The sink is stage "Tag", writing <see cref="Typed"/> rows: Country cycles through FR, DE, US; Year is 2023 or
    /// 2024; Day is 2024-01-01 plus x % 3 days (null when x % 10 == 9); Flag is x % 2 == 0; Score is x / 4.
    /// </summary>
    public static CompiledPipeline Typed6(string name = "typed") => Single(name, Typed, (input, _) =>
    {
        ReadOnlySpan<long> x = input.GetPrimitive<long>("x", ColumnType.Int64).Values;
        int n = x.Length;
        var country = new StringColumnBuilder(ColumnType.String, n);
        var year = new ColumnBuilder<int>(ColumnType.Int32, n, nullable: false);
        var values = new ColumnBuilder<long>(ColumnType.Int64, n, nullable: false);
        var day = new ColumnBuilder<int>(ColumnType.Date, n, nullable: true);
        var flag = new ColumnBuilder<bool>(ColumnType.Boolean, n, nullable: false);
        var score = new ColumnBuilder<double>(ColumnType.Double, n, nullable: false);
        for (int i = 0; i < n; i++)
        {
            long v = x[i];
            country.Append(Countries[v % 3]);
            year.Values[i] = 2023 + (int)(v / 7 % 2);
            values.Values[i] = v;
            day.Values[i] = Dates.ToDays(new DateOnly(2024, 1, 1)) + (int)(v % 3);
            day.Validity!.Set(i, v % 10 != 9);
            flag.Values[i] = v % 2 == 0;
            score.Values[i] = v / 4.0;
        }
        return new RecordBatch(Typed, [country.Build(), year.Build(n), values.Build(n), day.Build(n), flag.Build(n), score.Build(n)], n);
    });

    public static readonly string[] Countries = ["FR", "DE", "US"];

    /// <summary>A one-stage pipeline over the numbers input whose sink "Tag" writes <paramref name="output"/>.</summary>
    public static CompiledPipeline Single(string name, BatchSchema output, SegmentKernel kernel) => new(
        new PipelinePlan(
            name,
            "N",
            new Dictionary<string, BatchSchema> { ["N"] = TestPipelines.Numbers, ["O"] = output },
            [new StagePlan("Tag", StageKind.Map, "N", "O", null, true, null)],
            [new SegmentPlan(0, ["Tag"], null, "N", "O", true, ["x"])]),
        [kernel]);

    /// <summary>Options partitioning sink "Tag" by <paramref name="columns"/>.</summary>
    public static ExecutionOptions By(params string[] columns) => new() { PartitionBy = new Dictionary<string, IReadOnlyList<string>> { ["Tag"] = columns } };

    /// <summary>Every file under <paramref name="folder"/>, relative, '/'-separated, in ordinal order.</summary>
    public static string[] Files(string folder, string pattern = "*.parquet") =>
        Directory.GetFiles(folder, pattern, SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The rows DuckDB reads from <paramref name="folder"/>'s part files with hive partitioning, as text, ordered by x.</summary>
    public static IReadOnlyList<IReadOnlyList<string?>> DuckDbRows(string folder, string columns, string? hiveTypes = null)
    {
        using var duck = DuckDb.Open();
        string types = hiveTypes is null ? "" : $", hive_types={hiveTypes}";
        return duck.QueryRows($"SELECT {columns} FROM read_parquet({DuckDb.Literal(Path.Combine(folder, "**", "*.parquet"))}, hive_partitioning=true{types}) ORDER BY x");
    }

    /// <summary>Column names of one part file, in order.</summary>
    public static string[] FileColumns(string file)
    {
        using var reader = new ParquetFileReader(file);
        return reader.Schema.Fields.Select(f => f.Name).ToArray();
    }
}
