namespace Dsl.Parquet;

/// <summary>
/// A Parquet file is malformed, or uses a feature this reader does not support. The message names the file and,
/// where known, the column, row group and page, and says what was expected.
/// </summary>
public sealed class ParquetFormatException : Exception
{
    /// <summary>Creates an exception with a message and no location.</summary>
    public ParquetFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception wrapping <paramref name="innerException"/>.</summary>
    public ParquetFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception whose message is prefixed with the location it occurred at.</summary>
    /// <param name="problem">What went wrong, as a full sentence.</param>
    /// <param name="filePath">The file (or stream description), if known.</param>
    /// <param name="columnName">The column's dotted path, if known.</param>
    /// <param name="rowGroupIndex">The row group, if known.</param>
    /// <param name="pageIndex">The page within the column chunk, if known.</param>
    /// <param name="innerException">The low-level failure, if any.</param>
    public ParquetFormatException(string problem, string? filePath, string? columnName, int? rowGroupIndex, int? pageIndex, Exception? innerException = null)
        : base(Describe(problem, filePath, columnName, rowGroupIndex, pageIndex), innerException)
    {
        FilePath = filePath;
        ColumnName = columnName;
        RowGroupIndex = rowGroupIndex;
        PageIndex = pageIndex;
        Problem = problem;
    }

    /// <summary>The file (or stream description) the problem is in, if known.</summary>
    public string? FilePath { get; }

    /// <summary>The column's dotted path, if known.</summary>
    public string? ColumnName { get; }

    /// <summary>The row group index, if known.</summary>
    public int? RowGroupIndex { get; }

    /// <summary>The page index within the column chunk (dictionary page included), if known.</summary>
    public int? PageIndex { get; }

    /// <summary>The problem without its location prefix.</summary>
    public string? Problem { get; }

    private static string Describe(string problem, string? filePath, string? columnName, int? rowGroupIndex, int? pageIndex)
    {
        var where = new List<string>(4);
        if (filePath is not null)
        {
            where.Add($"file '{filePath}'");
        }
        if (columnName is not null)
        {
            where.Add($"column '{columnName}'");
        }
        if (rowGroupIndex is { } rg)
        {
            where.Add($"row group {rg}");
        }
        if (pageIndex is { } page)
        {
            where.Add($"page {page}");
        }
        if (where.Count == 0)
        {
            return problem;
        }
        string prefix = string.Join(", ", where);
        return char.ToUpperInvariant(prefix[0]) + prefix[1..] + ": " + problem;
    }
}
