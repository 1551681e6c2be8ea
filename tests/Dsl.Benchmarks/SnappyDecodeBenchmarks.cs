using BenchmarkDotNet.Attributes;
using Dsl.Parquet.Compression;
using Dsl.Parquet.Metadata;

namespace Dsl.Benchmarks;

/// <summary>
/// Our bounds-checked Snappy decoder against Snappier's, on the same 1 MiB pages (the page kinds of
/// <see cref="CodecBenchmarks"/> plus small integers, which compress into many short copies). Snappier's is faster but
/// not a replacement: it accepted a third of the cut-short or extended blocks of
/// ValueEncodingTests.Snappy_HostileBlocks_DecodeOrFailWithAFormatError as whole pages, where ours refuses them all.
/// </summary>
[MemoryDiagnoser]
public class SnappyDecodeBenchmarks
{
    private const int PageBytes = 1 << 20;

    private byte[] _compressed = [];
    private readonly byte[] _target = new byte[PageBytes];

    [Params("doubles", "strings", "small-ints")]
    public string Page { get; set; } = "doubles";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        byte[] page = new byte[PageBytes];
        switch (Page)
        {
            case "doubles":
                for (int i = 0; i < PageBytes / 8; i++)
                {
                    BitConverter.TryWriteBytes(page.AsSpan(i * 8), Math.Round(random.NextDouble() * 1000, 2));
                }
                break;
            case "strings":
                for (int pos = 0; pos + 40 < PageBytes;)
                {
                    string s = $"user-{random.Next(5000)}@example.org";
                    BitConverter.TryWriteBytes(page.AsSpan(pos), s.Length);
                    pos += 4 + System.Text.Encoding.ASCII.GetBytes(s, page.AsSpan(pos + 4));
                }
                break;
            default:
                for (int i = 0; i < PageBytes / 4; i++)
                {
                    BitConverter.TryWriteBytes(page.AsSpan(i * 4), random.Next(24));
                }
                break;
        }
        _compressed = PageCompression.Compress(CompressionCodec.Snappy, page);
    }

    [Benchmark(Baseline = true)]
    public void Ours() => PageCompression.Decompress(CompressionCodec.Snappy, _compressed, _target);

    [Benchmark]
    public int Snappier() => global::Snappier.Snappy.Decompress(_compressed, _target);
}
