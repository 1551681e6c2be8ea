using System.Buffers.Binary;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Tests;

/// <summary>Writes batches with <see cref="ParquetFileWriter"/> and reads them back with <see cref="ParquetFileReader"/>.</summary>
public class RoundTripTests
{
    public static TheoryData<CompressionCodec, int> Codecs() => new()
    {
        { CompressionCodec.Uncompressed, 0 },
        { CompressionCodec.Uncompressed, 3 },
        { CompressionCodec.Snappy, 0 },
        { CompressionCodec.Snappy, 3 },
        { CompressionCodec.Gzip, 0 },
        { CompressionCodec.Gzip, 4 },
    };

    [Theory]
    [MemberData(nameof(Codecs))]
    public void AllTypes_RoundTrip(CompressionCodec codec, int nullEvery)
    {
        byte[] file = Write(new ParquetWriteOptions { Compression = codec }, (0, 1000, nullEvery));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        Assert.Equal(BatchFactory.AllTypes, reader.Schema);
        Assert.Equal(1, reader.RowGroupCount);
        Assert.Equal(ParquetFileWriter.CreatedBy, reader.Metadata.CreatedBy);
        Assert.StartsWith("Dsl ", reader.Metadata.CreatedBy, StringComparison.Ordinal);
        AssertRows(reader, 1000, nullEvery);
        Assert.All(reader.Footer.RowGroups[0].Columns, c => Assert.Equal(codec, c.MetaData!.Codec));
    }

    [Fact]
    public void ManyRowGroups_SplitAcrossBatches()
    {
        // 3 batches of 350 rows into row groups of 100: batches straddle row group boundaries.
        byte[] file = Write(new ParquetWriteOptions { RowGroupRows = 100 }, (0, 350, 5), (350, 350, 5), (700, 350, 5));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        Assert.Equal(11, reader.RowGroupCount);
        Assert.Equal(1050, reader.RowCount);
        Assert.Equal(1050, reader.Metadata.NumRows);
        Assert.Equal(50, reader.Metadata.RowGroups[^1].NumRows);
        AssertRows(reader, 1050, 5);
    }

