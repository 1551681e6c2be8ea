using Dsl.Parquet.Compression;
using Dsl.Parquet.Metadata;

namespace Dsl.Hosting;

/// <summary>
/// The codecs output can be written with, by the names <c>--compression</c> and <c>compression:</c> in
/// <c>pipeline.yaml</c> accept (the Parquet spec's names, in lower case), so the two never disagree and neither offers a
/// codec the writer cannot produce.
/// </summary>
internal static class OutputCodecs
{
    private static readonly (string Name, CompressionCodec Codec)[] s_codecs =
    [
        ("uncompressed", CompressionCodec.Uncompressed),
        ("snappy", CompressionCodec.Snappy),
        ("gzip", CompressionCodec.Gzip),
        ("zstd", CompressionCodec.Zstd),
        ("lz4_raw", CompressionCodec.Lz4Raw),
        ("brotli", CompressionCodec.Brotli),
    ];

    /// <summary>The accepted names, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. s_codecs.Select(c => c.Name)];

    /// <summary>"uncompressed, snappy, gzip, zstd, lz4_raw or brotli".</summary>
    public static string NameList { get; } = string.Join(", ", Names.Take(Names.Count - 1)) + " or " + Names[^1];

    /// <summary>The codec named <paramref name="name"/> (any case; also <c>none</c> and <c>lz4raw</c>), or null.</summary>
    public static CompressionCodec? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "none" => CompressionCodec.Uncompressed,
        "lz4raw" => CompressionCodec.Lz4Raw,
        { } n => s_codecs.Where(c => c.Name == n).Select(c => (CompressionCodec?)c.Codec).FirstOrDefault(),
        null => null,
    };

    /// <summary>Fails before a run when <paramref name="codec"/> needs a native library this machine lacks.</summary>
    /// <exception cref="ArgumentException">The codec's library could not be loaded; the message says what to install.</exception>
    public static void CheckAvailable(CompressionCodec codec)
    {
        if (codec == CompressionCodec.Zstd && NativeCodecs.Zstd is null)
        {
            throw new ArgumentException(NativeCodecs.Missing("ZSTD", NativeCodecs.ZstdLibrary));
        }
        if (codec == CompressionCodec.Lz4Raw && NativeCodecs.Lz4 is null)
        {
            throw new ArgumentException(NativeCodecs.Missing("LZ4_RAW", NativeCodecs.Lz4Library));
        }
    }
}
