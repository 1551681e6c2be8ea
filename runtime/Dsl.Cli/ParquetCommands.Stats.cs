using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Cli;

/// <summary><c>dsl parquet stats</c>: per leaf column, the footer's statistics summed over the row groups.</summary>
internal static partial class ParquetCommands
{
    private static Command CreateStats()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var rowGroups = new Option<bool>("--row-groups") { Description = "Also print each row group's figures under each column." };
        var json = new Option<bool>("--json") { Description = "Print JSON (one object for the file) instead of text." };
        var command = new Command(
            "stats",
            "Print, per leaf column, the physical and logical type, rows, values, nulls, min and max, distinct count, stored and uncompressed bytes with the compression ratio, and encodings, over all row groups (from the footer; a figure any row group lacks is unknown).")
        {
            file, rowGroups, json,
        };
        command.SetAction(result => Run(result, file, output =>
        {
            string path = result.GetValue(file)!;
            FileStats stats = ReadStats(path, result.GetValue(rowGroups));
            output.Write(result.GetValue(json) ? StatsJson(path, stats) : StatsText(path, stats));
        }));
        return command;
    }

    /// <summary>The file's figures: every leaf column summed over all row groups, and per row group when asked.</summary>
    private sealed record FileStats(long Rows, int RowGroups, List<ColumnStats> Columns);

    /// <summary>One leaf column: its types, its summary over the file, and per row group (empty unless asked).</summary>
    private sealed record ColumnStats(string Path, string PhysicalType, string LogicalType, ColumnStatsSummary File, List<ColumnStatsSummary> RowGroups);

    private static FileStats ReadStats(string path, bool perRowGroup)
    {
        using var reader = new ParquetFileReader(path);
        FileMetaData meta = reader.Footer;
        List<(string Path, SchemaElement Leaf)> leaves = Leaves(meta.Schema);
        var columns = new List<ColumnStats>(leaves.Count);
        for (int c = 0; c < leaves.Count; c++)
        {
            (string leafPath, SchemaElement leaf) = leaves[c];
            ColumnOrder? order = meta.ColumnOrders is { } orders && c < orders.Count ? orders[c] : null;
            var file = new ColumnStatsSummary(leafPath, leaf, order);
            var groups = new List<ColumnStatsSummary>();
            for (int g = 0; g < meta.RowGroups.Count; g++)
            {
                RowGroup group = meta.RowGroups[g];
                if (group.Columns.Count != leaves.Count)
                {
                    throw new InvalidDataException($"Row group {g} has {group.Columns.Count} column chunks but the schema has {leaves.Count} leaf columns; the footer is corrupt.");
                }
                file.Add(g, group, group.Columns[c]);
                if (perRowGroup)
                {
                    var one = new ColumnStatsSummary(leafPath, leaf, order);
                    one.Add(g, group, group.Columns[c]);
                    groups.Add(one);
                }
            }
            columns.Add(new ColumnStats(leafPath, PhysicalTypeName(leaf), LogicalTypeName(leaf), file, groups));
        }
        return new FileStats(reader.RowCount, meta.RowGroups.Count, columns);
    }

    private static string StatsText(string path, FileStats stats)
    {
        var sb = new StringBuilder();
        sb.Append("file: ").Append(path).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"rows: {stats.Rows}, row groups: {stats.RowGroups}, leaf columns: {stats.Columns.Count}\n");
        foreach (ColumnStats column in stats.Columns)
        {
            ColumnStatsSummary s = column.File;
            sb.Append(column.Path).Append(": ").Append(column.PhysicalType);
            if (column.LogicalType.Length > 0)
            {
                sb.Append(' ').Append(column.LogicalType);
            }
            sb.Append('\n');
            sb.Append(CultureInfo.InvariantCulture, $"  rows {s.Rows}, values {Count(s.Values)}, nulls {Count(s.Nulls)}\n");
            sb.Append("  ").Append(MinMaxText(s)).Append('\n');
            sb.Append("  ").Append(DistinctText(s)).Append('\n');
            sb.Append("  ").Append(SizesText(s)).Append('\n');
            sb.Append("  ").Append(EncodingsText(s)).Append('\n');
            for (int g = 0; g < column.RowGroups.Count; g++)
            {
                ColumnStatsSummary r = column.RowGroups[g];
                sb.Append(CultureInfo.InvariantCulture, $"  row group {g}: {r.Rows} rows, {Count(r.Values)} values, {Count(r.Nulls)} nulls, ")
                  .Append(MinMaxText(r)).Append(", ").Append(DistinctText(r)).Append(", ").Append(SizesText(r)).Append(", ").Append(EncodingsText(r)).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static string Count(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unknown";

    // "min 1, max 9", with what qualifies them; "min unknown, max unknown (why)"; "min -, max - (every value is null)".
    private static string MinMaxText(ColumnStatsSummary s)
    {
        if (s.Min is not { } min || s.Max is not { } max)
        {
            string none = s.MinMaxNote!.StartsWith("unknown", StringComparison.Ordinal) ? "unknown" : "-";
            return $"min {none}, max {none} ({s.MinMaxNote!.Replace("unknown: ", "", StringComparison.Ordinal)})";
        }
        var notes = new List<string>(3);
        if (s.IsFloating)
        {
            notes.Add("NaN not counted");
        }
        if (s.FromDeprecatedFields)
        {
            notes.Add("from the deprecated min/max fields");
        }
        return $"min {min}{(s.MinExact ? "" : " (truncated)")}, max {max}{(s.MaxExact ? "" : " (truncated)")}{(notes.Count == 0 ? "" : " (" + string.Join("; ", notes) + ")")}";
    }

    private static string DistinctText(ColumnStatsSummary s) => (s.DistinctAtLeast, s.DistinctAtMost) switch
    {
        ({ } low, { } high) when low == high => string.Create(CultureInfo.InvariantCulture, $"distinct {low}"),
        ({ } low, { } high) => string.Create(CultureInfo.InvariantCulture, $"distinct {low} to {high} (row groups' counts do not add up)"),
        _ => "distinct not recorded",
    };

    private static string SizesText(ColumnStatsSummary s) =>
        $"{Count(s.CompressedBytes)} bytes stored, {Count(s.UncompressedBytes)} uncompressed, ratio {(s.CompressionRatio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "-")}";

    private static string EncodingsText(ColumnStatsSummary s) =>
        "encodings " + (s.Encodings.Count == 0 ? "(none listed)" : string.Join(" ", s.Encodings.Select(ColumnEncodingName)));

    private static string StatsJson(string path, FileStats stats)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("file", path);
            json.WriteNumber("rows", stats.Rows);
            json.WriteNumber("rowGroups", stats.RowGroups);
            json.WriteStartArray("columns");
            foreach (ColumnStats column in stats.Columns)
            {
                json.WriteStartObject();
                json.WriteString("path", column.Path);
                json.WriteString("physicalType", column.PhysicalType);
                if (column.LogicalType.Length > 0)
                {
                    json.WriteString("logicalType", column.LogicalType);
                }
                else
                {
                    json.WriteNull("logicalType");
                }
                WriteSummary(json, column.File);
                if (column.RowGroups.Count > 0)
                {
                    json.WriteStartArray("rowGroups");
                    for (int g = 0; g < column.RowGroups.Count; g++)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("index", g);
                        WriteSummary(json, column.RowGroups[g]);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteSummary(Utf8JsonWriter json, ColumnStatsSummary s)
    {
        json.WriteNumber("rows", s.Rows);
        WriteCount(json, "values", s.Values);
        WriteCount(json, "nulls", s.Nulls);
        WriteValue(json, "min", s.Min);
        WriteValue(json, "max", s.Max);
        json.WriteBoolean("minExact", s.MinExact);
        json.WriteBoolean("maxExact", s.MaxExact);
        if (s.MinMaxNote is { } note)
        {
            json.WriteString("minMaxNote", note);
        }
        else
        {
            json.WriteNull("minMaxNote");
        }
        json.WriteBoolean("minMaxFromDeprecatedFields", s.FromDeprecatedFields);
        json.WriteBoolean("minMaxLeaveOutNaN", s.IsFloating);
        if (s.DistinctAtLeast is { } low && s.DistinctAtMost is { } high)
        {
            json.WriteStartObject("distinct");
            json.WriteNumber("atLeast", low);
            json.WriteNumber("atMost", high);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("distinct");
        }
        WriteCount(json, "compressedBytes", s.CompressedBytes);
        WriteCount(json, "uncompressedBytes", s.UncompressedBytes);
        if (s.CompressionRatio is { } ratio)
        {
            json.WriteNumber("compressionRatio", Math.Round(ratio, 4));
        }
        else
        {
            json.WriteNull("compressionRatio");
        }
        json.WriteStartArray("encodings");
        foreach (ParquetEncoding encoding in s.Encodings)
        {
            json.WriteStringValue(ColumnEncodingName(encoding));
        }
        json.WriteEndArray();
    }

    private static void WriteCount(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    // A bound's text is a JSON token already (numbers bare, strings and timestamps quoted, as cat prints values), except
    // NaN, infinities and raw fallbacks such as an out-of-range INT96: those go as JSON strings.
    private static void WriteValue(Utf8JsonWriter json, string name, string? text)
    {
        if (text is null)
        {
            json.WriteNull(name);
            return;
        }
        try
        {
            using var token = JsonDocument.Parse(text);
            json.WritePropertyName(name);
            json.WriteRawValue(text);
        }
        catch (JsonException)
        {
            json.WriteString(name, text);
        }
    }
}
