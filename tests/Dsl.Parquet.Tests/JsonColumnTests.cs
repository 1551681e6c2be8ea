using System.Text.Json;
using Dsl.Cli.Formatting;
using Dsl.Parquet.Metadata;
using Dsl.Testing;

namespace Dsl.Parquet.Tests;

/// <summary>
/// Columns with Parquet's JSON logical type: read as strings marked <see cref="ColumnField.IsJson"/>, written back as
/// JSON, and printed as JSON lines the way DuckDB prints them: a valid document embedded, anything else as a string.
/// </summary>
public sealed class JsonColumnTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-json-columns");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("{\"a\":1}", "{\"a\":1}")]
    [InlineData(" { \"a\" :\t[1, 2.50 ,true,null] ,\r\n \"b\": { } } ", "{\"a\":[1,2.50,true,null],\"b\":{}}")]
    [InlineData("\"x y\"", "\"x y\"")]
    [InlineData("\"a \\\" b \\\\\" ", "\"a \\\" b \\\\\"")]
    [InlineData("{\"k e y\": \"v\\n a l\", \"\\\\\": [ ]}", "{\"k e y\":\"v\\n a l\",\"\\\\\":[]}")]
    [InlineData("-12.5e3", "-12.5e3")]
    [InlineData("true", "true")]
    [InlineData("null", "null")]
    [InlineData("\"é\\u00e9\"", "\"é\\u00e9\"")]
    public void CompactJson_KeepsTokensAndDropsWhitespace(string text, string expected) => Assert.Equal(expected, JsonLinesWriter.CompactJson(text));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("{")]
    [InlineData("{\"a\":1}}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1,]")]
    [InlineData("// comment\n1")]
    [InlineData("1 2")]
    [InlineData("NaN")]
    [InlineData("'single'")]
    [InlineData("{a:1}")]
    [InlineData("\"raw\ttab\"")]
    [InlineData("\"unterminated")]
    [InlineData("01")]
    public void CompactJson_RejectsInvalidJson(string text) => Assert.Null(JsonLinesWriter.CompactJson(text));

    [Fact]
    public void CompactJson_RejectsNestingDeeperThanTheLimit()
    {
        string ok = new string('[', JsonLinesWriter.MaxJsonDepth) + new string(']', JsonLinesWriter.MaxJsonDepth);
        string deep = new string('[', JsonLinesWriter.MaxJsonDepth + 1) + new string(']', JsonLinesWriter.MaxJsonDepth + 1);
        Assert.Equal(ok, JsonLinesWriter.CompactJson(ok));
        Assert.Null(JsonLinesWriter.CompactJson(deep));
    }

    private static readonly string?[] s_values =
    [
        "{\"a\": [1, 2, {\"b\": null}], \"c\": \"d\"}",
        null,
        "not json at all",
        "\"just a string\"",
        "42",
        "{\"unclosed\": ",
        "[\n  \"multi\",\n  \"line\"\n]",
        "",
    ];

    private static RecordBatch JsonBatch()
    {
        var field = new ColumnField("j", ColumnType.String, true) { IsJson = true };
        var plain = new ColumnField("s", ColumnType.String, true);
        var json = new StringColumnBuilder();
        var text = new StringColumnBuilder();
        foreach (string? v in s_values)
        {
            json.Append(v);
            text.Append(v);
        }
        return new RecordBatch(new BatchSchema(field, plain), [json.Build(), text.Build()], s_values.Length);
    }

    private static readonly string[] s_expectedLines =
    [
        "{\"j\":{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"},\"s\":\"{\\\"a\\\": [1, 2, {\\\"b\\\": null}], \\\"c\\\": \\\"d\\\"}\"}",
        "{\"j\":null,\"s\":null}",
        "{\"j\":\"not json at all\",\"s\":\"not json at all\"}",
        "{\"j\":\"just a string\",\"s\":\"\\\"just a string\\\"\"}",
        "{\"j\":42,\"s\":\"42\"}",
        "{\"j\":\"{\\\"unclosed\\\": \",\"s\":\"{\\\"unclosed\\\": \"}",
        "{\"j\":[\"multi\",\"line\"],\"s\":\"[\\n  \\\"multi\\\",\\n  \\\"line\\\"\\n]\"}",
        "{\"j\":\"\",\"s\":\"\"}",
    ];

    [Fact]
    public void JsonLines_EmbedsValidJsonAndQuotesTheRest()
    {
        using RecordBatch batch = JsonBatch();
        var text = new StringWriter { NewLine = "\n" };
        new JsonLinesWriter(text).Write(batch);
        string[] lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(s_expectedLines, lines);
        // Whatever the column holds, every line is one valid JSON document.
        foreach (string line in lines)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        }
    }

    [Fact]
    public void JsonLines_EmbedJsonOff_WritesJsonColumnsAsStrings()
    {
        using RecordBatch batch = JsonBatch();
        var text = new StringWriter { NewLine = "\n" };
        new JsonLinesWriter(text) { EmbedJson = false }.Write(batch);
        foreach (string line in text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement j = doc.RootElement.GetProperty("j");
            JsonElement s = doc.RootElement.GetProperty("s");
            Assert.Equal(s.ValueKind, j.ValueKind);
            Assert.Equal(s.ToString(), j.ToString());
        }
    }

    [Fact]
    public void JsonLines_EmbedsJsonInsideListsAndStructs()
    {
        var element = new ColumnField("element", ColumnType.String, true) { IsJson = true };
        var values = new StringColumnBuilder();
        foreach (string? v in new[] { "{\"x\": 1}", "oops", null, "[ ]" })
        {
            values.Append(v);
        }
        var list = new ListColumn(ColumnType.List, [0, 3, 4], 2, values.Build(), null);
        var listField = new ColumnField("items", ColumnType.List, true) { Children = [element] };
        var member = new ColumnField("doc", ColumnType.String, true) { IsJson = true };
        var memberValues = new StringColumnBuilder();
        memberValues.Append("{\"deep\": {\"er\": [true]}}");
        memberValues.Append("{bad}");
        var structField = new ColumnField("s", ColumnType.Struct, true) { Children = [member] };
        var structs = new StructColumn(2, [memberValues.Build()], null);
        using var batch = new RecordBatch(new BatchSchema(listField, structField), [list, structs], 2);
        var text = new StringWriter { NewLine = "\n" };
        new JsonLinesWriter(text).Write(batch);
        Assert.Equal(
            "{\"items\":[{\"x\":1},\"oops\",null],\"s\":{\"doc\":{\"deep\":{\"er\":[true]}}}}\n{\"items\":[[]],\"s\":{\"doc\":\"{bad}\"}}\n",
            text.ToString());
    }

    [Fact]
    public void JsonColumn_RoundTripsThroughOurWriterWithItsLogicalType()
    {
        string path = _temp.Combine("ours.parquet");
        using (RecordBatch batch = JsonBatch())
        using (var writer = new ParquetFileWriter(path, batch.Schema))
        {
            writer.WriteBatch(batch);
        }
        using var reader = new ParquetFileReader(path);
        ParquetColumnInfo j = reader.Columns[0];
        Assert.Equal(LogicalTypeKind.Json, j.Element.LogicalType!.Kind);
        Assert.Equal(ConvertedType.Json, j.Element.ConvertedType);
        Assert.True(j.Field!.IsJson);
        Assert.Equal("String(JSON)", j.Field.TypeName);
        Assert.False(reader.Columns[1].Field!.IsJson);
        Assert.Equal(s_expectedLines, ParquetAssert.ReadJsonLines(reader));
    }

    [Fact]
    public void JsonColumn_DuckDbReadsOurFileAsJsonAndPrintsItAsWeDo()
    {
        // DuckDB refuses invalid JSON in a JSON column, so this file holds valid documents only. DuckDB re-prints
        // numbers through doubles (2.50 becomes 2.5); these values have none it would change.
        string path = _temp.Combine("valid.parquet");
        string?[] docs = ["{\"a\": [1, 2, {\"b\": null}], \"c\": \"d é\"}", null, "\"s\"", "[true, false, null]", "{}", "-7"];
        var field = new ColumnField("j", ColumnType.String, true) { IsJson = true };
        var builder = new StringColumnBuilder();
        foreach (string? d in docs)
        {
            builder.Append(d);
        }
        using (var batch = new RecordBatch(new BatchSchema(field), [builder.Build()], docs.Length))
        using (var writer = new ParquetFileWriter(path, batch.Schema))
        {
            writer.WriteBatch(batch);
        }
        string jsonl = _temp.Combine("duck.jsonl");
        using var duck = DuckDb.Open();
        Assert.Equal("JSON", duck.QueryScalarString($"SELECT typeof(j) FROM read_parquet({DuckDb.Literal(path)}) LIMIT 1"));
        duck.Execute($"COPY (SELECT * FROM read_parquet({DuckDb.Literal(path)})) TO {DuckDb.Literal(jsonl)} (FORMAT JSON)");
        using var reader = new ParquetFileReader(path);
        Assert.Equal(File.ReadAllLines(jsonl), ParquetAssert.ReadJsonLines(reader));
    }

    [Fact]
    public void JsonColumn_WrittenByDuckDb_ReadsAsJson()
    {
        string path = _temp.Combine("theirs.parquet");
        string jsonl = _temp.Combine("theirs.jsonl");
        using var duck = DuckDb.Open();
        duck.CopyToParquet("""
            SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE json_object('i', i, 'tags', json_array('t' || i::VARCHAR, i % 2 = 0)) END AS doc
            FROM range(50) t(i)
            """, path);
        duck.Execute($"COPY (SELECT * FROM read_parquet({DuckDb.Literal(path)})) TO {DuckDb.Literal(jsonl)} (FORMAT JSON)");
        using var reader = new ParquetFileReader(path);
        Assert.True(reader.Columns[1].Field!.IsJson);
        Assert.Equal(File.ReadAllLines(jsonl), ParquetAssert.ReadJsonLines(reader));
    }
}
