using Dsl.Execution.Commit;
using Dsl.Parquet;

namespace Dsl.Execution;

/// <summary>
/// Turns an input path into partitions: lists the Parquet files, reads only their footers, checks the columns the
/// pipeline reads against each file's schema, and groups row groups into partitions.
/// </summary>
internal static class InputPlanner
{
    /// <summary>
    /// The data files of <paramref name="input"/>, in ordinal order, each listed once. A file is read whatever its
    /// name. In a folder: files ending in <c>.parquet</c> in any letter case are data; names starting with <c>_</c>
    /// or <c>.</c> (files and folders: <c>_SUCCESS</c>, <c>_temporary</c>, <c>.crc</c>) are bookkeeping and skipped;
    /// other files are skipped and named in <paramref name="ignored"/>. Data either sits at the folder's top level or
    /// only in hive partition folders (<c>key=value</c>, the same keys at the same depth everywhere); anything else,
    /// such as a copy of the data in a sub-folder, is an error rather than rows read twice.
    /// </summary>
    public static IReadOnlyList<string> ListFiles(string input, List<string>? ignored = null)
    {
        if (File.Exists(input))
        {
            return [Path.GetFullPath(input)];
        }
        if (!Directory.Exists(input))
        {
            throw new FileNotFoundException($"The input '{input}' is neither a file nor a folder. Pass a Parquet file or a folder of them with --input.", input);
        }
        string root = Path.GetFullPath(input);
        var files = new List<string>();
        Walk(root, root, files, ignored);
        files.Sort(StringComparer.Ordinal);
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"The folder '{input}' holds no .parquet files. Point --input at the data, or run without --input to use generated sample data.", input);
        }
        CheckLayout(root, files);
        return files;
    }

    private static void Walk(string root, string dir, List<string> files, List<string>? ignored)
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(dir))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith('_') || name.StartsWith('.'))
            {
                continue;
            }
            if (Directory.Exists(entry))
            {
                Walk(root, entry, files, ignored);
            }
            else if (name.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            {
                files.Add(entry);
            }
            else
            {
                ignored?.Add(Path.GetRelativePath(root, entry));
            }
        }
    }

    // Either every file at the top level, or every file under key=value folders with one set of keys.
    private static void CheckLayout(string root, List<string> files)
    {
        string[][] folders = files.Select(f => Path.GetRelativePath(root, Path.GetDirectoryName(f)!) is "." or "" ? [] : Path.GetRelativePath(root, Path.GetDirectoryName(f)!).Split(Path.DirectorySeparatorChar)).ToArray();
        int top = Array.FindIndex(folders, f => f.Length == 0);
        int nested = Array.FindIndex(folders, f => f.Length > 0);
        if (nested < 0)
        {
            return;
        }
        if (top >= 0)
        {
            throw new PipelineExecutionException($"The input folder '{root}' holds Parquet files both at its top level (e.g. '{Path.GetFileName(files[top])}') and in the sub-folder '{string.Join('/', folders[nested])}' (e.g. '{Path.GetRelativePath(root, files[nested])}'), so a file and a copy of it could both be read. Point --input at one folder, or keep the data only in hive partition folders (key=value).");
        }
        string[] keys = HiveKeys(root, files[nested], folders[nested]);
        for (int i = 0; i < files.Count; i++)
        {
            string[] these = HiveKeys(root, files[i], folders[i]);
            if (!these.SequenceEqual(keys, StringComparer.Ordinal))
            {
                throw new PipelineExecutionException($"The input folder '{root}' mixes hive partition layouts: '{Path.GetRelativePath(root, files[nested])}' is under keys ({string.Join(", ", keys)}) but '{Path.GetRelativePath(root, files[i])}' under ({string.Join(", ", these)}). Every file must sit under the same key=value folders.");
            }
        }
    }

    private static string[] HiveKeys(string root, string file, string[] folders)
    {
        var keys = new string[folders.Length];
        for (int i = 0; i < folders.Length; i++)
        {
            int eq = folders[i].IndexOf('=');
            if (eq <= 0)
            {
                throw new PipelineExecutionException($"The input folder '{root}' holds Parquet files in the sub-folder '{string.Join('/', folders[..(i + 1)])}' (e.g. '{Path.GetRelativePath(root, file)}'), which is not a hive partition folder (key=value). Point --input at the folder that holds the data, or rename its sub-folders key=value.");
            }
            keys[i] = folders[i][..eq];
        }
        return keys;
    }

    /// <summary>
    /// Groups each file's row groups into partitions and fingerprints the file (<see cref="FileFingerprint"/>) from the
    /// same open, so the partitions and the fingerprint describe one version of the file.
    /// </summary>
    public static List<Partition> Plan(PipelinePlan plan, IReadOnlyList<string> files, IReadOnlyList<string> readColumns, long targetRows, Dictionary<string, FileFingerprint> fingerprints)
    {
        BatchSchema expected = plan.Schemas[plan.InputSchema];
        var partitions = new List<Partition>();
        foreach (string file in files)
        {
            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
            try
            {
                fingerprints[file] = FileFingerprint.Of(stream);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
            using var reader = new ParquetFileReader(stream, leaveOpen: false, name: file);
            CheckColumns(plan, expected, reader, readColumns, file);
            int first = 0;
            long rows = 0;
            long bytes = 0;
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                long groupRows = reader.Metadata.RowGroups[rg].NumRows;
                if (rg > first && rows + groupRows > targetRows)
                {
                    partitions.Add(new Partition(partitions.Count, file, first, rg - first, rows) { Bytes = bytes });
                    first = rg;
                    rows = 0;
                    bytes = 0;
                }
                rows += groupRows;
                bytes += StoredBytes(reader.Metadata.RowGroups[rg]);
            }
            if (reader.RowGroupCount > first)
            {
                partitions.Add(new Partition(partitions.Count, file, first, reader.RowGroupCount - first, rows) { Bytes = bytes });
            }
        }
        return partitions;
    }

    // The C# member type that reads a column of this type as stored.
    private static string MemberTypeFor(ColumnType type) => type switch
    {
        ColumnType.Int32 => "int",
        ColumnType.Int64 => "long",
        ColumnType.Float => "float",
        ColumnType.Double => "double",
        ColumnType.Boolean => "bool",
        ColumnType.String => "string",
        ColumnType.Timestamp => "DateTime",
        ColumnType.Date => "DateOnly",
        ColumnType.Int8 => "sbyte",
        ColumnType.Int16 => "short",
        ColumnType.UInt8 => "byte",
        ColumnType.UInt16 => "ushort",
        ColumnType.UInt32 => "uint",
        ColumnType.UInt64 => "ulong",
        ColumnType.Float16 => "Half",
        ColumnType.Uuid => "Guid",
        ColumnType.Binary => "byte[]",
        ColumnType.Time => "TimeOnly",
        ColumnType.TimestampNanos => "Dsl.NanoTimestamp (or DateTime marked [TruncateNanoseconds])",
        ColumnType.Decimal => "decimal",
        _ => $"a type that holds {type} (not yet supported as a schema member)",
    };

    // A row group's stored bytes: its total when the footer gives one, else the sum of its column chunks'.
    private static long StoredBytes(Dsl.Parquet.Metadata.RowGroup group) =>
        group.TotalCompressedSize is > 0 and long total ? total : group.Columns.Sum(c => c.MetaData?.TotalCompressedSize ?? 0);

    // Only the columns the pipeline reads must be readable: other columns may use types this reader does not support.
    private static void CheckColumns(PipelinePlan plan, BatchSchema expected, ParquetFileReader reader, IReadOnlyList<string> readColumns, string file)
    {
        foreach (string name in readColumns)
        {
            ColumnField want = expected[expected.IndexOf(name)];
            ParquetColumnInfo? column = reader.Columns.FirstOrDefault(c => c.Name == name);
            if (column is null)
            {
                throw new PipelineExecutionException(
                    $"Input file '{file}' has no column '{name}', which pipeline '{plan.Name}' reads as {want.Type} from schema '{plan.InputSchema}'. Its columns are {string.Join(", ", reader.Columns.Select(c => c.Name))}. Rename the column in the data or map it with [property: Column(\"...\")].");
            }
            if (column.Field is not { } have)
            {
                throw new PipelineExecutionException(
                    $"Input file '{file}' stores column '{name}' in a form Dsl cannot read yet ({column.UnsupportedReason}), and pipeline '{plan.Name}' reads it.");
            }
            if ((have.Type != want.Type || (have.Type == ColumnType.Decimal && have.Scale != want.Scale)) && !ColumnWidening.CanWiden(have, want))
            {
                throw new PipelineExecutionException(
                    $"Input file '{file}' stores column '{name}' as {have.TypeName} but schema '{plan.InputSchema}' of pipeline '{plan.Name}' declares it {want.TypeName}, which would lose information. Declare the member as {MemberTypeFor(have.Type)}{(have.Type == ColumnType.Decimal ? $" with [property: Decimal({have.Precision}, {have.Scale})] or more digits" : "")} (narrower integers also read into wider ones and into double, FLOAT into double).");
            }
            if (want.Type == ColumnType.List && want.Children.Count == 1 && (have.Children.Count != 1 || have.Children[0].Type != want.Children[0].Type))
            {
                throw new PipelineExecutionException(
                    $"Input file '{file}' stores column '{name}' as {have.TypeName} but schema '{plan.InputSchema}' of pipeline '{plan.Name}' declares it {want.TypeName}. Declare the member as an array of the stored element type{(have.Children.Count == 1 ? $" ({MemberTypeFor(have.Children[0].Type)}[])" : "")}.");
            }
            // An instant read into a local date-time (or the reverse) would be written back as the other kind without a
            // word: refuse it, naming the attribute that says which one the member is.
            if (have.Type is ColumnType.Timestamp or ColumnType.TimestampNanos && have.IsAdjustedToUtc != want.IsAdjustedToUtc)
            {
                throw new PipelineExecutionException(have.IsAdjustedToUtc
                    ? $"Input file '{file}' stores column '{name}' as a TIMESTAMP adjusted to UTC (an instant, such as DuckDB's TIMESTAMPTZ), but schema '{plan.InputSchema}' of pipeline '{plan.Name}' declares it a local date-time. Mark the member [property: Utc] to read it as an instant and keep it one in the output."
                    : $"Input file '{file}' stores column '{name}' as a local TIMESTAMP (no time zone), but schema '{plan.InputSchema}' of pipeline '{plan.Name}' marks it [Utc]. Remove [Utc] from the member, or write the data as a TIMESTAMP adjusted to UTC.");
            }
        }
    }
}
