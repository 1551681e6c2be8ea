using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Tests;

/// <summary>The writer's <see cref="FloatingPointEncoding.ByteStreamSplit"/> option, read back by our reader.</summary>
public sealed class ByteStreamSplitWriterTests
{
    /// <summary>Values that must survive bit for bit: both zeros, NaN, infinities, subnormals and the extremes.</summary>
    internal static readonly double[] SpecialDoubles =
    [
        0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
        double.MaxValue, double.MinValue, 1.0 / 3.0, -123456.789, 1e-300, 2.5e300,
    ];

    internal static readonly float[] SpecialFloats =
    [
        0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
        float.MaxValue, float.MinValue, 1f / 3f, -123456.79f, 1e-30f, 2.5e30f,
    ];

    /// <summary>Rows of a float and a double column, each null every seventh row, the special values first, then a smooth series.</summary>
    internal static RecordBatch CreateBatch(int rows, out double?[] doubles, out float?[] floats)
    {
        var schema = new BatchSchema(
            new ColumnField("f32", ColumnType.Float, true),
            new ColumnField("f64", ColumnType.Double, true),
            new ColumnField("f64_required", ColumnType.Double, false));
        var f32 = new ColumnBuilder<float>(ColumnType.Float, rows, nullable: true);
        var f64 = new ColumnBuilder<double>(ColumnType.Double, rows, nullable: true);
        var req = new ColumnBuilder<double>(ColumnType.Double, rows, nullable: false);
        doubles = new double?[rows];
        floats = new float?[rows];
        for (int r = 0; r < rows; r++)
        {
            bool isNull = r % 7 == 6;
            double d = r < SpecialDoubles.Length ? SpecialDoubles[r] : Math.Sin(r / 100.0) * 1000.0;
            float f = r < SpecialFloats.Length ? SpecialFloats[r] : (float)(Math.Cos(r / 50.0) * 20.0);
            f32.Values[r] = f;
            f32.Validity!.Set(r, !isNull);
            f64.Values[r] = d;
            f64.Validity!.Set(r, !isNull);
            req.Values[r] = d;
            doubles[r] = isNull ? null : d;
            floats[r] = isNull ? null : f;
        }
        return new RecordBatch(schema, [f32.Build(rows), f64.Build(rows), req.Build(rows)], rows);
    }

    private static byte[] Write(RecordBatch batch, ParquetWriteOptions options)
    {
        using var stream = new MemoryStream();
        using (var writer = new ParquetFileWriter(stream, batch.Schema, options, leaveOpen: true))
        {
            writer.WriteBatch(batch);
        }
        return stream.ToArray();
    }

