using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Dsl.Parquet.Compression;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;
using Dsl.Parquet.Reading;

namespace Dsl.Parquet.Tests;

/// <summary>DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, the native codecs and page checksums.</summary>
public class ValueEncodingTests
{
    public static TheoryData<int, int> DeltaShapes() => new()
    {
        { 0, 0 }, { 1, 0 }, { 2, 0 }, { 33, 1 }, { 129, 2 }, { 1000, 3 }, { 4097, 4 }, { 300, 5 },
    };

    private static long[] DeltaValues(int count, int shape)
    {
        var random = new Random((count * 31) + shape);
        var values = new long[count];
        long v = 0;
        for (int i = 0; i < count; i++)
        {
            values[i] = shape switch
            {
                0 => i,
                1 => v += random.Next(-3, 4),
                2 => random.NextInt64(long.MinValue, long.MaxValue),
                3 => i % 2 == 0 ? long.MinValue : long.MaxValue,
                4 => 1_600_000_000_000_000L + (i * 1_000_001L) + random.Next(1000),
                _ => 42,
            };
        }
        return values;
    }

    [Theory]
    [MemberData(nameof(DeltaShapes))]
    public void DeltaBinaryPacked_Int64_RoundTrips(int count, int shape)
    {
        long[] values = DeltaValues(count, shape);
        var output = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode<long>(values, output);
        var decoded = new long[count];
        int consumed = DeltaBinaryPacked.Decode<long>(output.WrittenSpan, decoded);
        Assert.Equal(values, decoded);
        Assert.Equal(output.WrittenCount, consumed);
    }

    [Theory]
    [MemberData(nameof(DeltaShapes))]
    public void DeltaBinaryPacked_Int32_RoundTripsWithWrappingDeltas(int count, int shape)
    {
        int[] values = [.. DeltaValues(count, shape).Select(v => unchecked((int)v))];
        var output = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode<int>(values, output);
        var decoded = new int[count];
        Assert.Equal(output.WrittenCount, DeltaBinaryPacked.Decode<int>(output.WrittenSpan, decoded));
        Assert.Equal(values, decoded);
        // INT32 deltas wrap in 32 bits, so no miniblock is wider than 32 bits.
        Assert.True(output.WrittenCount <= 64 + (count * 4L * 33 / 32), "INT32 deltas must pack in at most 32 bits.");
    }

    [Fact]
    public void DeltaBinaryPacked_MonotonicValues_AreMuchSmallerThanPlain()
    {
        long[] values = [.. Enumerable.Range(0, 10_000).Select(i => 1_700_000_000_000_000L + (i * 1000L))];
        var output = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode<long>(values, output);
        Assert.True(output.WrittenCount < values.Length, $"{output.WrittenCount} bytes for a constant step.");
    }

