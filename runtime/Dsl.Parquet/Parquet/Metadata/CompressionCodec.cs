namespace Dsl.Parquet.Metadata;

/// <summary>The compression of a column chunk's pages (Thrift <c>CompressionCodec</c>).</summary>
public enum CompressionCodec
{
    /// <summary>No compression.</summary>
    Uncompressed = 0,
    /// <summary>Snappy (raw block format).</summary>
    Snappy = 1,
    /// <summary>Gzip (one or more members).</summary>
    Gzip = 2,
    /// <summary>LZO (not supported).</summary>
    Lzo = 3,
    /// <summary>Brotli (not supported yet).</summary>
    Brotli = 4,
    /// <summary>LZ4 with ambiguous framing (deprecated, not supported).</summary>
    Lz4 = 5,
    /// <summary>Zstandard (not supported yet).</summary>
    Zstd = 6,
    /// <summary>LZ4 raw block format (not supported yet).</summary>
    Lz4Raw = 7,
}
