using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Testing;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// <c>[Utc]</c> DateTime members: a TIMESTAMPTZ column (an instant) is read as DateTime of kind Utc and written back
/// adjusted to UTC; without the attribute such a column is refused, never written back as a local time in silence.
/// </summary>
public sealed class UtcTimestampTests : IDisposable
{
    private const string Source = TestSources.Usings + """
        namespace Sample;

        [Schema]
        public partial record Event(long Id, [property: Utc] DateTime At, DateTime Local);

        [Schema]
        public partial record Stamped(long Id, [property: Utc] DateTime At, DateTime Local, int Hour);

        [Pipeline("events")]
        public static partial class Events
        {
            [Map]
            static Stamped Stamp(Event e) => new(e.Id, e.At, e.Local, e.At.Hour);
        }
        """;

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-utc");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void UtcMember_IsAnAdjustedColumn_ReadAsKindUtc_LocalValuesStoredAsTheirInstant()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        Type eventType = snippet.Type("Sample.Event");
        BatchSchema schema = LoadedSnippet.SchemaOf(eventType);
        Assert.True(schema[schema.IndexOf("At")].IsAdjustedToUtc);
        Assert.False(schema[schema.IndexOf("Local")].IsAdjustedToUtc);

        var local = new DateTime(2024, 3, 1, 12, 30, 0, DateTimeKind.Local);
        object row = Activator.CreateInstance(eventType, 1L, local, new DateTime(2024, 3, 1, 12, 30, 0))!;
        using RecordBatch batch = LoadedSnippet.ToBatch(eventType, [row]);

        Assert.Equal(Timestamps.ToMicros(local.ToUniversalTime()), batch.GetPrimitive<long>("At", ColumnType.Timestamp).Values[0]);
        object back = Assert.Single(LoadedSnippet.ReadRows(eventType, batch));
        var at = (DateTime)eventType.GetProperty("At")!.GetValue(back)!;
        Assert.Equal(DateTimeKind.Utc, at.Kind);
        Assert.Equal(local.ToUniversalTime(), at);
        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)eventType.GetProperty("Local")!.GetValue(back)!).Kind);
    }

    [Fact]
    public void DuckDbTimestampTz_StaysAnInstantThroughThePipeline_AndDuckDbReadsItBackAsOne()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        string input = _temp.Combine("in");
        Directory.CreateDirectory(input);
        using var duck = DuckDb.Open();
        duck.Execute("SET TimeZone = 'UTC'");
        duck.Execute($"COPY (SELECT range AS Id, TIMESTAMPTZ '2024-03-01 10:00:00+00' + to_hours(range) AS \"At\", TIMESTAMP '2024-03-01 10:00:00' + to_hours(range) AS Local FROM range(30)) TO {DuckDb.Literal(Path.Combine(input, "events.parquet"))} (FORMAT parquet)");
        string output = _temp.Combine("out");

        new LocalExecutor().Run(snippet.Pipeline("Sample.Events"), input, output);

        string parts = DuckDb.Literal(Path.Combine(output, "*.parquet"));
        Assert.Equal("TIMESTAMP WITH TIME ZONE", duck.QueryScalarString($"SELECT typeof(\"At\") FROM read_parquet({parts}) LIMIT 1"));
        Assert.Equal("TIMESTAMP", duck.QueryScalarString($"SELECT typeof(Local) FROM read_parquet({parts}) LIMIT 1"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({parts}) o JOIN read_parquet({DuckDb.Literal(Path.Combine(input, "events.parquet"))}) i USING (Id) WHERE o.\"At\" <> i.\"At\" OR o.Local <> i.Local OR o.Hour <> hour(i.\"At\")"));
        Assert.Equal(30, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({parts})"));
    }

    [Fact]
    public void TimestampTzIntoALocalMember_IsRefusedNamingTheColumnAndTheFix()
    {
        using var snippet = LoadedSnippet.Compile(Source.Replace("record Event(long Id, [property: Utc] DateTime At", "record Event(long Id, DateTime At", StringComparison.Ordinal));
        string input = _temp.Combine("in");
        Directory.CreateDirectory(input);
        using var duck = DuckDb.Open();
        duck.Execute($"COPY (SELECT 1::BIGINT AS Id, TIMESTAMPTZ '2024-03-01 10:00:00+00' AS \"At\", TIMESTAMP '2024-03-01 10:00:00' AS Local) TO {DuckDb.Literal(Path.Combine(input, "events.parquet"))} (FORMAT parquet)");

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(snippet.Pipeline("Sample.Events"), input, _temp.Combine("out")));

        Assert.Contains("stores column 'At' as a TIMESTAMP adjusted to UTC", error.Message);
        Assert.Contains("Mark the member [property: Utc]", error.Message);
    }
}
