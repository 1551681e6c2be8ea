using System.CommandLine;
using System.Globalization;
using System.Text;
using Dsl.Parquet;
using Dsl.Parquet.Formatting;
using Dsl.Parquet.Metadata;

namespace Dsl.Cli;

/// <summary>The <c>dsl parquet</c> commands: <c>schema</c>, <c>meta</c> and <c>cat</c>.</summary>
internal static class ParquetCommands
{
    public static Command Create()
    {
        var parquet = new Command("parquet", "Inspect Parquet files.");
        parquet.Subcommands.Add(CreateSchema());
        parquet.Subcommands.Add(CreateMeta());
        parquet.Subcommands.Add(CreateCat());
        return parquet;
    }

    private static Command CreateMeta()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var command = new Command("meta", "Print the row groups and, per column chunk, encodings, codec, sizes, value and null counts and min/max statistics in the logical type.") { file };
        command.SetAction(result => Run(() => PrintMeta(result.GetValue(file)!)));
        return command;
    }

    private static Command CreateSchema()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var command = new Command("schema", "Print the columns (physical and logical type, repetition) and a row group summary.") { file };
        command.SetAction(result => Run(() => PrintSchema(result.GetValue(file)!)));
        return command;
    }

    private static Command CreateCat()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var columns = new Option<string[]>("--columns", "-c")
        {
            Description = "Columns to print, in order (repeat or separate with commas); all by default.",
            AllowMultipleArgumentsPerToken = true,
        };
        var limit = new Option<long?>("--limit", "-n") { Description = "Print at most this many rows." };
        var command = new Command("cat", "Print the rows as JSON lines (one object a row, DuckDB's conventions).") { file, columns, limit };
        command.SetAction(result => Run(() => Cat(result.GetValue(file)!, result.GetValue(columns), result.GetValue(limit))));
        return command;
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception ex)
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"error: {ex.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    private static void PrintSchema(string path)
    {
        using var reader = new ParquetFileReader(path);
        FileMetaData meta = reader.Metadata;
        var sb = new StringBuilder();
        sb.Append("file: ").Append(path).Append('\n');
        sb.Append("created by: ").Append(meta.CreatedBy ?? "(unknown)").Append('\n');
        var codecs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (RowGroup group in meta.RowGroups)
        {
            foreach (ColumnChunk chunk in group.Columns)
            {
                if (chunk.MetaData is { } m)
                {
                    codecs.Add(m.Codec.ToString().ToUpperInvariant());
                }
            }
        }
        sb.Append(CultureInfo.InvariantCulture, $"rows: {reader.RowCount}, row groups: {reader.RowGroupCount}, codecs: {(codecs.Count == 0 ? "none" : string.Join(", ", codecs))}\n");
        sb.Append("columns:\n");
        int index = 1;
        foreach (ParquetColumnInfo column in reader.Columns)
        {
            // The field's own line says what it reads as; its nested elements follow, indented, as the file has them.
            AppendElement(sb, meta.Schema, ref index, 1, column.Field is { } field ? $" -> {field.TypeName}{(field.Nullable ? "?" : "")}" : " -> unsupported: " + column.UnsupportedReason);
        }
        sb.Append("row groups:\n");
        for (int i = 0; i < meta.RowGroups.Count; i++)
        {
            RowGroup group = meta.RowGroups[i];
            long compressed = 0;
            foreach (ColumnChunk chunk in group.Columns)
            {
                compressed += chunk.MetaData?.TotalCompressedSize ?? 0;
            }
            sb.Append(CultureInfo.InvariantCulture, $"  {i}: {group.NumRows} rows, {compressed} bytes stored, {group.TotalByteSize} bytes uncompressed\n");
        }
        using TextWriter stdout = OpenStdout();
        stdout.Write(sb.ToString());
    }

    private static void AppendElement(StringBuilder sb, List<SchemaElement> schema, ref int index, int depth, string suffix)
    {
        SchemaElement e = schema[index++];
        sb.Append(' ', depth * 2).Append(e.Name).Append(": ").Append(PhysicalTypeName(e));
        string logical = e.LogicalType is { } lt ? lt.ToString() : e.ConvertedType is { } ct ? ct.ToString().ToUpperInvariant() : "";
        if (logical.Length > 0)
        {
            sb.Append(' ').Append(logical);
        }
        sb.Append(' ').Append((e.Repetition ?? FieldRepetition.Required).ToString().ToUpperInvariant()).Append(suffix).Append('\n');
        int children = e.Type is null || e.NumChildren is > 0 ? e.NumChildren ?? 0 : 0;
        for (int c = 0; c < children && index < schema.Count; c++)
        {
            AppendElement(sb, schema, ref index, depth + 1, "");
        }
    }

    private static string PhysicalTypeName(SchemaElement e) => e.Type switch
    {
        null => "group",
        PhysicalType.ByteArray => "BYTE_ARRAY",
        PhysicalType.FixedLenByteArray => $"FIXED_LEN_BYTE_ARRAY({e.TypeLength})",
        { } t => t.ToString().ToUpperInvariant(),
    };

    private static void PrintMeta(string path)
    {
        using var reader = new ParquetFileReader(path);
        FileMetaData meta = reader.Metadata;
        List<(string Path, SchemaElement Leaf)> leaves = Leaves(meta.Schema);
        var sb = new StringBuilder();
        sb.Append("file: ").Append(path).Append('\n');
        sb.Append("created by: ").Append(meta.CreatedBy ?? "(unknown)").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"rows: {reader.RowCount}, row groups: {reader.RowGroupCount}, leaf columns: {leaves.Count}\n");
        for (int g = 0; g < meta.RowGroups.Count; g++)
        {
            RowGroup group = meta.RowGroups[g];
            sb.Append(CultureInfo.InvariantCulture, $"row group {g}: {group.NumRows} rows, {group.TotalByteSize} bytes uncompressed\n");
            for (int c = 0; c < group.Columns.Count; c++)
            {
                ColumnChunk chunk = group.Columns[c];
                (string leafPath, SchemaElement? leaf) = c < leaves.Count ? leaves[c] : ($"#{c}", null);
                sb.Append("  ").Append(leafPath).Append(':');
                if (chunk.MetaData is not { } m)
                {
                    sb.Append(" no metadata\n");
                    continue;
                }
                sb.Append(' ').Append(m.Codec.ToString().ToUpperInvariant())
                  .Append(", encodings ").Append(string.Join(" ", m.Encodings.Select(ColumnEncodingName)))
                  .Append(CultureInfo.InvariantCulture, $", {m.TotalCompressedSize} bytes stored, {m.TotalUncompressedSize} uncompressed, {m.NumValues} values");
                if (m.Statistics is { } stats)
                {
                    if (stats.NullCount is { } nulls)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $", {nulls} nulls");
                    }
                    if (stats.DistinctCount is { } distinct)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $", {distinct} distinct");
                    }
                    // min_value/max_value follow the column order; the deprecated min/max are signed byte order.
                    (byte[]? min, byte[]? max, string legacy) = stats.MinValue is not null || stats.MaxValue is not null
                        ? (stats.MinValue, stats.MaxValue, "")
                        : (stats.Min, stats.Max, " (deprecated fields)");
                    if (leaf is not null && (min is not null || max is not null))
                    {
                        sb.Append(", min ").Append(min is null ? "-" : StatisticsFormatter.Format(leaf, min))
                          .Append(", max ").Append(max is null ? "-" : StatisticsFormatter.Format(leaf, max)).Append(legacy);
                    }
                }
                sb.Append('\n');
            }
        }
        using TextWriter stdout = OpenStdout();
        stdout.Write(sb.ToString());
    }

    private static string ColumnEncodingName(ParquetEncoding encoding) => encoding switch
    {
        ParquetEncoding.Plain => "PLAIN",
        ParquetEncoding.PlainDictionary => "PLAIN_DICTIONARY",
        ParquetEncoding.Rle => "RLE",
        ParquetEncoding.BitPacked => "BIT_PACKED",
        ParquetEncoding.DeltaBinaryPacked => "DELTA_BINARY_PACKED",
        ParquetEncoding.DeltaLengthByteArray => "DELTA_LENGTH_BYTE_ARRAY",
        ParquetEncoding.DeltaByteArray => "DELTA_BYTE_ARRAY",
        ParquetEncoding.RleDictionary => "RLE_DICTIONARY",
        ParquetEncoding.ByteStreamSplit => "BYTE_STREAM_SPLIT",
        _ => $"#{(int)encoding}",
    };

    /// <summary>The leaf elements in column-chunk order, with their dotted paths.</summary>
    private static List<(string Path, SchemaElement Leaf)> Leaves(List<SchemaElement> schema)
    {
        var leaves = new List<(string, SchemaElement)>();
        int index = 1;
        int rootChildren = schema.Count == 0 ? 0 : schema[0].NumChildren ?? 0;
        for (int c = 0; c < rootChildren && index < schema.Count; c++)
        {
            CollectLeaves(schema, ref index, "", leaves, 1);
        }
        return leaves;
    }

    private static void CollectLeaves(List<SchemaElement> schema, ref int index, string prefix, List<(string, SchemaElement)> leaves, int depth)
    {
        SchemaElement e = schema[index++];
        string path = prefix.Length == 0 ? e.Name : prefix + "." + e.Name;
        if (e.Type is not null && e.NumChildren is not > 0)
        {
            leaves.Add((path, e));
            return;
        }
        int children = e.NumChildren ?? 0;
        for (int c = 0; c < children && index < schema.Count && depth < 100; c++)
        {
            CollectLeaves(schema, ref index, path, leaves, depth + 1);
        }
    }

    private static void Cat(string path, string[]? columns, long? limit)
    {
        using var reader = new ParquetFileReader(path);
        List<string>? projection = null;
        if (columns is { Length: > 0 })
        {
            projection = [];
            foreach (string c in columns)
            {
                projection.AddRange(c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }
        var utc = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParquetColumnInfo info in reader.Columns)
        {
            if (info.IsAdjustedToUtc)
            {
                utc.Add(info.Name);
            }
        }
        using TextWriter stdout = OpenStdout();
        var json = new JsonLinesWriter(stdout, utc);
        long remaining = limit ?? long.MaxValue;
        if (remaining <= 0)
        {
            return;
        }
        foreach (RecordBatch batch in reader.ReadBatches(projection))
        {
            using (batch)
            {
                int count = (int)Math.Min(batch.RowCount, remaining);
                json.Write(batch, 0, count);
                remaining -= count;
            }
            if (remaining == 0)
            {
                break;
            }
        }
    }

    private static StreamWriter OpenStdout() =>
        new(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16) { NewLine = "\n" };
}
