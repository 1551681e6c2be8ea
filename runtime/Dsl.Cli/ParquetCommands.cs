using System.CommandLine;
using System.Globalization;
using System.Text;
using Dsl.Cli.Formatting;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Cli;

/// <summary>The <c>dsl parquet</c> commands: <c>schema</c>, <c>meta</c>, <c>stats</c>, <c>cat</c> and <c>head</c>.</summary>
internal static partial class ParquetCommands
{
    public static Command Create()
    {
        var parquet = new Command("parquet", "Inspect Parquet files.");
        parquet.Subcommands.Add(CreateSchema());
        parquet.Subcommands.Add(CreateMeta());
        parquet.Subcommands.Add(CreateStats());
        parquet.Subcommands.Add(CreateCat());
        parquet.Subcommands.Add(CreateHead());
        return parquet;
    }

    private static Command CreateMeta()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var command = new Command("meta", "Print the row groups and, per column chunk, encodings, codec, sizes, value and null counts and min/max statistics in the logical type.") { file };
        command.SetAction(result => Run(result, file, output => PrintMeta(result.GetValue(file)!, output)));
        return command;
    }

    private static Command CreateSchema()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var command = new Command("schema", "Print the columns (physical and logical type, repetition) and a row group summary.") { file };
        command.SetAction(result => Run(result, file, output => PrintSchema(result.GetValue(file)!, output)));
        return command;
    }

    private static Command CreateCat()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var columns = new Option<string[]>("--columns", "-c")
        {
            // One value a token: with several, `-c a b FILE` would take FILE for a column.
            Description = "Columns to print, in order (repeat the option or separate with commas); all by default.",
        };
        var limit = new Option<long?>("--limit", "-n") { Description = "Print at most this many rows (0 or more)." };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is < 0)
            {
                r.AddError("--limit must be 0 or more.");
            }
        });
        var command = new Command("cat", "Print the rows as JSON lines (one object a row, DuckDB's conventions).") { file, columns, limit };
        command.SetAction(result => Run(result, file, output => Cat(result.GetValue(file)!, result.GetValue(columns), result.GetValue(limit), output)));
        return command;
    }

    private static Command CreateHead()
    {
        var file = new Argument<string>("FILE") { Description = "The Parquet file." };
        var rows = new Option<long>("--rows", "-n") { Description = "How many rows to print (default 10).", DefaultValueFactory = _ => 10 };
        rows.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 0)
            {
                r.AddError("--rows must be 0 or more.");
            }
        });
        var command = new Command("head", "Print the first rows as JSON lines (10 unless -n says otherwise), as cat does.") { file, rows };
        command.SetAction(result => Run(result, file, output => Cat(result.GetValue(file)!, null, result.GetValue(rows), output)));
        return command;
    }

    /// <summary>
    /// Runs a command against FILE: checks that FILE is a readable file first, then runs <paramref name="action"/>;
    /// any failure becomes one line on the error writer, <c>error: FILE: reason</c>, and exit code 1.
    /// </summary>
    private static int Run(ParseResult result, Argument<string> file, Action<TextWriter> action)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        TextWriter error = result.InvocationConfiguration.Error;
        string path = result.GetValue(file) ?? "";
        try
        {
            if (Directory.Exists(path))
            {
                throw new IOException("is a directory, not a Parquet file.");
            }
            if (!File.Exists(path))
            {
                throw new FileNotFoundException("no such file.");
            }
            action(output);
            output.Flush();
            return 0;
        }
        catch (Exception ex)
        {
            try
            {
                output.Flush();
            }
            catch (IOException)
            {
                // The output is gone (a closed pipe); the error line below still says what failed.
            }
            error.WriteLine(ErrorLine(path, ex));
            error.Flush();
            return 1;
        }
    }

    /// <summary>The one-line error for a failure on <paramref name="path"/>: the file named once, then the reason.</summary>
    internal static string ErrorLine(string path, Exception ex)
    {
        string message = ex.Message;
        if (ex is ArgumentException { ParamName: { } param })
        {
            // Drop the " (Parameter 'name')" that ArgumentException appends: it names our code, not the user's input.
            message = message.Replace($" (Parameter '{param}')", "", StringComparison.Ordinal);
        }
        message = message.ReplaceLineEndings(" ").Trim();
        if (message.Length == 0)
        {
            message = ex.GetType().Name + ".";
        }
        return message.Contains(path, StringComparison.Ordinal) ? $"error: {message}" : $"error: {path}: {message}";
    }

    private static void PrintSchema(string path, TextWriter output)
    {
        using var reader = new ParquetFileReader(path);
        FileMetaData meta = reader.Footer;
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
        output.Write(sb.ToString());
    }

    private static void AppendElement(StringBuilder sb, List<SchemaElement> schema, ref int index, int depth, string suffix)
    {
        SchemaElement e = schema[index++];
        sb.Append(' ', depth * 2).Append(e.Name).Append(": ").Append(PhysicalTypeName(e));
        string logical = LogicalTypeName(e);
        if (logical.Length > 0)
        {
            sb.Append(' ').Append(logical);
        }
        sb.Append(' ').Append(SchemaElementNames.Repetition(e)).Append(suffix).Append('\n');
        int children = e.Type is null || e.NumChildren is > 0 ? e.NumChildren ?? 0 : 0;
        for (int c = 0; c < children && index < schema.Count; c++)
        {
            AppendElement(sb, schema, ref index, depth + 1, "");
        }
    }

    private static string LogicalTypeName(SchemaElement e) => SchemaElementNames.LogicalType(e);

    private static string PhysicalTypeName(SchemaElement e) => SchemaElementNames.PhysicalType(e);

    private static void PrintMeta(string path, TextWriter output)
    {
        using var reader = new ParquetFileReader(path);
        FileMetaData meta = reader.Footer;
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
                  .Append(", encodings ").Append(m.Encodings.Count == 0 ? "(none listed)" : string.Join(" ", m.Encodings.Select(ColumnEncodingName)))
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
        output.Write(sb.ToString());
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

    private static void Cat(string path, string[]? columns, long? limit, TextWriter output)
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
        var json = new JsonLinesWriter(output, utc);
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
}
