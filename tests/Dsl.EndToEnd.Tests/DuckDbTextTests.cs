using System.Globalization;
using Dsl.Testing;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// The DuckDB helper reads typed values through DuckDB.NET and renders them as text itself; these tests hold that
/// text to DuckDB's own <c>CAST(v AS VARCHAR)</c> of the same values (the form the tests compared against when they
/// read <c>duckdb_value_varchar</c>), so a change in DuckDB.NET's type mapping or DuckDB's formatting fails here.
/// </summary>
public sealed class DuckDbTextTests
{
    /// <summary>SQL expressions of every scalar type the helper renders, with edge values of each (or a query of one column v).</summary>
    public static TheoryData<string> Expressions =>
    [
        // Integers of every width, signed and unsigned, at their limits.
        "(-128)::TINYINT", "127::TINYINT", "(-32768)::SMALLINT", "2147483647::INTEGER", "(-2147483648)::INTEGER",
        "(-9223372036854775808)::BIGINT", "9223372036854775807::BIGINT", "255::UTINYINT", "65535::USMALLINT",
        "4294967295::UINTEGER", "18446744073709551615::UBIGINT",
        "(-170141183460469231731687303715884105727)::HUGEINT", "340282366920938463463374607431768211455::UHUGEINT",
        "SELECT sum(i) AS v FROM range(100001) t(i)",
        // Doubles: positional from 1e-4 to below 1e16, exponents outside, specials, signed zero, extremes.
        "2.5::DOUBLE", "1.0::DOUBLE", "0.1::DOUBLE", "(1/3)::DOUBLE", "'-0.0'::DOUBLE", "0.0::DOUBLE", "'nan'::DOUBLE",
        "'inf'::DOUBLE", "'-inf'::DOUBLE", "1e15::DOUBLE", "1e16::DOUBLE", "123456789012345678::DOUBLE", "0.0001::DOUBLE",
        "0.00001::DOUBLE", "1e-7::DOUBLE", "5e-324::DOUBLE", "1.7976931348623157e308::DOUBLE", "(-1234.5e100)::DOUBLE",
        "2.2250738585072014e-308::DOUBLE", "9007199254740993::DOUBLE", "100::DOUBLE", "(-7e22)::DOUBLE",
        // Floats: their own shortest digits.
        "0.1::FLOAT", "(1/3)::FLOAT", "1e16::FLOAT", "1e15::FLOAT", "'nan'::FLOAT", "'-inf'::FLOAT", "3.4028235e38::FLOAT",
        "1e-45::FLOAT", "16777217::FLOAT", "'-0.0'::FLOAT",
        // Decimals keep their declared scale, narrow (64-bit) and wide (128-bit), and so do their sums.
        "1.50::DECIMAL(4,2)", "0.00::DECIMAL(4,2)", "(-0.5)::DECIMAL(4,2)", "123::DECIMAL(5,0)", "123.456::DECIMAL(18,3)",
        "1.5::DECIMAL(38,10)", "(-99999999999999999.9)::DECIMAL(38,1)", "12345678901234567.8901234567::DECIMAL(38,10)",
        "SELECT sum(x) AS v FROM (SELECT 1.25::DECIMAL(10,2) AS x FROM range(7))", "SELECT avg(x) AS v FROM (SELECT 2::DECIMAL(10,2) AS x)",
        // Text and booleans.
        "'héllo'", "''", "'it''s \"quoted\", with a \\ backslash'", "true", "false", "'ok'::ENUM('sad', 'ok')", "'101'::BIT",
        // Blobs: printable ASCII as itself; other bytes, quotes and the backslash as \xHH.
        "'\\x00ab\\xFF\\x41'::BLOB", "'\\x27\\x5C\\x22 z~\\x7F'::BLOB", "''::BLOB",
        // Dates and timestamps: micro- and milli- and second precision, trailing zeros trimmed, BC, far future, infinity.
        "DATE '2024-01-02'", "DATE '0001-01-01'", "DATE '-0044-03-15'", "DATE '5000-12-31'", "'infinity'::DATE", "'-infinity'::DATE",
        "TIMESTAMP '2024-01-01 00:00:00'", "TIMESTAMP '2024-01-01 00:00:07.4985'", "TIMESTAMP '1969-12-31 23:59:59.999999'",
        "TIMESTAMP '1677-09-21 00:12:43.145225'", "TIMESTAMP '9999-12-31 23:59:59.000001'", "TIMESTAMP '12000-06-01 10:00:00'",
        "TIMESTAMP '-0100-02-03 04:05:06'", "'infinity'::TIMESTAMP", "'-infinity'::TIMESTAMP",
        "TIMESTAMP_MS '2024-01-01 00:00:00.120'", "TIMESTAMP_S '2024-01-01 00:00:01'",
        "TIME '10:11:12.5'", "TIME '00:00:00'", "TIME '23:59:59.999999'", "TIMETZ '10:00:00+02'", "TIMETZ '10:00:00.25-05:30'",
        // Intervals: each part only when not zero, singular for one, the time part for the rest.
        "INTERVAL '1 year 2 months 3 days 04:05:06.007'", "INTERVAL '-1 day'", "INTERVAL '0 seconds'", "INTERVAL '14 months'",
        "INTERVAL '-1 year -2 months'", "INTERVAL '36 hours'", "INTERVAL '-00:00:00.5'", "INTERVAL '2 days 1 microsecond'",
        "'3f0e0e5c-9a43-4f8b-8a4d-6d1c2b8c7e10'::UUID", "'00000000-0000-0000-0000-000000000001'::UUID",
    ];

