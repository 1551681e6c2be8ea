using Dsl.Parquet;
using Dsl.Parquet.Metadata;
using Dsl.Testing;

namespace Dsl.Cli.Tests;

/// <summary><c>dsl parquet schema|meta|stats|cat</c> run in-process against the corpus and against a file of our own.</summary>
public sealed class ParquetCommandTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-cli-tests");
    private readonly string _sample;

    public ParquetCommandTests()
    {
        _sample = _temp.Combine("sample.parquet");
        SampleFile.Write(_sample);
    }

    public void Dispose() => _temp.Dispose();

    // ---- schema ----

    [Fact]
    public void Schema_SampleFile_ShowsLogicalTypesRepetitionAndNesting()
    {
        CliResult result = CliRunner.Run("parquet", "schema", _sample);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Equal(
        [
            $"file: {_sample}",
            "created by: (see below)",
            "rows: 5, row groups: 2, codecs: ZSTD",
            "columns:",
            "  id: INT64 REQUIRED -> Int64",
            "  ts: INT64 TIMESTAMP(MICROS,UTC) OPTIONAL -> Timestamp(UTC)?",
            "  local_ns: INT64 TIMESTAMP(NANOS,local) OPTIONAL -> TimestampNanos?",
            "  day: INT32 DATE OPTIONAL -> Date?",
            "  price: INT32 DECIMAL(9,2) OPTIONAL -> Decimal(9,2)?",
            "  big: FIXED_LEN_BYTE_ARRAY(13) DECIMAL(30,4) REQUIRED -> Decimal(30,4)",
            "  name: BYTE_ARRAY STRING OPTIONAL -> String?",
            "  doc: BYTE_ARRAY JSON OPTIONAL -> String(JSON)?",
            "  x: DOUBLE OPTIONAL -> Double?",
            "  tags: group LIST OPTIONAL -> List<element: String?>?",
            "    list: group REPEATED",
            "      element: BYTE_ARRAY STRING OPTIONAL",
            "row groups:",
        ],
        result.Lines[..17].Select((l, i) => i == 1 ? "created by: (see below)" : l));
        Assert.StartsWith("created by: ", result.Lines[1], StringComparison.Ordinal);
        Assert.Equal(19, result.Lines.Length);
        Assert.Matches(@"^  0: 3 rows, \d+ bytes stored, \d+ bytes uncompressed$", result.Lines[17]);
        Assert.Matches(@"^  1: 2 rows, \d+ bytes stored, \d+ bytes uncompressed$", result.Lines[18]);
    }

    [Theory]
    [InlineData("int32_decimal.parquet", "  value: INT32 DECIMAL(4,2) OPTIONAL -> Decimal(4,2)?")]
    [InlineData("int64_decimal.parquet", "  value: INT64 DECIMAL(10,2) OPTIONAL -> Decimal(10,2)?")]
    [InlineData("fixed_length_decimal.parquet", "  value: FIXED_LEN_BYTE_ARRAY(11) DECIMAL(25,2) OPTIONAL -> Decimal(25,2)?")]
    [InlineData("byte_array_decimal.parquet", "  value: BYTE_ARRAY DECIMAL(4,2) OPTIONAL -> Decimal(4,2)?")]
    [InlineData("alltypes_plain.parquet", "  timestamp_col: INT96 OPTIONAL -> Timestamp?")]
    [InlineData("float16_nonzeros_and_nans.parquet", "  x: FIXED_LEN_BYTE_ARRAY(2) FLOAT16 OPTIONAL -> Float16?")]
    [InlineData("unknown-logical-type.parquet", "  column with unknown type: BYTE_ARRAY UNKNOWN_LOGICAL_TYPE(2555) OPTIONAL -> Binary?")]
    public void Schema_CorpusFile_ShowsTheColumnsType(string file, string line)
    {
        CliResult result = CliRunner.Run("parquet", "schema", CliRunner.Corpus(file));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(line, result.Lines);
    }

    [Fact]
    public void Schema_NestedMaps_ShowsEveryLevel()
    {
        string path = CliRunner.Corpus("nested_maps.snappy.parquet");
        CliResult result = CliRunner.Run("parquet", "schema", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
        [
            $"file: {path}",
            "created by: parquet-mr version 1.8.2 (build c6522788629e590a53eb79874b95f6c3ff11f16c)",
            "rows: 6, row groups: 1, codecs: SNAPPY",
            "columns:",
            "  a: group MAP OPTIONAL -> Map<key: String, value: Map<key: Int32, value: Boolean>?>?",
            "    key_value: group REPEATED",
            "      key: BYTE_ARRAY UTF8 REQUIRED",
            "      value: group MAP OPTIONAL",
            "        key_value: group REPEATED",
            "          key: INT32 REQUIRED",
            "          value: BOOLEAN REQUIRED",
            "  b: INT32 REQUIRED -> Int32",
            "  c: DOUBLE REQUIRED -> Double",
            "row groups:",
            "  0: 6 rows, 338 bytes stored, 325 bytes uncompressed",
        ],
        result.Lines);
    }

    [Fact]
    public void Schema_UnsupportedColumn_SaysWhyInsteadOfFailing()
    {
        CliResult result = CliRunner.Run("parquet", "schema", CliRunner.Corpus("bad_data/PARQUET-1481.parquet"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith("  Handle: ", StringComparison.Ordinal) && l.Contains("-> unsupported: Column 'Handle' has type unknown physical type -7", StringComparison.Ordinal));
    }

    // ---- meta ----

    [Fact]
    public void Meta_SampleFile_ShowsEveryChunkWithTypedStatistics()
    {
        CliResult result = CliRunner.Run("parquet", "meta", _sample);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        using var reader = new ParquetFileReader(_sample);
        string[] lines = result.Lines;
        Assert.Equal($"file: {_sample}", lines[0]);
        Assert.Equal("rows: 5, row groups: 2, leaf columns: 10", lines[2]);
        int g0 = Array.IndexOf(lines, $"row group 0: 3 rows, {reader.Metadata.RowGroups[0].TotalByteSize} bytes uncompressed");
        int g1 = Array.IndexOf(lines, $"row group 1: 2 rows, {reader.Metadata.RowGroups[1].TotalByteSize} bytes uncompressed");
        Assert.Equal(3, g0);
        Assert.Equal(14, g1);
        Assert.Equal(25, lines.Length);
        string[] expected0 =
        [
            "id: ZSTD, encodings RLE DELTA_BINARY_PACKED, {0}, 3 values, 0 nulls, min 1, max 3",
            "ts: ZSTD, encodings RLE DELTA_BINARY_PACKED, {0}, 3 values, 1 nulls, min 2020-01-01 00:00:00+00, max 2024-02-29 23:59:59.5+00",
            "local_ns: ZSTD, encodings RLE DELTA_BINARY_PACKED, {0}, 3 values, 1 nulls, min 1969-12-31 23:59:59.999999999, max 2021-06-30 12:34:56.123456789",
            "day: ZSTD, encodings RLE DELTA_BINARY_PACKED, {0}, 3 values, 1 nulls, min 1999-12-31, max 2020-01-01",
            "price: ZSTD, encodings PLAIN RLE, {0}, 3 values, 1 nulls, min -0.05, max 12.34",
            "big: ZSTD, encodings PLAIN RLE, {0}, 3 values, 0 nulls, min -0.0001, max 12345678901234567890.1234",
            "name: ZSTD, encodings PLAIN RLE RLE_DICTIONARY, {0}, 3 values, 1 nulls, min \"alpha\", max \"gamma \\\"q\\\"\"",
            "doc: ZSTD, encodings PLAIN RLE RLE_DICTIONARY, {0}, 3 values, 1 nulls, min \"not json\", max \"{\\\"k\\\": [1, 2]}\"",
            "x: ZSTD, encodings RLE BYTE_STREAM_SPLIT, {0}, 3 values, 1 nulls, min -0.0, max 1.5",
            "tags.list.element: ZSTD, encodings PLAIN RLE RLE_DICTIONARY, {0}, 4 values, 2 nulls, min \"a\", max \"b\"",
        ];
        for (int c = 0; c < expected0.Length; c++)
        {
            ParquetColumnChunkMetadata meta = reader.Metadata.RowGroups[0].Columns[c]!;
            string sizes = $"{meta.TotalCompressedSize} bytes stored, {meta.TotalUncompressedSize} uncompressed";
            Assert.Equal("  " + expected0[c].Replace("{0}", sizes, StringComparison.Ordinal), lines[g0 + 1 + c]);
        }
        // Row group 1: its own statistics (the NaN is left out of the double's min/max).
        Assert.StartsWith("  x: ZSTD, encodings RLE BYTE_STREAM_SPLIT, ", lines[g1 + 9], StringComparison.Ordinal);
        Assert.EndsWith(", 2 values, 0 nulls, min -2.25, max -2.25", lines[g1 + 9], StringComparison.Ordinal);
        Assert.EndsWith(", 2 values, 0 nulls, min 1970-01-01, max 2030-05-05", lines[g1 + 4], StringComparison.Ordinal);
        Assert.EndsWith(", 2 values, 0 nulls, min \"\\\"s\\\"\", max \"[true, null]\"", lines[g1 + 8], StringComparison.Ordinal);
        Assert.EndsWith(", 2 values, 0 nulls, min 0.00, max 9999999.99", lines[g1 + 5], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data_index_bloom_encoding_stats.parquet", "  String: GZIP, encodings BIT_PACKED RLE PLAIN, 152 bytes stored, 163 uncompressed, 14 values, 0 nulls, min \"Hello\", max \"today\"")]
    [InlineData("int32_decimal.parquet", "  value: UNCOMPRESSED, encodings BIT_PACKED RLE PLAIN, 137 bytes stored, 137 uncompressed, 24 values, 0 nulls, min 1.00, max 24.00 (deprecated fields)")]
    [InlineData("delta_encoding_optional_column.parquet", "  c_current_cdemo_sk: UNCOMPRESSED, encodings DELTA_BINARY_PACKED, 358 bytes stored, 358 uncompressed, 100 values, 3 nulls, min 8817, max 1895444")]
    [InlineData("float16_nonzeros_and_nans.parquet", "  x: UNCOMPRESSED, encodings PLAIN RLE RLE_DICTIONARY, 76 bytes stored, 76 uncompressed, 8 values, 1 nulls, min -2.0, max 2.0")]
    // FLOAT statistics widened to double, as cat prints FLOAT values (DuckDB's JSON convention).
    [InlineData("byte_stream_split.zstd.parquet", "  f32: ZSTD, encodings RLE BYTE_STREAM_SPLIT, 1158 bytes stored, 1255 uncompressed, 300 values, 0 nulls, min -2.772592782974243, max 2.3831448554992676")]
    [InlineData("byte_array_decimal.parquet", "  value: UNCOMPRESSED, encodings (none listed), 168 bytes stored, 168 uncompressed, 24 values")]
    [InlineData("binary.parquet", "  foo: UNCOMPRESSED, encodings RLE BIT_PACKED PLAIN, 95 bytes stored, 95 uncompressed, 12 values, 0 nulls, min \"\\\\x00\", max \"\\\\x0B\"")]
    public void Meta_CorpusFile_ShowsTheChunk(string file, string line)
    {
        CliResult result = CliRunner.Run("parquet", "meta", CliRunner.Corpus(file));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(line, result.Lines);
    }

    [Fact]
    public void Meta_SortColumns_ListsEachRowGroup()
    {
        CliResult result = CliRunner.Run("parquet", "meta", CliRunner.Corpus("sort_columns.parquet"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.Lines.Count(l => l.StartsWith("row group ", StringComparison.Ordinal)));
        Assert.Equal("row group 1: 3 rows, 166 bytes uncompressed", result.Lines[6]);
        Assert.Equal("  b: SNAPPY, encodings PLAIN RLE RLE_DICTIONARY, 70 bytes stored, 66 uncompressed, 3 values, 0 nulls, min \"a\", max \"c\"", result.Lines[8]);
    }

    // ---- cat ----

    public static TheoryData<string> CatFiles() =>
    [
        "alltypes_plain", "alltypes_dictionary", "nested_maps.snappy", "nested_lists.snappy", "list_columns", "nulls.snappy",
        "fixed_length_decimal", "int64_decimal", "byte_stream_split.zstd", "binary", "float16_nonzeros_and_nans", "null_list",
    ];

    [Theory]
    [MemberData(nameof(CatFiles))]
    public void Cat_CorpusFile_PrintsTheExpectedRows(string name)
    {
        CliResult result = CliRunner.Run("parquet", "cat", CliRunner.Corpus(name + ".parquet"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Equal(CliRunner.Expected(name), result.Lines);
        Assert.EndsWith("\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Cat_Limit_PrintsTheFirstRowsAcrossPages()
    {
        // 7,300 rows in many small pages; expected/ holds the first 2,000.
        string[] expected = CliRunner.Expected("alltypes_tiny_pages");
        CliResult result = CliRunner.Run("parquet", "cat", "--limit", "2000", CliRunner.Corpus("alltypes_tiny_pages.parquet"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, result.Lines);
        Assert.Equal(expected[..3], CliRunner.Run("parquet", "cat", "-n", "3", CliRunner.Corpus("alltypes_tiny_pages.parquet")).Lines);
        CliResult none = CliRunner.Run("parquet", "cat", "-n", "0", CliRunner.Corpus("alltypes_tiny_pages.parquet"));
        Assert.Equal(0, none.ExitCode);
        Assert.Equal("", none.Output);
    }

    [Fact]
    public void Head_PrintsTenRowsByDefault_OrAsManyAsAsked()
    {
        string[] expected = CliRunner.Expected("alltypes_tiny_pages");
        CliResult ten = CliRunner.Run("parquet", "head", CliRunner.Corpus("alltypes_tiny_pages.parquet"));
        Assert.Equal(0, ten.ExitCode);
        Assert.Equal(expected[..10], ten.Lines);
        Assert.Equal(expected[..1500], CliRunner.Run("parquet", "head", "-n", "1500", CliRunner.Corpus("alltypes_tiny_pages.parquet")).Lines);
        CliResult negative = CliRunner.Run("parquet", "head", "-n", "-1", CliRunner.Corpus("alltypes_tiny_pages.parquet"));
        Assert.NotEqual(0, negative.ExitCode);
        Assert.Contains("--rows must be 0 or more.", negative.Error);
    }

    [Fact]
    public void Cat_Columns_ProjectsInTheGivenOrder()
    {
        string path = CliRunner.Corpus("alltypes_plain.parquet");
        string[] commas = CliRunner.Run("parquet", "cat", "-c", "string_col,id", "-n", "2", path).Lines;
        string[] repeated = CliRunner.Run("parquet", "cat", "--columns", "string_col", "--columns", "id", "--limit", "2", path).Lines;
        Assert.Equal(["{\"string_col\":\"0\",\"id\":4}", "{\"string_col\":\"1\",\"id\":5}"], commas);
        Assert.Equal(commas, repeated);
    }

    [Fact]
    public void Cat_SampleFile_PrintsEveryLogicalTypeAndEmbedsJson()
    {
        CliResult result = CliRunner.Run("parquet", "cat", _sample);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(SampleFile.ExpectedRows.Length, result.Lines.Length);
        for (int i = 0; i < SampleFile.ExpectedRows.Length; i++)
        {
            Assert.Equal(SampleFile.ExpectedRows[i], result.Lines[i]);
        }
    }

    [Fact]
    public void Cat_UnknownColumn_IsAOneLineErrorNamingFileAndColumn()
    {
        string path = CliRunner.Corpus("alltypes_plain.parquet");
        CliResult result = CliRunner.Run("parquet", "cat", "-c", "id,nope", path);
        CliRunner.AssertOneLineError(result, path, "'nope'");
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void Cat_NegativeLimit_IsRejected()
    {
        CliResult result = CliRunner.Run("parquet", "cat", "--limit", "-1", CliRunner.Corpus("alltypes_plain.parquet"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--limit must be 0 or more.", result.Error, StringComparison.Ordinal);
    }

    // ---- errors ----

    public static TheoryData<string> Commands() => ["schema", "meta", "stats", "cat"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void MissingFile_IsAOneLineError(string command)
    {
        string path = _temp.Combine("does-not-exist.parquet");
        CliResult result = CliRunner.Run("parquet", command, path);
        CliRunner.AssertOneLineError(result, path, "no such file");
        Assert.Equal("", result.Output);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Directory_IsAOneLineError(string command)
    {
        string path = _temp.CreateSubdirectory("a-folder.parquet");
        CliResult result = CliRunner.Run("parquet", command, path);
        CliRunner.AssertOneLineError(result, path, "is a directory");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void TruncatedFile_IsAOneLineError(string command)
    {
        byte[] whole = File.ReadAllBytes(CliRunner.Corpus("alltypes_plain.parquet"));
        foreach (int keep in new[] { 0, 3, 4, 12, whole.Length / 2, whole.Length - 9, whole.Length - 1 })
        {
            string path = _temp.Combine($"truncated-{keep}.parquet");
            File.WriteAllBytes(path, whole[..keep]);
            CliRunner.AssertOneLineError(CliRunner.Run("parquet", command, path), path);
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void NotParquet_IsAOneLineError(string command)
    {
        string path = _temp.Combine("notes.txt");
        File.WriteAllText(path, "This is a text file, not a Parquet file, but it is long enough to have a footer.\n");
        CliRunner.AssertOneLineError(CliRunner.Run("parquet", command, path), path);
    }

    public static TheoryData<string> BadFiles() =>
        [.. Directory.GetFiles(Path.Combine(RepoPaths.SharedParquetTesting, "bad_data"), "*.parquet").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadData_EveryCommandSucceedsOrGivesAOneLineError(string name)
    {
        string path = CliRunner.Corpus("bad_data/" + name);
        foreach (string command in new[] { "schema", "meta", "stats", "cat" })
        {
            CliResult result = CliRunner.Run("parquet", command, path);
            if (result.ExitCode != 0)
            {
                CliRunner.AssertOneLineError(result, path);
            }
            else
            {
                Assert.Equal("", result.Error);
            }
        }
    }

    [Theory]
    [InlineData("ARROW-GH-41317.parquet", "schema", "The footer metadata is corrupt")]
    [InlineData("ARROW-GH-41317.parquet", "meta", "The footer metadata is corrupt")]
    [InlineData("ARROW-GH-41317.parquet", "stats", "The footer metadata is corrupt")]
    [InlineData("ARROW-GH-41321.parquet", "cat", "column 'int64', row group 0, page 1")]
    [InlineData("ARROW-GH-47662.parquet", "cat", "column 'flba_field', row group 0, page 0")]
    [InlineData("PARQUET-1481.parquet", "cat", "column 'Handle'")]
    public void BadData_KnownFailures_NameFileColumnAndRowGroup(string name, string command, string detail)
    {
        string path = CliRunner.Corpus("bad_data/" + name);
        CliRunner.AssertOneLineError(CliRunner.Run("parquet", command, path), path, detail);
    }

    [Fact]
    public void Cat_UnreadableValue_IsAOneLineError()
    {
        string path = CliRunner.Corpus("int96_from_spark.parquet");
        CliRunner.AssertOneLineError(CliRunner.Run("parquet", "cat", path), path, "Julian day -105862232");
    }

    [Fact]
    public void UsageErrors_ExitNonZeroWithoutAStackTrace()
    {
        foreach (string[] args in new[] { new[] { "parquet", "cat" }, ["parquet", "nope", "x"], ["parquet", "cat", "--bogus", "x.parquet"] })
        {
            CliResult result = CliRunner.Run(args);
            Assert.NotEqual(0, result.ExitCode);
            Assert.NotEqual("", result.Error);
            Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        }
    }
}
