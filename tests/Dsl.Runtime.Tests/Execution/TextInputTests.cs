using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Dsl.Execution;
using Dsl.Testing;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// CSV and JSON Lines input end to end: every column type with nulls and extremes, compared row by row with what
/// DuckDB's read_csv and read_json read from the same file typed the same way; quoting, BOM, CRLF, empty files,
/// splitting large files into partitions, gzip, resume; and one-line errors for hostile files.
/// </summary>
public sealed class TextInputTests : IDisposable
{
    private static readonly BatchSchema AllTypes = new(
        new ColumnField("id", ColumnType.Int64, false),
        new ColumnField("i32", ColumnType.Int32, true),
        new ColumnField("i64", ColumnType.Int64, true),
        new ColumnField("f32", ColumnType.Float, true),
        new ColumnField("f64", ColumnType.Double, true),
        new ColumnField("b", ColumnType.Boolean, true),
        new ColumnField("s", ColumnType.String, true),
        new ColumnField("d", ColumnType.Date, true),
        new ColumnField("ts", ColumnType.Timestamp, true),
        new ColumnField("tsn", ColumnType.TimestampNanos, true),
        new ColumnField("t", ColumnType.Time, true),
        new ColumnField("dec", ColumnType.Decimal, true) { Precision = 18, Scale = 4 },
        new ColumnField("bin", ColumnType.Binary, true));

    // DuckDB's types for the same columns, and how an output column compares with DuckDB's reading of the input.
    private const string DuckColumns = "{'id': 'BIGINT', 'i32': 'INTEGER', 'i64': 'BIGINT', 'f32': 'FLOAT', 'f64': 'DOUBLE', 'b': 'BOOLEAN', 's': 'VARCHAR', 'd': 'DATE', 'ts': 'TIMESTAMP', 'tsn': 'TIMESTAMP_NS', 't': 'TIME', 'dec': 'DECIMAL(18,4)', 'bin': 'VARCHAR'}";

    private static readonly string[] Compared =
    [
        "o.i32 IS DISTINCT FROM e.i32", "o.i64 IS DISTINCT FROM e.i64", "o.f32 IS DISTINCT FROM e.f32", "o.f64 IS DISTINCT FROM e.f64",
        "o.b IS DISTINCT FROM e.b", "o.s IS DISTINCT FROM e.s", "o.d IS DISTINCT FROM e.d", "o.ts IS DISTINCT FROM e.ts",
        "o.tsn::TIMESTAMP_NS IS DISTINCT FROM e.tsn", "o.t::TIME IS DISTINCT FROM e.t", "o.dec IS DISTINCT FROM e.dec",
        "o.bin IS DISTINCT FROM from_base64(e.bin)",
    ];

