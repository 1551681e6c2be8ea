using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;
using Dsl.Parquet.Reading;

namespace Dsl.Benchmarks;

/// <summary>Decode and encode throughput of each value encoding over 1M values.</summary>
[MemoryDiagnoser]
public class EncodingBenchmarks
{
    private const int Count = 1 << 20;

    private long[] _timestamps = [];
    private int[] _ints = [];
    private double[] _doubles = [];
    private long[] _longsOut = [];
    private int[] _intsOut = [];
    private byte[] _bytesOut = [];
    private byte[] _deltaTimestamps = [];
    private byte[] _deltaInts = [];
    private byte[] _splitDoubles = [];
    private byte[] _deltaLength = [];
    private byte[] _deltaByteArray = [];
    private readonly ArrayBufferWriter<byte> _output = new(Count * 9);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _timestamps = new long[Count];
        _ints = new int[Count];
        _doubles = new double[Count];
        long ts = 1_700_000_000_000_000;
        for (int i = 0; i < Count; i++)
        {
            ts += random.Next(0, 2_000_000);
            _timestamps[i] = ts;
            _ints[i] = random.Next(0, 1_000_000);
            _doubles[i] = Math.Round(random.NextDouble() * 1000, 2);
        }
        _longsOut = new long[Count];
        _intsOut = new int[Count];
        _bytesOut = new byte[Count * 8];
        _deltaTimestamps = Encode(w => DeltaBinaryPacked.Encode<long>(_timestamps, w));
        _deltaInts = Encode(w => DeltaBinaryPacked.Encode<int>(_ints, w));
        _splitDoubles = new byte[Count * 8];
        ByteStreamSplit.Encode(MemoryMarshal.AsBytes(_doubles.AsSpan()), 8, _splitDoubles);

        // Sorted URL-like strings: DELTA_BYTE_ARRAY shares prefixes, DELTA_LENGTH_BYTE_ARRAY stores them whole.
        string[] words = [.. Enumerable.Range(0, StringCount).Select(i => $"https://example.com/items/{i / 100:D6}/{i % 100:D2}").Order(StringComparer.Ordinal)];
        byte[][] utf8 = [.. words.Select(System.Text.Encoding.UTF8.GetBytes)];
        _deltaLength = Encode(w =>
        {
            DeltaBinaryPacked.Encode<int>([.. utf8.Select(b => b.Length)], w);
            foreach (byte[] b in utf8)
            {
                w.Write(b);
            }
        });
        _deltaByteArray = Encode(w =>
        {
            int[] prefixes = new int[utf8.Length];
            for (int i = 1; i < utf8.Length; i++)
            {
                prefixes[i] = utf8[i].AsSpan().CommonPrefixLength(utf8[i - 1]);
            }
            DeltaBinaryPacked.Encode<int>(prefixes, w);
            DeltaBinaryPacked.Encode<int>([.. utf8.Select((b, i) => b.Length - prefixes[i])], w);
            for (int i = 0; i < utf8.Length; i++)
            {
                w.Write(utf8[i].AsSpan(prefixes[i]));
            }
        });
    }

    private const int StringCount = 1 << 18;

    private static byte[] Encode(Action<ArrayBufferWriter<byte>> write)
    {
        var w = new ArrayBufferWriter<byte>();
        write(w);
        return w.WrittenSpan.ToArray();
    }

    [Benchmark]
    public int DeltaBinaryPacked_Int64_Decode() => DeltaBinaryPacked.Decode<long>(_deltaTimestamps, _longsOut);

    [Benchmark]
    public int DeltaBinaryPacked_Int32_Decode() => DeltaBinaryPacked.Decode<int>(_deltaInts, _intsOut);

    [Benchmark]
    public int DeltaBinaryPacked_Int64_Encode()
    {
        _output.Clear();
        DeltaBinaryPacked.Encode<long>(_timestamps, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int DeltaBinaryPacked_Int32_Encode()
    {
        _output.Clear();
        DeltaBinaryPacked.Encode<int>(_ints, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public void ByteStreamSplit_Double_Decode() => ByteStreamSplit.Decode(_splitDoubles, 8, Count, _bytesOut);

    [Benchmark]
    public void ByteStreamSplit_Double_Encode() => ByteStreamSplit.Encode(MemoryMarshal.AsBytes(_doubles.AsSpan()), 8, _bytesOut);

    [Benchmark]
    public int DeltaLengthByteArray_Decode_256K() => DecodeStrings(ParquetEncoding.DeltaLengthByteArray, _deltaLength);

    [Benchmark]
    public int DeltaByteArray_Decode_256K() => DecodeStrings(ParquetEncoding.DeltaByteArray, _deltaByteArray);

    [Benchmark]
    public uint Crc32_8MiB() => Crc32.Compute(_splitDoubles);

    private static int DecodeStrings(ParquetEncoding encoding, byte[] page)
    {
        using var decoder = new ByteArrayDecoder(ColumnType.String, StringCount, nullable: false);
        decoder.ReadPage(encoding, page, default, StringCount, 0, StringCount);
        using Column column = decoder.Build(StringCount);
        return column.Length;
    }
}
