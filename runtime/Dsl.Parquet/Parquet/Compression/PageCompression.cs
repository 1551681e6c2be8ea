using System.Buffers.Binary;
using System.IO.Compression;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Compression;

/// <summary>Compresses and decompresses page bodies with the codecs this library supports.</summary>
internal static class PageCompression
{
    /// <summary>Whether pages compressed with <paramref name="codec"/> can be read and written.</summary>
    public static bool IsSupported(CompressionCodec codec) =>
        codec is CompressionCodec.Uncompressed or CompressionCodec.Snappy or CompressionCodec.Gzip
            or CompressionCodec.Zstd or CompressionCodec.Lz4Raw or CompressionCodec.Lz4 or CompressionCodec.Brotli;

    /// <summary>The codecs the reader supports, for error messages.</summary>
    public const string SupportedNames = "UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4, LZ4_RAW and BROTLI";

    /// <summary>Whether pages can be written with <paramref name="codec"/>.</summary>
    public static bool IsWritable(CompressionCodec codec) =>
        codec is CompressionCodec.Uncompressed or CompressionCodec.Snappy or CompressionCodec.Gzip
            or CompressionCodec.Zstd or CompressionCodec.Lz4Raw or CompressionCodec.Brotli;

    /// <summary>
    /// The most bytes <paramref name="compressedLength"/> bytes of <paramref name="codec"/> output can expand to. A page
    /// that declares more is corrupt, and rejecting it before allocating keeps a lying header from costing memory.
    /// </summary>
    public static long MaxDecompressedLength(CompressionCodec codec, int compressedLength) => codec switch
    {
        // A 3-byte Snappy copy produces at most 64 bytes.
        CompressionCodec.Snappy => ((long)compressedLength * 22) + 64,
        // Deflate's best case is about 1032:1.
        CompressionCodec.Gzip => ((long)compressedLength * 1040) + 1024,
        // A 4-byte ZSTD RLE block yields a whole 128 KiB block.
        CompressionCodec.Zstd => ((long)compressedLength * 32768) + (1 << 17),
        // An LZ4 match byte extends a match by 255 bytes.
        CompressionCodec.Lz4 or CompressionCodec.Lz4Raw => ((long)compressedLength * 256) + 64,
        // Brotli has no useful ratio bound: a valid 1,627-byte page decompresses to 1 GiB (parquet-testing's
        // large_string_map.brotli). The header's size is taken up to the largest array, and a header that claims more
        // than the data decompresses to is refused once decompression ends short.
        CompressionCodec.Brotli => Array.MaxLength,
        _ => compressedLength,
    };

    /// <summary>
    /// Like <see cref="MaxDecompressedLength(CompressionCodec, int)"/>, but exact where the data says: a single ZSTD
    /// frame records its decompressed size, so a header claiming more is caught without a ratio's slack.
    /// </summary>
    public static long MaxDecompressedLength(CompressionCodec codec, ReadOnlySpan<byte> compressed)
    {
        if (codec == CompressionCodec.Zstd && NativeCodecs.Zstd?.DeclaredSize(compressed) is { } declared)
        {
            return declared;
        }
        return MaxDecompressedLength(codec, compressed.Length);
    }

    /// <summary>Decompresses <paramref name="source"/> into exactly <paramref name="destination"/>.</summary>
    public static void Decompress(CompressionCodec codec, ReadOnlyMemory<byte> source, Span<byte> destination)
    {
        switch (codec)
        {
            case CompressionCodec.Uncompressed:
                if (source.Length != destination.Length)
                {
                    throw new ParquetFormatException($"The uncompressed page holds {source.Length} bytes but its header says {destination.Length}.");
                }
                source.Span.CopyTo(destination);
                break;
            case CompressionCodec.Snappy:
                Snappy.Decode(source.Span, destination);
                break;
            case CompressionCodec.Gzip:
                DecompressGzip(source, destination);
                break;
            case CompressionCodec.Zstd:
                DecompressZstd(source.Span, destination);
                break;
            case CompressionCodec.Lz4Raw:
                DecompressLz4Raw(source.Span, destination);
                break;
            case CompressionCodec.Lz4:
                DecompressLz4Legacy(source.Span, destination);
                break;
            case CompressionCodec.Brotli:
                DecompressBrotli(source.Span, destination);
                break;
            default:
                throw new ParquetFormatException($"Compression codec {CodecName(codec)} is not supported; supported codecs are {SupportedNames}.");
        }
    }

