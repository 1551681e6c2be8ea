using Dsl.Execution;
using Dsl.Parquet;

namespace Dsl.Barriers.Joins;

/// <summary>
/// Reads a join's table (its right side): one Parquet file, or every <c>*.parquet</c> file of a folder in ordinal
/// order of their names, projected to the columns of the table's schema, narrower columns widened as the pipeline
/// input is (<see cref="ColumnWidening"/>), nulls in a column the schema declares non-nullable refused.
/// </summary>
internal static class TableReader
{
    /// <summary>
    /// The rows of the table at <paramref name="path"/> as batches of <paramref name="schema"/> (its columns in its
    /// order), at most <paramref name="batchRows"/> rows each, file after file and row after row. The caller disposes
    /// each batch. The path and the folder's files are checked at the call; each file's columns when it is opened.
    /// </summary>
    /// <exception cref="PipelineExecutionException">
    /// The path does not exist or holds no Parquet file (at the call); a file lacks a column, stores it with a type
    /// that does not read exactly into the schema's, or holds a null where the schema allows none (while iterating).
    /// Each message names the table, the file, the column and what was expected.
    /// </exception>
    public static IEnumerable<RecordBatch> Read(string path, BatchSchema schema, string tableName, int batchRows = 8192)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        IReadOnlyList<string> files = Files(path, tableName);
        return ReadFiles(files, schema, tableName, batchRows);
    }

    /// <summary>The bytes the table's files take on disk (the sum of their sizes), for choosing the join strategy.</summary>
    /// <exception cref="PipelineExecutionException">The path does not exist or holds no Parquet file.</exception>
    public static long SizeBytes(string path) => Files(path, null).Sum(f => new FileInfo(f).Length);

    /// <summary>The Parquet files of the table at <paramref name="path"/>, in the order they are read.</summary>
    internal static IReadOnlyList<string> Files(string path, string? tableName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string table = tableName is null ? "The table" : $"Table '{tableName}'";
        if (File.Exists(path))
        {
            return [path];
        }
        if (!Directory.Exists(path))
        {
            throw new PipelineExecutionException($"{table} should be read from '{path}', which is neither a file nor a folder. Check the path given in tables: or --table NAME=PATH.");
        }
        string[] files = Directory.GetFiles(path, "*.parquet", SearchOption.TopDirectoryOnly);
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
        {
            throw new PipelineExecutionException($"{table} should be read from the folder '{path}', which holds no .parquet file.");
        }
        return files;
    }

    private static IEnumerable<RecordBatch> ReadFiles(IReadOnlyList<string> files, BatchSchema schema, string tableName, int batchRows)
    {
        string[] columns = [.. schema.Fields.Select(f => f.Name)];
        foreach (string file in files)
        {
            using var reader = OpenChecked(file, schema, tableName);
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                long firstRow = 0;
                foreach (RecordBatch read in reader.ReadRowGroupBatches(rg, columns, batchRows))
                {
                    RecordBatch batch;
                    try
                    {
                        batch = Conform(read, schema, tableName, file, rg, firstRow);
                    }
                    catch
                    {
                        read.Dispose();
                        throw;
                    }
                    firstRow += batch.RowCount;
                    yield return batch;
                }
            }
        }
    }

    private static ParquetFileReader OpenChecked(string file, BatchSchema schema, string tableName)
    {
        ParquetFileReader reader;
        try
        {
            reader = new ParquetFileReader(file);
        }
        catch (Exception ex) when (ex is ParquetFormatException or IOException or UnauthorizedAccessException)
        {
            throw new PipelineExecutionException($"Table '{tableName}': file '{file}' cannot be read as Parquet: {ex.Message}", ex);
        }
        try
        {
            foreach (ColumnField want in schema.Fields)
            {
                CheckColumn(reader, want, tableName, file);
            }
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private static void CheckColumn(ParquetFileReader reader, ColumnField want, string tableName, string file)
    {
        string where = $"Table '{tableName}': file '{file}'";
        ParquetColumnInfo? column = reader.Columns.FirstOrDefault(c => c.Name == want.Name);
        if (column is null)
        {
            throw new PipelineExecutionException($"{where} has no column '{want.Name}', which the table's schema declares {want.TypeName}. Its columns are {string.Join(", ", reader.Columns.Select(c => c.Name))}.");
        }
        if (column.Field is not { } have)
        {
            throw new PipelineExecutionException($"{where} stores column '{want.Name}' in a form Dsl cannot read yet ({column.UnsupportedReason}); the table's schema declares it {want.TypeName}.");
        }
        bool sameType = have.Type == want.Type && (have.Type != ColumnType.Decimal || have.Scale == want.Scale);
        if (!sameType && !ColumnWidening.CanWiden(have, want))
        {
            throw new PipelineExecutionException($"{where} stores column '{want.Name}' as {have.TypeName}, but the table's schema declares it {want.TypeName}, which would lose information. Declare the member with the stored type (narrower integers also read into wider ones, FLOAT into double).");
        }
        if (have.Type.IsNested() && !have.Children.Select(c => c.Type).SequenceEqual(want.Children.Select(c => c.Type)))
        {
            throw new PipelineExecutionException($"{where} stores column '{want.Name}' as {have.TypeName}, but the table's schema declares it {want.TypeName}.");
        }
        if (have.Type is ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Time && have.IsAdjustedToUtc != want.IsAdjustedToUtc)
        {
            throw new PipelineExecutionException(have.IsAdjustedToUtc
                ? $"{where} stores column '{want.Name}' as a UTC instant ({have.TypeName}), but the table's schema declares it a local value ({want.TypeName}). Mark the member [property: Utc]."
                : $"{where} stores column '{want.Name}' as a local value ({have.TypeName}), but the table's schema marks it [Utc] ({want.TypeName}). Remove [Utc] from the member or write the data adjusted to UTC.");
        }
    }

    // The batch as the schema declares it: nulls checked, narrower columns widened (the originals disposed).
    private static RecordBatch Conform(RecordBatch read, BatchSchema schema, string tableName, string file, int rowGroup, long firstRow)
    {
        for (int c = 0; c < schema.Count; c++)
        {
            if (!schema[c].Nullable && read[c].NullCount > 0)
            {
                int row = 0;
                while (!read[c].IsNull(row))
                {
                    row++;
                }
                throw new PipelineExecutionException($"Table '{tableName}': file '{file}' holds a null in column '{schema[c].Name}' (row group {rowGroup}, row {firstRow + row} of the row group), which the table's schema declares non-nullable {schema[c].TypeName}. Declare the member nullable or remove the null rows.");
            }
        }
        var created = new List<Column>();
        RecordBatch widened;
        try
        {
            widened = ColumnWidening.Apply(read, schema, created);
        }
        catch
        {
            created.ForEach(c => c.Dispose());
            throw;
        }
        var columns = new Column[schema.Count];
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = widened[c];
            if (!ReferenceEquals(widened[c], read[c]))
            {
                read[c].Dispose();
            }
        }
        return new RecordBatch(schema, columns, read.RowCount);
    }
}
