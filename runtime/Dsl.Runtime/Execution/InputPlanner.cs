using Dsl.Parquet;

namespace Dsl.Execution;

/// <summary>
/// Turns an input path into partitions: lists the Parquet files, reads only their footers, checks the columns the
/// pipeline reads against each file's schema, and groups row groups into partitions.
/// </summary>
internal static class InputPlanner
{
    public static IReadOnlyList<string> ListFiles(string input)
    {
        if (File.Exists(input))
        {
            return [Path.GetFullPath(input)];
        }
        if (!Directory.Exists(input))
        {
            throw new FileNotFoundException($"The input '{input}' is neither a file nor a folder. Pass a Parquet file or a folder of them with --input.", input);
        }
        // Hidden and underscore-prefixed entries are job bookkeeping (_SUCCESS, _temporary), not data.
        List<string> files = Directory
            .EnumerateFiles(input, "*.parquet", SearchOption.AllDirectories)
            .Select(Path.GetFullPath)
            .Where(f => !Path.GetRelativePath(input, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('_') || part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"The folder '{input}' holds no .parquet files. Point --input at the data, or run without --input to use generated sample data.", input);
        }
        return files;
    }

    public static List<Partition> Plan(PipelinePlan plan, IReadOnlyList<string> files, IReadOnlyList<string> readColumns, long targetRows)
    {
        BatchSchema expected = plan.Schemas[plan.InputSchema];
        var partitions = new List<Partition>();
        foreach (string file in files)
        {
            using var reader = new ParquetFileReader(file);
            CheckColumns(plan, expected, reader, readColumns, file);
            int first = 0;
            long rows = 0;
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                long groupRows = reader.Metadata.RowGroups[rg].NumRows;
                if (rg > first && rows + groupRows > targetRows)
                {
                    partitions.Add(new Partition(partitions.Count, file, first, rg - first, rows));
                    first = rg;
                    rows = 0;
                }
                rows += groupRows;
            }
            if (reader.RowGroupCount > first)
            {
                partitions.Add(new Partition(partitions.Count, file, first, reader.RowGroupCount - first, rows));
            }
        }
        return partitions;
    }

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
            if (have.Type != want.Type)
            {
                throw new PipelineExecutionException(
                    $"Input file '{file}' stores column '{name}' as {have.Type} but schema '{plan.InputSchema}' of pipeline '{plan.Name}' declares it {want.Type}. Change the member's type to match the data.");
            }
        }
    }
}
