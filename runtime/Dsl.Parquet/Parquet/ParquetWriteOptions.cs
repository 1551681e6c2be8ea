using Dsl.Parquet.Metadata;

namespace Dsl.Parquet;

/// <summary>Settings of a <see cref="ParquetFileWriter"/>.</summary>
public sealed class ParquetWriteOptions
{
    /// <summary>
    /// The page compression: <see cref="CompressionCodec.Uncompressed"/>, <see cref="CompressionCodec.Snappy"/> (default),
    /// <see cref="CompressionCodec.Gzip"/>, <see cref="CompressionCodec.Zstd"/> (needs libzstd),
    /// <see cref="CompressionCodec.Lz4Raw"/> (needs liblz4) or <see cref="CompressionCodec.Brotli"/>.
    /// </summary>
    public CompressionCodec Compression { get; set; } = CompressionCodec.Snappy;

    /// <summary>The most rows in a row group (default 1,048,576). Batches are split across row groups as needed.</summary>
    public int RowGroupRows { get; set; } = 1 << 20;

    /// <summary>
    /// The most bytes the writer holds for a row group before it writes it (default 128 MiB): its finished pages,
    /// compressed, which wait because a row group's column chunks lie one after another in the file, and the rows not
    /// yet in a page (less than a page per column). So this bounds the writer's memory whatever the row width. A row
    /// group ends at <see cref="RowGroupRows"/> or once it holds this much (checked every 8,192 rows), whichever
    /// comes first.
    /// </summary>
    public long RowGroupBytes { get; set; } = 128L << 20;

    /// <summary>The target encoded size of a data page in bytes, before compression (default 1 MiB).</summary>
    public int DataPageSize { get; set; } = 1 << 20;

    /// <summary>
    /// The most rows in a data page (level entries, for a list or map leaf; default 20,000, as Apache Arrow's writer),
    /// whatever their size. Small pages keep what a reader decodes at once, and what this writer holds per column
    /// before a page is written, small; pages of narrow or dictionary-encoded columns would otherwise span millions of rows.
    /// </summary>
    public int DataPageRows { get; set; } = 20_000;

    /// <summary>Whether string and binary columns are dictionary-encoded (default true).</summary>
    public bool EnableDictionary { get; set; } = true;

    /// <summary>
    /// The largest PLAIN-encoded size in bytes a column chunk's dictionary may reach (default 1 MiB); a chunk whose
    /// distinct values need more is written PLAIN instead.
    /// </summary>
    public int DictionaryPageSizeLimit { get; set; } = 1 << 20;

    /// <summary>The largest string or binary value, in bytes, kept as a min/max statistic (default 4096); longer ones leave the statistic out.</summary>
    public int MaxStatisticsValueLength { get; set; } = 4096;

    /// <summary>The data page format: 1 (default, read by every reader) or 2 (levels stored uncompressed ahead of the values).</summary>
    public int DataPageVersion { get; set; } = 1;

    /// <summary>
    /// Whether every page header carries the CRC-32 of the page's stored bytes (default true): readers that verify it,
    /// this one included, then report a damaged page instead of decoding wrong values.
    /// </summary>
    public bool WritePageChecksums { get; set; } = true;

    /// <summary>
    /// How INT32, INT64 and timestamp columns that are not dictionary-encoded are written (default
    /// <see cref="Parquet.IntegerEncoding.Auto"/>: DELTA_BINARY_PACKED for each page where it is clearly smaller than PLAIN).
    /// </summary>
    public IntegerEncoding IntegerEncoding { get; set; } = IntegerEncoding.Auto;

    /// <summary>
    /// How FLOAT and DOUBLE columns are written (default <see cref="Parquet.FloatingPointEncoding.Plain"/>).
    /// <see cref="Parquet.FloatingPointEncoding.ByteStreamSplit"/> writes every data page BYTE_STREAM_SPLIT, which
    /// usually compresses better (pair it with a codec; uncompressed it saves nothing). Nulls, NaN, infinities and
    /// -0.0 are kept exactly; statistics are the same either way.
    /// </summary>
    public FloatingPointEncoding FloatingPointEncoding { get; set; } = FloatingPointEncoding.Plain;

    /// <summary>File-level key/value metadata, written in insertion order.</summary>
    public IDictionary<string, string> KeyValueMetadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A copy with <see cref="RowGroupBytes"/> replaced.</summary>
    internal ParquetWriteOptions WithRowGroupBytes(long rowGroupBytes)
    {
        var copy = (ParquetWriteOptions)MemberwiseClone();
        copy.RowGroupBytes = rowGroupBytes;
        return copy; // KeyValueMetadata is shared: it is read-only while writing
    }

    internal void Validate()
    {
        if (!Dsl.Parquet.Compression.PageCompression.IsWritable(Compression))
        {
            throw new ArgumentOutOfRangeException(nameof(Compression), Compression, "Compression must be Uncompressed, Snappy, Gzip, Zstd, Lz4Raw or Brotli.");
        }
        if (DataPageVersion is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(DataPageVersion), DataPageVersion, "DataPageVersion must be 1 or 2.");
        }
        if (!Enum.IsDefined(IntegerEncoding))
        {
            throw new ArgumentOutOfRangeException(nameof(IntegerEncoding), IntegerEncoding, "IntegerEncoding must be Auto, Plain or DeltaBinaryPacked.");
        }
        if (!Enum.IsDefined(FloatingPointEncoding))
        {
            throw new ArgumentOutOfRangeException(nameof(FloatingPointEncoding), FloatingPointEncoding, "FloatingPointEncoding must be Plain or ByteStreamSplit.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(RowGroupRows, 1, nameof(RowGroupRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(RowGroupBytes, 1, nameof(RowGroupBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(DataPageSize, 1, nameof(DataPageSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(DataPageRows, 1, nameof(DataPageRows));
        ArgumentOutOfRangeException.ThrowIfNegative(DictionaryPageSizeLimit, nameof(DictionaryPageSizeLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxStatisticsValueLength, nameof(MaxStatisticsValueLength));
    }
}
