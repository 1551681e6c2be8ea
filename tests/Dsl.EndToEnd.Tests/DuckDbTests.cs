using System.Globalization;
using Dsl.Testing;

namespace Dsl.EndToEnd.Tests;

/// <summary>Proves the test wrapper drives a real DuckDB: it writes Parquet with DuckDB and reads it back.</summary>
public sealed class DuckDbTests
{
    // 5000 rows: i is 0..4999. Every 7th row has a null int, every 11th a null double, every 13th a null string.
    private const string GeneratedRows = """
        SELECT
            CASE WHEN i % 7 = 0 THEN NULL ELSE CAST(i AS INTEGER) END AS int_col,
            CAST(i AS BIGINT) * 1000000007 AS bigint_col,
            CASE WHEN i % 11 = 0 THEN NULL ELSE CAST(i AS DOUBLE) * 0.5 END AS double_col,
            CASE WHEN i % 13 = 0 THEN NULL ELSE 'name-' || CAST(i % 100 AS VARCHAR) END AS varchar_col,
            i % 3 = 0 AS bool_col,
            TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 1500) AS ts_col
        FROM range(5000) t(i)
        """;

    private const long Rows = 5000;

    [Fact]
    public void OpenInMemory_SelectConstant_ReturnsValue()
    {
        using DuckDb db = DuckDb.Open();
        Assert.Equal(42, db.QueryScalarInt64("SELECT 40 + 2"));
        Assert.Equal(2.5, db.QueryScalarDouble("SELECT 5 / 2.0"));
        Assert.Null(db.QueryScalarDouble("SELECT NULL::DOUBLE"));
        Assert.Equal("héllo", db.QueryScalarString("SELECT 'hé' || 'llo'"));
        Assert.StartsWith("v", DuckDb.Version, StringComparison.Ordinal);
        Assert.True(File.Exists(DuckDb.LibraryPath));
    }

    [Fact]
    public void Query_InvalidSql_ThrowsWithDuckDbErrorText()
    {
        using DuckDb db = DuckDb.Open();
        var ex = Assert.Throws<DuckDbException>(() => db.Execute("SELECT * FROM no_such_table"));
        Assert.Contains("no_such_table", ex.DuckDbError, StringComparison.Ordinal);
        Assert.Contains("no_such_table", ex.Message, StringComparison.Ordinal);

        // The connection stays usable after an error.
        Assert.Equal(1, db.QueryScalarInt64("SELECT 1"));
    }

    [Fact]
    public void QueryScalar_WrongShape_Throws()
    {
        using DuckDb db = DuckDb.Open();
        Assert.Throws<InvalidOperationException>(() => db.QueryScalarInt64("SELECT * FROM range(2)"));
        Assert.Throws<InvalidOperationException>(() => db.QueryScalarInt64("SELECT NULL::BIGINT"));
    }

    [Fact]
    public void Query_ReturnsColumnNamesAndTextValues()
    {
        using DuckDb db = DuckDb.Open();
        DuckDbTable table = db.Query("SELECT i AS n, CASE WHEN i = 1 THEN NULL ELSE 'x' || i END AS s FROM range(3) t(i) ORDER BY i");
        Assert.Equal(["n", "s"], table.ColumnNames);
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(["0", "x0"], table.Rows[0]);
        Assert.Equal(["1", null], table.Rows[1]);
        Assert.Equal(["2", "x2"], table.Rows[2]);
    }

