using System.Buffers;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Tests;

/// <summary>The RLE/bit-packed hybrid, Snappy and Thrift building blocks.</summary>
public class EncodingTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(1, 7)]
    [InlineData(1, 8)]
    [InlineData(3, 9)]
    [InlineData(5, 1000)]
    [InlineData(17, 333)]
    [InlineData(32, 100)]
    public void RleHybrid_RoundTrips(int bitWidth, int count)
    {
        var random = new Random(bitWidth * 1000 + count);
        int[] values = new int[count];
        long limit = 1L << bitWidth;
        for (int i = 0; i < count; i++)
        {
            // Mix runs and noise.
            values[i] = i % 50 < 20 ? (int)(7 % limit) : (int)(random.NextInt64(limit) & 0x7FFFFFFF);
        }
        var output = new ArrayBufferWriter<byte>();
        RleBitPackedEncoder.Encode(values, bitWidth, output);
        int[] decoded = new int[count];
        new RleBitPackedDecoder(output.WrittenSpan, bitWidth).Read(decoded);
        Assert.Equal(values, decoded);
    }

    [Fact]
    public void RleHybrid_DataEndsEarly_Throws()
    {
        var output = new ArrayBufferWriter<byte>();
        RleBitPackedEncoder.Encode([1, 0, 1], 1, output);
        int[] decoded = new int[100];
        Assert.Throws<ParquetFormatException>(() => new RleBitPackedDecoder(output.WrittenSpan, 1).Read(decoded));
    }

    [Fact]
    public void Snappy_DecodesIronSnappyOutput()
    {
        byte[] input = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i % 37 < 20 ? 'a' : i))];
        byte[] compressed = IronSnappy.Snappy.Encode(input);
        byte[] output = new byte[input.Length];
        Snappy.Decode(compressed, output);
        Assert.Equal(input, output);
        Assert.Throws<ParquetFormatException>(() => Snappy.Decode(compressed, new byte[input.Length - 1]));
        Assert.Throws<ParquetFormatException>(() => Snappy.Decode(compressed.AsSpan(0, compressed.Length / 2), output));
    }

    [Fact]
    public void FileMetaData_SerializesAndParses()
    {
        var meta = new FileMetaData
        {
            Version = 2,
            NumRows = 42,
            CreatedBy = "test",
            Schema = [new SchemaElement { Name = "schema", NumChildren = 1 }, new SchemaElement { Name = "t", Type = PhysicalType.Int64, Repetition = FieldRepetition.Optional, LogicalType = LogicalType.Timestamp(TimeUnit.Millis, true) }],
            KeyValueMetadata = [new KeyValue { Key = "k", Value = "v" }],
        };
        FileMetaData back = FileMetaData.Parse(meta.Serialize());
        Assert.Equal(42, back.NumRows);
        Assert.Equal("test", back.CreatedBy);
        Assert.Equal(TimeUnit.Millis, back.Schema[1].LogicalType!.Unit);
        Assert.True(back.Schema[1].LogicalType!.IsAdjustedToUtc);
        Assert.Equal("v", back.KeyValueMetadata![0].Value);
    }

    [Fact]
    public void Thrift_HostileListLength_ThrowsBeforeAllocating()
    {
        // FileMetaData { 2: list<struct> of 2^31-1 elements } in 7 bytes.
        byte[] data = [0x29, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07];
        ParquetFormatException ex = Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(data));
        Assert.Contains("claims", ex.Message, StringComparison.Ordinal);
    }
}
