using System.Collections.ObjectModel;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet;

/// <summary>One row group of <see cref="ParquetMetadata.RowGroups"/>: its size and its column chunks.</summary>
public sealed class ParquetRowGroupMetadata
{
    internal ParquetRowGroupMetadata(RowGroup group)
    {
        NumRows = group.NumRows;
        TotalByteSize = group.TotalByteSize;
        var columns = new ParquetColumnChunkMetadata?[group.Columns.Count];
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = group.Columns[c].MetaData is { } meta ? new ParquetColumnChunkMetadata(meta) : null;
        }
        Columns = Array.AsReadOnly(columns);
    }

    /// <summary>Rows in the row group (<c>num_rows</c>).</summary>
    public long NumRows { get; }

    /// <summary>Uncompressed bytes of the row group's column data (<c>total_byte_size</c>).</summary>
    public long TotalByteSize { get; }

    /// <summary>
    /// The column chunks in <see cref="ParquetMetadata.LeafColumns"/> order; an entry is null where the file gives the
    /// chunk no metadata (which the spec allows, and which no reader can read).
    /// </summary>
    public ReadOnlyCollection<ParquetColumnChunkMetadata?> Columns { get; }
}
