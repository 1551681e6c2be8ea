using System.Collections.ObjectModel;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet;

/// <summary>
/// A read-only view of a Parquet file's footer (<see cref="ParquetFileReader.Metadata"/>): the writer, the leaf
/// columns, the row groups with each column chunk's codec, encodings, sizes and statistics, and the key-value
/// metadata. It is a copy taken when first asked for: nothing in it changes, and it holds no file open.
/// </summary>
public sealed class ParquetMetadata
{
    internal ParquetMetadata(FileMetaData footer)
    {
        Version = footer.Version;
        CreatedBy = footer.CreatedBy;
        NumRows = footer.NumRows;
        LeafColumns = Array.AsReadOnly(ParquetLeafColumn.Leaves(footer.Schema));
        var groups = new ParquetRowGroupMetadata[footer.RowGroups.Count];
        for (int g = 0; g < groups.Length; g++)
        {
            groups[g] = new ParquetRowGroupMetadata(footer.RowGroups[g]);
        }
        RowGroups = Array.AsReadOnly(groups);
        KeyValueMetadata = Array.AsReadOnly((footer.KeyValueMetadata ?? []).Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)).ToArray());
    }

    /// <summary>The format version the writer followed (<c>version</c>).</summary>
    public int Version { get; }

    /// <summary>The application that wrote the file (<c>created_by</c>), or null when the footer does not say.</summary>
    public string? CreatedBy { get; }

    /// <summary>The row count the footer records for the whole file (<c>num_rows</c>).</summary>
    public long NumRows { get; }

    /// <summary>The leaf (primitive) columns in column-chunk order: entry <c>i</c> describes every row group's chunk <c>i</c>.</summary>
    public ReadOnlyCollection<ParquetLeafColumn> LeafColumns { get; }

    /// <summary>The row groups in file order.</summary>
    public ReadOnlyCollection<ParquetRowGroupMetadata> RowGroups { get; }

    /// <summary>The file's key-value metadata (<c>key_value_metadata</c>) in footer order; a key may repeat, a value may be null.</summary>
    public ReadOnlyCollection<KeyValuePair<string, string?>> KeyValueMetadata { get; }
}
