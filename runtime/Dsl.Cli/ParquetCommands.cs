using System.CommandLine;
using System.Globalization;
using System.Text;
using Dsl.Parquet;
using Dsl.Parquet.Formatting;
using Dsl.Parquet.Metadata;

namespace Dsl.Cli;

/// <summary>The <c>dsl parquet</c> commands: <c>schema</c> and <c>cat</c>.</summary>
internal static class ParquetCommands
{
    public static Command Create()
    {
        var parquet = new Command("parquet", "Inspect Parquet files.");
        parquet.Subcommands.Add(CreateSchema());
        parquet.Subcommands.Add(CreateCat());
        return parquet;
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
        foreach (ParquetColumnInfo column in reader.Columns)
        {
            sb.Append("  ").Append(column.Name).Append(": ").Append(column.PhysicalTypeName);
            if (column.LogicalTypeName.Length > 0)
            {
                sb.Append(' ').Append(column.LogicalTypeName);
            }
            sb.Append(' ').Append(column.RepetitionName);
            if (column.IsGroup)
            {
                sb.Append(CultureInfo.InvariantCulture, $" ({column.LeafCount} leaf columns)");
            }
            sb.Append(column.Field is { } field ? $" -> {field.Type}{(field.Nullable ? "?" : "")}" : " -> unsupported: " + column.UnsupportedReason);
            sb.Append('\n');
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
