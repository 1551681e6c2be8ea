namespace Dsl.Parquet;

/// <summary>How a <see cref="ParquetFileWriter"/> encodes FLOAT and DOUBLE values.</summary>
public enum FloatingPointEncoding
{
    /// <summary>PLAIN: each value's little-endian bytes, one value after another (read by every reader).</summary>
    Plain,

    /// <summary>
    /// BYTE_STREAM_SPLIT: byte <c>b</c> of every value in stream <c>b</c>, the streams one after another. The page is
    /// the same size as PLAIN, but the sign/exponent bytes of similar values line up, so a codec (ZSTD, GZIP, Snappy)
    /// often compresses it better. Read by parquet-mr 1.12+, Arrow 2.0+, DuckDB and this reader.
    /// </summary>
    ByteStreamSplit,
}
