using System.Globalization;
using System.Text.Json;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;
using Dsl.Testing;

namespace Dsl.Cli.Tests;

/// <summary>
/// <c>dsl parquet stats</c>: the footer's statistics per leaf column over all row groups and per row group, held to
/// what DuckDB computes from the same files' values.
/// </summary>
public sealed class StatsCommandTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-cli-stats");
    private readonly string _file;

    public StatsCommandTests()
    {
        _file = _temp.Combine("stats.parquet");
        StatsFile.Write(_file);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Json_OurFile_MinMaxAndNullsMatchDuckDb_OverTheFileAndEachRowGroup()
    {
        JsonElement root = StatsJson(_file);
        Assert.Equal(StatsFile.Rows, root.GetProperty("rows").GetInt64());
        Assert.Equal(4, root.GetProperty("rowGroups").GetInt32());
        using DuckDb duck = DuckDb.Open();
        foreach (string name in new[] { "id", "qty", "score", "name", "flag", "sparse" })
        {
            JsonElement column = Column(root, name);
            Assert.Equal(StatsFile.Rows, column.GetProperty("values").GetInt64());
            AssertLikeDuckDb(duck, _file, name, column, where: null);
            JsonElement[] groups = [.. column.GetProperty("rowGroups").EnumerateArray()];
            Assert.Equal(4, groups.Length);
            for (int g = 0; g < groups.Length; g++)
            {
                Assert.Equal(g, groups[g].GetProperty("index").GetInt32());
                AssertLikeDuckDb(duck, _file, name, groups[g], $"file_row_number BETWEEN {g * StatsFile.RowGroupRows} AND {((g + 1) * StatsFile.RowGroupRows) - 1}");
            }
        }

        // NaN: DuckDB's max counts it (NaN sorts last there); Parquet statistics leave it out, and stats says so.
        Assert.Equal("nan", duck.QueryScalarString($"SELECT max(score) FROM read_parquet({DuckDb.Literal(_file)})"));
        Assert.True(Column(root, "score").GetProperty("minMaxLeaveOutNaN").GetBoolean());
        Assert.False(Column(root, "qty").GetProperty("minMaxLeaveOutNaN").GetBoolean());

        // A row group of nulls only has no bounds: passed over, and said so for the row group itself.
        JsonElement sparse0 = Column(root, "sparse").GetProperty("rowGroups")[0];
        Assert.Equal(JsonValueKind.Null, sparse0.GetProperty("min").ValueKind);
        Assert.Equal("every value is null", sparse0.GetProperty("minMaxNote").GetString());
        Assert.Equal(JsonValueKind.Null, Column(root, "sparse").GetProperty("minMaxNote").ValueKind);
    }

    [Fact]
    public void Json_ColumnWithoutStatistics_IsUnknown_NotZeroOrAWrongBound()
    {
        JsonElement root = StatsJson(_file);
        JsonElement nostats = Column(root, "nostats");
        Assert.Equal(JsonValueKind.Null, nostats.GetProperty("min").ValueKind);
        Assert.Equal(JsonValueKind.Null, nostats.GetProperty("max").ValueKind);
        Assert.Equal(JsonValueKind.Null, nostats.GetProperty("nulls").ValueKind);
        Assert.Equal("unknown: row group 0 records no min/max for this column", nostats.GetProperty("minMaxNote").GetString());
        Assert.Equal(StatsFile.Rows, nostats.GetProperty("values").GetInt64());

        // One row group without statistics makes the file's min/max unknown, though the other three have them.
        JsonElement partial = Column(root, "partial");
        Assert.Equal(JsonValueKind.Null, partial.GetProperty("min").ValueKind);
        Assert.Equal($"unknown: row group {StatsFile.PartialGap} records no min/max for this column", partial.GetProperty("minMaxNote").GetString());
        Assert.Equal(JsonValueKind.Null, partial.GetProperty("nulls").ValueKind);
        using DuckDb duck = DuckDb.Open();
        JsonElement[] groups = [.. partial.GetProperty("rowGroups").EnumerateArray()];
        for (int g = 0; g < groups.Length; g++)
        {
            if (g == StatsFile.PartialGap)
            {
                Assert.Equal(JsonValueKind.Null, groups[g].GetProperty("max").ValueKind);
                continue;
            }
            AssertLikeDuckDb(duck, _file, "partial", groups[g], $"file_row_number BETWEEN {g * StatsFile.RowGroupRows} AND {((g + 1) * StatsFile.RowGroupRows) - 1}");
        }
    }

    [Fact]
    public void Json_SizesAndEncodings_AreTheChunksSummed()
    {
        JsonElement root = StatsJson(_file);
        using var reader = new ParquetFileReader(_file);
        for (int c = 0; c < StatsFile.Columns.Length; c++)
        {
            ParquetColumnChunkMetadata[] chunks = [.. reader.Metadata.RowGroups.Select(g => g.Columns[c]!)];
            JsonElement column = Column(root, StatsFile.Columns[c]);
            long compressed = chunks.Sum(m => m.TotalCompressedSize);
            long uncompressed = chunks.Sum(m => m.TotalUncompressedSize);
            Assert.Equal(compressed, column.GetProperty("compressedBytes").GetInt64());
            Assert.Equal(uncompressed, column.GetProperty("uncompressedBytes").GetInt64());
            Assert.Equal(Math.Round((double)uncompressed / compressed, 4), column.GetProperty("compressionRatio").GetDouble());
            Assert.Equal(chunks.SelectMany(m => m.Encodings).Distinct().Count(), column.GetProperty("encodings").GetArrayLength());
            Assert.Equal(chunks[0].TotalCompressedSize, column.GetProperty("rowGroups")[0].GetProperty("compressedBytes").GetInt64());
        }
        Assert.Equal("INT32", Column(root, "qty").GetProperty("physicalType").GetString());
        Assert.Equal("STRING", Column(root, "name").GetProperty("logicalType").GetString());
        Assert.Equal(JsonValueKind.Null, Column(root, "qty").GetProperty("logicalType").ValueKind);
    }

    [Fact]
    public void Text_OurFile_OneBlockPerColumn()
    {
        CliResult result = CliRunner.Run("parquet", "stats", _file);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        string[] lines = result.Lines;
        Assert.Equal($"file: {_file}", lines[0]);
        Assert.Equal("rows: 1000, row groups: 4, leaf columns: 8", lines[1]);
        Assert.Equal(2 + (8 * 6), lines.Length);
        using var duck = DuckDb.Open();
        IReadOnlyList<string?> qty = duck.AggregateParquet(_file, "min(qty)", "max(qty)", "count(*) - count(qty)");
        int at = Array.IndexOf(lines, "qty: INT32");
        Assert.Equal($"  rows 1000, values 1000, nulls {qty[2]}", lines[at + 1]);
        Assert.Equal($"  min {qty[0]}, max {qty[1]}", lines[at + 2]);
        Assert.Equal("  distinct not recorded", lines[at + 3]);
        Assert.Matches(@"^  \d+ bytes stored, \d+ uncompressed, ratio \d+\.\d\d$", lines[at + 4]);
        Assert.StartsWith("  encodings ", lines[at + 5], StringComparison.Ordinal);
        at = Array.IndexOf(lines, "score: DOUBLE");
        Assert.EndsWith(" (NaN not counted)", lines[at + 2], StringComparison.Ordinal);
        at = Array.IndexOf(lines, "nostats: INT64");
        Assert.Equal("  rows 1000, values 1000, nulls unknown", lines[at + 1]);
        Assert.Equal("  min unknown, max unknown (row group 0 records no min/max for this column)", lines[at + 2]);
        at = Array.IndexOf(lines, "name: BYTE_ARRAY STRING");
        Assert.Equal("  min \"\", max \"\U0001F600 last\"", lines[at + 2]);
    }

    [Fact]
    public void Text_RowGroups_AddsOneLinePerRowGroupUnderEachColumn()
    {
        CliResult result = CliRunner.Run("parquet", "stats", "--row-groups", _file);
        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Lines;
        Assert.Equal(2 + (8 * (6 + 4)), lines.Length);
        int at = Array.IndexOf(lines, "sparse: DOUBLE");
        Assert.Matches(@"^  row group 0: 300 rows, 300 values, 300 nulls, min -, max - \(every value is null\), distinct not recorded, \d+ bytes stored, \d+ uncompressed, ratio \d+\.\d\d, encodings .+$", lines[at + 6]);
        Assert.Matches(@"^  row group 3: 100 rows, 100 values, 50 nulls, min 1350\.0, max 1497\.0 \(NaN not counted\), distinct not recorded, ", lines[at + 9]);
        at = Array.IndexOf(lines, "partial: INT64");
        Assert.StartsWith($"  row group {StatsFile.PartialGap}: 300 rows, 300 values, unknown nulls, min unknown, max unknown (row group {StatsFile.PartialGap} records no min/max for this column), ", lines[at + 6 + StatsFile.PartialGap], StringComparison.Ordinal);
    }

    [Fact]
    public void DistinctCountsAndTruncatedBounds_AreReportedAsTheBoundsTheyAre()
    {
        StatsFile.RewriteFooter(_file, meta =>
        {
            int id = Array.IndexOf(StatsFile.Columns, "id");
            int name = Array.IndexOf(StatsFile.Columns, "name");
            for (int g = 0; g < meta.RowGroups.Count; g++)
            {
                meta.RowGroups[g].Columns[id].MetaData!.Statistics!.DistinctCount = meta.RowGroups[g].NumRows;
            }
            // Row group 1's minimum cut to a prefix (still a lower bound) and its maximum marked as not an actual value.
            Statistics stats = meta.RowGroups[1].Columns[name].MetaData!.Statistics!;
            stats.MinValue = [(byte)' '];
            stats.IsMinValueExact = false;
            stats.MaxValue = [0xF4, 0x8F, 0xBF, 0xBF];
            stats.IsMaxValueExact = false;
        });
        CliResult result = CliRunner.Run("parquet", "stats", "--row-groups", _file);
        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Lines;
        int at = Array.IndexOf(lines, "id: INT64");
        Assert.Equal("  distinct 300 to 1000 (row groups' counts do not add up)", lines[at + 3]);
        Assert.Contains(", distinct 300, ", lines[at + 6], StringComparison.Ordinal);
        Assert.Contains(", distinct 100, ", lines[at + 9], StringComparison.Ordinal);
        at = Array.IndexOf(lines, "name: BYTE_ARRAY STRING");
        // The empty string of row group 0 is still the smallest, an actual value; the cut maximum wins and is marked.
        Assert.Equal("  min \"\", max \"\U0010FFFF\" (truncated)", lines[at + 2]);
        Assert.Contains(", min \" \" (truncated), max \"\U0010FFFF\" (truncated), ", lines[at + 7], StringComparison.Ordinal);

        JsonElement column = Column(StatsJson(_file), "id");
        Assert.Equal(300, column.GetProperty("distinct").GetProperty("atLeast").GetInt64());
        Assert.Equal(1000, column.GetProperty("distinct").GetProperty("atMost").GetInt64());
        JsonElement names = Column(StatsJson(_file), "name");
        Assert.True(names.GetProperty("minExact").GetBoolean());
        Assert.False(names.GetProperty("maxExact").GetBoolean());
    }

    [Fact]
    public void Json_FileDuckDbWrote_MatchesDuckDbsAggregates()
    {
        string path = _temp.Combine("duck.parquet");
        using DuckDb duck = DuckDb.Open();
        duck.CopyToParquet("""
            SELECT i::BIGINT AS id,
                   CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 13 % 1000)::INTEGER - 500 END AS qty,
                   CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 0.01)::DECIMAL(9,2) END AS price,
                   CASE WHEN i % 13 = 0 THEN NULL ELSE 'v' || (i * 31 % 997)::VARCHAR END AS name,
                   DATE '2024-01-01' + (i % 400)::INTEGER AS day,
                   TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 1500) AS ts,
                   CASE WHEN i % 17 = 0 THEN 'nan'::DOUBLE ELSE i * 0.5 END AS with_nan,
                   i % 3 = 0 AS flag
            FROM range(5000) t(i)
            """, path, "ROW_GROUP_SIZE 2048");
        JsonElement root = StatsJson(path);
        Assert.Equal(3, root.GetProperty("rowGroups").GetInt32());
        foreach (string name in new[] { "id", "qty", "price", "name", "day", "ts", "flag" })
        {
            AssertLikeDuckDb(duck, path, name, Column(root, name), where: null);
        }
        // DuckDB writes no min/max for a double chunk that holds a NaN: unknown, not the NaN-free range of the others.
        JsonElement withNan = Column(root, "with_nan");
        Assert.Equal(JsonValueKind.Null, withNan.GetProperty("max").ValueKind);
        Assert.StartsWith("unknown: row group ", withNan.GetProperty("minMaxNote").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, withNan.GetProperty("nulls").GetInt64());
    }

    [Fact]
    public void CorpusFiles_TypesWithoutAnOrder_AndDeprecatedFields_AreSaidSo()
    {
        CliResult plain = CliRunner.Run("parquet", "stats", CliRunner.Corpus("alltypes_plain.parquet"));
        Assert.Equal(0, plain.ExitCode);
        int at = Array.IndexOf(plain.Lines, "timestamp_col: INT96");
        Assert.Equal("  min unknown, max unknown (its type (INT96) has no defined sort order)", plain.Lines[at + 2]);

        CliResult legacy = CliRunner.Run("parquet", "stats", CliRunner.Corpus("int32_decimal.parquet"));
        Assert.Equal(0, legacy.ExitCode);
        Assert.Contains("  min 1.00, max 24.00 (from the deprecated min/max fields)", legacy.Lines);
    }

    [Fact]
    public void CorruptFile_IsAOneLineErrorNamingTheFile()
    {
        string path = _temp.Combine("corrupt.parquet");
        byte[] bytes = File.ReadAllBytes(_file);
        // Scramble the middle of the footer: the magic and length still look right.
        int length = BitConverter.ToInt32(bytes, bytes.Length - 8);
        for (int i = bytes.Length - 8 - length + 2; i < bytes.Length - 8 - (length / 3); i++)
        {
            bytes[i] = 0xFF;
        }
        File.WriteAllBytes(path, bytes);
        CliResult result = CliRunner.Run("parquet", "stats", "--json", path);
        CliRunner.AssertOneLineError(result, path);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void DocsExample_IsWhatTheCommandPrints()
    {
        // docs/cli.md shows the output for a corpus file, named without its folder.
        string[] doc = File.ReadAllLines(Path.Combine(RepoPaths.RepoRoot, "docs", "cli.md"));
        int start = Array.IndexOf(doc, "$ dsl parquet stats --row-groups sort_columns.parquet") + 1;
        int end = Array.IndexOf(doc, "```", start);
        Assert.True(start > 0 && end > start, "docs/cli.md lost its stats example.");
        string path = CliRunner.Corpus("sort_columns.parquet");
        CliResult result = CliRunner.Run("parquet", "stats", "--row-groups", path);
        Assert.Equal(doc[start..end], result.Lines.Select(l => l.Replace(path, "sort_columns.parquet", StringComparison.Ordinal)).ToArray());
    }

    private static JsonElement StatsJson(string path)
    {
        CliResult result = CliRunner.Run("parquet", "stats", "--json", "--row-groups", path);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);
        return JsonDocument.Parse(result.Output).RootElement.Clone();
    }

    private static JsonElement Column(JsonElement root, string name) =>
        root.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("path").GetString() == name);

    // min, max (NaN left out, as Parquet statistics leave it out) and null count as DuckDB computes them from the values.
    private static void AssertLikeDuckDb(DuckDb duck, string path, string column, JsonElement stats, string? where)
    {
        string value = $"\"{column}\"";
        string filter = column is "score" or "sparse" or "with_nan" ? $" FILTER (WHERE NOT isnan({value}))" : "";
        IReadOnlyList<string?> theirs = duck.QueryRows(
            $"SELECT min({value}){filter}, max({value}){filter}, count(*) - count({value}) FROM read_parquet({DuckDb.Literal(path)}, file_row_number = true)" +
            (where is null ? "" : " WHERE " + where))[0];
        string context = $"column '{column}'{(where is null ? "" : " where " + where)}";
        AssertSameValue(theirs[0], stats.GetProperty("min"), context + ", min");
        AssertSameValue(theirs[1], stats.GetProperty("max"), context + ", max");
        Assert.True(long.Parse(theirs[2]!, CultureInfo.InvariantCulture) == stats.GetProperty("nulls").GetInt64(), context + ", nulls");
    }

    // Our bound is a JSON token in the column's logical type (numbers bare; strings, dates, timestamps quoted); DuckDB's
    // is its text for the same value.
    private static void AssertSameValue(string? duckDb, JsonElement ours, string context)
    {
        switch (ours.ValueKind)
        {
            case JsonValueKind.Null:
                Assert.True(duckDb is null, $"{context}: DuckDB has {duckDb}, stats has none");
                break;
            case JsonValueKind.String:
                Assert.True(duckDb == ours.GetString(), $"{context}: DuckDB {duckDb}, stats {ours.GetRawText()}");
                break;
            case JsonValueKind.True or JsonValueKind.False:
                Assert.True(duckDb == ours.GetRawText(), $"{context}: DuckDB {duckDb}, stats {ours.GetRawText()}");
                break;
            default:
                Assert.NotNull(duckDb);
                bool same = ours.GetRawText() == duckDb
                    || double.Parse(duckDb!, CultureInfo.InvariantCulture) == ours.GetDouble();
                Assert.True(same, $"{context}: DuckDB {duckDb}, stats {ours.GetRawText()}");
                break;
        }
    }
}
