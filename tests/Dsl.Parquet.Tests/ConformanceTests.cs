namespace Dsl.Parquet.Tests;

/// <summary>
/// Reads the parquet-testing corpus. Each file is listed in exactly one bucket so that a regression cannot quietly
/// move a file from "reads exactly like DuckDB" to "unsupported".
/// </summary>
public class ConformanceTests
{
    /// <summary>Files whose rows must equal expected/NAME.jsonl and whose row count must equal ROWCOUNTS.tsv.</summary>
    public static readonly string[] MustMatch =
    [
        "alltypes_dictionary",
        "alltypes_plain",
        "alltypes_plain.snappy",
        "alltypes_tiny_pages",
        "alltypes_tiny_pages_plain",
        "binary",
        "binary_truncated_min_max",
        "byte_array_decimal",
        "byte_stream_split.zstd",
        "column_chunk_key_value_metadata",
        "concatenated_gzip_members",
        "data_index_bloom_encoding_stats",
        "data_index_bloom_encoding_with_length",
        "datapage_v1-snappy-compressed-checksum",
        "datapage_v1-uncompressed-checksum",
        "datapage_v2.snappy",
        "datapage_v2_empty_datapage.snappy",
        "delta_binary_packed",
        "delta_byte_array",
        "delta_encoding_optional_column",
        "delta_encoding_required_column",
        "delta_length_byte_array",
        "dict-page-offset-zero",
        "fixed_length_byte_array",
        "fixed_length_decimal",
        "fixed_length_decimal_legacy",
        "float16_nonzeros_and_nans",
        "float16_zeros_and_nans",
        "floating_orders_nan_count",
        "incorrect_map_schema",
        "int32_decimal",
        "int32_with_null_pages",
        "int64_decimal",
        "list_columns",
        "lz4_raw_compressed",
        "lz4_raw_compressed_larger",
        "nan_in_stats",
        "nation.dict-malformed",
        "nested_lists.snappy",
        "nested_maps.snappy",
        "nonnullable.impala",
        "null_list",
        "nullable.impala",
        "nulls.snappy",
        "old_list_structure",
        "overflow_i16_page_cnt",
        "page_v2_empty_compressed",
        "plain-dict-uncompressed-checksum",
        "repeated_no_annotation",
        "repeated_primitive_no_list",
        "rle-dict-snappy-checksum",
        "rle_boolean_encoding",
        "single_nan",
        "sort_columns",
        "unknown-logical-type",
    ];

    /// <summary>
    /// Files with some column we cannot read yet: reading all columns must throw <see cref="ParquetFormatException"/>.
    /// Where listed in <see cref="MustMatchProjected"/>, the readable columns still read exactly.
    /// </summary>
    public static readonly string[] MustFail =
    [
        // Its last value is Julian day -105862232 (about 296,000 BC), outside the ±292,000 years microseconds reach;
        // DuckDB prints a wrapped-around date for it, we refuse it with a precise error.
        "int96_from_spark",
        // Valid, and its 1,627-byte BROTLI page does decompress to the 1 GiB its header says (no ratio cap refuses it
        // now), but its key column holds two 1 GiB strings: more than one column's byte array can hold (DuckDB runs
        // out of memory on it).
        "large_string_map.brotli",
    ];

    /// <summary>
    /// Files DuckDB cannot read (no expected rows) that we read, each with the rows we must produce: the spec allows a
    /// map without a value column (DuckDB refuses it), which reads as a list of its keys, as Arrow does.
    /// </summary>
    public static readonly (string File, string[] Rows)[] BetterThanDuckDb =
    [
        ("map_no_value",
        [
            "{\"my_map\":{\"1\":null,\"2\":null,\"3\":null},\"my_map_no_v\":[1,2,3],\"my_list\":[1,2,3]}",
            "{\"my_map\":{\"4\":null,\"5\":null,\"6\":null},\"my_map_no_v\":[4,5,6],\"my_list\":[4,5,6]}",
            "{\"my_map\":{\"7\":null,\"8\":null,\"9\":null},\"my_map_no_v\":[7,8,9],\"my_list\":[7,8,9]}",
        ]),
    ];

    /// <summary>
    /// Files whose page checksums are deliberately wrong (DuckDB, which skips checksums, reads their values): reading
    /// them must throw <see cref="ParquetFormatException"/> naming the checksum, the column, the row group and the page.
    /// </summary>
    public static readonly string[] MustFailChecksum =
    [
        "datapage_v1-corrupt-checksum",
        "rle-dict-uncompressed-corrupt-checksum",
    ];

    /// <summary>
    /// Files DuckDB cannot read (LZ4 with or without Hadoop framing) whose rows must equal the expected rows of a twin
    /// file with the same data under another codec: parquet-testing writes the same table with LZ4_RAW.
    /// </summary>
    public static readonly (string File, string Twin)[] MustMatchTwin =
    [
        ("hadoop_lz4_compressed", "lz4_raw_compressed"),
        ("hadoop_lz4_compressed_larger", "lz4_raw_compressed_larger"),
        ("non_hadoop_lz4_compressed", "lz4_raw_compressed"),
    ];

