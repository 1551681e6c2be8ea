using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dsl.Execution;

/// <summary>
/// Hive-style partition folders, <c>&lt;column&gt;=&lt;value&gt;/</c>, as Hive, Spark, DuckDB and pyarrow read them:
/// which column types can name a folder, how a value is written, and the checks that keep every folder inside its
/// sink's folder. The rules (docs/partitioned-output.md):
/// <list type="bullet">
/// <item>Characters Hive escapes (<c>FileUtils.escapePathName</c>: control characters, <c>"</c> <c>#</c> <c>%</c>
/// <c>'</c> <c>*</c> <c>/</c> <c>:</c> <c>=</c> <c>?</c> <c>\</c> DEL <c>{</c> <c>[</c> <c>]</c> <c>^</c>) and those it
/// escapes on Windows (<c>&lt;</c> <c>&gt;</c> <c>|</c>) become <c>%XX</c>; everything else, non-ASCII text
/// included, is kept as UTF-8. So no value holds a path separator, and every segment starts with
/// <c>column=</c>, so none is <c>.</c> or <c>..</c>.</item>
/// <item>Null and the empty string are <c>__HIVE_DEFAULT_PARTITION__</c> (as Hive and Spark write them; readers give
/// null back for both). A string that readers would take for null (<c>null</c> in any case, which DuckDB reads as
/// NULL, or <c>__HIVE_DEFAULT_PARTITION__</c> itself) has its first character escaped, so it reads back as written.</item>
/// <item>A segment longer than <see cref="MaxSegmentBytes"/> bytes fails the run: file systems refuse longer names, and
/// a shortened or hashed name would read back as another value.</item>
/// </list>
/// </summary>
internal static class HivePartitioning
{
    /// <summary>The folder value of null (and of the empty string), as Hive and Spark write it.</summary>
    public const string DefaultPartition = "__HIVE_DEFAULT_PARTITION__";

    /// <summary>The longest name of one folder, in UTF-8 bytes (NAME_MAX of ext4, xfs, btrfs, tmpfs, APFS, NTFS).</summary>
    public const int MaxSegmentBytes = 255;

    /// <summary>How a partition column's values are read from a batch and written as text.</summary>
    internal enum ValueKind
    {
        Int32,
        Int64,
        Boolean,
        Date,
        Text,
    }

    /// <summary>
    /// How values of <paramref name="field"/> name folders, or null with <paramref name="whyNot"/> saying why they
    /// cannot. The one place that decides which column types can partition an output: a type not listed (a new one
    /// included) cannot.
    /// </summary>
    public static ValueKind? KindOf(ColumnField field, out string? whyNot)
    {
        whyNot = null;
        switch (field.Type)
        {
            case ColumnType.Int32:
                return ValueKind.Int32;
            case ColumnType.Int64:
                return ValueKind.Int64;
            case ColumnType.Boolean:
                return ValueKind.Boolean;
            case ColumnType.Date:
                return ValueKind.Date;
            case ColumnType.String:
                return ValueKind.Text;
            case ColumnType.Float or ColumnType.Double:
                whyNot = "floating-point values do not name folders exactly (their text is rounded, and NaN and -0.0 make equal values unclear)";
                break;
            case ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Time:
                whyNot = "a time has many spellings in a folder name (precision, time zone, ':' escaped) and nearly every value gets its own folder";
                break;
            case ColumnType.Decimal:
                whyNot = "decimal partition values are not supported yet";
                break;
            case ColumnType.Binary:
                whyNot = "bytes are not text";
                break;
            case ColumnType.List or ColumnType.Struct or ColumnType.Map:
                whyNot = "a nested value cannot name a folder";
                break;
            default:
                whyNot = $"type {field.TypeName} cannot be a partition value";
                break;
        }
        return null;
    }

    /// <summary>
    /// Every problem with partitioning sink <paramref name="sink"/> (its output has <paramref name="schema"/>) by
    /// <paramref name="columns"/>, each a full sentence; the configuration check and the executor both ask this.
    /// </summary>
    public static IReadOnlyList<string> Problems(string sink, BatchSchema schema, IReadOnlyList<string> columns)
    {
        var problems = new List<string>();
        if (columns.Count == 0)
        {
            problems.Add($"Sink '{sink}' has an empty 'partitionBy' list. Name at least one of its columns ({ColumnList(schema)}) or remove the entry.");
            return problems;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string column in columns)
        {
            int index = schema.IndexOf(column);
            if (index < 0)
            {
                problems.Add($"Sink '{sink}' has no column '{column}' to partition by. Its columns are {ColumnList(schema)}.");
                continue;
            }
            if (!seen.Add(column))
            {
                problems.Add($"Sink '{sink}' lists column '{column}' twice under 'partitionBy'. Name each column once.");
                continue;
            }
            if (column.StartsWith('_') || column.StartsWith('.'))
            {
                problems.Add($"Sink '{sink}' cannot be partitioned by column '{column}': readers (Spark, Hive, DuckDB, this one) skip folders whose names start with '_' or '.'. Rename the member.");
                continue;
            }
            if (KindOf(schema[index], out string? whyNot) is null)
            {
                problems.Add($"Sink '{sink}' cannot be partitioned by column '{column}' ({schema[index].TypeName}): {whyNot}. Partition by an int, long, bool, string or DateOnly column, e.g. one a Map stage derives from it.");
            }
        }
        if (seen.Count == schema.Count && problems.Count == 0)
        {
            problems.Add($"Sink '{sink}' is partitioned by all of its columns ({ColumnList(schema)}), so its files would hold no column. Leave at least one column out of 'partitionBy'.");
        }
        return problems;
    }