    // id, i32, i64, f32, f64, b, s, d, ts, tsn, t, dec, bin: CSV field text ("" for null; strings quoted as needed).
    private static readonly string[][] CsvRows =
    [
        ["1", "0", "0", "0", "0", "false", "plain", "1970-01-01", "1970-01-01 00:00:00", "1970-01-01 00:00:00", "00:00:00", "0", "AA=="],
        ["2", "2147483647", "9223372036854775807", "3.4028235E+38", "1.7976931348623157E+308", "true", "\"comma, inside\"", "9999-12-31", "9999-12-31 23:59:59.999999", "2262-04-11 23:47:16.000000001", "23:59:59.999999", "99999999999999.9999", "/w=="],
        ["3", "-2147483648", "-9223372036854775808", "-3.4028235E+38", "-1.7976931348623157E+308", "TRUE", "\"quote \"\" inside\"", "0001-01-01", "0001-01-01 00:00:00", "1677-09-22 00:00:00.999999999", "12:34:56.5", "-99999999999999.9999", "AAEC"],
        ["4", "", "", "", "", "", "", "", "", "", "", "", ""],
        ["5", "7", "-7", "NaN", "NaN", "1", "\"line\nbreak\"", "2024-02-29", "2024-02-29T12:00:00.5", "2024-02-29T12:00:00.123456789", "08:30", "0.0001", "aGVsbG8gd29ybGQ="],
        ["6", "-1", "1", "Infinity", "Infinity", "0", "\"\"", "2000-01-01", "2000-01-01T00:00", "2000-01-01T00:00", "00:00:01", "-0.5", "AAAA"],
        ["7", "42", "42", "-Infinity", "-Infinity", "False", "héllo wörld ✓ 😀", "1999-12-31", "1999-12-31 23:59:59", "1999-12-31 23:59:59", "23:00", "12.5", "8J+YgA=="],
        ["8", "1", "2", "1.5E-45", "4.9E-324", "true", "\"a,\"\"b\"\",\r\nc\"", "2020-06-15", "2020-06-15 06:15:00.000001", "2020-06-15 06:15:00.000000001", "06:15:00.000001", "1234.5678", "YQ=="],
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("dsl-text-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Out => Path.Combine(_root, "out");

    [Fact]
    public void Csv_EveryType_WithNullsAndExtremes_MatchesDuckDbRowByRow()
    {
        string file = Write("all.csv", Csv(CsvRows));

        JobResult result = new LocalExecutor().Run(TextInputPipelines.Copy(AllTypes), file, Out);

        Assert.Equal(CsvRows.Length, result.Sinks[0].Rows);
        AssertSameAsDuckDb($"read_csv({DuckDb.Literal(file)}, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false, columns = {DuckColumns})");
        List<object?[]> rows = TextInputPipelines.ReadRows(Out);
        Assert.Equal("a,\"b\",\r\nc", rows.Single(r => (long)r[0]! == 8)[6]);
        Assert.Equal("", rows.Single(r => (long)r[0]! == 6)[6]); // "" is the empty string
        Assert.Null(rows.Single(r => (long)r[0]! == 4)[6]); // an empty field is null
        Assert.All(rows.Single(r => (long)r[0]! == 4).Skip(1), Assert.Null);
    }

    [Fact]
    public void JsonLines_EveryType_WithNullsAndExtremes_MatchesDuckDbRowByRow()
    {
        var lines = new List<string>();
        foreach (string[] row in CsvRows)
        {
            lines.Add(JsonObject(row));
        }
        lines.Add("{\"id\": 9}"); // every other member absent: null
        lines.Add("{\"id\": 10, \"extra\": {\"nested\": [1, 2, {\"x\": null}]}, \"s\": \"esc\\u00e9\\n\\\"\", \"i32\": null}");
        string file = Write("all.jsonl", string.Join("\n", lines) + "\n");

        JobResult result = new LocalExecutor().Run(TextInputPipelines.Copy(AllTypes), file, Out);

        Assert.Equal(lines.Count, result.Sinks[0].Rows);
        AssertSameAsDuckDb($"read_json({DuckDb.Literal(file)}, format = 'newline_delimited', columns = {DuckColumns})");
        List<object?[]> rows = TextInputPipelines.ReadRows(Out);
        Assert.Equal("esc\u00e9\n\"", rows.Single(r => (long)r[0]! == 10)[6]);
        Assert.All(rows.Single(r => (long)r[0]! == 9).Skip(1), Assert.Null);
    }

    [Fact]
    public void Csv_QuotedSeparatorsQuotesAndNewlines_Bom_Crlf_ReadExactly()
    {
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false), new ColumnField("text", ColumnType.String, false));
        string content = "\uFEFFid,text\r\n1,\"a,b\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\r\nlines\"\r\n4,\"lf\nonly, and, commas\"\r\n5,plain\r\n";
        string file = Write("q.csv", content);

        new LocalExecutor().Run(TextInputPipelines.Copy(schema), file, Out);

        Assert.Equal(
            [(1L, "a,b"), (2L, "say \"hi\""), (3L, "two\r\nlines"), (4L, "lf\nonly, and, commas"), (5L, "plain")],
            TextInputPipelines.ReadRows(Out).Select(r => ((long)r[0]!, (string)r[1]!)));
    }