    /// <summary>
    /// Files that read, where DuckDB's printing differs from ours in a way we keep on purpose, with the reason. Their
    /// other columns must match by projection (see <see cref="MustMatchProjected"/>).
    /// </summary>
    public static readonly (string File, string Reason)[] ReadsWithKnownDifference =
    [
        ("nested_structs.rust", "DuckDB prints the UTC timestamp 'ul_observation_date' inside a struct without '+00'; we print '+00' for every UTC timestamp, nested or not."),
    ];

    /// <summary>
    /// Files DuckDB cannot read whose every BYTE_STREAM_SPLIT column must equal its PLAIN twin column, value for value
    /// (see <see cref="ByteStreamSplitExtended_EveryEncodedColumnEqualsItsPlainTwin"/>).
    /// </summary>
    public static readonly string[] VerifiedByPlainTwinColumns = ["byte_stream_split_extended.gzip"];

    /// <summary>Files whose listed columns must read exactly by projection (unsupported files' readable columns, and projections of nested columns).</summary>
    public static readonly (string File, string[] Columns)[] MustMatchProjected =
    [
        ("datapage_v2.snappy", ["a", "c", "d", "e"]),
        ("nested_structs.rust", ["roll_num", "PC_CUR", "CVA_2012", "CVA_2016", "BIA_3", "BIA_4", "ACTUAL_FRONTAGE", "ACTUAL_DEPTH", "ACTUAL_LOT_SIZE", "GLA", "SOURCE_GLA", "IPS_GLA", "GLA_ALL", "bia", "EFFECTIVE_LOT_SIZE", "effective_lot_area", "EFFECTIVE_FRONTAGE", "EFFECTIVE_DEPTH", "rw_area_tot", "effective_lot_sqft", "dup", "nonCTXT", "vacantland", "parkingbillboard", "cvalte10", "condootherhotel", "calculated_lot_size", "calculated_efflot_size", "missingsite", "missinggla", "missingsitegla", "actual_lot_size_sqft", "lotsize_sqft", "count", "ul_tz_offset_minutes_ul_observation_date"]),
        ("repeated_no_annotation", ["id"]),
        ("nullable.impala", ["id"]),
        ("nonnullable.impala", ["ID"]),
        ("floating_orders_nan_count", ["float_ieee754", "double_ieee754"]),
    ];

    public static TheoryData<string> MustMatchData() => [.. MustMatch];

    public static TheoryData<string> MustFailData() => [.. MustFail];

    public static TheoryData<string, string> ProjectedData()
    {
        var data = new TheoryData<string, string>();
        foreach ((string file, string[] columns) in MustMatchProjected)
        {
            data.Add(file, string.Join(",", columns));
        }
        return data;
    }

    [Fact]
    public void Corpus_EveryFileIsClassified()
    {
        var onDisk = Directory.GetFiles(TestFiles.Directory, "*.parquet").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToList();
        var listed = MustMatch.Concat(MustFail).Concat(MustFailChecksum).Concat(MustMatchTwin.Select(t => t.File)).Concat(BetterThanDuckDb.Select(b => b.File)).Concat(ReadsWithKnownDifference.Select(d => d.File)).Concat(VerifiedByPlainTwinColumns).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(onDisk, listed);
        Assert.Empty(MustMatch.Intersect(MustFail));
    }