    public static TheoryData<CompressionCodec, int> Variants => new()
    {
        { CompressionCodec.Uncompressed, 1 },
        { CompressionCodec.Snappy, 1 },
        { CompressionCodec.Zstd, 2 },
        { CompressionCodec.Gzip, 2 },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void ByteStreamSplit_RoundTripsEveryBit(CompressionCodec codec, int pageVersion)
    {
        const int rows = 3000;
        using RecordBatch batch = CreateBatch(rows, out double?[] doubles, out float?[] floats);
        // Small pages and row groups: values cross pages and row groups, and every page is split on its own.
        var options = new ParquetWriteOptions
        {
            Compression = codec,
            DataPageVersion = pageVersion,
            FloatingPointEncoding = FloatingPointEncoding.ByteStreamSplit,
            DataPageSize = 1000,
            RowGroupRows = 1100,
            WritePageChecksums = true,
        };
        byte[] file = Write(batch, options);

        using var reader = new ParquetFileReader(new MemoryStream(file));
        Assert.Equal(3, reader.RowGroupCount);
        int row = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            foreach (ColumnChunk chunk in reader.Footer.RowGroups[g].Columns)
            {
                ColumnMetaData meta = chunk.MetaData!;
                Assert.Contains(ParquetEncoding.ByteStreamSplit, meta.Encodings);
                // Every data page says BYTE_STREAM_SPLIT, not only the chunk's summary.
                long offset = meta.DataPageOffset;
                long end = meta.DataPageOffset + meta.TotalCompressedSize;
                int pages = 0;
                while (offset < end)
                {
                    PageHeader header = PageHeader.Parse(file.AsSpan((int)offset), out int headerLength);
                    ParquetEncoding encoding = header.DataPageHeader?.Encoding ?? header.DataPageHeaderV2!.Encoding;
                    Assert.Equal(ParquetEncoding.ByteStreamSplit, encoding);
                    offset += headerLength + header.CompressedPageSize;
                    pages++;
                }
                Assert.True(pages > 1, $"Expected several pages per chunk, got {pages}.");
            }
            using RecordBatch read = reader.ReadRowGroup(g, null);
            for (int r = 0; r < read.RowCount; r++, row++)
            {
                AssertSameBits(floats[row], (float?)read["f32"].GetValue(r), row);
                AssertSameBits(doubles[row], (double?)read["f64"].GetValue(r), row);
                Assert.Equal(BitConverter.DoubleToInt64Bits(batch[2].GetValue(row) is double d ? d : throw new InvalidOperationException()), BitConverter.DoubleToInt64Bits((double)read["f64_required"].GetValue(r)!));
            }
        }
        Assert.Equal(rows, row);
    }

    [Fact]
    public void ByteStreamSplit_StatisticsAreTheSameAsPlain()
    {
        using RecordBatch batch = CreateBatch(500, out _, out _);
        byte[] plain = Write(batch, new ParquetWriteOptions { Compression = CompressionCodec.Uncompressed });
        byte[] split = Write(batch, new ParquetWriteOptions { Compression = CompressionCodec.Uncompressed, FloatingPointEncoding = FloatingPointEncoding.ByteStreamSplit });
        using var plainReader = new ParquetFileReader(new MemoryStream(plain));
        using var splitReader = new ParquetFileReader(new MemoryStream(split));
        for (int c = 0; c < 3; c++)
        {
            Statistics expected = plainReader.Footer.RowGroups[0].Columns[c].MetaData!.Statistics!;
            Statistics actual = splitReader.Footer.RowGroups[0].Columns[c].MetaData!.Statistics!;
            Assert.Equal(expected.MinValue, actual.MinValue);
            Assert.Equal(expected.MaxValue, actual.MaxValue);
            Assert.Equal(expected.NullCount, actual.NullCount);
            Assert.DoesNotContain(ParquetEncoding.ByteStreamSplit, plainReader.Footer.RowGroups[0].Columns[c].MetaData!.Encodings);
        }
        // Uncompressed, a split page holds the same bytes, only reordered; each chunk's encoding list names
        // BYTE_STREAM_SPLIT where the plain file names PLAIN (one byte each), and nothing else changes size.
        Assert.Equal(plain.Length, split.Length);
        for (int c = 0; c < 3; c++)
        {
            Assert.Contains(ParquetEncoding.ByteStreamSplit, splitReader.Footer.RowGroups[0].Columns[c].MetaData!.Encodings);
            Assert.DoesNotContain(ParquetEncoding.Plain, splitReader.Footer.RowGroups[0].Columns[c].MetaData!.Encodings);
        }
    }

