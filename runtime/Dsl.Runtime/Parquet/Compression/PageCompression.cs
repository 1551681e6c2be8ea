using System.IO.Compression;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Compression;

/// <summary>Compresses and decompresses page bodies with the codecs this library supports.</summary>
internal static class PageCompression
{
    /// <summary>Whether pages compressed with <paramref name="codec"/> can be read and written.</summary>
    public static bool IsSupported(CompressionCodec codec) =>
        codec is CompressionCodec.Uncompressed or CompressionCodec.Snappy or CompressionCodec.Gzip;

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
        _ => compressedLength,
    };

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
            default:
                throw new ParquetFormatException($"Compression codec {CodecName(codec)} is not supported; supported codecs are UNCOMPRESSED, SNAPPY and GZIP.");
        }
    }

    /// <summary>Compresses <paramref name="source"/>.</summary>
    public static byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> source)
    {
        switch (codec)
        {
            case CompressionCodec.Uncompressed:
                return source.ToArray();
            case CompressionCodec.Snappy:
                return IronSnappy.Snappy.Encode(source);
            case CompressionCodec.Gzip:
            {
                using var output = new MemoryStream();
                using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
                {
                    gzip.Write(source);
                }
                return output.ToArray();
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, $"Compression codec {CodecName(codec)} is not supported for writing; use UNCOMPRESSED, SNAPPY or GZIP.");
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
}
