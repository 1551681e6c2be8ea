using Dsl.Cli.Formatting;
using Dsl.Testing;

namespace Dsl.Parquet.Tests.Interop;

/// <summary>
/// Logical and nested types against DuckDB: DuckDB reads our dates, times, timestamps, decimals and fixed-length
/// binary as we wrote them, and we read DuckDB's nested lists, maps and structs as DuckDB itself prints them.
/// </summary>
public sealed class DuckDbLogicalTypeTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-duckdb-logical");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void DuckDb_ReadsOurLogicalTypes_AsWeDo()
    {
        const int rows = 600;
        string path = _temp.Combine("ours.parquet");
        File.WriteAllBytes(path, LogicalTypeTests.Write(rows, new ParquetWriteOptions { RowGroupRows = 250 }, wholeMicros: true));
        using var duck = DuckDb.Open();
        IReadOnlyList<IReadOnlyList<string?>> theirs = duck.QueryRows($"SELECT to_json(r)::VARCHAR FROM read_parquet({DuckDb.Literal(path)}) r");
        using var reader = new ParquetFileReader(path);
        List<string> ours = ParquetAssert.ReadJsonLines(reader);
        Assert.Equal(rows, theirs.Count);
        for (int i = 0; i < rows; i++)
        {
            Assert.Equal(theirs[i][0], ours[i]);
        }
    }

    [Fact]
    public void Reader_ReadsDuckDbLogicalTypes_AsDuckDbPrintsThem()
    {
        string path = _temp.Combine("logical.parquet");
        using var duck = DuckDb.Open();
        duck.Execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
        const string select = """
            SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE ('00112233-4455-6677-8899-aabbccddee' || lpad((i % 256)::VARCHAR, 2, '0'))::UUID END AS u,
                   TIME '00:00:00' + to_microseconds(i * 1234567891) AS t,
                   TIMESTAMP_NS '1969-12-31 23:59:59.123456789' + to_microseconds(i * 1000003) AS tsn,
                   TIMESTAMPTZ '2001-02-03 04:05:06.789+00' + to_microseconds(i * 999) AS tsz,
                   TIMESTAMP_MS '2001-02-03 04:05:06.789' + to_milliseconds(i) AS tsm,
                   TIMESTAMP_S '1901-02-03 04:05:06' + to_seconds(i) AS tss,
                   ((i * 7 - 7000) / 10.0)::DECIMAL(4,1) AS d4,
                   (i * 123456789 - 5e10)::DECIMAL(18,3) AS d18,
                   (i::HUGEINT * 1234567890123456789 - 3)::DECIMAL(38,5) AS d38,
                   ['sad', 'ok', 'happy'][1 + i % 3]::mood AS e,
                   ('{"k":' || i || '}') AS s,
                   ('\x00\x5C' || i)::BLOB AS b,
                   DATE '0001-01-01' + (i * 1000)::INTEGER AS d
            FROM range(2000) t(i)
            """;
        duck.CopyToParquet(select, path, "ROW_GROUP_SIZE 700");
        IReadOnlyList<IReadOnlyList<string?>> theirs = duck.QueryRows($"SELECT to_json(r)::VARCHAR FROM read_parquet({DuckDb.Literal(path)}) r");
        using var reader = new ParquetFileReader(path);
        List<string> ours = ParquetAssert.ReadJsonLines(reader);
        Assert.Equal(theirs.Count, ours.Count);
        for (int i = 0; i < ours.Count; i++)
        {
            Assert.Equal(theirs[i][0], ours[i]);
        }
    }

    [Fact]
    public void Reader_ReadsDuckDbNestedColumns_AsDuckDbPrintsThem()
    {
        string path = _temp.Combine("nested.parquet");
        using var duck = DuckDb.Open();
        const string select = """
            SELECT i,
                   CASE WHEN i % 7 = 0 THEN NULL ELSE [j FOR j IN range(i % 4)] END AS ints,
                   CASE WHEN i % 5 = 0 THEN NULL ELSE [CASE WHEN j % 2 = 0 THEN NULL ELSE 's' || j END FOR j IN range(i % 3)] END AS strs,
                   CASE WHEN i % 6 = 0 THEN NULL ELSE {'a': i, 'b': CASE WHEN i % 4 = 0 THEN NULL ELSE 'x' || i END, 'c': [i, i + 1]} END AS st,
                   CASE WHEN i % 9 = 0 THEN NULL ELSE MAP {'k' || (i % 3): i, 'z': NULL} END AS m,
                   [[j, NULL] FOR j IN range(i % 3)] AS nested,
                   [{'x': j, 'y': [j::DECIMAL(9,2)]} FOR j IN range(i % 2)] AS structs,
                   CASE WHEN i % 8 = 0 THEN NULL ELSE DATE '2020-01-01' + i::INTEGER END AS d
            FROM range(3000) t(i)
            """;
        duck.CopyToParquet(select, path, "ROW_GROUP_SIZE 1000");
        IReadOnlyList<IReadOnlyList<string?>> theirs = duck.QueryRows($"SELECT to_json(r)::VARCHAR FROM read_parquet({DuckDb.Literal(path)}) r");
        using var reader = new ParquetFileReader(path);
        List<string> ours = ParquetAssert.ReadJsonLines(reader);
        Assert.Equal(theirs.Count, ours.Count);
        for (int i = 0; i < ours.Count; i++)
        {
            Assert.Equal(theirs[i][0], ours[i]);
        }
    }
}
