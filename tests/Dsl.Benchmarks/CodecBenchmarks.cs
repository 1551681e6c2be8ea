using BenchmarkDotNet.Attributes;
using Dsl.Parquet.Compression;
using Dsl.Parquet.Metadata;

namespace Dsl.Benchmarks;

/// <summary>Compress and decompress throughput of each codec over 1 MiB pages (8 MiB of PLAIN doubles and strings in all).</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const int PageBytes = 1 << 20;
    private const int Pages = 8;

    private byte[][] _pages = [];
    private byte[][] _compressed = [];
    private byte[] _target = new byte[PageBytes];

    [Params(CompressionCodec.Snappy, CompressionCodec.Gzip, CompressionCodec.Zstd, CompressionCodec.Lz4Raw, CompressionCodec.Brotli)]
    public CompressionCodec Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _pages = new byte[Pages][];
        for (int p = 0; p < Pages; p++)
        {
            byte[] page = new byte[PageBytes];
            if (p % 2 == 0)
            {
                // PLAIN doubles with two decimals: realistic, partly compressible.
                for (int i = 0; i < PageBytes / 8; i++)
                {
                    BitConverter.TryWriteBytes(page.AsSpan(i * 8), Math.Round(random.NextDouble() * 1000, 2));
                }
            }
            else
            {
                // PLAIN strings: length prefixes and text from a small vocabulary.
                int pos = 0;
                while (pos + 40 < PageBytes)
                {
                    string s = $"user-{random.Next(5000)}@example.org";
                    BitConverter.TryWriteBytes(page.AsSpan(pos), s.Length);
                    pos += 4 + System.Text.Encoding.ASCII.GetBytes(s, page.AsSpan(pos + 4));
                }
            }
            _pages[p] = page;
        }
        _compressed = [.. _pages.Select(p => PageCompression.Compress(Codec, p))];
        _target = new byte[PageBytes];
    }

    [Benchmark]
    public long Compress_8MiB()
    {
        long total = 0;
        foreach (byte[] page in _pages)
        {
            total += PageCompression.Compress(Codec, page).Length;
        }
        return total;
    }

    [Benchmark]
    public void Decompress_8MiB()
    {
        foreach (byte[] page in _compressed)
        {
            PageCompression.Decompress(Codec, page, _target);
        }
    }
}
