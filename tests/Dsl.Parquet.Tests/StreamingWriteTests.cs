using Dsl.Parquet.Metadata;
using Dsl.Testing;

namespace Dsl.Parquet.Tests;

/// <summary>
/// The writer pages rows as they arrive: a chunk holds its compressed pages and less than a page of rows, a string
/// column that outgrows its dictionary keeps its earlier pages dictionary-encoded, and statistics, nested rows and
/// other readers see the same file they would if the whole row group had been encoded at once.
/// </summary>
public sealed class StreamingWriteTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-stream-write");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void OneLargeRowGroup_WriterHoldsCompressedPagesAndLessThanAPagePerColumn()
    {
        const int pageSize = 64 << 10;
        var schema = new BatchSchema(
            new ColumnField("id", ColumnType.Int64, false),
            new ColumnField("x", ColumnType.Double, true),
            new ColumnField("flag", ColumnType.Boolean, false),
            new ColumnField("name", ColumnType.String, true));
        var options = new ParquetWriteOptions
        {
            RowGroupRows = 1 << 30,
            RowGroupBytes = long.MaxValue,
            DataPageSize = pageSize,
            EnableDictionary = false, // every name PLAIN: its bytes must leave the buffer with their page
            Compression = CompressionCodec.Snappy,
        };
        string path = _temp.Combine("large.parquet");
        long rawBytes = 0;
        long maxPending = 0;
        using (var writer = new ParquetFileWriter(path, schema, options))
        {
            for (int b = 0; b < 100; b++)
            {
                using RecordBatch batch = Batch(schema, b * 10_000, 10_000);
                rawBytes += 10_000L * (8 + 8 + 1 + 20);
                writer.WriteBatch(batch);
                (long pending, long spooled) = writer.HeldBytes;
                maxPending = Math.Max(maxPending, pending);
                Assert.True(pending <= 4L * 2 * pageSize, $"After batch {b} the writer holds {pending} bytes of rows not yet in pages; at most two pages a column were expected.");
                Assert.True(spooled < rawBytes, $"After batch {b} the spooled pages take {spooled} bytes, not less than the {rawBytes} bytes of rows.");
            }
        }

        using var reader = new ParquetFileReader(path);
        Assert.Equal(1, reader.RowGroupCount);
        Assert.Equal(1_000_000, reader.Metadata.NumRows);
        Assert.True(maxPending > 0);
        using RecordBatch all = reader.ReadRowGroup(0, null);
        for (int r = 0; r < all.RowCount; r += 997)
        {
            Assert.Equal((long)r, all[0].GetValue(r));
            Assert.Equal(r % 11 == 0 ? null : r * 0.5, all[1].GetValue(r));
            Assert.Equal(r % 3 == 0, all[2].GetValue(r));
            Assert.Equal(r % 13 == 0 ? null : Name(r), all[3].GetValue(r));
        }
    }

    [Fact]
    public void SecondRowGroup_ReusesTheWritersBuffers_AllocatingFarLessThanItWrites()
    {
        // Pages are encoded and compressed into buffers the writer keeps, and the page spool keeps its blocks: once
        // a row group of this size has been written, the next allocates little (headers, statistics), where a new
        // array per compressed page would allocate at least the bytes written.
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Double, false), new ColumnField("y", ColumnType.Int64, false));
        var random = new Random(3);
        RecordBatch Batch()
        {
            var x = new ColumnBuilder<double>(ColumnType.Double, 200_000, nullable: false);
            var y = new ColumnBuilder<long>(ColumnType.Int64, 200_000, nullable: false);
            for (int r = 0; r < 200_000; r++)
            {
                x.Values[r] = random.NextDouble();
                y.Values[r] = random.NextInt64();
            }
            return new RecordBatch(schema, [x.Build(200_000), y.Build(200_000)], 200_000);
        }
        using RecordBatch first = Batch();
        using RecordBatch second = Batch();
        using var sink = new CountingStream();
        using var writer = new ParquetFileWriter(sink, schema, new ParquetWriteOptions { DataPageSize = 64 << 10, Compression = CompressionCodec.Snappy, RowGroupRows = 1 << 30, RowGroupBytes = long.MaxValue });
        writer.WriteBatch(first);
        writer.FlushRowGroup();
        long before = sink.Written;

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        writer.WriteBatch(second);
        writer.FlushRowGroup();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        long written = sink.Written - before;
        Assert.True(written > 3_000_000, $"{written} bytes written");
        Assert.True(allocated < written / 10, $"the second row group allocated {allocated} bytes to write {written}");
        // Batches of the executor stay under the large-object threshold (85,000 bytes) for 8-byte columns.
        Assert.True(Dsl.Execution.PartitionTask.SliceRows * sizeof(long) < 85_000);
    }

    /// <summary>A write-only stream that counts bytes and keeps none.</summary>
    private sealed class CountingStream : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written;

        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Written += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Written += buffer.Length;
    }

    [Fact]
    public void DictionaryOutgrownMidChunk_EarlierPagesStayDictionaryEncoded_AndEveryReaderAgrees()
    {
        var schema = new BatchSchema(new ColumnField("s", ColumnType.String, true));
        var options = new ParquetWriteOptions
        {
            RowGroupRows = 1 << 30,
            DataPageSize = 1_000,
            DictionaryPageSizeLimit = 4_000,
            Compression = CompressionCodec.Zstd,
        };
        // 20 distinct values for the first 6,000 rows (several dictionary pages), then a new value in every row.
        string? Value(int r) => r % 17 == 5 ? null : r < 6_000 ? $"v{r % 20}" : $"u{r:D6}";
        string path = _temp.Combine("fallback.parquet");
        using (var writer = new ParquetFileWriter(path, schema, options))
        {
            for (int start = 0; start < 20_000; start += 500)
            {
                var builder = new StringColumnBuilder(ColumnType.String, 500);
                for (int r = start; r < start + 500; r++)
                {
                    builder.Append(Value(r));
                }
                using var batch = new RecordBatch(schema, [builder.Build()], 500);
                writer.WriteBatch(batch);
            }
        }

        byte[] file = File.ReadAllBytes(path);
        using var reader = new ParquetFileReader(path);
        ColumnMetaData meta = reader.Footer.RowGroups[0].Columns[0].MetaData!;
        List<PageHeader> pages = Pages(file, meta);
        Assert.Equal(PageType.DictionaryPage, pages[0].Type);
        List<ParquetEncoding> dataEncodings = pages.Skip(1).Select(p => p.DataPageHeader!.Encoding).ToList();
        int firstPlain = dataEncodings.IndexOf(ParquetEncoding.Plain);
        Assert.True(firstPlain > 1, $"Expected several dictionary-encoded pages before the fallback: {string.Join(", ", dataEncodings)}.");
        Assert.All(dataEncodings.Take(firstPlain), e => Assert.Equal(ParquetEncoding.RleDictionary, e));
        Assert.All(dataEncodings.Skip(firstPlain), e => Assert.Equal(ParquetEncoding.Plain, e));
        Assert.Contains(ParquetEncoding.RleDictionary, meta.Encodings);
        Assert.Contains(ParquetEncoding.Plain, meta.Encodings);

        // Statistics over every value, whichever page holds it.
        IEnumerable<string> values = Enumerable.Range(0, 20_000).Select(Value).OfType<string>();
        Assert.Equal(values.Min(StringComparer.Ordinal), System.Text.Encoding.UTF8.GetString(meta.Statistics!.MinValue!));
        Assert.Equal(values.Max(StringComparer.Ordinal), System.Text.Encoding.UTF8.GetString(meta.Statistics!.MaxValue!));
        Assert.Equal(Enumerable.Range(0, 20_000).Count(r => Value(r) is null), meta.Statistics!.NullCount);

        using RecordBatch whole = reader.ReadRowGroup(0, null);
        for (int r = 0; r < 20_000; r++)
        {
            Assert.Equal(Value(r), whole[0].GetValue(r));
        }
        using var duck = DuckDb.Open();
        IReadOnlyList<IReadOnlyList<string?>> theirs = duck.QueryRows($"SELECT s FROM read_parquet({DuckDb.Literal(path)})");
        Assert.Equal(20_000, theirs.Count);
        for (int r = 0; r < 20_000; r++)
        {
            Assert.Equal(Value(r), theirs[r][0]);
        }
    }

    [Fact]
    public void Statistics_CoverEveryPage()
    {
        var schema = new BatchSchema(
            new ColumnField("i", ColumnType.Int32, true),
            new ColumnField("d", ColumnType.Double, false),
            new ColumnField("b", ColumnType.Boolean, false),
            new ColumnField("m", ColumnType.Decimal, false) { Precision = 12, Scale = 2 });
        const int rows = 30_000;
        var random = new Random(11);
        int[] ints = new int[rows];
        double[] doubles = new double[rows];
        long[] decimals = new long[rows];
        for (int r = 0; r < rows; r++)
        {
            ints[r] = random.Next(-1000, 1000);
            // NaN in the whole first page and -0.0 as the largest value after it: NaN is skipped, a zero maximum is +0.0.
            doubles[r] = r < 3_000 ? double.NaN : -random.NextDouble() * 100 - 1;
            decimals[r] = random.NextInt64(-10_000_000, 10_000_000);
        }
        ints[rows - 1] = int.MaxValue;
        ints[0] = int.MinValue;
        doubles[rows / 2] = -0.0;
        var options = new ParquetWriteOptions { RowGroupRows = 1 << 30, DataPageSize = 4_096, Compression = CompressionCodec.Uncompressed };
        string path = _temp.Combine("stats.parquet");
        using (var writer = new ParquetFileWriter(path, schema, options))
        {
            for (int start = 0; start < rows; start += 1_000)
            {
                var i = new ColumnBuilder<int>(ColumnType.Int32, 1_000, nullable: true);
                var d = new ColumnBuilder<double>(ColumnType.Double, 1_000, nullable: false);
                var b = new ColumnBuilder<bool>(ColumnType.Boolean, 1_000, nullable: false);
                var m = new ColumnBuilder<Int128>(ColumnType.Decimal, 1_000, nullable: false);
                for (int k = 0; k < 1_000; k++)
                {
                    i.Values[k] = ints[start + k];
                    i.Validity!.Set(k, (start + k) % 9 != 4);
                    d.Values[k] = doubles[start + k];
                    b.Values[k] = start + k >= 20_000; // false in the first pages only
                    m.Values[k] = decimals[start + k];
                }
                using var batch = new RecordBatch(schema, [i.Build(1_000), d.Build(1_000), b.Build(1_000), m.Build(1_000)], 1_000);
                writer.WriteBatch(batch);
            }
        }

        using var reader = new ParquetFileReader(path);
        Assert.True(Pages(File.ReadAllBytes(path), reader.Footer.RowGroups[0].Columns[0].MetaData!).Count > 5);
        Statistics Stats(int c) => reader.Footer.RowGroups[0].Columns[c].MetaData!.Statistics!;
        int[] validInts = ints.Where((_, r) => r % 9 != 4).ToArray();
        Assert.Equal(validInts.Min(), BitConverter.ToInt32(Stats(0).MinValue));
        Assert.Equal(validInts.Max(), BitConverter.ToInt32(Stats(0).MaxValue));
        Assert.Equal(rows - validInts.Length, Stats(0).NullCount);
        Assert.Equal(doubles.Where(v => !double.IsNaN(v)).Min(), BitConverter.ToDouble(Stats(1).MinValue));
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.0), BitConverter.ToInt64(Stats(1).MaxValue));
        Assert.Equal([(byte)0], Stats(2).MinValue!);
        Assert.Equal([(byte)1], Stats(2).MaxValue!);
        Assert.Equal(decimals.Min(), BitConverter.ToInt64(Stats(3).MinValue));
        Assert.Equal(decimals.Max(), BitConverter.ToInt64(Stats(3).MaxValue));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void NestedRowsAppendedInPieces_PagesEndAtRowStarts_AndReadBackWhole(int pageVersion)
    {
        var element = new ColumnField("element", ColumnType.Int64, true);
        var field = new ColumnField("xs", ColumnType.List, true) { Children = [element] };
        var schema = new BatchSchema(field);
        var options = new ParquetWriteOptions { RowGroupRows = 1 << 30, DataPageSize = 256, DataPageVersion = pageVersion, Compression = CompressionCodec.Snappy };
        // Row r has r % 7 elements (0: an empty list; every 11th row is null); element k of row r is r * 10 + k, null when k == 3.
        string path = _temp.Combine($"nested-v{pageVersion}.parquet");
        const int rows = 6_000;
        using (var writer = new ParquetFileWriter(path, schema, options))
        {
            for (int start = 0; start < rows; start += 37)
            {
                int count = Math.Min(37, rows - start);
                var offsets = new int[count + 1];
                var validity = new ValidityBitmap(count);
                for (int k = 0; k < count; k++)
                {
                    int r = start + k;
                    validity.Set(k, r % 11 != 0);
                    offsets[k + 1] = offsets[k] + (r % 11 == 0 ? 0 : r % 7);
                }
                var items = new ColumnBuilder<long>(ColumnType.Int64, offsets[count], nullable: true);
                for (int k = 0; k < count; k++)
                {
                    for (int e = offsets[k]; e < offsets[k + 1]; e++)
                    {
                        int index = e - offsets[k];
                        items.Values[e] = ((start + k) * 10L) + index;
                        items.Validity!.Set(e, index != 3);
                    }
                }
                using var batch = new RecordBatch(schema, [new ListColumn(ColumnType.List, offsets, count, items.Build(offsets[count]), validity)], count);
                writer.WriteBatch(batch);
            }
        }

        using var reader = new ParquetFileReader(path);
        Assert.True(Pages(File.ReadAllBytes(path), reader.Footer.RowGroups[0].Columns[0].MetaData!).Count > 20);
        List<string> lines = ParquetAssert.ReadJsonLines(reader);
        Assert.Equal(rows, lines.Count);
        for (int r = 0; r < rows; r++)
        {
            string expected = r % 11 == 0
                ? "{\"xs\":null}"
                : "{\"xs\":[" + string.Join(",", Enumerable.Range(0, r % 7).Select(k => k == 3 ? "null" : ((r * 10L) + k).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]}";
            Assert.Equal(expected, lines[r]);
        }
        using var duck = DuckDb.Open();
        Assert.Equal(rows, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({DuckDb.Literal(path)})"));
        long expectedSum = Enumerable.Range(0, rows).Where(r => r % 11 != 0).Sum(r => Enumerable.Range(0, r % 7).Where(k => k != 3).Sum(k => (r * 10L) + k));
        Assert.Equal(expectedSum, duck.QueryScalarInt64($"SELECT sum(x)::BIGINT FROM (SELECT unnest(xs) AS x FROM read_parquet({DuckDb.Literal(path)}))"));
    }

    private static string Name(int r) => $"customer-{r:D10}-x";

    private static RecordBatch Batch(BatchSchema schema, int first, int rows)
    {
        var id = new ColumnBuilder<long>(ColumnType.Int64, rows, nullable: false);
        var x = new ColumnBuilder<double>(ColumnType.Double, rows, nullable: true);
        var flag = new ColumnBuilder<bool>(ColumnType.Boolean, rows, nullable: false);
        var name = new StringColumnBuilder(ColumnType.String, rows);
        for (int k = 0; k < rows; k++)
        {
            int r = first + k;
            id.Values[k] = r;
            x.Values[k] = r * 0.5;
            x.Validity!.Set(k, r % 11 != 0);
            flag.Values[k] = r % 3 == 0;
            name.Append(r % 13 == 0 ? null : Name(r));
        }
        return new RecordBatch(schema, [id.Build(rows), x.Build(rows), flag.Build(rows), name.Build()], rows);
    }

    // The chunk's page headers in file order, dictionary page first.
    private static List<PageHeader> Pages(byte[] file, ColumnMetaData meta)
    {
        var pages = new List<PageHeader>();
        long pos = meta.DictionaryPageOffset ?? meta.DataPageOffset;
        long end = pos + meta.TotalCompressedSize;
        while (pos < end)
        {
            PageHeader header = PageHeader.Parse(file.AsSpan((int)pos), out int consumed);
            pos += consumed + header.CompressedPageSize;
            pages.Add(header);
        }
        return pages;
    }
}