    [Fact]
    public void DeltaBinaryPacked_HostileHeaders_Throw()
    {
        var output = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode<long>(DeltaValues(200, 2), output);
        byte[] good = output.WrittenSpan.ToArray();

        // A count that disagrees with the page.
        Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode<long>(good, new long[199]));
        Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode<long>(good, new long[201]));
        // Every truncation into the values fails cleanly (the last miniblock's padding, 200 bytes here, may be missing).
        for (int cut = 0; cut < good.Length - 200; cut += 7)
        {
            Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode<long>(good.AsSpan(0, cut), new long[200]));
        }
        // Header: block 128, 4 miniblocks, 200 values, first 0; block: min delta 0, widths 65,0,0,0.
        byte[] wide = [0x80, 0x01, 0x04, 0xC8, 0x01, 0x00, 0x00, 65, 0, 0, 0, .. new byte[600]];
        ParquetFormatException ex = Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode<long>(wide, new long[200]));
        Assert.Contains("bit width of 65", ex.Message, StringComparison.Ordinal);
        // Block size not a multiple of 128, miniblocks not a multiple of 32 values, varint overflow.
        Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode<long>([0x40, 0x04, 0x01, 0x00], new long[1]));
        Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode<long>([0x80, 0x01, 0x08, 0x01, 0x00], new long[1]));
        Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode<long>([0x80, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], new long[1]));
        // A huge claimed count is rejected before anything is allocated for it.
        Assert.Throws<ParquetFormatException>(() => DeltaBinaryPacked.Decode<long>([0x80, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00], new long[3]));
    }

    [Fact]
    public void DeltaBinaryPacked_Width64Miniblock_AtEndOfPage_Decodes()
    {
        long[] values = [0, long.MaxValue, long.MinValue, 5];
        var output = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode<long>(values, output);
        // Exactly the bytes, no slack after them: the unpacker must not read past the page.
        byte[] exact = output.WrittenSpan.ToArray();
        var decoded = new long[4];
        DeltaBinaryPacked.Decode<long>(exact, decoded);
        Assert.Equal(values, decoded);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(16)]
    public void ByteStreamSplit_RoundTripsAnyWidth(int width)
    {
        var random = new Random(width);
        byte[] plain = new byte[width * 1001];
        random.NextBytes(plain);
        byte[] split = new byte[plain.Length];
        ByteStreamSplit.Encode(plain, width, split);
        byte[] back = new byte[plain.Length];
        ByteStreamSplit.Decode(split, width, 1001, back);
        Assert.Equal(plain, back);
        Assert.Equal(plain[width], split[1]);
        Assert.Throws<ParquetFormatException>(() => ByteStreamSplit.Decode(split.AsSpan(0, split.Length - 1), width, 1001, back));
    }

    [Fact]
    public void Crc32_MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
        byte[] data = new byte[1000];
        new Random(3).NextBytes(data);
        Assert.Equal(Crc32.Compute(data), Crc32.Compute(data.AsSpan(0, 333), data.AsSpan(333)));
    }

    [Fact]
    public void Crc32_EqualsTheBitwiseDefinition_OnEveryLengthAndOffset()
    {
        // The folded implementation takes other paths for short inputs, 16/64-byte blocks and their tails.
        var random = new Random(5);
        byte[] data = new byte[5000];
        random.NextBytes(data);
        for (int length = 0; length < 300; length++)
        {
            int offset = random.Next(0, 16);
            Assert.Equal(BitwiseCrc32(data.AsSpan(offset, length)), Crc32.Compute(data.AsSpan(offset, length)));
        }
        Assert.Equal(BitwiseCrc32(data), Crc32.Compute(data));
        Assert.Equal(BitwiseCrc32(data), Crc32.Compute(data.AsSpan(0, 4093), data.AsSpan(4093)));
    }

    // One bit at a time, straight from the reflected polynomial 0xEDB88320.
    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }

    [Fact]
    public void DeltaLengthByteArray_Decodes()
    {
        string[] words = ["Hello", "World", "", "Foobar", "ABCDEF", "é"];
        var page = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode<int>([.. words.Select(w => Encoding.UTF8.GetByteCount(w))], page);
        foreach (string w in words)
        {
            page.Write(Encoding.UTF8.GetBytes(w));
        }
        Assert.Equal(words, DecodeStrings(ParquetEncoding.DeltaLengthByteArray, page.WrittenSpan, words.Length));
        // Lengths that claim more bytes than the page holds.
        Assert.Throws<ParquetFormatException>(() => DecodeStrings(ParquetEncoding.DeltaLengthByteArray, page.WrittenSpan[..^2], words.Length));
    }

    [Fact]
    public void DeltaByteArray_Decodes()
    {
        string[] words = ["axis", "axle", "babble", "babyhood", "babyhood", ""];
        int[] prefixes = [0, 2, 0, 3, 8, 0];
        var page = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode<int>(prefixes, page);
        DeltaBinaryPacked.Encode<int>([.. words.Select((w, i) => w.Length - prefixes[i])], page);
        for (int i = 0; i < words.Length; i++)
        {
            page.Write(Encoding.UTF8.GetBytes(words[i][prefixes[i]..]));
        }
        Assert.Equal(words, DecodeStrings(ParquetEncoding.DeltaByteArray, page.WrittenSpan, words.Length));

        // A prefix longer than the value before it.
        var bad = new ArrayBufferWriter<byte>();
        DeltaBinaryPacked.Encode<int>([0, 5], bad);
        DeltaBinaryPacked.Encode<int>([2, 1], bad);
        bad.Write("abc"u8);
        ParquetFormatException ex = Assert.Throws<ParquetFormatException>(() => DecodeStrings(ParquetEncoding.DeltaByteArray, bad.WrittenSpan, 2));
        Assert.Contains("reuses 5 bytes", ex.Message, StringComparison.Ordinal);
    }

    private static string?[] DecodeStrings(ParquetEncoding encoding, ReadOnlySpan<byte> page, int count)
    {
        using var decoder = new ByteArrayDecoder(ColumnType.String, count, nullable: false);
        decoder.ReadPage(encoding, page, default, count, 0, count);
        using Column column = decoder.Build(count);
        return [.. Enumerable.Range(0, count).Select(i => (string?)column.GetValue(i))];
    }

    public static TheoryData<CompressionCodec> NativeCodecs => [CompressionCodec.Zstd, CompressionCodec.Lz4Raw, CompressionCodec.Brotli];

    [Theory]
    [MemberData(nameof(NativeCodecs))]
    public void Codec_RoundTripsAndRejectsCorruption(CompressionCodec codec)
    {
        byte[] data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"row {i % 97};")));
        byte[] compressed = PageCompression.Compress(codec, data);
        Assert.True(compressed.Length < data.Length / 3);
        byte[] back = new byte[data.Length];
        PageCompression.Decompress(codec, compressed, back);
        Assert.Equal(data, back);
        // A header that claims a different size, and damaged data, are format errors.
        Assert.Throws<ParquetFormatException>(() => PageCompression.Decompress(codec, compressed, new byte[data.Length + 1]));
        byte[] damaged = (byte[])compressed.Clone();
        damaged.AsSpan(damaged.Length / 2).Fill(0xFF);
        Assert.ThrowsAny<ParquetFormatException>(() => PageCompression.Decompress(codec, damaged, new byte[data.Length]));
    }

    [Fact]
    public void Brotli_PageBeyondAnyFixedRatio_Decompresses()
    {
        // 16 MiB of one byte compress to a few dozen bytes: far past the 65,536:1 that once refused valid pages
        // (large_string_map.brotli's 1,627 bytes hold 1 GiB).
        byte[] data = new byte[16 << 20];
        data.AsSpan().Fill((byte)'a');
        byte[] compressed = PageCompression.Compress(CompressionCodec.Brotli, data);
        Assert.True((long)compressed.Length * 65536 < data.Length, $"{compressed.Length} bytes: not a high enough ratio to test");
        Assert.True(PageCompression.MaxDecompressedLength(CompressionCodec.Brotli, compressed) >= data.Length);

        byte[] back = new byte[data.Length];
        PageCompression.Decompress(CompressionCodec.Brotli, compressed, back);

        Assert.True(back.AsSpan().SequenceEqual(data));
    }

    [Fact]
    public void Snappy_FastPaths_DecodeEveryShapeExactly()
    {
        // Short literals, overlapping copies at offsets 1..20 and elements ending right at the buffer's end exercise
        // the 16-byte and 8-byte-stride moves and their fallbacks.
        var random = new Random(11);
        for (int size = 0; size < 3000; size += 1 + (size / 7))
        {
            byte[] data = new byte[size];
            int i = 0;
            while (i < size)
            {
                int run = random.Next(1, 40);
                int offset = random.Next(1, 21);
                for (int k = 0; k < run && i < size; k++, i++)
                {
                    data[i] = random.Next(3) == 0 || i < offset ? (byte)random.Next(256) : data[i - offset];
                }
            }
            byte[] compressed = IronSnappy.Snappy.Encode(data);
            byte[] back = new byte[size];
            Snappy.Decode(compressed, back);
            Assert.Equal(data, back);
        }
    }

    [Fact]
    public void Snappy_HostileBlocks_DecodeOrFailWithAFormatError()
    {
        // Valid blocks of literal-heavy, copy-heavy and overlapping data, then mutated: bytes flipped (preamble
        // included), cut short, or given trailing bytes. Each must decode into its buffer or throw
        // ParquetFormatException, never another exception, and never write past the buffer (it is exactly sized).
        var random = new Random(21);
        byte[][] blocks =
        [
            .. new[] { 100, 5000, 70_000 }.Select(size =>
            {
                byte[] data = new byte[size];
                for (int i = 0; i < size; i++)
                {
                    data[i] = i > 8 && random.Next(3) > 0 ? data[i - random.Next(1, 9)] : (byte)random.Next(256);
                }
                return data;
            }),
        ];
        // A block cut short or with bytes after its last element cannot fill its buffer exactly: every element makes
        // at least one byte. Flipped bytes may still decode (inside a literal, say).
        int cutOrExtended = 0, refusedCutOrExtended = 0;
        for (int round = 0; round < 20_000; round++)
        {
            byte[] data = blocks[round % blocks.Length];
            byte[] compressed = IronSnappy.Snappy.Encode(data);
            byte[] hostile = (round % 4) switch
            {
                0 => compressed[..random.Next(0, compressed.Length)],
                1 => [.. compressed, .. Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256))],
                _ => Mutate(compressed, random),
            };
            byte[] back = new byte[data.Length];
            cutOrExtended += round % 4 < 2 ? 1 : 0;
            try
            {
                Snappy.Decode(hostile, back);
            }
            catch (ParquetFormatException)
            {
                refusedCutOrExtended += round % 4 < 2 ? 1 : 0;
            }
        }
        Assert.Equal(cutOrExtended, refusedCutOrExtended);
    }

    private static byte[] Mutate(byte[] compressed, Random random)
    {
        byte[] copy = [.. compressed];
        for (int k = random.Next(1, 5); k > 0; k--)
        {
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
        }
        return copy;
    }

    [Fact]
    public void Lz4Legacy_ReadsHadoopFramingAndBareBlocks()
    {
        byte[] first = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("hadoop framing ", 300)));
        byte[] second = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("second block ", 200)));
        var framed = new List<byte>();
        foreach (byte[] block in new[] { first, second })
        {
            byte[] stored = PageCompression.Compress(CompressionCodec.Lz4Raw, block);
            byte[] prefix = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(prefix, block.Length);
            BinaryPrimitives.WriteInt32BigEndian(prefix.AsSpan(4), stored.Length);
            framed.AddRange(prefix);
            framed.AddRange(stored);
        }
        byte[] expected = [.. first, .. second];
        byte[] back = new byte[expected.Length];
        PageCompression.Decompress(CompressionCodec.Lz4, framed.ToArray(), back);
        Assert.Equal(expected, back);

        byte[] bare = PageCompression.Compress(CompressionCodec.Lz4Raw, expected);
        Array.Clear(back);
        PageCompression.Decompress(CompressionCodec.Lz4, bare, back);
        Assert.Equal(expected, back);

        Assert.Throws<ParquetFormatException>(() => PageCompression.Decompress(CompressionCodec.Lz4, bare.AsSpan(0, bare.Length / 2).ToArray(), back));
    }

    public static TheoryData<CompressionCodec, int, bool, IntegerEncoding> WriterVariants => new()
    {
        { CompressionCodec.Zstd, 1, false, IntegerEncoding.Auto },
        { CompressionCodec.Lz4Raw, 1, true, IntegerEncoding.Plain },
        { CompressionCodec.Brotli, 2, false, IntegerEncoding.Auto },
        { CompressionCodec.Uncompressed, 2, true, IntegerEncoding.DeltaBinaryPacked },
        { CompressionCodec.Snappy, 2, true, IntegerEncoding.Auto },
        { CompressionCodec.Gzip, 1, true, IntegerEncoding.DeltaBinaryPacked },
    };

    [Theory]
    [MemberData(nameof(WriterVariants))]
    public void Writer_Options_RoundTrip(CompressionCodec codec, int pageVersion, bool checksums, IntegerEncoding integers)
    {
        var options = new ParquetWriteOptions
        {
            Compression = codec,
            DataPageVersion = pageVersion,
            WritePageChecksums = checksums,
            IntegerEncoding = integers,
            DataPageSize = 512,
        };
        byte[] file = RoundTripTests.Write(options, (0, 1500, 3), (1500, 700, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        RoundTripTests.AssertRows(reader, 2200, 3);
        ColumnMetaData ts = reader.Footer.RowGroups[0].Columns.Single(c => c.MetaData!.PathInSchema[0] == "ts").MetaData!;
        // Timestamps are delta-encoded only when asked for: Auto keeps them PLAIN, which Parquet.Net can read.
        Assert.Equal(integers == IntegerEncoding.DeltaBinaryPacked, ts.Encodings.Contains(ParquetEncoding.DeltaBinaryPacked));
        Assert.Equal(codec, ts.Codec);
        PageHeader first = PageHeader.Parse(file.AsSpan((int)ts.DataPageOffset), out _);
        Assert.Equal(pageVersion == 2 ? PageType.DataPageV2 : PageType.DataPage, first.Type);
        Assert.Equal(checksums, first.Crc.HasValue);
    }

    [Fact]
    public void Writer_ChecksummedPageWithAFlippedByte_IsRejectedNamingThePage()
    {
        var options = new ParquetWriteOptions { Compression = CompressionCodec.Uncompressed, WritePageChecksums = true, DataPageVersion = 2 };
        byte[] file = RoundTripTests.Write(options, (0, 300, 3));
        ColumnMetaData column;
        using (var reader = new ParquetFileReader(new MemoryStream(file)))
        {
            column = reader.Footer.RowGroups[0].Columns[2].MetaData!;
        }
        PageHeader header = PageHeader.Parse(file.AsSpan((int)column.DataPageOffset), out int headerLength);
        file[(int)column.DataPageOffset + headerLength + (header.CompressedPageSize / 2)] ^= 0x10;
        using var corrupt = new ParquetFileReader(new MemoryStream(file), name: "flipped.parquet");
        ParquetFormatException ex = Assert.Throws<ParquetFormatException>(() => ParquetAssert.ReadAll(corrupt));
        Assert.Contains("CRC-32 checksum does not match", ex.Message, StringComparison.Ordinal);
        Assert.Equal("i64", ex.ColumnName);
        Assert.Equal(0, ex.RowGroupIndex);
        Assert.Equal(0, ex.PageIndex);
    }

    [Fact]
    public void Writer_AutoIntegerEncoding_KeepsPlainForRandomValues()
    {
        var schema = new BatchSchema(new ColumnField("r", ColumnType.Int64, false));
        var builder = new ColumnBuilder<long>(ColumnType.Int64, 5000, nullable: false);
        var random = new Random(5);
        for (int i = 0; i < 5000; i++)
        {
            builder.Values[i] = random.NextInt64(long.MinValue, long.MaxValue);
        }
        using var stream = new MemoryStream();
        using (var batch = new RecordBatch(schema, [builder.Build(5000)], 5000))
        using (var writer = new ParquetFileWriter(stream, schema, new ParquetWriteOptions { Compression = CompressionCodec.Uncompressed }, leaveOpen: true))
        {
            writer.WriteBatch(batch);
        }
        stream.Position = 0;
        using var reader = new ParquetFileReader(stream);
        Assert.DoesNotContain(ParquetEncoding.DeltaBinaryPacked, reader.Footer.RowGroups[0].Columns[0].MetaData!.Encodings);
    }

    public static TheoryData<CompressionCodec> AllWritableCodecs =>
        [CompressionCodec.Uncompressed, CompressionCodec.Snappy, CompressionCodec.Gzip, CompressionCodec.Zstd, CompressionCodec.Lz4Raw, CompressionCodec.Brotli];

    [Theory]
    [MemberData(nameof(AllWritableCodecs))]
    public void Writer_V2PagesOfOnlyNulls_RoundTrip(CompressionCodec codec)
    {
        // Every page of these columns has no values at all: an empty (compressed) value section.
        var schema = new BatchSchema(new ColumnField("n", ColumnType.Int64, true), new ColumnField("s", ColumnType.String, true));
        var numbers = new ColumnBuilder<long>(ColumnType.Int64, 300, nullable: true);
        var strings = new StringColumnBuilder(ColumnType.String, 300);
        for (int i = 0; i < 300; i++)
        {
            numbers.Validity!.Set(i, false);
            strings.Append(null);
        }
        using var stream = new MemoryStream();
        using (var batch = new RecordBatch(schema, [numbers.Build(300), strings.Build()], 300))
        using (var writer = new ParquetFileWriter(stream, schema, new ParquetWriteOptions { Compression = codec, DataPageVersion = 2, WritePageChecksums = true, DataPageSize = 64 }, leaveOpen: true))
        {
            writer.WriteBatch(batch);
        }
        stream.Position = 0;
        using var reader = new ParquetFileReader(stream);
        using RecordBatch read = reader.ReadRowGroup(0);
        Assert.Equal(300, read[0].NullCount);
        Assert.Equal(300, read[1].NullCount);
    }

    [Fact]
    public void WriteOptions_RejectUnknownPageVersion()
    {
        var schema = new BatchSchema(new ColumnField("r", ColumnType.Int64, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParquetFileWriter(new MemoryStream(), schema, new ParquetWriteOptions { DataPageVersion = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParquetFileWriter(new MemoryStream(), schema, new ParquetWriteOptions { Compression = CompressionCodec.Lzo }));
    }
}