    [Theory]
    [MemberData(nameof(Expressions))]
    public void Query_RendersEachValue_AsDuckDbCastsItToVarchar(string expression)
    {
        using DuckDb db = DuckDb.Open();
        // SELECT v, v::VARCHAR: the second column is DuckDB's own text for the value of the first.
        string source = expression.StartsWith("SELECT ", StringComparison.Ordinal) ? expression : $"SELECT {expression} AS v";
        string select = $"SELECT v, v::VARCHAR FROM ({source})";
        IReadOnlyList<string?> row = Assert.Single(db.QueryRows(select));
        Assert.NotNull(row[1]);
        Assert.Equal(row[1], row[0]);
    }

    [Fact]
    public void Query_RendersValues_InTheFormTheTestsCompareAgainst()
    {
        using DuckDb db = DuckDb.Open();
        // Pinned texts, so that DuckDB and the helper changing together would still be noticed.
        IReadOnlyList<string?> row = Assert.Single(db.QueryRows(
            "SELECT 5 / 2.0, 1e20::DOUBLE, 'nan'::DOUBLE, 1.0::DOUBLE, 42, 3::HUGEINT, true, NULL::VARCHAR, NULL::DOUBLE, " +
            "TIMESTAMP '2024-01-01 00:00:07.4985', TIMESTAMP '2024-01-01 00:00:00', 1.50::DECIMAL(4,2), 1.5::DECIMAL(38,10), " +
            "'\\x00ab'::BLOB, DATE '2024-02-29', 'x'"));
        Assert.Equal(
            ["2.5", "1e+20", "nan", "1.0", "42", "3", "true", null, null, "2024-01-01 00:00:07.4985", "2024-01-01 00:00:00", "1.50", "1.5000000000", "\\x00ab", "2024-02-29", "x"],
            row);
    }