    /// <summary>Compresses <paramref name="source"/> into a new array (tests and one-off callers).</summary>
    public static byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> source)
    {
        byte[] target = [];
        int written = Compress(codec, source, ref target);
        return target.AsSpan(0, written).ToArray();
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="target"/>, growing it when it is too small, and returns
    /// the bytes written. Writers keep one target for all their pages, so a page costs no allocation.
    /// </summary>
    public static int Compress(CompressionCodec codec, ReadOnlySpan<byte> source, ref byte[] target)
    {
        switch (codec)
        {
            case CompressionCodec.Uncompressed:
                EnsureCapacity(ref target, source.Length);
                source.CopyTo(target);
                return source.Length;
            case CompressionCodec.Snappy:
                EnsureCapacity(ref target, Snappier.Snappy.GetMaxCompressedLength(source.Length));
                return Snappier.Snappy.Compress(source, target);
            case CompressionCodec.Gzip:
            {
                using var output = new MemoryStream();
                using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
                {
                    gzip.Write(source);
                }
                EnsureCapacity(ref target, (int)output.Length);
                output.GetBuffer().AsSpan(0, (int)output.Length).CopyTo(target);
                return (int)output.Length;
            }
            case CompressionCodec.Zstd:
                return (NativeCodecs.Zstd ?? throw new InvalidOperationException(NativeCodecs.Missing("ZSTD", NativeCodecs.ZstdLibrary))).Compress(source, level: 3, ref target);
            case CompressionCodec.Lz4Raw:
                return (NativeCodecs.Lz4 ?? throw new InvalidOperationException(NativeCodecs.Missing("LZ4_RAW", NativeCodecs.Lz4Library))).Compress(source, ref target);
            case CompressionCodec.Brotli:
            {
                EnsureCapacity(ref target, BrotliEncoder.GetMaxCompressedLength(source.Length));
                if (!BrotliEncoder.TryCompress(source, target, out int written, quality: 4, window: 22))
                {
                    throw new InvalidOperationException($"BROTLI compression of {source.Length} bytes failed.");
                }
                return written;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, $"Compression codec {CodecName(codec)} is not supported for writing; use UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW or BROTLI.");
        }
    }

    /// <summary>Grows <paramref name="buffer"/> to at least <paramref name="length"/> bytes (its content is not kept).</summary>
    internal static void EnsureCapacity(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<byte>(Math.Max(length, Math.Min(Array.MaxLength, buffer.Length * 2)));
        }
    }

    /// <summary>The codec's name as the Parquet spec spells it.</summary>
    public static string CodecName(CompressionCodec codec) => codec switch
    {
        CompressionCodec.Uncompressed => "UNCOMPRESSED",
        CompressionCodec.Snappy => "SNAPPY",
        CompressionCodec.Gzip => "GZIP",
        CompressionCodec.Lzo => "LZO",
        CompressionCodec.Brotli => "BROTLI",
        CompressionCodec.Lz4 => "LZ4",
        CompressionCodec.Zstd => "ZSTD",
        CompressionCodec.Lz4Raw => "LZ4_RAW",
        _ => $"#{(int)codec}",
    };

    private static void DecompressGzip(ReadOnlyMemory<byte> source, Span<byte> destination)
    {
        using var input = new ReadOnlyMemoryStream(source);
        // GZipStream reads concatenated members one after the other, as the Parquet spec requires.
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        int read = gzip.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (read != destination.Length)
        {
            throw new ParquetFormatException($"The GZIP data decompressed to {read} bytes but the page header says {destination.Length}.");
        }
        Span<byte> probe = stackalloc byte[1];
        if (gzip.Read(probe) != 0)
        {
            throw new ParquetFormatException($"The GZIP data decompresses to more than the {destination.Length} bytes the page header says.");
        }
    }

    private static void DecompressZstd(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        NativeCodecs.ZstdApi zstd = NativeCodecs.Zstd ?? throw new ParquetFormatException(NativeCodecs.Missing("ZSTD", NativeCodecs.ZstdLibrary));
        int written = zstd.Decompress(source, destination);
        if (written != destination.Length)
        {
            throw new ParquetFormatException($"The ZSTD data decompressed to {written} bytes but the page header says {destination.Length}.");
        }
    }

    private static void DecompressLz4Raw(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        NativeCodecs.Lz4Api lz4 = NativeCodecs.Lz4 ?? throw new ParquetFormatException(NativeCodecs.Missing("LZ4_RAW", NativeCodecs.Lz4Library));
        int written = lz4.TryDecompress(source, destination);
        if (written != destination.Length)
        {
            throw new ParquetFormatException(written < 0
                ? $"The LZ4_RAW block is corrupt or decompresses to more than the {destination.Length} bytes the page header says."
                : $"The LZ4_RAW block decompressed to {written} bytes but the page header says {destination.Length}.");
        }
    }

    /// <summary>
    /// The deprecated LZ4 codec: parquet-mr wrote Hadoop's framing (blocks of a big-endian uncompressed length, a
    /// big-endian compressed length and an LZ4 block), while some older writers stored one bare LZ4 block. The framing
    /// is tried first and must account for every byte on both sides; otherwise the page is read as a bare block.
    /// </summary>
    private static void DecompressLz4Legacy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        NativeCodecs.Lz4Api lz4 = NativeCodecs.Lz4 ?? throw new ParquetFormatException(NativeCodecs.Missing("LZ4", NativeCodecs.Lz4Library));
        if (TryDecompressHadoopLz4(lz4, source, destination))
        {
            return;
        }
        int written = lz4.TryDecompress(source, destination);
        if (written != destination.Length)
        {
            throw new ParquetFormatException($"The LZ4 data is neither Hadoop-framed LZ4 nor a bare LZ4 block that decompresses to the {destination.Length} bytes the page header says.");
        }
    }

    private static bool TryDecompressHadoopLz4(NativeCodecs.Lz4Api lz4, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int input = 0;
        int output = 0;
        while (source.Length - input >= 8)
        {
            uint expanded = BinaryPrimitives.ReadUInt32BigEndian(source[input..]);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(source[(input + 4)..]);
            input += 8;
            if (stored > (uint)(source.Length - input) || expanded > (uint)(destination.Length - output))
            {
                return false;
            }
            int written = lz4.TryDecompress(source.Slice(input, (int)stored), destination.Slice(output, (int)expanded));
            if (written != (int)expanded)
            {
                return false;
            }
            input += (int)stored;
            output += written;
        }
        return input == source.Length && output == destination.Length;
    }

    private static void DecompressBrotli(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (!BrotliDecoder.TryDecompress(source, destination, out int written) || written != destination.Length)
        {
            throw new ParquetFormatException($"The BROTLI data is corrupt or does not decompress to the {destination.Length} bytes the page header says.");
        }
    }
}
