using Dsl.Execution.Commit;
using Dsl.Execution.Inputs;
using Dsl.Parquet;

namespace Dsl.Execution;

/// <summary>
/// Turns an input path into partitions: lists the data files (Parquet, CSV, JSON Lines), reads only the footers of
/// Parquet files and scans text files once (<see cref="TextFileScanner"/>), checks the columns the pipeline reads
/// against each file, fills columns from hive partition folders, skips files whose folder values rule out every row the
/// source filters keep, and groups row groups (or records) into partitions.
/// </summary>
internal static class InputPlanner
{
    /// <summary>The file names that are read as data, for messages.</summary>
    public const string DataNames = ".parquet, .csv, .csv.gz, .jsonl, .ndjson (and .jsonl.gz, .ndjson.gz)";

    /// <summary>
    /// The data files of <paramref name="input"/>, in ordinal order, each listed once. A file given directly is read
    /// whatever its name (as Parquet unless its name ends in a text extension). In a folder: names starting with
    /// <c>_</c> or <c>.</c> (files and folders: <c>_SUCCESS</c>, <c>_temporary</c>, <c>.crc</c>) are bookkeeping and
    /// skipped; when the folder holds any <c>.parquet</c> file (in any letter case) only those are data, otherwise its
    /// CSV and JSON Lines files are; other files are skipped and named in <paramref name="ignored"/>. Data either sits
    /// at the folder's top level or only in hive partition folders (<c>key=value</c>, the same keys at the same depth
    /// everywhere); anything else, such as a copy of the data in a sub-folder, is an error rather than rows read twice.
    /// </summary>
    public static IReadOnlyList<InputFile> ListFiles(string input, List<string>? ignored = null)
    {
        if (File.Exists(input))
        {
            string path = Path.GetFullPath(input);
            (InputFormat format, bool compressed) = InputFile.FormatOf(Path.GetFileName(path)) ?? (InputFormat.Parquet, false);
            return [new InputFile(path, format, compressed, path, [])];
        }
        if (!Directory.Exists(input))
        {
            throw new FileNotFoundException($"The input '{input}' is neither a file nor a folder. Pass a Parquet, CSV or JSON Lines file, or a folder of them, with --input.", input);
        }
        string root = Path.GetFullPath(input);
        var found = new List<string>();
        Walk(root, found);
        var parquet = new List<string>();
        var text = new List<string>();
        var other = new List<string>();
        foreach (string file in found)
        {
            (InputFormat Format, bool)? format = InputFile.FormatOf(Path.GetFileName(file));
            (format is null ? other : format.Value.Format == InputFormat.Parquet ? parquet : text).Add(file);
        }
        // A folder of Parquet data keeps its other files (notes, a CSV export) out of the run, as before text input existed.
        List<string> files = parquet.Count > 0 ? parquet : text;
        ignored?.AddRange((parquet.Count > 0 ? other.Concat(text) : other).Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(root, f)));
        files.Sort(StringComparer.Ordinal);
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"The folder '{input}' holds no data files ({DataNames}). Point --input at the data, or run without --input to use generated sample data.", input);
        }
        string[][] folders = CheckLayout(root, files);
        return files.Select((f, i) =>
        {
            (InputFormat format, bool compressed) = InputFile.FormatOf(Path.GetFileName(f))!.Value;
            return new InputFile(f, format, compressed, root, HiveFolders.Values(root, folders[i]));
        }).ToArray();
    }

    private static void Walk(string dir, List<string> files)
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
                Walk(entry, files);
            }
            else
            {
                files.Add(entry);
            }
        }
    }

    // Either every file at the top level, or every file under key=value folders with one set of keys. Returns each
    // file's folders below the root.
    private static string[][] CheckLayout(string root, List<string> files)
    {
        string[][] folders = files.Select(f => Path.GetRelativePath(root, Path.GetDirectoryName(f)!) is "." or "" ? [] : Path.GetRelativePath(root, Path.GetDirectoryName(f)!).Split(Path.DirectorySeparatorChar)).ToArray();
        int top = Array.FindIndex(folders, f => f.Length == 0);
        int nested = Array.FindIndex(folders, f => f.Length > 0);
        if (nested < 0)
        {
            return folders;
        }
        if (top >= 0)
        {
            throw new PipelineExecutionException($"The input folder '{root}' holds data files both at its top level (e.g. '{Path.GetFileName(files[top])}') and in the sub-folder '{string.Join('/', folders[nested])}' (e.g. '{Path.GetRelativePath(root, files[nested])}'), so a file and a copy of it could both be read. Point --input at one folder, or keep the data only in hive partition folders (key=value).");
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
        return folders;
    }

    private static string[] HiveKeys(string root, string file, string[] folders)
    {
        var keys = new string[folders.Length];
        for (int i = 0; i < folders.Length; i++)
        {
            int eq = folders[i].IndexOf('=');
            if (eq <= 0)
            {
                throw new PipelineExecutionException($"The input folder '{root}' holds data files in the sub-folder '{string.Join('/', folders[..(i + 1)])}' (e.g. '{Path.GetRelativePath(root, file)}'), which is not a hive partition folder (key=value). Point --input at the folder that holds the data, or rename its sub-folders key=value.");
            }
            keys[i] = folders[i][..eq];
        }
        return keys;
    }

    /// <summary>
    /// Plans every file into partitions, numbered in file order: Parquet files by groups of row groups, text files by
    /// ranges of whole records. Each file is fingerprinted (<see cref="FileFingerprint"/>) from the same open, so the
    /// partitions and the fingerprint describe one version of it. A file whose hive folder values rule out every row
    /// the source filters keep is not opened at all: it is counted in <c>FilesSkipped</c> and has no partition.
    /// </summary>
    public static (List<Partition> Partitions, int FilesSkipped) Plan(
        PipelinePlan plan, IReadOnlyList<InputFile> files, IReadOnlyList<string> readColumns, ExecutionOptions options, RowGroupPruner pruner, Dictionary<string, FileFingerprint> fingerprints)
    {
        BatchSchema expected = plan.Schemas[plan.InputSchema];
        var planned = new (List<Partition>? Partitions, FileFingerprint? Fingerprint)[files.Count];
        var failures = new Exception?[files.Count];
        // Text files are scanned whole: several at once. Parquet files only have their footers read.
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism) }, i =>
        {
            try
            {
                planned[i] = PlanFile(plan, expected, files[i], readColumns, options, pruner);
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        });
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        var partitions = new List<Partition>();
        int skipped = 0;
        foreach ((List<Partition>? filePartitions, FileFingerprint? fingerprint) in planned)
        {
            if (filePartitions is null)
            {
                skipped++;
                continue;
            }
            fingerprints[fingerprint!.Path] = fingerprint;
            foreach (Partition partition in filePartitions)
            {
                partitions.Add(partition with { Index = partitions.Count });
            }
        }
        return (partitions, skipped);
    }

    // One file's partitions and fingerprint, or no partitions when its folder values prune it.
    private static (List<Partition>?, FileFingerprint?) PlanFile(PipelinePlan plan, BatchSchema expected, InputFile input, IReadOnlyList<string> readColumns, ExecutionOptions options, RowGroupPruner pruner)
    {
        string file = input.Path;
        (IReadOnlyList<PartitionValue> values, IReadOnlyDictionary<string, object?> constants) = PartitionColumns.Resolve(plan, expected, readColumns, input.Root, file, input.Folders);
        if (pruner.CanSkipConstants(constants))
        {
            return (null, null);
        }
        string[] fileColumns = readColumns.Where(c => !values.Any(v => v.Column == c)).ToArray();
        if (input.Format != InputFormat.Parquet)
        {
            return PlanText(plan, expected, input, fileColumns, values, options);
        }
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        FileFingerprint fingerprint;
        try
        {
            fingerprint = FileFingerprint.Of(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        using var reader = new ParquetFileReader(stream, leaveOpen: false, name: file);
        CheckPartitionConflicts(plan, input, values, reader.Columns.Select(c => c.Name));
        CheckColumns(plan, expected, reader, fileColumns, file);
        var partitions = new List<Partition>();
        int first = 0;
        long rows = 0;
        long bytes = 0;
        for (int rg = 0; rg < reader.RowGroupCount; rg++)
        {
            long groupRows = reader.Footer.RowGroups[rg].NumRows;
            if (rg > first && rows + groupRows > options.TargetPartitionRows)
            {
                partitions.Add(new Partition(0, file, first, rg - first, rows) { Bytes = bytes, PartitionValues = values });
                first = rg;
                rows = 0;
                bytes = 0;
            }
            rows += groupRows;
            bytes += StoredBytes(reader.Footer.RowGroups[rg]);
        }
        if (reader.RowGroupCount > first)
        {
            partitions.Add(new Partition(0, file, first, reader.RowGroupCount - first, rows) { Bytes = bytes, PartitionValues = values });
        }
        return (partitions, fingerprint);
    }

    private static (List<Partition>, FileFingerprint) PlanText(PipelinePlan plan, BatchSchema expected, InputFile input, string[] fileColumns, IReadOnlyList<PartitionValue> values, ExecutionOptions options)
    {
        string kind = input.Format == InputFormat.Csv ? "a CSV file" : "a JSON Lines file";
        ColumnField[] fields = fileColumns.Select(c => expected[expected.IndexOf(c)]).ToArray();
        foreach (ColumnField field in fields)
        {
            if (TextColumnBuilder.Create(field, 1) is null)
            {
                throw new PipelineExecutionException($"Input file '{input.Path}' is {kind}, which cannot hold column '{field.Name}' ({field.TypeName}) that schema '{plan.InputSchema}' of pipeline '{plan.Name}' reads. Read such columns from Parquet.");
            }
        }
        TextFileLayout layout = TextFileScanner.Scan(input.Path, input.Format, input.Compressed, options.TargetPartitionRows, options.TargetPartitionBytes, options.MaxRecordBytes);
        if (layout.Header is { } header)
        {
            CheckPartitionConflicts(plan, input, values, header);
            TextColumnNames.MapHeader(input.Path, header, fields, plan.InputSchema);
        }
        var partitions = layout.Ranges.Select(r => new Partition(0, input.Path, 0, 0, r.Rows)
        {
            Bytes = r.End - r.Start,
            Format = input.Format,
            Compressed = input.Compressed,
            ByteStart = r.Start,
            ByteEnd = r.End,
            FirstLine = r.FirstLine,
            PartitionValues = values,
        }).ToList();
        return (partitions, layout.Fingerprint);
    }

    // A column both in the file and in its folder names: which one holds the truth is not ours to guess.
    private static void CheckPartitionConflicts(PipelinePlan plan, InputFile input, IReadOnlyList<PartitionValue> values, IEnumerable<string> fileColumns)
    {
        foreach (PartitionValue value in values)
        {
            if (fileColumns.Contains(value.Column, StringComparer.Ordinal))
            {
                string key = input.Folders.First(f => string.Equals(f.Column, value.Column, StringComparison.OrdinalIgnoreCase)).Column;
                throw new PipelineExecutionException($"Input file '{input.Path}' has a column '{value.Column}' and also sits in the hive partition folder '{key}=...', so which value schema '{plan.InputSchema}' of pipeline '{plan.Name}' should read is ambiguous. Drop the column from the files, or rename the folder key or the schema member.");
            }
        }
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