    [Theory]
    [MemberData(nameof(MustMatchData))]
    public void SupportedFile_ReadsLikeDuckDb(string name)
    {
        using var reader = new ParquetFileReader(TestFiles.Path(name + ".parquet"));
        List<string> actual = ParquetAssert.ReadJsonLines(reader, maxRows: 2000);
        string[] expected = File.ReadAllLines(TestFiles.ExpectedPath(name + ".jsonl"));
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i], $"Row {i} of {name} differs.\nexpected: {expected[i]}\nactual:   {actual[i]}");
        }
        Assert.Equal(ExpectedRowCount(name), reader.RowCount);
        Assert.Equal(ExpectedRowCount(name), ParquetAssert.ReadAll(reader));
    }

    [Fact]
    public void FilesDuckDbRejects_ReadCorrectly()
    {
        foreach ((string name, string[] rows) in BetterThanDuckDb)
        {
            using var reader = new ParquetFileReader(TestFiles.Path(name + ".parquet"));
            Assert.Equal(rows, ParquetAssert.ReadJsonLines(reader));
            Assert.StartsWith("ERROR", ExpectedRowCountText(name), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Int96OutOfRange_NamesTheJulianDay()
    {
        string path = TestFiles.Path("int96_from_spark.parquet");
        ParquetFormatException ex = Assert.Throws<ParquetFormatException>(() => ParquetAssert.ReadAll(path));
        Assert.Contains("Julian day -105862232", ex.Message, StringComparison.Ordinal);
        Assert.Equal("a", ex.ColumnName);
    }

    [Theory]
    [MemberData(nameof(MustFailData))]
    public void UnsupportedFile_ThrowsParquetFormatException(string name)
    {
        string path = TestFiles.Path(name + ".parquet");
        ParquetFormatException ex = Assert.Throws<ParquetFormatException>(() => ParquetAssert.ReadAll(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", ex.Message, StringComparison.Ordinal);
        if (name == "large_string_map.brotli")
        {
            Assert.Contains($"holds more than {Array.MaxLength} bytes of byte-array values", ex.Message, StringComparison.Ordinal);
            Assert.Equal("arr.key_value.key", ex.ColumnName);
            Assert.Equal(2, ex.PageIndex);
        }
    }

    [Theory]
    [MemberData(nameof(ProjectedData))]
    public void UnsupportedFile_FlatColumnsReadByProjection(string name, string columnList)
    {
        string[] columns = columnList.Split(',');
        using var reader = new ParquetFileReader(TestFiles.Path(name + ".parquet"));
        List<string> actual = ParquetAssert.ReadJsonLines(reader, columns, maxRows: 2000);
        string[] expected = File.ReadAllLines(TestFiles.ExpectedPath(name + ".jsonl"));
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Dictionary<string, string> want = ParquetAssert.SplitObject(expected[i]);
            string projected = "{" + string.Join(",", columns.Select(c => $"\"{c}\":{want[c]}")) + "}";
            Assert.True(projected == actual[i], $"Row {i} of {name} differs.\nexpected: {projected}\nactual:   {actual[i]}");
        }
    }

    private static string ExpectedRowCountText(string name) =>
        File.ReadLines(TestFiles.ExpectedPath("ROWCOUNTS.tsv")).Select(l => l.Split('\t')).First(p => p[0] == name + ".parquet")[1];

    public static TheoryData<string> MustFailChecksumData() => [.. MustFailChecksum];

    public static TheoryData<string, string> TwinData()
    {
        var data = new TheoryData<string, string>();
        foreach ((string file, string twin) in MustMatchTwin)
        {
            data.Add(file, twin);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MustFailChecksumData))]
    public void CorruptChecksumFile_ThrowsNamingThePage(string name)
    {
        string path = TestFiles.Path(name + ".parquet");
        ParquetFormatException ex = Assert.Throws<ParquetFormatException>(() => ParquetAssert.ReadAll(path));
        Assert.Contains("CRC-32 checksum does not match", ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, ex.FilePath);
        Assert.NotNull(ex.ColumnName);
        Assert.Equal(0, ex.RowGroupIndex);
        Assert.NotNull(ex.PageIndex);
    }

    [Theory]
    [MemberData(nameof(TwinData))]
    public void DuckDbUnreadableFile_ReadsLikeItsTwin(string name, string twin)
    {
        using var reader = new ParquetFileReader(TestFiles.Path(name + ".parquet"));
        List<string> actual = ParquetAssert.ReadJsonLines(reader, maxRows: 2000);
        string[] expected = File.ReadAllLines(TestFiles.ExpectedPath(twin + ".jsonl"));
        Assert.Equal(expected, actual);
        Assert.Equal(ExpectedRowCount(twin), ParquetAssert.ReadAll(reader));
    }

    [Fact]
    public void ByteStreamSplitExtended_EveryEncodedColumnEqualsItsPlainTwin()
    {
        // DuckDB refuses this file (BYTE_STREAM_SPLIT on INT32/INT64/FLBA), so its PLAIN columns are the reference.
        using var reader = new ParquetFileReader(TestFiles.Path("byte_stream_split_extended.gzip.parquet"));
        Assert.Equal(200, ParquetAssert.ReadAll(reader));
        foreach (string type in new[] { "float16", "float", "double", "int32", "int64", "flba5", "decimal" })
        {
            List<string> plain = ParquetAssert.ReadJsonLines(reader, [type + "_plain"], maxRows: 2000);
            List<string> split = ParquetAssert.ReadJsonLines(reader, [type + "_byte_stream_split"], maxRows: 2000);
            Assert.Equal(200, plain.Count);
            Assert.Contains(plain, line => !line.Contains("null", StringComparison.Ordinal));
            Assert.Equal(plain.Select(l => l[(l.IndexOf(':') + 1)..]), split.Select(l => l[(l.IndexOf(':') + 1)..]));
        }
    }

    private static long ExpectedRowCount(string name)
    {
        foreach (string line in File.ReadLines(TestFiles.ExpectedPath("ROWCOUNTS.tsv")))
        {
            string[] parts = line.Split('\t');
            if (parts[0] == name + ".parquet")
            {
                return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"ROWCOUNTS.tsv has no row for {name}.parquet.");
    }
}
