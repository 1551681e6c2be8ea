using Dsl.Generators.Tests.Infrastructure;
using Dsl.Hosting;
using Dsl.Testing;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// <c>generate-sample</c> for any pipeline, from its input schema alone: every member type, values within
/// <c>[Range]</c>, strings from <c>[SampleValues]</c>, nulls at half the <c>[NullRate]</c>, and the same bytes for the same seed.
/// </summary>
public sealed class SyntheticSampleTests : IDisposable
{
    private const string Source = TestSources.Usings + """
        namespace Sample;

        [Schema]
        public partial record Reading(
            long Id, [property: Range(-40, 85)] double Celsius, [property: Range(1, 12)] int Month, [property: SampleValues("FR", "DE", "US")] string Country,
            [property: NullRate(0.5)] double? Humidity, string? Note, sbyte Small, ushort Port, ulong Big, Half H, [property: Decimal(5, 2)] decimal Price,
            decimal Amount, Guid Key, byte[] Blob, TimeOnly At, DateTime Ts, DateTimeOffset When, NanoTimestamp Ns, DateOnly Day, bool Flag, float[] Emb);

        [Pipeline("readings")]
        public static partial class Readings
        {
            [Filter]
            static bool Plausible(Reading r) => r.Celsius > -30;
        }
        """;

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-synthetic");

    public void Dispose() => _temp.Dispose();

    private const string RuleSource = TestSources.Usings + """
        namespace Sample;

        [Schema]
        public partial record Graded(
            [property: Range(0, 1, MinExclusive = true, MaxExclusive = true)] float Share,
            [property: Range(0, 10, MinExclusive = true, MaxExclusive = true)] int Level,
            [property: Range(0, 1e-300, MaxExclusive = true)] double Tiny,
            [property: OneOf("a", "b")] string Kind,
            [property: OneOf(2, 4)] long Code);

        [Pipeline("graded")]
        public static partial class Grades
        {
            [Filter]
            static bool Any(Graded g) => g.Level > 0;
        }
        """;

    [Fact]
    public void GenerateSample_KeepsOffExclusiveBounds_AndDrawsOneOfValues()
    {
        using var snippet = LoadedSnippet.Compile(RuleSource);
        string output = _temp.Combine("graded");
        Assert.Equal(0, PipelineHost.Run(snippet.Pipeline("Sample.Grades"), ["generate-sample", "--rows", "5000", "--seed", "3", "--output", output], stdout: new StringWriter(), stderr: new StringWriter()));
        using var duck = DuckDb.Open();
        string data = $"read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))})";
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM {data} WHERE Share <= 0 OR Share >= 1 OR Level NOT BETWEEN 1 AND 9 OR Tiny < 0 OR Tiny >= 1e-300 OR Kind NOT IN ('a', 'b') OR Code NOT IN (2, 4)"));
        Assert.Equal(9, duck.QueryScalarInt64($"SELECT count(DISTINCT Level) FROM {data}"));
        Assert.Equal(2, duck.QueryScalarInt64($"SELECT count(DISTINCT Code) FROM {data}"));
    }

    [Fact]
    public void GenerateSample_WritesEveryTypeWithinTheDeclaredRangesAndRates_TheSameForTheSameSeed()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        string first = _temp.Combine("first");
        string again = _temp.Combine("again");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.Equal(0, PipelineHost.Run(snippet.Pipeline("Sample.Readings"), ["generate-sample", "--rows", "20000", "--files", "2", "--seed", "7", "--output", first], stdout: stdout, stderr: stderr));
        Assert.Equal(0, PipelineHost.Run(snippet.Pipeline("Sample.Readings"), ["generate-sample", "--rows", "20000", "--files", "2", "--seed", "7", "--output", again], stdout: stdout, stderr: stderr));

        Assert.Equal(string.Empty, stderr.ToString());
        string[] files = Directory.GetFiles(first, "*.parquet").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, files.Length);
        foreach (string file in files)
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(again, Path.GetFileName(file))));
        }
        using var duck = DuckDb.Open();
        string data = $"read_parquet({DuckDb.Literal(Path.Combine(first, "*.parquet"))})";
        Assert.Equal(20000, duck.QueryScalarInt64($"SELECT count(*) FROM {data}"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM {data} WHERE Celsius < -40 OR Celsius > 85 OR Month NOT BETWEEN 1 AND 12 OR Country NOT IN ('FR', 'DE', 'US')"));
        Assert.Equal(12, duck.QueryScalarInt64($"SELECT count(DISTINCT Month) FROM {data}"));
        Assert.Equal(3, duck.QueryScalarInt64($"SELECT count(DISTINCT Country) FROM {data}"));
        // Nulls at half the declared limit (a quarter of 20,000 rows), 10% for a nullable member without one; none elsewhere.
        Assert.InRange(duck.QueryScalarInt64($"SELECT count(*) FROM {data} WHERE Humidity IS NULL"), 4500, 5500);
        Assert.InRange(duck.QueryScalarInt64($"SELECT count(*) FROM {data} WHERE Note IS NULL"), 1700, 2300);
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM {data} WHERE Id IS NULL OR Price IS NULL OR Key IS NULL OR Emb IS NULL"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM {data} WHERE Price < 0 OR Price > 999.99 OR year(Ts) <> 2026 OR year(Day) <> 2026 OR len(Emb) > 8"));
        Assert.Equal("DECIMAL(5,2)|DECIMAL(38,18)|UUID|BLOB|TIME_NS|TIMESTAMP WITH TIME ZONE|TIMESTAMP_NS|FLOAT[]|TINYINT|USMALLINT|UBIGINT|FLOAT",
            duck.QueryScalarString($"SELECT concat_ws('|', typeof(Price), typeof(Amount), typeof(\"Key\"), typeof(Blob), typeof(\"At\"), typeof(\"When\"), typeof(Ns), typeof(Emb), typeof(Small), typeof(Port), typeof(Big), typeof(H)) FROM {data} LIMIT 1"));
        Assert.Equal(20000, duck.QueryScalarInt64($"SELECT count(DISTINCT \"Key\") FROM {data}"));
    }

    [Fact]
    public void AnotherSeed_GivesOtherRows()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        PipelineHost.Run(snippet.Pipeline("Sample.Readings"), ["generate-sample", "--rows", "100", "--files", "1", "--seed", "1", "--output", _temp.Combine("a")], stdout: TextWriter.Null, stderr: TextWriter.Null);
        PipelineHost.Run(snippet.Pipeline("Sample.Readings"), ["generate-sample", "--rows", "100", "--files", "1", "--seed", "2", "--output", _temp.Combine("b")], stdout: TextWriter.Null, stderr: TextWriter.Null);

        using var duck = DuckDb.Open();
        Assert.Equal(100, duck.QueryScalarInt64($"SELECT count(*) FROM (SELECT Celsius FROM read_parquet({DuckDb.Literal(Path.Combine(_temp.Combine("a"), "*.parquet"))}) EXCEPT SELECT Celsius FROM read_parquet({DuckDb.Literal(Path.Combine(_temp.Combine("b"), "*.parquet"))}))"));
    }
}
