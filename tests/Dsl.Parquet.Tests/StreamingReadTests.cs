using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Tests;

/// <summary>
/// <see cref="ParquetFileReader.ReadRowGroupBatches"/> (pages streamed, row groups read batch by batch) against
/// <see cref="ParquetFileReader.ReadRowGroup"/>: the same values, nulls and strings row for row, at batch sizes that
/// cut pages anywhere, over the conformance corpus and over files with many pages, dictionary fallback and nulls.
/// </summary>
public sealed class StreamingReadTests : IDisposable
{
    private static readonly int[] BatchSizes = [7, 64, 1000, 4096];

    private readonly string _dir = Directory.CreateTempSubdirectory("dsl-stream-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Corpus() => [.. ConformanceTests.MustMatch];

    [Theory]
    [MemberData(nameof(Corpus))]
    public void CorpusFile_BatchesEqualWholeRowGroups(string name)
    {
        using var reader = new ParquetFileReader(TestFiles.Path(name + ".parquet"));
        AssertSameAsWhole(reader, reader.Columns.Where(c => c.IsSupported).Select(c => c.Name).ToArray(), [3, 1000]);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void ManyPages_DictionaryFallbackAndNulls_BatchesEqualWholeRowGroups(int pageVersion, bool byteStreamSplit)
    {
        string path = Path.Combine(_dir, "pages.parquet");
        var options = new ParquetWriteOptions
        {
            RowGroupRows = 30_000,
            DataPageSize = 2_000, // many small pages per chunk
            DictionaryPageSizeLimit = 3_000, // strings start dictionary-encoded and fall back to PLAIN mid-chunk
            DataPageVersion = pageVersion,
            FloatingPointEncoding = byteStreamSplit ? FloatingPointEncoding.ByteStreamSplit : FloatingPointEncoding.Plain,
            Compression = CompressionCodec.Snappy,
        };
        using (var writer = new ParquetFileWriter(path, BatchFactory.AllTypes, options))
        {
            using RecordBatch batch = BatchFactory.Create(0, 70_000, nullEvery: 7, distinctStrings: 5_000);
            writer.WriteBatch(batch);
        }
        using var reader = new ParquetFileReader(path);

        AssertSameAsWhole(reader, reader.Columns.Select(c => c.Name).ToArray(), BatchSizes);
    }

    [Fact]
    public void CorruptChecksum_FailsWhileStreamingTooNamingThePage()
    {
        foreach (string name in ConformanceTests.MustFailChecksum)
        {
            using var reader = new ParquetFileReader(TestFiles.Path(name + ".parquet"));
            var error = Assert.Throws<ParquetFormatException>(() =>
            {
                foreach (RecordBatch batch in reader.ReadRowGroupBatches(0, null, 2))
                {
                    batch.Dispose();
                }
            });
            Assert.Contains("CRC-32", error.Message);
            Assert.NotNull(error.PageIndex);
        }
    }

    [Fact]
    public void TruncatedChunk_IsAFormatErrorNamingTheColumn()
    {
        string path = Path.Combine(_dir, "t.parquet");
        var schema = new BatchSchema(new ColumnField("x", ColumnType.Int64, false));
        using (var writer = new ParquetFileWriter(path, schema, new ParquetWriteOptions { DataPageSize = 1_000, Compression = CompressionCodec.Uncompressed }))
        {
            writer.WriteBatch(new RecordBatch(schema, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, Enumerable.Range(0, 10_000).Select(i => (long)i * 7919).ToArray())], 10_000));
        }
        // Make a data page header in the middle claim more values than remain.
        byte[] bytes = File.ReadAllBytes(path);
        long offset;
        using (var original = new ParquetFileReader(path))
        {
            offset = original.Footer.RowGroups[0].Columns[0].MetaData!.DataPageOffset;
        }
        bytes[offset + 1] ^= 0x7F; // the first header's page type / size varints
        File.WriteAllBytes(path, bytes);
        using var reader = new ParquetFileReader(path);

        var error = Assert.Throws<ParquetFormatException>(() =>
        {
            foreach (RecordBatch batch in reader.ReadRowGroupBatches(0, null, 100))
            {
                batch.Dispose();
            }
        });
        Assert.Equal("x", error.ColumnName);
        Assert.Equal(0, error.RowGroupIndex);
    }

    private static void AssertSameAsWhole(ParquetFileReader reader, string[] columns, int[] batchSizes)
    {
        for (int rg = 0; rg < reader.RowGroupCount; rg++)
        {
            using RecordBatch whole = reader.ReadRowGroup(rg, columns);
            foreach (int size in batchSizes)
            {
                int row = 0;
                foreach (RecordBatch batch in reader.ReadRowGroupBatches(rg, columns, size))
                {
                    using (batch)
                    {
                        Assert.True(batch.RowCount <= size || batch.RowCount == whole.RowCount);
                        for (int c = 0; c < columns.Length; c++)
                        {
                            for (int r = 0; r < batch.RowCount; r++)
                            {
                                object? want = whole[c].GetValue(row + r);
                                object? got = batch[c].GetValue(r);
                                Assert.True(Same(want, got), $"row group {rg}, column {columns[c]}, row {row + r}, batch size {size}: expected {want}, got {got}");
                            }
                        }
                        row += batch.RowCount;
                    }
                }
                Assert.Equal(whole.RowCount, row);
            }
        }
    }

    // Nested values (lists, structs, maps) come back as collections: compare them element by element.
    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (string, _) or (_, string) => Equals(a, b),
        (System.Collections.IEnumerable x, System.Collections.IEnumerable y) => SameSequence(x, y),
        _ => Equals(a, b),
    };

    private static bool SameSequence(System.Collections.IEnumerable a, System.Collections.IEnumerable b)
    {
        List<object?> x = a.Cast<object?>().ToList();
        List<object?> y = b.Cast<object?>().ToList();
        return x.Count == y.Count && x.Zip(y).All(p => Same(p.First, p.Second));
    }
}