    [Fact]
    public void Csv_HeaderMatchedByName_ExtraColumnsIgnored_MissingNullableColumnIsNull()
    {
        var schema = new BatchSchema(new ColumnField("b", ColumnType.Int64, false), new ColumnField("a", ColumnType.String, true), new ColumnField("absent", ColumnType.Double, true));
        string file = Write("h.csv", "a,extra,b\nx,ignored,1\ny,,2\n");

        new LocalExecutor().Run(TextInputPipelines.Copy(schema), file, Out);

        Assert.Equal(
            [(1L, "x", (object?)null), (2L, "y", null)],
            TextInputPipelines.ReadRows(Out).Select(r => ((long)r[0]!, (string?)r[1], r[2])));
    }

    [Fact]
    public void HeaderOnlyFile_HasNoRows_EmptyInputRule()
    {
        var schema = new BatchSchema(new ColumnField("a", ColumnType.Int64, false));
        string file = Write("empty.csv", "a\n");

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), file, Out));
        Assert.Contains("holds no rows", error.Message);

        JobResult result = new LocalExecutor(new ExecutionOptions { AllowEmptyInput = true }).Run(TextInputPipelines.Copy(schema), file, Out);
        Assert.Equal(0, result.Sinks[0].Rows);
        Assert.Equal(0, result.Partitions);
    }

    [Fact]
    public void BlankLines_AreSkipped_ExceptInAOneColumnCsvWhereTheyAreNulls()
    {
        var two = new BatchSchema(new ColumnField("a", ColumnType.Int64, false), new ColumnField("b", ColumnType.Int64, true));
        new LocalExecutor().Run(TextInputPipelines.Copy(two), Write("two.csv", "a,b\n1,2\n\n3,\n\n"), Out);
        Assert.Equal([(1L, (object?)2L), (3L, null)], TextInputPipelines.ReadRows(Out).Select(r => ((long)r[0]!, r[1])));

        var one = new BatchSchema(new ColumnField("a", ColumnType.Int64, true));
        string file = Write("one.csv", "a\n1\n\n2\n");
        new LocalExecutor().Run(TextInputPipelines.Copy(one), file, Out);
        Assert.Equal([1L, null, 2L], TextInputPipelines.ReadRows(Out).Select(r => r[0]));
        using var duck = DuckDb.Open();
        Assert.Equal(3, duck.QueryScalarInt64($"SELECT count(*) FROM read_csv({DuckDb.Literal(file)}, header = true, columns = {{'a': 'BIGINT'}})"));

        new LocalExecutor().Run(TextInputPipelines.Copy(two), Write("blank.jsonl", "{\"a\":1}\n\n   \r\n{\"a\":2,\"b\":5}\r\n"), Out);
        Assert.Equal([(1L, (object?)null), (2L, 5L)], TextInputPipelines.ReadRows(Out).Select(r => ((long)r[0]!, r[1])));
    }

    [Fact]
    public void LargeFiles_SplitIntoPartitionsAtRecordBoundaries_QuotedNewlinesRespected_BatchesOfTheSliceSize()
    {
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false), new ColumnField("text", ColumnType.String, false));
        var csv = new StringBuilder("id,text\n");
        var jsonl = new StringBuilder();
        const int rows = 30_000;
        for (int i = 0; i < rows; i++)
        {
            // Every third record has a quoted line end, so a split at a raw newline would cut a record in two.
            string text = i % 3 == 0 ? $"row {i}\nsecond line" : $"row {i}";
            csv.Append(i).Append(",\"").Append(text).Append("\"\n");
            jsonl.Append("{\"id\":").Append(i).Append(",\"text\":\"").Append(text.Replace("\n", "\\n")).Append("\"}\n");
        }
        var options = new ExecutionOptions { TargetPartitionBytes = 64 << 10, MaxParallelism = 2 };
        foreach ((string name, string content) in new[] { ("big.csv", csv.ToString()), ("big.jsonl", jsonl.ToString()) })
        {
            var seen = new ConcurrentBag<int>();
            string output = Path.Combine(_root, "out-" + name);

            JobResult result = new LocalExecutor(options).Run(TextInputPipelines.Copy(schema, seen: seen), Write(name, content), output);

            Assert.True(result.Partitions >= 5, $"{name}: {result.Partitions} partitions");
            Assert.Equal(rows, result.RowsRead);
            List<object?[]> read = TextInputPipelines.ReadRows(output);
            Assert.Equal(Enumerable.Range(0, rows).Select(i => (long)i), read.Select(r => (long)r[0]!));
            Assert.Equal(Enumerable.Range(0, rows).Select(i => i % 3 == 0 ? $"row {i}\nsecond line" : $"row {i}"), read.Select(r => (string)r[1]!));
            Assert.All(seen, n => Assert.InRange(n, 1, 8_192));
        }
    }

    [Fact]
    public void Gzip_CsvAndJsonLines_ReadAsOnePartitionEach()
    {
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false), new ColumnField("name", ColumnType.String, true));
        string folder = Path.Combine(_root, "gz");
        Directory.CreateDirectory(folder);
        WriteGzip(Path.Combine(folder, "a.csv.gz"), "id,name\n1,one\n2,\"t,wo\"\n");
        WriteGzip(Path.Combine(folder, "b.jsonl.gz"), "{\"id\":3,\"name\":\"three\"}\n{\"id\":4}\n");
        File.WriteAllText(Path.Combine(folder, "c.ndjson"), "{\"id\":5,\"name\":\"five\"}\n");

        JobResult result = new LocalExecutor(new ExecutionOptions { TargetPartitionRows = 1 }).Run(TextInputPipelines.Copy(schema), folder, Out);

        Assert.Equal(3, result.InputFiles);
        Assert.Equal(3, result.Partitions); // gzip is not split, whatever the target
        Assert.Equal([(1L, "one"), (2L, "t,wo"), (3L, "three"), (4L, null), (5L, "five")], TextInputPipelines.ReadRows(Out).Select(r => ((long)r[0]!, (string?)r[1])));
    }

    [Fact]
    public void Rerun_UnchangedTextIsUpToDate_AnEditedFileIsReadAgain()
    {
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false));
        string folder = Path.Combine(_root, "in");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.csv"), "id\n1\n2\n");
        File.WriteAllText(Path.Combine(folder, "b.jsonl"), "{\"id\":3}\n");
        new LocalExecutor().Run(TextInputPipelines.Copy(schema), folder, Out);

        Assert.True(new LocalExecutor().Run(TextInputPipelines.Copy(schema), folder, Out).UpToDate);

        // Same size, same modification time: only the content hash tells the files apart.
        string a = Path.Combine(folder, "a.csv");
        DateTime written = File.GetLastWriteTimeUtc(a);
        File.WriteAllText(a, "id\n7\n8\n");
        File.SetLastWriteTimeUtc(a, written);
        JobResult again = new LocalExecutor().Run(TextInputPipelines.Copy(schema), folder, Out);

        Assert.False(again.UpToDate);
        Assert.Equal(1, again.PartitionsReused);
        Assert.Equal([7L, 8L, 3L], TextInputPipelines.ReadRows(Out).Select(r => r[0]));
        string manifest = File.ReadAllText(Path.Combine(Out, LocalExecutor.ManifestFile));
        Assert.Contains("\"contentSha256\"", manifest);
        Assert.Contains("\"byteStart\"", manifest);
    }

    [Fact]
    public void Folder_WithParquetFiles_ReadsOnlyThose_OtherwiseTextFiles()
    {
        string folder = Path.Combine(_root, "mixed");
        TestPipelines.WriteFile(Path.Combine(folder, "a.parquet"), 1, 3, 0);
        File.WriteAllText(Path.Combine(folder, "b.csv"), "x\n100\n");

        JobResult result = new LocalExecutor().Run(TestPipelines.Pipeline(TestPipelines.Doubling()), folder, Out);

        Assert.Equal([0L, 2L, 4L], TestPipelines.ReadLongs(Out));
        Assert.Contains(result.Warnings, w => w.Contains("b.csv") && w.Contains("read as Parquet only"));

        File.Delete(Path.Combine(folder, "a.parquet"));
        File.WriteAllText(Path.Combine(folder, "c.jsonl"), "{\"x\":5}\n");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not data");
        result = new LocalExecutor().Run(TestPipelines.Pipeline(TestPipelines.Doubling()), folder, Out);
        Assert.Equal([200L, 10L], TestPipelines.ReadLongs(Out));
        Assert.Contains(result.Warnings, w => w.Contains("notes.txt"));
    }

    public static TheoryData<string, string, string> HostileCsv => new()
    {
        { "bad number", "id,x\n1,2\n2,abc\n", "line 3: column 'x' (Int64): cannot read 'abc'; expected an integer from -9223372036854775808 to 9223372036854775807." },
        { "fraction in an int", "id,x\n1,1.5\n", "line 2: column 'x' (Int64): cannot read '1.5'" },
        { "overflow", "id,x\n1,9223372036854775808\n", "line 2: column 'x' (Int64): cannot read '9223372036854775808'" },
        { "empty non-nullable", "id,x\n,1\n", "line 2: column 'id' (Int64) is empty, but the schema declares it non-nullable" },
        { "unterminated quote", "id,x\n1,2\n2,\"3\n4,5\n", "line 3: the quoted field opened on line 3 is never closed" },
        { "stray quote", "id,x\n1,2\"\"\n", "line 2: column 'x' '2\"\"': a quote inside a field that does not start with one" },
        { "odd quotes", "id,x\n1,2\"\n2,3\n", "line 2: the quoted field opened on line 2 is never closed: the file ends inside it." },
        { "text after a quote", "id,x\n1,\"2\"3\n", "line 2: column 'x' '\"2\"3': a quoted field must end with a quote" },
        { "ragged record", "id,x\n1,2\n3\n", "line 3: the record has 1 field but the header has 2." },
        { "record after a quoted newline", "id,x,note\n1,2,\"a\nb\"\n2,zz,c\n", "line 4: column 'x' (Int64): cannot read 'zz'" },
        { "line ends counted across CRLF", "id,x\r\n1,2\r\n\r\n2,q\r\n", "line 4: column 'x' (Int64): cannot read 'q'" },
    };

    [Theory]
    [MemberData(nameof(HostileCsv))]
    public void HostileCsv_FailsWithOneLineNamingFileAndLine(string name, string content, string expected)
    {
        _ = name;
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false), new ColumnField("x", ColumnType.Int64, true));
        string file = Write("bad.csv", content);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), file, Out));

        Assert.StartsWith($"Input file '{file}', ", error.Message);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(Directory.Exists(Out));
    }

    public static TheoryData<string, string, string> HostileJson => new()
    {
        { "truncated", "{\"id\": 1}\n{\"id\": 2, \"x\": \n", "line 2: not valid JSON at byte" },
        { "fraction in an int", "{\"id\": 1, \"x\": 1.5}\n", "line 1: column 'x' (Int64): cannot read '1.5'; expected an integer" },
        { "string for a number", "{\"id\": 1, \"x\": \"12\"}\n", "line 1: column 'x' (Int64): found the string '12'; expected a JSON number" },
        { "null non-nullable", "{\"id\": null}\n", "line 1: column 'id' (Int64) is null, but the schema declares it non-nullable" },
        { "absent non-nullable", "{\"x\": 3}\n", "line 1: column 'id' (Int64) is absent from the object, but the schema declares it non-nullable" },
        { "not an object", "[1, 2]\n", "line 1: expected a JSON object ({...}), found an array" },
        { "two objects on a line", "{\"id\": 1} {\"id\": 2}\n", "line 1: not valid JSON" },
        { "object for a number", "{\"id\": 1, \"x\": {}}\n", "line 1: column 'x' (Int64): found an object; expected a JSON number" },
        { "duplicate member", "{\"id\": 1, \"id\": 2}\n", "line 1: the object has member 'id' twice" },
        { "overflow", "\n\n{\"id\": 99999999999999999999}\n", "line 3: column 'id' (Int64): cannot read '99999999999999999999'" },
    };

    [Theory]
    [MemberData(nameof(HostileJson))]
    public void HostileJsonLines_FailsWithOneLineNamingFileAndLine(string name, string content, string expected)
    {
        _ = name;
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false), new ColumnField("x", ColumnType.Int64, true));
        string file = Write("bad.jsonl", content);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), file, Out));

        Assert.StartsWith($"Input file '{file}', ", error.Message);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void MissingColumns_NamedWithNearMatches()
    {
        var schema = new BatchSchema(new ColumnField("UserId", ColumnType.Int64, false), new ColumnField("Amount", ColumnType.Double, false));

        var caseOnly = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), Write("a.csv", "userid,Amount\n1,2\n"), Out));
        Assert.Contains("has no column 'UserId' (schema 'In'), but its header has 'userid'. Column names match exactly, letter case included", caseOnly.Message);

        var missing = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), Write("b.csv", "UserId,Amont\n1,2\n"), Out));
        Assert.Contains($"Input file '{Path.Combine(_root, "b.csv")}' has no column 'Amount', which schema 'In' declares non-nullable (Double). Its header names 'UserId', 'Amont' (near: 'Amont')", missing.Message);
    }

    [Fact]
    public void NonUtf8Bytes_AndOverlongLines_FailAtPlanningWithTheLine()
    {
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false), new ColumnField("s", ColumnType.String, true));
        string latin1 = Path.Combine(_root, "latin1.csv");
        File.WriteAllBytes(latin1, [.. "id,s\n1,ok\n2,caf"u8, 0xE9, .. "\n"u8]);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), latin1, Out));
        Assert.True(error.Message.Contains($"Input file '{latin1}', line 3: byte 0xE9 at offset 15 is not valid UTF-8; expected UTF-8 text.", StringComparison.Ordinal), error.Message);

        string jsonl = Path.Combine(_root, "latin1.jsonl");
        File.WriteAllBytes(jsonl, [.. "{\"id\":1}\n{\"id\":2,\"s\":\"caf"u8, 0xE9, .. "\"}\n"u8]);
        error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), jsonl, Out));
        Assert.Contains($"Input file '{jsonl}', line 2: byte 0xE9", error.Message);

        string huge = Write("huge.jsonl", "{\"id\":1}\n{\"id\":2,\"s\":\"" + new string('x', 10 << 20) + "\"}\n{\"id\":3}\n");
        error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), huge, Out));
        Assert.Equal($"Input file '{huge}', line 2: the record is longer than 8 MiB. Records are read whole, so their length is bounded; raise maxRecordBytes in pipeline.yaml if such long records are expected.", error.Message);

        // With a higher limit the same file reads.
        JobResult result = new LocalExecutor(new ExecutionOptions { MaxRecordBytes = 16 << 20 }).Run(TextInputPipelines.Copy(schema), huge, Out);
        Assert.Equal(3, result.Sinks[0].Rows);

        string hugeCsv = Write("huge.csv", "id,s\n1,\"" + new string('y', 10 << 20) + "\"\n");
        error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), hugeCsv, Out));
        Assert.Contains($"Input file '{hugeCsv}', line 2: the record is longer than 8 MiB (the quoted field opened on line 2 may be missing its closing quote)", error.Message);
    }

    [Fact]
    public void NestedColumn_IsRefusedForTextBeforeReading()
    {
        var schema = new BatchSchema(
            new ColumnField("id", ColumnType.Int64, false),
            new ColumnField("tags", ColumnType.List, true) { Children = [new ColumnField("element", ColumnType.String, true)] });

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), Write("n.jsonl", "{\"id\":1}\n"), Out));

        Assert.Contains("is a JSON Lines file, which cannot hold column 'tags' (List<element: String?>)", error.Message);
    }

    [Fact]
    public void Host_PrintsATextInputErrorAsOneLine()
    {
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false));
        string file = Write("bad.csv", "id\n1\nx\n");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = Dsl.Hosting.PipelineHost.Run(TextInputPipelines.Copy(schema), ["run", "--input", file, "--output", Out], null, stdout, stderr);

        Assert.Equal(1, exit);
        Assert.Equal($"error: Input file '{file}', line 3: column 'id' (Int64): cannot read 'x'; expected an integer from -9223372036854775808 to 9223372036854775807.{Environment.NewLine}", stderr.ToString());
    }

    [Fact]
    public void Host_ReadsTheRecordLimitFromTheConfigurationFile()
    {
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false), new ColumnField("s", ColumnType.String, true));
        string file = Write("long.jsonl", "{\"id\":1,\"s\":\"" + new string('x', 2 << 20) + "\"}\n");
        string config = Write("pipeline.yaml", "maxRecordBytes: 1MB\n");
        var stderr = new StringWriter();

        int exit = Dsl.Hosting.PipelineHost.Run(TextInputPipelines.Copy(schema), ["run", "--input", file, "--output", Out, "--config", config], null, new StringWriter(), stderr);

        Assert.Equal(1, exit);
        Assert.StartsWith($"error: Input file '{file}', line 1: the record is longer than 1 MiB.", stderr.ToString());
    }

    [Fact]
    public void Csv_CarriageReturnLineEnds_AreLineEnds()
    {
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false), new ColumnField("s", ColumnType.String, true));
        string file = Write("cr.csv", "id,s\r1,a\r2,\"b\rc\"\r3,x\r");

        new LocalExecutor().Run(TextInputPipelines.Copy(schema), file, Out);
        Assert.Equal([(1L, "a"), (2L, "b\rc"), (3L, "x")], TextInputPipelines.ReadRows(Out).Select(r => ((long)r[0]!, (string)r[1]!)));

        var bad = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(TextInputPipelines.Copy(schema), Write("cr-bad.csv", "id,s\r1,\"a\rb\"\rz,c\r"), Out));
        Assert.Contains("cr-bad.csv', line 4: column 'id' (Int64): cannot read 'z'", bad.Message);
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_root, name);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    private static void WriteGzip(string path, string content)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        gzip.Write(Encoding.UTF8.GetBytes(content));
    }

    private static string Csv(string[][] rows) =>
        "id,i32,i64,f32,f64,b,s,d,ts,tsn,t,dec,bin\n" + string.Concat(rows.Select(r => string.Join(",", r) + "\n"));

    // The same row as a JSON object: numbers as numbers, NaN and infinities as strings, the rest as strings, null for "".
    private static string JsonObject(string[] row)
    {
        string[] names = ["id", "i32", "i64", "f32", "f64", "b", "s", "d", "ts", "tsn", "t", "dec", "bin"];
        var members = new List<string>();
        for (int c = 0; c < row.Length; c++)
        {
            string text = row[c];
            string value;
            if (text.Length == 0)
            {
                value = "null";
            }
            else if (c is 0 or 1 or 2 or 3 or 4)
            {
                value = text is "NaN" or "Infinity" or "-Infinity" ? $"\"{text}\"" : text;
            }
            else if (c == 5)
            {
                value = text is "1" or "true" or "TRUE" ? "true" : "false";
            }
            else
            {
                string unquoted = text.StartsWith('"') ? text[1..^1].Replace("\"\"", "\"") : text;
                value = System.Text.Json.JsonSerializer.Serialize(unquoted);
            }
            members.Add($"\"{names[c]}\": {value}");
        }
        return "{" + string.Join(", ", members) + "}";
    }

    private void AssertSameAsDuckDb(string expectedSource)
    {
        using var duck = DuckDb.Open();
        string output = $"read_parquet({DuckDb.Literal(Path.Combine(Out, "*.parquet"))})";
        string differs = string.Join(" OR ", Compared);
        string sql = $"SELECT o.id, e.id FROM {output} o FULL OUTER JOIN (SELECT * FROM {expectedSource}) e ON o.id = e.id WHERE o.id IS NULL OR e.id IS NULL OR {differs}";
        IReadOnlyList<IReadOnlyList<string?>> mismatches = duck.QueryRows(sql);
        if (mismatches.Count > 0)
        {
            // Every column as DuckDB's text (the test helper does not render TIME_NS values itself).
            string Rows(string source) => string.Join(" | ", duck.QueryRows($"SELECT COLUMNS(*)::VARCHAR FROM {source} ORDER BY id").Select(r => string.Join(",", r)));
            Assert.Fail("rows differing from DuckDB: " + string.Join("; ", mismatches.Select(r => string.Join("/", r))) + " — " + Rows(output) + " vs " + Rows(expectedSource));
        }
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(*) FROM {expectedSource}"), duck.QueryScalarInt64($"SELECT count(*) FROM {output}"));
    }
}
