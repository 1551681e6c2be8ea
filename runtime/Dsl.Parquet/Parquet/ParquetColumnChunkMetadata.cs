using System.Collections.ObjectModel;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet;

/// <summary>One column chunk of a row group (Thrift <c>ColumnMetaData</c>): how it is stored, its sizes and statistics.</summary>
public sealed class ParquetColumnChunkMetadata
{
    internal ParquetColumnChunkMetadata(ColumnMetaData meta)
    {
        Path = string.Join('.', meta.PathInSchema);
        PhysicalType = meta.Type;
        Codec = meta.Codec;
        Encodings = Array.AsReadOnly(meta.Encodings.ToArray());
        NumValues = meta.NumValues;
        TotalCompressedSize = meta.TotalCompressedSize;
        TotalUncompressedSize = meta.TotalUncompressedSize;
        Statistics = meta.Statistics is { } stats ? new ParquetStatistics(stats) : null;
    }

    /// <summary>The leaf column's dotted path (<c>path_in_schema</c>), as <see cref="ParquetLeafColumn.Path"/> spells it.</summary>
    public string Path { get; }

    /// <summary>The physical type of the stored values.</summary>
    public PhysicalType PhysicalType { get; }

    /// <summary>The compression codec of the chunk's pages.</summary>
    public CompressionCodec Codec { get; }

    /// <summary>Every encoding the chunk's pages use (levels included), as the writer listed them.</summary>
    public ReadOnlyCollection<ParquetEncoding> Encodings { get; }

    /// <summary>Values in the chunk, nulls and each list element included (<c>num_values</c>).</summary>
    public long NumValues { get; }

    /// <summary>Bytes the chunk takes in the file, page headers included (<c>total_compressed_size</c>).</summary>
    public long TotalCompressedSize { get; }

    /// <summary>Bytes of the chunk's pages uncompressed, page headers included (<c>total_uncompressed_size</c>).</summary>
    public long TotalUncompressedSize { get; }

    /// <summary>The chunk's statistics, or null when the writer wrote none.</summary>
    public ParquetStatistics? Statistics { get; }
}
