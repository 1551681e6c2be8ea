using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Testing;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// The member types real data has, end to end: DuckDB writes every type with nulls and extremes, a pipeline reads
/// them into small and unsigned integers, decimal, Guid, byte[], TimeOnly, DateTimeOffset and NanoTimestamp members,
/// computes with them, writes them, and DuckDB reads back exactly what it wrote.
/// </summary>
public sealed class MemberTypeTests : IDisposable
{
    private const string Source = TestSources.Usings + """
        namespace Sample;

        [Schema]
        public partial record Wide(
            long Id, sbyte I8, short I16, byte U8, ushort U16, uint U32, ulong U64,
            [property: Decimal(10, 2)] decimal Price, decimal? Amount, Guid Key, byte[]? Blob,
            TimeOnly At, DateTimeOffset When, NanoTimestamp Ns, sbyte? NI8, Guid? NKey, ulong? NU64);

        [Schema]
        public partial record Derived(
            long Id, sbyte I8, short I16, byte U8, ushort U16, uint U32, ulong U64,
            [property: Decimal(10, 2)] decimal Price, decimal? Amount, Guid Key, byte[]? Blob,
            TimeOnly At, DateTimeOffset When, NanoTimestamp Ns, sbyte? NI8, Guid? NKey, ulong? NU64,
            int I8Plus, [property: Decimal(12, 2)] decimal Doubled, int BlobLength, long NsSince, int Hour, Half H);

        [Pipeline("wide")]
        public static partial class WidePipeline
        {
            [Filter]
            static bool Keep(Wide w) => w.Id != 3;

            [Map]
            static Derived Derive(Wide w) => new(
                w.Id, w.I8, w.I16, w.U8, w.U16, w.U32, w.U64, w.Price, w.Amount, w.Key, w.Blob, w.At, w.When, w.Ns, w.NI8, w.NKey, w.NU64,
                w.I8 + 1, w.Price * 2, w.Blob is null ? -1 : w.Blob.Length, w.Ns.NanosecondsSince(new NanoTimestamp(0)), w.When.Hour, (Half)w.I16);
        }
        """;

    // Every type at its extremes, with nulls in the nullable members; row 3 is filtered out.
    private const string InputSql = """
        SELECT * FROM (VALUES
          (1::BIGINT, (-128)::TINYINT, (-32768)::SMALLINT, 0::UTINYINT, 0::USMALLINT, 0::UINTEGER, 0::UBIGINT,
           -99999999.99::DECIMAL(10,2), 1234567890.123456789::DECIMAL(38,18), '00000000-0000-0000-0000-000000000000'::UUID, NULL::BLOB,
           TIME '00:00:00', TIMESTAMPTZ '1970-01-01 00:00:00+00', TIMESTAMP_NS '1677-09-22 00:12:44.000000001', NULL::TINYINT, NULL::UUID, NULL::UBIGINT),
          (2::BIGINT, 127::TINYINT, 32767::SMALLINT, 255::UTINYINT, 65535::USMALLINT, 4294967295::UINTEGER, 18446744073709551615::UBIGINT,
           99999999.99::DECIMAL(10,2), -0.000000000000000001::DECIMAL(38,18), 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID, '\x00\xFF\x10'::BLOB,
           TIME '23:59:59.999999', TIMESTAMPTZ '2262-04-11 23:47:16.854775+00', TIMESTAMP_NS '2262-04-11 23:47:16.854775806', 5::TINYINT, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID, 7::UBIGINT),
          (3::BIGINT, 1::TINYINT, 1::SMALLINT, 1::UTINYINT, 1::USMALLINT, 1::UINTEGER, 1::UBIGINT,
           1.00::DECIMAL(10,2), 1::DECIMAL(38,18), '00000000-0000-0000-0000-000000000001'::UUID, ''::BLOB,
           TIME '12:00:00', TIMESTAMPTZ '2024-03-01 10:00:00+00', TIMESTAMP_NS '2024-03-01 10:00:00.123456789', 1::TINYINT, NULL::UUID, 1::UBIGINT),
          (4::BIGINT, 0::TINYINT, -1::SMALLINT, 128::UTINYINT, 32768::USMALLINT, 2147483648::UINTEGER, 9223372036854775808::UBIGINT,
           0.05::DECIMAL(10,2), NULL::DECIMAL(38,18), '12345678-9abc-def0-1234-56789abcdef0'::UUID, ''::BLOB,
           TIME '12:34:56.789012', TIMESTAMPTZ '2024-03-01 23:59:59.999999+00', TIMESTAMP_NS '2024-03-01 10:00:00.123456789', -1::TINYINT, '12345678-9abc-def0-1234-56789abcdef0'::UUID, NULL::UBIGINT)
        ) AS t(Id, I8, I16, U8, U16, U32, U64, Price, Amount, "Key", Blob, "At", "When", Ns, NI8, NKey, NU64)
        """;

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-types");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void EveryMemberType_RoundTripsThroughAPipeline_AndDuckDbReadsBackWhatItWrote()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        string input = _temp.Combine("in");
        Directory.CreateDirectory(input);
        string file = Path.Combine(input, "wide.parquet");
        using var duck = DuckDb.Open();
        duck.Execute("SET TimeZone = 'UTC'");
        duck.Execute($"COPY ({InputSql}) TO {DuckDb.Literal(file)} (FORMAT parquet)");
        string output = _temp.Combine("out");