    /// <summary><paramref name="text"/> with the characters Hive escapes (and <c>&lt;</c> <c>&gt;</c> <c>|</c>) as <c>%XX</c>.</summary>
    public static string Escape(string text)
    {
        int first = 0;
        while (first < text.Length && !NeedsEscape(text[first]))
        {
            first++;
        }
        if (first == text.Length)
        {
            return text;
        }
        var escaped = new StringBuilder(text.Length + 8).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            AppendChar(escaped, text[i]);
        }
        return escaped.ToString();
    }

    /// <summary>
    /// The folder value of a string: <see cref="DefaultPartition"/> for null and empty, the first character escaped
    /// when readers would otherwise take it for null, else <see cref="Escape"/>d.
    /// </summary>
    public static string FolderValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return DefaultPartition;
        }
        if (value.Equals("null", StringComparison.OrdinalIgnoreCase) || value == DefaultPartition)
        {
            // DuckDB reads a folder value 'NULL' (any case) as NULL, and every reader reads the default partition as
            // null; an escaped first character is unescaped by all of them after that comparison.
            var escaped = new StringBuilder();
            AppendHex(escaped, value[0]);
            return escaped.Append(Escape(value[1..])).ToString();
        }
        return Escape(value);
    }

    /// <summary>One folder name, <c>column=value</c>, checked against <see cref="MaxSegmentBytes"/>.</summary>
    /// <exception cref="PipelineExecutionException">The name is too long for a file system.</exception>
    public static string Segment(string sink, string column, string folderValue)
    {
        string segment = Escape(column) + "=" + folderValue;
        int bytes = Encoding.UTF8.GetByteCount(segment);
        if (bytes > MaxSegmentBytes)
        {
            string start = segment.Length > 60 ? segment[..60] + "…" : segment;
            throw new PipelineExecutionException(
                $"Sink '{sink}': a value of partition column '{column}' makes the folder name '{start}' {bytes} bytes long (escaped, in UTF-8), and file systems allow {MaxSegmentBytes}. Partition by a shorter value, such as a prefix or a Hashing.Bucket of it computed in a Map stage.");
        }
        return segment;
    }

    /// <summary>The text of an integer, boolean or date partition value (never null: nulls are <see cref="DefaultPartition"/>).</summary>
    public static string Format(ValueKind kind, long value) => kind switch
    {
        ValueKind.Int32 or ValueKind.Int64 => value.ToString(CultureInfo.InvariantCulture),
        ValueKind.Boolean => value != 0 ? "true" : "false",
        ValueKind.Date when value is >= Dates.MinDays and <= Dates.MaxDays => Dates.FromDays((int)value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ValueKind.Date => throw new PipelineExecutionException($"A date partition value is {value} days from 1970-01-01, outside the years 1 to 9999 that a folder name can spell."),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Text values are not formatted from numbers."),
    };

    /// <summary>Writes a partition value into a manifest's JSON: a number, a boolean, a date as <c>yyyy-MM-dd</c> text, or text.</summary>
    public static void WriteJson(Utf8JsonWriter json, string column, ValueKind kind, long number, string? text, bool isNull)
    {
        if (isNull)
        {
            json.WriteNull(column);
            return;
        }
        switch (kind)
        {
            case ValueKind.Int32 or ValueKind.Int64:
                json.WriteNumber(column, number);
                break;
            case ValueKind.Boolean:
                json.WriteBoolean(column, number != 0);
                break;
            case ValueKind.Date:
                json.WriteString(column, Format(kind, number));
                break;
            default:
                json.WriteString(column, text);
                break;
        }
    }

    /// <summary>
    /// Whether <paramref name="relativePath"/> (<c>/</c>-separated) is a path of partition folders and a file name that
    /// stays inside the folder it is taken relative to: no empty, <c>.</c> or <c>..</c> segment, no rooted path, no
    /// backslash. A last line of defence: escaping already guarantees it for the paths this runtime writes.
    /// </summary>
    public static bool IsContained(string relativePath) =>
        relativePath.Length > 0
        && !Path.IsPathRooted(relativePath)
        && !relativePath.Contains('\\')
        && !relativePath.Contains('\0')
        && relativePath.Split('/').All(segment => segment.Length > 0 && segment != "." && segment != ".." && Encoding.UTF8.GetByteCount(segment) <= MaxSegmentBytes);

    private static string ColumnList(BatchSchema schema) => string.Join(", ", schema.Fields.Select(f => $"{f.Name} ({f.TypeName})"));

    private static bool NeedsEscape(char c) => c < 0x20 || c == 0x7F || c switch
    {
        '"' or '#' or '%' or '\'' or '*' or '/' or ':' or '=' or '?' or '\\' or '{' or '[' or ']' or '^' or '<' or '>' or '|' => true,
        _ => false,
    };

    private static void AppendChar(StringBuilder builder, char c)
    {
        if (NeedsEscape(c))
        {
            AppendHex(builder, c);
        }
        else
        {
            builder.Append(c);
        }
    }

    // Only ASCII characters are ever escaped here, so one byte each; the first character of 'null' or the default
    // partition is ASCII too.
    private static void AppendHex(StringBuilder builder, char c) => builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
}
