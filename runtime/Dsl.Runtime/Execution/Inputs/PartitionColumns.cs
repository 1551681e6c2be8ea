namespace Dsl.Execution.Inputs;

/// <summary>
/// Columns filled from hive partition folders: the value is checked against the member's type once, when the run is
/// planned (an error names the folder), and every batch of the partition gets a column holding it in every row.
/// </summary>
internal static class PartitionColumns
{
    /// <summary>
    /// The folder values of <paramref name="folders"/> that fill columns the pipeline reads (a read column named like a
    /// folder key, exactly or else ignoring letter case), each parsed into its member's type: the values for the partition, and the typed constants for
    /// pruning (an <see cref="int"/>, <see cref="long"/>, <see cref="double"/>, <see cref="string"/>... or null).
    /// </summary>
    public static (IReadOnlyList<PartitionValue> Values, IReadOnlyDictionary<string, object?> Constants) Resolve(
        PipelinePlan plan, BatchSchema expected, IReadOnlyList<string> readColumns, string root, string file, IReadOnlyList<PartitionValue> folders)
    {
        var values = new List<PartitionValue>();
        var constants = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (PartitionValue folder in folders)
        {
            // Hive and Spark lower-case partition column names: a key matches a member exactly, else ignoring case.
            string? name = readColumns.FirstOrDefault(c => c == folder.Column);
            if (name is null)
            {
                string[] loose = readColumns.Where(c => string.Equals(c, folder.Column, StringComparison.OrdinalIgnoreCase)).ToArray();
                if (loose.Length > 1)
                {
                    throw new PipelineExecutionException($"The hive partition folder key '{folder.Column}' (file '{file}') matches columns {string.Join(" and ", loose.Select(c => $"'{c}'"))} of schema '{plan.InputSchema}' ignoring letter case, so which one it fills is ambiguous. Rename a member, or the folder key to match one exactly.");
                }
                name = loose.SingleOrDefault();
            }
            if (name is null)
            {
                continue;
            }
            if (values.Any(v => v.Column == name))
            {
                throw new PipelineExecutionException($"Two hive partition folder keys of file '{file}' fill column '{name}' of schema '{plan.InputSchema}' (they differ only in letter case). Rename one of the folders.");
            }
            ColumnField field = expected[expected.IndexOf(name)];
            string where = $"The hive partition folder '{FolderName(root, file, folder.Column)}' (file '{file}')";
            TextColumnBuilder builder = TextColumnBuilder.Create(field, 1)
                ?? throw new PipelineExecutionException($"{where} fills column '{field.Name}', which schema '{plan.InputSchema}' declares {field.TypeName}: a folder name cannot hold such a value. Declare the member as a string, number, bool or date.");
            if (folder.Value is null)
            {
                if (!field.Nullable)
                {
                    throw new PipelineExecutionException($"{where} means null ({HiveFolders.DefaultPartition}), but schema '{plan.InputSchema}' declares column '{field.Name}' non-nullable ({field.TypeName}). Declare the member nullable.");
                }
                constants[field.Name] = null;
            }
            else
            {
                if (!builder.TryAppend(folder.Value))
                {
                    throw new PipelineExecutionException($"{where} gives column '{field.Name}' the value {TextInputError.Show(folder.Value)}, which is not {builder.Expected} as schema '{plan.InputSchema}' declares it ({field.TypeName}). Rename the folder, or change the member's type.");
                }
                using Column column = builder.Build();
                constants[field.Name] = column.GetValue(0);
            }
            values.Add(folder with { Column = field.Name });
        }
        return (values, constants);
    }

    /// <summary>The fields of the columns filled from folders, in <paramref name="values"/>' order.</summary>
    public static ColumnField[] Fields(BatchSchema expected, IReadOnlyList<PartitionValue> values) =>
        values.Select(v => expected[expected.IndexOf(v.Column)]).ToArray();

    /// <summary>
    /// <paramref name="batch"/> with one column per partition value appended, each holding the value in every row. The
    /// new columns are added to <paramref name="created"/> for the caller to dispose; the others stay <paramref name="batch"/>'s.
    /// </summary>
    public static RecordBatch Append(RecordBatch batch, ColumnField[] fields, IReadOnlyList<PartitionValue> values, List<Column> created)
    {
        if (values.Count == 0)
        {
            return batch;
        }
        var columns = new List<Column>(batch.Columns);
        for (int v = 0; v < values.Count; v++)
        {
            TextColumnBuilder builder = TextColumnBuilder.Create(fields[v], batch.RowCount)!;
            for (int r = 0; r < batch.RowCount; r++)
            {
                if (values[v].Value is { } value)
                {
                    builder.TryAppend(value); // checked when the run was planned
                }
                else
                {
                    builder.AppendNull();
                }
            }
            Column column = builder.Build();
            created.Add(column);
            columns.Add(column);
        }
        return new RecordBatch(new BatchSchema([.. batch.Schema.Fields, .. fields]), columns, batch.RowCount);
    }

    // The folder's name as it is on disk (escaped), for messages.
    private static string FolderName(string root, string file, string key)
    {
        string relative = Path.GetRelativePath(root, Path.GetDirectoryName(file)!);
        return relative.Split(Path.DirectorySeparatorChar).FirstOrDefault(f => f.StartsWith(key + "=", StringComparison.Ordinal) || HiveFolders.Decode(root, f, f.Split('=')[0]) == key) ?? key;
    }
}