    [Fact]
    public void CopyToParquet_ThenReadBack_AggregatesMatchTheGeneratedData()
    {
        using TempDirectory temp = RepoPaths.CreateTempDirectory("dsl-duckdb");
        string file = temp.Combine("mixed.parquet");
        using DuckDb db = DuckDb.Open();

        db.CopyToParquet(GeneratedRows, file, "ROW_GROUP_SIZE 2048");

        Assert.True(new FileInfo(file).Length > 0);
        Assert.Equal(Rows, db.CountParquetRows(file));

        // Expected values computed here, independently of DuckDB.
        long expectedIntSum = 0, expectedIntCount = 0, expectedBigintSum = 0, expectedVarcharCount = 0, expectedTrue = 0;
        double expectedDoubleSum = 0;
        for (long i = 0; i < Rows; i++)
        {
            if (i % 7 != 0)
            {
                expectedIntSum += i;
                expectedIntCount++;
            }
            expectedBigintSum += i * 1000000007L;
            if (i % 11 != 0)
            {
                expectedDoubleSum += i * 0.5;
            }
            if (i % 13 != 0)
            {
                expectedVarcharCount++;
            }
            if (i % 3 == 0)
            {
                expectedTrue++;
            }
        }

        IReadOnlyList<string?> aggregates = db.AggregateParquet(
            file,
            "sum(int_col)", "count(int_col)", "sum(bigint_col)", "sum(double_col)", "count(varchar_col)",
            "count(DISTINCT varchar_col)", "sum(CASE WHEN bool_col THEN 1 ELSE 0 END)", "min(ts_col)", "max(ts_col)");

        Assert.Equal(expectedIntSum, long.Parse(aggregates[0]!, CultureInfo.InvariantCulture));
        Assert.Equal(expectedIntCount, long.Parse(aggregates[1]!, CultureInfo.InvariantCulture));
        Assert.Equal(expectedBigintSum, long.Parse(aggregates[2]!, CultureInfo.InvariantCulture));
        Assert.Equal(expectedDoubleSum, double.Parse(aggregates[3]!, CultureInfo.InvariantCulture));
        Assert.Equal(expectedVarcharCount, long.Parse(aggregates[4]!, CultureInfo.InvariantCulture));
        Assert.Equal("100", aggregates[5]);
        Assert.Equal(expectedTrue, long.Parse(aggregates[6]!, CultureInfo.InvariantCulture));
        Assert.Equal("2024-01-01 00:00:00", aggregates[7]);
        // The last row is 4999 * 1.5 ms = 7.4985 s after the start.
        Assert.Equal("2024-01-01 00:00:07.4985", aggregates[8]);

        // Typed scalars and nulls over the same file.
        Assert.Equal(Rows - expectedIntCount, db.QueryScalarInt64($"SELECT count(*) FROM read_parquet({DuckDb.Literal(file)}) WHERE int_col IS NULL"));
        Assert.Equal(expectedDoubleSum, db.QueryScalarDouble($"SELECT sum(double_col) FROM read_parquet({DuckDb.Literal(file)})"));
        Assert.Null(db.QueryScalarDouble($"SELECT double_col FROM read_parquet({DuckDb.Literal(file)}) WHERE bigint_col = 0"));

        // Parquet metadata: the row-group size took effect (5000 rows in groups of 2048) and the column types are
        // what was written.
        Assert.Equal(3, db.QueryScalarInt64($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata({DuckDb.Literal(file)})"));
        IReadOnlyList<IReadOnlyList<string?>> types = db.QueryRows(
            $"SELECT name, type FROM parquet_schema({DuckDb.Literal(file)}) WHERE name <> 'duckdb_schema' ORDER BY name");
        Assert.Equal(
            [["bigint_col", "INT64"], ["bool_col", "BOOLEAN"], ["double_col", "DOUBLE"], ["int_col", "INT32"], ["ts_col", "INT64"], ["varchar_col", "BYTE_ARRAY"]],
            types.Select(r => r.ToArray()).ToArray());
    }

    [Fact]
    public void CountParquetRows_Glob_CountsAllFiles()
    {
        using TempDirectory temp = RepoPaths.CreateTempDirectory("dsl-duckdb");
        using DuckDb db = DuckDb.Open();
        db.CopyToParquet("SELECT i FROM range(1000) t(i)", temp.Combine("part-0.parquet"));
        db.CopyToParquet("SELECT i FROM range(1000, 3500) t(i)", temp.Combine("part-1.parquet"), "COMPRESSION zstd");

        string glob = temp.Combine("*.parquet");
        Assert.Equal(3500, db.CountParquetRows(glob));
        Assert.Equal(["3500", "6123250"], db.AggregateParquet(glob, "count(*)", "sum(i)"));
    }

    [Fact]
    public void SharedParquetTesting_IsReadableByDuckDb()
    {
        string file = RepoPaths.SharedParquetFile("alltypes_plain.parquet");
        using DuckDb db = DuckDb.Open();
        Assert.Equal(8, db.CountParquetRows(file));
    }
}