    [Fact]
    public void ByteStreamSplit_WithZstd_IsSmallerThanPlainForSmoothData()
    {
        const int rows = 50_000;
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Double, false));
        var builder = new ColumnBuilder<double>(ColumnType.Double, rows, nullable: false);
        for (int r = 0; r < rows; r++)
        {
            builder.Values[r] = 20.0 + (Math.Sin(r / 300.0) * 5.0) + (r % 13 * 0.001);
        }
        using var batch = new RecordBatch(schema, [builder.Build(rows)], rows);
        byte[] plain = Write(batch, new ParquetWriteOptions { Compression = CompressionCodec.Zstd });
        byte[] split = Write(batch, new ParquetWriteOptions { Compression = CompressionCodec.Zstd, FloatingPointEncoding = FloatingPointEncoding.ByteStreamSplit });
        Assert.True(split.Length < plain.Length, $"BYTE_STREAM_SPLIT + ZSTD wrote {split.Length} bytes, PLAIN + ZSTD {plain.Length}.");
    }

    [Fact]
    public void ByteStreamSplit_LeavesOtherColumnsAlone()
    {
        var options = new ParquetWriteOptions { FloatingPointEncoding = FloatingPointEncoding.ByteStreamSplit, Compression = CompressionCodec.Uncompressed };
        byte[] file = RoundTripTests.Write(options, (0, 400, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        RoundTripTests.AssertRows(reader, 400, 3);
        foreach (ColumnChunk chunk in reader.Footer.RowGroups[0].Columns)
        {
            ColumnMetaData meta = chunk.MetaData!;
            bool floating = meta.Type is PhysicalType.Float or PhysicalType.Double;
            Assert.Equal(floating, meta.Encodings.Contains(ParquetEncoding.ByteStreamSplit));
        }
        Assert.Contains(reader.Footer.RowGroups[0].Columns, c => c.MetaData!.Type is PhysicalType.Float or PhysicalType.Double);
    }

    [Fact]
    public void ByteStreamSplit_InsideALibraryList_RoundTrips()
    {
        // A list<double> leaf goes through the same value buffer as a flat column.
        double[] values = [1.5, -0.0, double.NaN, 0.0, double.NegativeInfinity, 42.0, 7.25];
        int[] offsets = [0, 2, 2, 5, 7];
        var builder = new ColumnBuilder<double>(ColumnType.Double, values.Length, nullable: true);
        values.CopyTo(builder.Values);
        builder.Validity!.Set(3, false);
        var element = new ColumnField("element", ColumnType.Double, true);
        PrimitiveColumn<double> elements = builder.Build(values.Length);
        var field = new ColumnField("xs", ColumnType.List, true) { Children = [element] };
        var list = new ListColumn(ColumnType.List, offsets, 4, elements, null);
        var schema = new BatchSchema(field);
        using var batch = new RecordBatch(schema, [list], 4);
        byte[] file = Write(batch, new ParquetWriteOptions { FloatingPointEncoding = FloatingPointEncoding.ByteStreamSplit });
        using var reader = new ParquetFileReader(new MemoryStream(file));
        Assert.Contains(ParquetEncoding.ByteStreamSplit, reader.Footer.RowGroups[0].Columns[0].MetaData!.Encodings);
        Assert.Equal(
            ["{\"xs\":[1.5,-0.0]}", "{\"xs\":[]}", "{\"xs\":[NaN,null,-Infinity]}", "{\"xs\":[42.0,7.25]}"],
            ParquetAssert.ReadJsonLines(reader));
    }

    [Fact]
    public void FloatingPointEncoding_OutOfRange_IsRejected()
    {
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Double, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParquetFileWriter(new MemoryStream(), schema, new ParquetWriteOptions { FloatingPointEncoding = (FloatingPointEncoding)7 }));
    }

    private static void AssertSameBits(double? expected, double? actual, int row)
    {
        Assert.True(expected.HasValue == actual.HasValue, $"Row {row}: expected {expected}, got {actual}.");
        if (expected is double e)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(actual!.Value), $"Row {row}: expected {e:R}, got {actual:R}.");
        }
    }

    private static void AssertSameBits(float? expected, float? actual, int row)
    {
        Assert.True(expected.HasValue == actual.HasValue, $"Row {row}: expected {expected}, got {actual}.");
        if (expected is float e)
        {
            Assert.True(BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(actual!.Value), $"Row {row}: expected {e:R}, got {actual:R}.");
        }
    }
}