    [Fact]
    public void Query_RendersRandomDoublesAndFloats_AsDuckDbDoes()
    {
        // Random bit patterns cover every exponent; each goes to DuckDB as its round-trip text, which reads back exactly.
        var random = new Random(20261201);
        var doubles = new List<string>();
        var floats = new List<string>();
        while (doubles.Count < 1500)
        {
            double d = BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));
            if (double.IsFinite(d))
            {
                doubles.Add($"('{d.ToString("R", CultureInfo.InvariantCulture)}'::DOUBLE)");
            }
            // Decimal-looking values too: prices, ratios, large counts.
            doubles.Add($"({Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-6, 20)), random.Next(0, 8)).ToString("R", CultureInfo.InvariantCulture)}::DOUBLE)");
            float f = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
            if (float.IsFinite(f))
            {
                floats.Add($"('{f.ToString("R", CultureInfo.InvariantCulture)}'::FLOAT)");
            }
        }
        using DuckDb db = DuckDb.Open();
        foreach (List<string> values in new[] { doubles, floats })
        {
            IReadOnlyList<IReadOnlyList<string?>> rows = db.QueryRows($"SELECT v, v::VARCHAR FROM (VALUES {string.Join(", ", values)}) t(v)");
            Assert.Equal(values.Count, rows.Count);
            Assert.All(rows, r => Assert.Equal(r[1], r[0]));
        }
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("America/New_York")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Australia/Lord_Howe")]
    public void Query_RendersTimestampTz_InTheSessionTimeZone_AsDuckDbDoes(string zone)
    {
        using DuckDb db = DuckDb.Open();
        db.Execute($"SET TimeZone = {DuckDb.Literal(zone)}");
        // Both sides of daylight saving time, a fraction of a second, and the infinities.
        IReadOnlyList<IReadOnlyList<string?>> rows = db.QueryRows(
            "SELECT v, v::VARCHAR FROM (VALUES (TIMESTAMPTZ '2024-01-15 12:00:00+00'), (TIMESTAMPTZ '2024-07-15 12:00:00.25+00'), " +
            "(TIMESTAMPTZ '1999-12-31 23:59:59.999999+00'), ('infinity'::TIMESTAMPTZ), ('-infinity'::TIMESTAMPTZ)) t(v)");
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal(r[1], r[0]));
    }

    [Theory]
    [InlineData("[1, 2]", "List")]
    [InlineData("{'a': 1}", "Struct")]
    [InlineData("MAP {'k': 1}", "Map")]
    [InlineData("TIMESTAMP_NS '2024-01-01 00:00:00.123456789'", "TimestampNs")]
    [InlineData("123456789012345678901234.5678901::DECIMAL(38,7)", "DECIMAL")]
    public void Query_ValueItCannotRenderExactly_ThrowsSayingToCastInSql(string expression, string named)
    {
        using DuckDb db = DuckDb.Open();
        var ex = Assert.Throws<NotSupportedException>(() => db.QueryRows($"SELECT {expression} AS v"));
        Assert.Contains("'v'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        Assert.Contains("v::VARCHAR", ex.Message, StringComparison.Ordinal);
        // Cast in SQL, it reads as DuckDB's text.
        Assert.NotNull(db.QueryScalarString($"SELECT ({expression})::VARCHAR"));
    }

    [Fact]
    public void QueryScalars_ReadTypedValues_OfEveryNumericType()
    {
        using DuckDb db = DuckDb.Open();
        Assert.Equal(6123250, db.QueryScalarInt64("SELECT sum(i) FROM range(3500) t(i)"));
        Assert.Equal(255, db.QueryScalarInt64("SELECT 255::UTINYINT"));
        Assert.Equal(long.MinValue, db.QueryScalarInt64("SELECT (-9223372036854775808)::BIGINT"));
        Assert.Throws<InvalidOperationException>(() => db.QueryScalarInt64("SELECT 9223372036854775808::HUGEINT"));
        Assert.Throws<InvalidOperationException>(() => db.QueryScalarInt64("SELECT 2.5::DOUBLE"));
        Assert.Equal(1.25, db.QueryScalarDouble("SELECT 1.25::DECIMAL(5,2)"));
        Assert.Equal(0.5, db.QueryScalarDouble("SELECT 0.5::FLOAT"));
        Assert.Equal(7, db.QueryScalarDouble("SELECT 7::TINYINT"));
        Assert.True(double.IsNaN(db.QueryScalarDouble("SELECT 'nan'::DOUBLE")!.Value));
        Assert.Throws<InvalidOperationException>(() => db.QueryScalarDouble("SELECT 'x'"));
        Assert.Equal("TIMESTAMP WITH TIME ZONE", db.QueryScalarString("SELECT typeof(now())"));
        Assert.Null(db.QueryScalarString("SELECT NULL"));
    }
}
