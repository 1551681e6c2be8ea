using Dsl.Cli.Formatting;

namespace Dsl.Parquet.Tests;

/// <summary>DuckDB-style JSON text of doubles and timestamps (the double cases were checked against DuckDB 1.5's JSON COPY).</summary>
public class FormattingTests
{
    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(10.1, "10.1")]
    [InlineData(30.299999999999997, "30.299999999999997")]
    [InlineData((double)1.1f, "1.100000023841858")]
    [InlineData(123.0, "123.0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "0.00001")]
    [InlineData(1.234e-6, "0.000001234")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(-3e-7, "-3e-7")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e20, "100000000000000000000.0")]
    [InlineData(123456789012345678901.0, "123456789012345680000.0")]
    [InlineData(1e21, "1e21")]
    [InlineData(1.5e22, "1.5e22")]
    [InlineData(1.5e300, "1.5e300")]
    [InlineData(-4.9e-324, "-5e-324")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void FormatDouble_MatchesDuckDb(double value, string expected) => Assert.Equal(expected, JsonLinesWriter.FormatDouble(value));

    [Theory]
    [InlineData(0L, false, "1970-01-01 00:00:00")]
    [InlineData(1_231_808_525_410_000L, false, "2009-01-13 01:02:05.41")]
    [InlineData(1_704_141_296_123_456L, true, "2024-01-01 20:34:56.123456+00")]
    [InlineData(-1L, false, "1969-12-31 23:59:59.999999")]
    [InlineData(253_402_225_200_000_000L, false, "9999-12-31 03:00:00")]
    [InlineData(-62_135_683_200_000_000L, false, "0001-12-31 (BC) 00:00:00")]
    public void FormatTimestamp_MatchesDuckDb(long micros, bool utc, string expected) => Assert.Equal(expected, JsonLinesWriter.FormatTimestamp(micros, utc));

    [Fact]
    public void Write_EscapesStringsAndBinary()
    {
        var schema = new BatchSchema(new ColumnField("s", ColumnType.String, true), new ColumnField("b", ColumnType.Binary, false));
        var strings = new StringColumnBuilder();
        strings.Append("a\"b\\c\n\u0001é");
        var binary = new StringColumn(ColumnType.Binary, new Utf8Dictionary([0x00, (byte)'\\', (byte)'"', 0xFF, (byte)'A'], [0, 5]), [0], 1, null);
        using var batch = new RecordBatch(schema, [strings.Build(), binary], 1);
        var text = new StringWriter();
        new JsonLinesWriter(text).Write(batch);
        // DuckDB writes the backslash and quotes of binary values as \xNN too (see expected/fixed_length_byte_array.jsonl).
        Assert.Equal("{\"s\":\"a\\\"b\\\\c\\n\\u0001é\",\"b\":\"\\\\x00\\\\x5C\\\\x22\\\\xFFA\"}\n", text.ToString());
    }
}