    [Fact]
    public void SmallPages_ManyPagesPerChunk()
    {
        byte[] file = Write(new ParquetWriteOptions { DataPageSize = 64, Compression = CompressionCodec.Snappy }, (0, 2000, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        foreach (ColumnChunk chunk in reader.Footer.RowGroups[0].Columns)
        {
            Assert.True(CountDataPages(file, chunk.MetaData!) > 3, $"Column {chunk.MetaData!.PathInSchema[0]} should span many pages.");
        }
        AssertRows(reader, 2000, 3);
    }

    [Fact]
    public void StringColumns_ReturnTheirIndicesWhenTheBatchIsDisposed()
    {
        // The reader rents string columns' index arrays; after the batch is disposed they belong to the pool again,
        // so reading them must fail loudly rather than show another batch's indices.
        byte[] file = Write(new ParquetWriteOptions { DataPageSize = 64 }, (0, 300, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        RecordBatch batch = reader.ReadRowGroup(0);
        var strings = (StringColumn)batch["sn"];
        Assert.Equal(300, strings.Indices.Length);
        batch.Dispose();
        Assert.Throws<ObjectDisposedException>(() => strings.Indices.Length);
        strings.Dispose(); // a second dispose returns nothing twice
    }

    [Fact]
    public void EmptyFile_HasSchemaAndNoRows()
    {
        using var stream = new MemoryStream();
        using (new ParquetFileWriter(stream, BatchFactory.AllTypes, leaveOpen: true))
        {
        }
        using var reader = new ParquetFileReader(new MemoryStream(stream.ToArray()));
        Assert.Equal(BatchFactory.AllTypes, reader.Schema);
        Assert.Equal(0, reader.RowGroupCount);
        Assert.Equal(0, reader.RowCount);
        Assert.Empty(reader.ReadBatches());
    }

    [Fact]
    public void EmptyBatches_WriteNothing()
    {
        byte[] file = Write(new ParquetWriteOptions(), (0, 0, 3), (0, 10, 3), (10, 0, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        Assert.Equal(1, reader.RowGroupCount);
        AssertRows(reader, 10, 3);
    }

    [Fact]
    public void Strings_AreDictionaryEncoded()
    {
        byte[] file = Write(new ParquetWriteOptions(), (0, 500, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        ColumnMetaData meta = Chunk(reader, "s");
        Assert.Contains(ParquetEncoding.RleDictionary, meta.Encodings);
        Assert.NotNull(meta.DictionaryPageOffset);
        Assert.True(meta.DictionaryPageOffset < meta.DataPageOffset);
        using RecordBatch batch = reader.ReadRowGroup(0, ["s"]);
        Assert.Equal(50, batch.GetString("s").Dictionary.Count);
    }

    [Fact]
    public void DictionaryTooLarge_FallsBackToPlain()
    {
        var options = new ParquetWriteOptions { DictionaryPageSizeLimit = 200 };
        byte[] file = Write(options, (0, 500, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        ColumnMetaData meta = Chunk(reader, "s");
        Assert.DoesNotContain(ParquetEncoding.RleDictionary, meta.Encodings);
        Assert.Null(meta.DictionaryPageOffset);
        AssertRows(reader, 500, 3);
    }

    [Fact]
    public void DictionaryDisabled_WritesPlain()
    {
        byte[] file = Write(new ParquetWriteOptions { EnableDictionary = false }, (0, 300, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        Assert.DoesNotContain(ParquetEncoding.RleDictionary, Chunk(reader, "sn").Encodings);
        AssertRows(reader, 300, 3);
    }

    [Fact]
    public void Statistics_MinMaxAndNullCount()
    {
        var schema = new BatchSchema(
            new ColumnField("i", ColumnType.Int32, true),
            new ColumnField("d", ColumnType.Double, false),
            new ColumnField("f", ColumnType.Float, false),
            new ColumnField("s", ColumnType.String, true),
            new ColumnField("b", ColumnType.Boolean, false),
            new ColumnField("allnan", ColumnType.Double, false));
        var iv = new ValidityBitmap(4);
        iv.Set(1, false);
        var strings = new StringColumnBuilder();
        foreach (string? value in new[] { "z", null, "é", "A" })
        {
            strings.Append(value);
        }
        using var batch = new RecordBatch(schema,
        [
            PrimitiveColumn<int>.FromArray(ColumnType.Int32, [5, int.MinValue, -3, 12], iv),
            PrimitiveColumn<double>.FromArray(ColumnType.Double, [double.NaN, 0.0, 2.5, -1.5]),
            PrimitiveColumn<float>.FromArray(ColumnType.Float, [0.0f, 3f, float.NaN, 1f]),
            strings.Build(),
            PrimitiveColumn<bool>.FromArray(ColumnType.Boolean, [true, true, true, true]),
            PrimitiveColumn<double>.FromArray(ColumnType.Double, [double.NaN, double.NaN, double.NaN, double.NaN]),
        ], 4);
        using var stream = new MemoryStream();
        using (var writer = new ParquetFileWriter(stream, schema, leaveOpen: true))
        {
            writer.WriteBatch(batch);
        }
        using var reader = new ParquetFileReader(new MemoryStream(stream.ToArray()));
        Statistics i = Chunk(reader, "i").Statistics!;
        Assert.Equal(1, i.NullCount);
        Assert.Equal(-3, BinaryPrimitives.ReadInt32LittleEndian(i.MinValue));
        Assert.Equal(12, BinaryPrimitives.ReadInt32LittleEndian(i.MaxValue));
        Statistics d = Chunk(reader, "d").Statistics!;
        Assert.Equal(-1.5, BinaryPrimitives.ReadDoubleLittleEndian(d.MinValue));
        Assert.Equal(2.5, BinaryPrimitives.ReadDoubleLittleEndian(d.MaxValue));
        Assert.Equal(0, d.NullCount);
        Statistics f = Chunk(reader, "f").Statistics!;
        float fmin = BinaryPrimitives.ReadSingleLittleEndian(f.MinValue);
        Assert.True(fmin == 0 && float.IsNegative(fmin), "A zero minimum is written as -0.0.");
        Assert.Equal(3f, BinaryPrimitives.ReadSingleLittleEndian(f.MaxValue));
        Statistics s = Chunk(reader, "s").Statistics!;
        Assert.Equal("A"u8.ToArray(), s.MinValue);
        Assert.Equal("é"u8.ToArray(), s.MaxValue); // 0xC3 sorts after 'z' as an unsigned byte.
        Assert.Equal(1, s.NullCount);
        Statistics b = Chunk(reader, "b").Statistics!;
        Assert.Equal(new byte[] { 1 }, b.MinValue);
        Assert.Equal(new byte[] { 1 }, b.MaxValue);
        Statistics nan = Chunk(reader, "allnan").Statistics!;
        Assert.Null(nan.MinValue);
        Assert.Null(nan.MaxValue);
        Assert.All(reader.Footer.ColumnOrders!, o => Assert.Equal(ColumnOrder.TypeDefined, o));
    }

    [Fact]
    public void Metadata_LogicalTypesAndKeyValues()
    {
        var options = new ParquetWriteOptions();
        options.KeyValueMetadata["pipeline"] = "fraud-features";
        options.KeyValueMetadata["version"] = "3";
        byte[] file = Write(options, (0, 5, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        Assert.Equal(["pipeline", "version"], reader.Metadata.KeyValueMetadata!.Select(kv => kv.Key));
        Assert.Equal("fraud-features", reader.Metadata.KeyValueMetadata![0].Value);
        SchemaElement s = reader.Columns.Single(c => c.Name == "s").Element;
        Assert.Equal(LogicalTypeKind.String, s.LogicalType!.Kind);
        Assert.Equal(ConvertedType.Utf8, s.ConvertedType);
        SchemaElement ts = reader.Columns.Single(c => c.Name == "ts").Element;
        Assert.Equal(PhysicalType.Int64, ts.Type);
        Assert.Equal(LogicalTypeKind.Timestamp, ts.LogicalType!.Kind);
        Assert.Equal(TimeUnit.Micros, ts.LogicalType.Unit);
        Assert.False(ts.LogicalType.IsAdjustedToUtc);
        Assert.Null(ts.ConvertedType);
        SchemaElement bin = reader.Columns.Single(c => c.Name == "bin").Element;
        Assert.Null(bin.LogicalType);
        Assert.Equal(FieldRepetition.Required, bin.Repetition);
        Assert.Equal(FieldRepetition.Optional, reader.Columns.Single(c => c.Name == "binn").Element.Repetition);
    }

    [Fact]
    public void Projection_ReturnsRequestedColumnsInOrder()
    {
        byte[] file = Write(new ParquetWriteOptions(), (0, 20, 3));
        using var reader = new ParquetFileReader(new MemoryStream(file));
        using RecordBatch batch = reader.ReadRowGroup(0, ["tsn", "i32"]);
        Assert.Equal(["tsn", "i32"], batch.Schema.Fields.Select(f => f.Name));
        Assert.Equal(BatchFactory.Expected(batch.Schema[0], 4, 3), batch[0].GetValue(4));
        Assert.Throws<ArgumentException>(() => reader.ReadRowGroup(0, ["nope"]));
        Assert.Throws<ArgumentException>(() => reader.ReadRowGroup(0, ["i32", "i32"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadRowGroup(1));
    }

    [Fact]
    public void FilePath_RoundTrips()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dsl-rt-{Guid.NewGuid():N}.parquet");
        try
        {
            using (var writer = new ParquetFileWriter(path, BatchFactory.AllTypes, new ParquetWriteOptions { Compression = CompressionCodec.Gzip }))
            {
                using RecordBatch batch = BatchFactory.Create(0, 100);
                writer.WriteBatch(batch);
            }
            using var reader = new ParquetFileReader(path);
            AssertRows(reader, 100, 3);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WriteBatch_WrongSchema_Throws()
    {
        using var writer = new ParquetFileWriter(new MemoryStream(), BatchFactory.AllTypes);
        var other = new BatchSchema(new ColumnField("x", ColumnType.Int32, false));
        using var batch = new RecordBatch(other, [PrimitiveColumn<int>.FromArray(ColumnType.Int32, [1])], 1);
        Assert.Throws<ArgumentException>(() => writer.WriteBatch(batch));
    }

    [Fact]
    public void WriteBatch_NullsIntoRequiredColumn_Throws()
    {
        var required = new BatchSchema(new ColumnField("x", ColumnType.Int32, false));
        var nullable = new BatchSchema(new ColumnField("x", ColumnType.Int32, true));
        var validity = new ValidityBitmap(2);
        validity.Set(0, false);
        using var writer = new ParquetFileWriter(new MemoryStream(), required);
        using var batch = new RecordBatch(nullable, [PrimitiveColumn<int>.FromArray(ColumnType.Int32, [1, 2], validity)], 2);
        Assert.Throws<ArgumentException>(() => writer.WriteBatch(batch));
    }

    [Fact]
    public void BigStrings_RoundTripAndSkipLongStatistics()
    {
        var schema = new BatchSchema(new ColumnField("s", ColumnType.String, false));
        var builder = new StringColumnBuilder();
        builder.Append(new string('x', 10_000));
        builder.Append("short");
        using var batch = new RecordBatch(schema, [builder.Build()], 2);
        using var stream = new MemoryStream();
        using (var writer = new ParquetFileWriter(stream, schema, leaveOpen: true))
        {
            writer.WriteBatch(batch);
        }
        using var reader = new ParquetFileReader(new MemoryStream(stream.ToArray()));
        using RecordBatch back = reader.ReadRowGroup(0);
        Assert.Equal(new string('x', 10_000), back.GetString("s").GetString(0));
        Assert.Null(Chunk(reader, "s").Statistics!.MaxValue);
    }

    internal static byte[] Write(ParquetWriteOptions options, params (int First, int Rows, int NullEvery)[] batches)
    {
        using var stream = new MemoryStream();
        using (var writer = new ParquetFileWriter(stream, BatchFactory.AllTypes, options, leaveOpen: true))
        {
            foreach ((int first, int rows, int nullEvery) in batches)
            {
                using RecordBatch batch = BatchFactory.Create(first, rows, nullEvery);
                writer.WriteBatch(batch);
            }
        }
        return stream.ToArray();
    }

    internal static void AssertRows(ParquetFileReader reader, int rows, int nullEvery)
    {
        int row = 0;
        foreach (RecordBatch batch in reader.ReadBatches())
        {
            using (batch)
            {
                for (int r = 0; r < batch.RowCount; r++, row++)
                {
                    for (int c = 0; c < batch.Schema.Count; c++)
                    {
                        ColumnField field = batch.Schema[c];
                        object? expected = BatchFactory.Expected(field, row, nullEvery);
                        object? actual = batch[c].GetValue(r);
                        if (expected is float f && actual is float af && float.IsNaN(f))
                        {
                            Assert.True(float.IsNaN(af));
                        }
                        else if (expected is double d && actual is double ad && double.IsNaN(d))
                        {
                            Assert.True(double.IsNaN(ad));
                        }
                        else
                        {
                            Assert.True(Equals(expected, actual) || (expected is byte[] eb && actual is byte[] ab && eb.AsSpan().SequenceEqual(ab)),
                                $"Row {row}, column '{field.Name}': expected {expected ?? "null"}, got {actual ?? "null"}.");
                        }
                    }
                }
            }
        }
        Assert.Equal(rows, row);
    }

    private static ColumnMetaData Chunk(ParquetFileReader reader, string column) =>
        reader.Footer.RowGroups[0].Columns[reader.Columns.Single(c => c.Name == column).LeafIndex].MetaData!;

    private static int CountDataPages(byte[] file, ColumnMetaData meta)
    {
        int pages = 0;
        long pos = meta.DictionaryPageOffset ?? meta.DataPageOffset;
        long end = pos + meta.TotalCompressedSize;
        while (pos < end)
        {
            PageHeader header = PageHeader.Parse(file.AsSpan((int)pos), out int consumed);
            pos += consumed + header.CompressedPageSize;
            pages += header.Type == PageType.DataPage ? 1 : 0;
        }
        return pages;
    }
}
