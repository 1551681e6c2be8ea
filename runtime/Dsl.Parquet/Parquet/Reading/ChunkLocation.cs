namespace Dsl.Parquet.Reading;

/// <summary>Where in a file a column chunk is being read, for error messages.</summary>
internal sealed class ChunkLocation
{
    public ChunkLocation(string file, string column, int rowGroup)
    {
        File = file;
        Column = column;
        RowGroup = rowGroup;
    }

    public string File { get; }

    public string Column { get; }

    public int RowGroup { get; }

    /// <summary>The page being decoded, once pages are being read.</summary>
    public int? Page { get; set; }

    public ParquetFormatException Error(string problem, Exception? inner = null) => new(problem, File, Column, RowGroup, Page, inner);
}