        JobResult result = new LocalExecutor().Run(snippet.Pipeline("Sample.WidePipeline"), input, output);

        Assert.Equal(3, Assert.Single(result.Sinks).Rows);
        string parts = $"read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))})";
        string[] passed = ["I8", "I16", "U8", "U16", "U32", "U64", "Price", "Amount", "\"Key\"", "Blob", "\"At\"", "\"When\"", "Ns", "NI8", "NKey", "NU64"];
        foreach (string column in passed)
        {
            // TimeOnly holds 100 ns ticks, so it is written as TIME(NANOS), which DuckDB reads as TIME_NS.
            string type = duck.QueryScalarString($"SELECT typeof({column}) FROM read_parquet({DuckDb.Literal(file)}) LIMIT 1")!;
            Assert.Equal(type == "TIME" ? "TIME_NS" : type, duck.QueryScalarString($"SELECT typeof({column}) FROM {parts} LIMIT 1"));
            string back = type == "TIME" ? $"o.{column}::TIME" : $"o.{column}";
            Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM {parts} o JOIN read_parquet({DuckDb.Literal(file)}) i USING (Id) WHERE {back} IS DISTINCT FROM i.{column}"));
        }
        Assert.Equal(0, duck.QueryScalarInt64(
            $"SELECT count(*) FROM {parts} o JOIN read_parquet({DuckDb.Literal(file)}) i USING (Id) WHERE o.I8Plus <> i.I8::INTEGER + 1 OR o.Doubled <> i.Price * 2 "
            + "OR o.BlobLength <> coalesce(octet_length(i.Blob), -1) OR o.NsSince <> epoch_ns(i.Ns) OR o.Hour <> hour(i.\"When\")"));
        // (Half)short rounds to the nearest half: 32767 becomes 32768; -32768 and -1 are exact.
        Assert.Equal("1:-32768.0|2:32768.0|4:-1.0", duck.QueryScalarString($"SELECT string_agg(Id || ':' || H::DOUBLE, '|' ORDER BY Id) FROM {parts}"));
        Assert.Equal("DECIMAL(12,2)", duck.QueryScalarString($"SELECT typeof(Doubled) FROM {parts} LIMIT 1"));
        Assert.Equal("FLOAT", duck.QueryScalarString($"SELECT typeof(H) FROM {parts} LIMIT 1"));
        // Unsigned statistics in unsigned order: a signed comparison would make 2^31 and 2^63 the minimum.
        string meta = $"parquet_metadata({DuckDb.Literal(Path.Combine(output, "*.parquet"))})";
        Assert.Equal("0..4294967295", duck.QueryScalarString($"SELECT stats_min_value || '..' || stats_max_value FROM {meta} WHERE path_in_schema = 'U32'"));
        Assert.Equal("0..18446744073709551615", duck.QueryScalarString($"SELECT stats_min_value || '..' || stats_max_value FROM {meta} WHERE path_in_schema = 'U64'"));
    }

    private const string NanosSource = TestSources.Usings + """
        namespace Sample;

        [Schema]
        public partial record Tick(long Id, DateTime At);

        [Pipeline("ticks")]
        public static partial class Ticks
        {
            [Filter]
            static bool All(Tick t) => t.Id >= 0;
        }
        """;

    [Fact]
    public void NanosecondTimestamps_IntoADateTime_AreRefusedNamingTheFix_AndTruncatedOnlyWhenDeclared()
    {
        string input = _temp.Combine("in");
        Directory.CreateDirectory(input);
        using var duck = DuckDb.Open();
        string file = Path.Combine(input, "ticks.parquet");
        duck.Execute($"COPY (SELECT 1::BIGINT AS Id, TIMESTAMP_NS '2024-03-01 10:00:00.123456789' AS \"At\" UNION ALL SELECT 2, TIMESTAMP_NS '1969-12-31 23:59:59.999999999') TO {DuckDb.Literal(file)} (FORMAT parquet)");

        using (var plain = LoadedSnippet.Compile(NanosSource))
        {
            var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(plain.Pipeline("Sample.Ticks"), input, _temp.Combine("refused")));
            Assert.Contains("stores column 'At' as TimestampNanos", error.Message);
            Assert.Contains("Dsl.NanoTimestamp (or DateTime marked [TruncateNanoseconds])", error.Message);
        }

        using var truncating = LoadedSnippet.Compile(NanosSource.Replace("DateTime At", "[property: TruncateNanoseconds] DateTime At", StringComparison.Ordinal));
        string output = _temp.Combine("out");
        new LocalExecutor().Run(truncating.Pipeline("Sample.Ticks"), input, output);
        // Floored to the microsecond: the digits below it are dropped, also before 1970 (where DuckDB's own cast to
        // TIMESTAMP rounds toward the epoch instead, to 1970-01-01 00:00:00).
        Assert.Equal("1:2024-03-01 10:00:00.123456|2:1969-12-31 23:59:59.999999", duck.QueryScalarString($"SELECT string_agg(Id || ':' || \"At\"::VARCHAR, '|' ORDER BY Id) FROM read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))})"));
        Assert.Equal("TIMESTAMP", duck.QueryScalarString($"SELECT typeof(\"At\") FROM read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))}) LIMIT 1"));
    }

    private const string NarrowSource = TestSources.Usings + """
        namespace Sample;

        [Schema]
        public partial record Money(long Id, long Count, [property: Decimal(10, 2)] decimal Price);

        [Pipeline("money")]
        public static partial class Ledger
        {
            [Filter]
            static bool All(Money m) => m.Id >= 0;
        }
        """;

    [Theory]
    [InlineData("18446744073709551615::UBIGINT", "1.5::DECIMAL(10,2)", "(UINT64) is above 9223372036854775807, the largest long. Declare the member ulong.")]
    [InlineData("1::BIGINT", "1.2345::DECIMAL(12,4)", "stores column 'Price' as Decimal(12,4) but schema 'Money' of pipeline 'money' declares it Decimal(10,2), which would lose information. Declare the member as decimal with [property: Decimal(12, 4)] or more digits")]
    public void ValuesThatWouldChange_StopTheJob_NamingTheColumnAndTheFix(string count, string price, string expected)
    {
        using var snippet = LoadedSnippet.Compile(NarrowSource);
        string input = _temp.Combine("in");
        Directory.CreateDirectory(input);
        using var duck = DuckDb.Open();
        duck.Execute($"COPY (SELECT 1::BIGINT AS Id, {count} AS Count, {price} AS Price) TO {DuckDb.Literal(Path.Combine(input, "money.parquet"))} (FORMAT parquet)");

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(snippet.Pipeline("Sample.Ledger"), input, _temp.Combine("out")));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ADecimalWithFewerDigits_IsRescaledExactlyIntoTheMembersType()
    {
        using var snippet = LoadedSnippet.Compile(NarrowSource);
        string input = _temp.Combine("in");
        Directory.CreateDirectory(input);
        string file = Path.Combine(input, "money.parquet");
        using var duck = DuckDb.Open();
        duck.Execute($"COPY (SELECT range AS Id, 2::INTEGER AS Count, (((range * 7919) % 2000000 - 1000000) / 10.0)::DECIMAL(8,1) AS Price FROM range(3000)) TO {DuckDb.Literal(file)} (FORMAT parquet)");
        Assert.Equal("DECIMAL(8,1)", duck.QueryScalarString($"SELECT typeof(Price) FROM read_parquet({DuckDb.Literal(file)}) LIMIT 1"));
        string output = _temp.Combine("out");

        new LocalExecutor().Run(snippet.Pipeline("Sample.Ledger"), input, output);

        string parts = $"read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))})";
        Assert.Equal("DECIMAL(10,2)", duck.QueryScalarString($"SELECT typeof(Price) FROM {parts} LIMIT 1"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM {parts} o FULL JOIN read_parquet({DuckDb.Literal(file)}) i USING (Id) WHERE o.Price IS DISTINCT FROM i.Price OR o.Count IS DISTINCT FROM i.Count"));
    }

    [Fact]
    public void DecimalsWiderThanTheirColumn_AreRefusedWhenWritten_AndRoundedHalfAwayFromZeroToTheScale()
    {
        Assert.Equal((Int128)13, Decimals.FromDecimal(0.125m, 3, 2));
        Assert.Equal((Int128)(-13), Decimals.FromDecimal(-0.125m, 3, 2));
        Assert.Equal((Int128)12, Decimals.FromDecimal(0.1249m, 3, 2));
        Assert.Equal(1.25m, Decimals.ToDecimal(125, 2));
        Assert.Equal(new TimeOnly(12, 0, 0, 0, 1), Times.FromNanos(43_200_000_001_000L));
        Assert.Equal("2024-03-01T10:00:00.123456789", new NanoTimestamp(1_709_287_200_123_456_789L).ToString());
        Assert.Equal("1969-12-31T23:59:59.999999999", new NanoTimestamp(-1).ToString());
        Assert.Equal(new NanoTimestamp(1_709_287_200_123_456_700L), NanoTimestamp.FromDateTime(new NanoTimestamp(1_709_287_200_123_456_789L).ToDateTime()));
        Assert.Contains("has digits below the 100 ns that TimeOnly holds", Assert.Throws<InvalidDataException>(() => Times.FromNanos(43_200_000_000_001L)).Message);
        using (var duck = DuckDb.Open())
        {
            Assert.Equal("0.13|-0.13|0.12", duck.QueryScalarString("SELECT (0.125::DECIMAL(4,3))::DECIMAL(3,2) || '|' || (-0.125::DECIMAL(4,3))::DECIMAL(3,2) || '|' || (0.1249::DECIMAL(5,4))::DECIMAL(3,2)"));
        }
        var error = Assert.Throws<OverflowException>(() => Decimals.FromDecimal(10.0m, 3, 2));
        Assert.Contains("does not fit Decimal(3,2): it needs more than 1 digits before the point", error.Message);
        Int128 tooWide = Int128.Parse("12345678901234567890123456789012345678", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("has more significant digits than a C# decimal holds", Assert.Throws<OverflowException>(() => Decimals.ToDecimal(tooWide, 10)).Message);
    }

    [Fact]
    public void ListMembers_ReadDuckDbLists_AndDuckDbReadsBackTheSameLists()
    {
        using var snippet = LoadedSnippet.Compile(ListMemberKernelTests.Source);
        string input = _temp.Combine("in");
        Directory.CreateDirectory(input);
        string file = Path.Combine(input, "lists.parquet");
        using var duck = DuckDb.Open();
        duck.Execute($"""
            COPY (SELECT * FROM (VALUES
              (1::BIGINT, [1.5, -2.25, 4.0]::FLOAT[], [1, 2, 4611686018427387904]::BIGINT[], NULL::DOUBLE[], ['nan']::FLOAT[]),
              (2::BIGINT, []::FLOAT[], [5, -5]::BIGINT[], [0.5, -0.0]::DOUBLE[], []::FLOAT[]),
              (3::BIGINT, [0.0]::FLOAT[], []::BIGINT[], []::DOUBLE[], [65504.0]::FLOAT[])
            ) AS t(Id, Emb, Ids, Maybe, Small)) TO {DuckDb.Literal(file)} (FORMAT parquet)
            """);
        // Half members read FLOAT16 columns: write one with our own writer from DuckDB's floats.
        string output = _temp.Combine("out");

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(snippet.Pipeline("S.Lists"), input, output));
        Assert.Contains("stores column 'Small' as List<element: Float?>", error.Message);
        Assert.Contains("declares it List<element: Float16>", error.Message);

        using var floats = LoadedSnippet.Compile(ListMemberKernelTests.Source.Replace("Half[] Small", "float[] Small", StringComparison.Ordinal));
        new LocalExecutor().Run(floats.Pipeline("S.Lists"), input, output);

        string parts = $"read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))})";
        Assert.Equal("FLOAT[]", duck.QueryScalarString($"SELECT typeof(Emb) FROM {parts} LIMIT 1"));
        using (var written = new Dsl.Parquet.ParquetFileReader(Directory.GetFiles(output, "*.parquet")[0]))
        {
            ColumnField ids = written.Columns.Single(c => c.Name == "Ids").Field!;
            Assert.Equal(ColumnType.Int64, ids.Children[0].Type);
            Assert.False(ids.Children[0].Nullable);
        }
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM {parts} o JOIN read_parquet({DuckDb.Literal(file)}) i USING (Id) WHERE o.Emb IS DISTINCT FROM i.Emb OR o.Ids IS DISTINCT FROM i.Ids OR o.Small IS DISTINCT FROM i.Small"));
        Assert.Equal("1:3:3.25:4.611686018427388e+18:NULL|2:0:0.0:0.0:2|3:1:0.0:0.0:0", duck.QueryScalarString(
            $"SELECT string_agg(Id || ':' || Length || ':' || Sum::DOUBLE || ':' || IdSum::DOUBLE || ':' || coalesce(MaybeLength::VARCHAR, 'NULL'), '|' ORDER BY Id) FROM {parts}"));
    }

    [Fact]
    public void AListWithANullElement_IntoAnArrayMember_StopsTheJobNamingTheColumn()
    {
        using var snippet = LoadedSnippet.Compile(ListMemberKernelTests.Source.Replace("Half[] Small", "float[] Small", StringComparison.Ordinal));
        string input = _temp.Combine("in");
        Directory.CreateDirectory(input);
        using var duck = DuckDb.Open();
        duck.Execute($"COPY (SELECT 1::BIGINT AS Id, [1.0, NULL]::FLOAT[] AS Emb, [1]::BIGINT[] AS Ids, NULL::DOUBLE[] AS Maybe, []::FLOAT[] AS Small) TO {DuckDb.Literal(Path.Combine(input, "lists.parquet"))} (FORMAT parquet)");

        var error = Assert.ThrowsAny<Exception>(() => new LocalExecutor().Run(snippet.Pipeline("S.Lists"), input, _temp.Combine("out")));

        Assert.Contains("Column 'Emb' holds a null element (element 1 of its row 0), but the member's elements are not nullable", error.ToString());
    }
}
