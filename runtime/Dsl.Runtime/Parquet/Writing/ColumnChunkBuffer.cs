using System.Buffers;
using System.Buffers.Binary;
using Dsl.Parquet.Compression;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;
using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Writing;

/// <summary>
/// Buffers one column's rows for the current row group and writes them as a column chunk: an optional dictionary
/// page, then version 1 or 2 data pages of about <see cref="ParquetWriteOptions.DataPageSize"/> bytes, each with
/// RLE definition levels for a nullable column. A leaf of a nested column (<see cref="SetNesting"/>) buffers level
/// entries rather than rows: repetition and definition levels of any height, pages cut at row boundaries.
/// </summary>
internal abstract class ColumnChunkBuffer
{
    private byte[] _levels = [];
    private byte[] _repetition = [];

    protected ColumnChunkBuffer(ColumnField field, ParquetWriteOptions options)
    {
        Field = field;
        Options = options;
        MaxDefinition = field.Nullable ? 1 : 0;
        Path = [field.Name];
    }

    /// <summary>The highest definition level: 1 for a nullable flat column, 0 for a required one.</summary>
    public int MaxDefinition { get; private set; }

    /// <summary>The highest repetition level: 0 for a flat column.</summary>
    public int MaxRepetition { get; private set; }

    /// <summary>The leaf's path in the schema.</summary>
    public string[] Path { get; private set; }

    /// <summary>Makes this buffer the leaf of a nested column: entries then come through <see cref="AppendLevels"/>.</summary>
    public void SetNesting(string[] path, int maxRepetition, int maxDefinition)
    {
        Path = path;
        MaxRepetition = maxRepetition;
        MaxDefinition = maxDefinition;
    }

    /// <summary>
    /// Buffers level entries of a nested leaf: <paramref name="values"/> holds one row per entry, valid exactly where
    /// the definition level is the maximum.
    /// </summary>
    public void AppendLevels(Column values, ReadOnlySpan<int> repetition, ReadOnlySpan<int> definition)
    {
        int count = definition.Length;
        EnsureLevels(RowCount + count);
        Span<byte> defs = _levels.AsSpan(RowCount, count);
        Span<byte> reps = MaxRepetition > 0 ? _repetition.AsSpan(RowCount, count) : default;
        int stored = 0;
        for (int i = 0; i < count; i++)
        {
            defs[i] = (byte)definition[i];
            stored += definition[i] == MaxDefinition ? 1 : 0;
        }
        for (int i = 0; i < reps.Length; i++)
        {
            reps[i] = (byte)repetition[i];
        }
        AppendValues(values, 0, count, stored);
        RowCount += count;
        ValueCount += stored;
    }

    public ColumnField Field { get; }

    protected ParquetWriteOptions Options { get; }

    /// <summary>Rows buffered.</summary>
    public int RowCount { get; private set; }

    /// <summary>Non-null values buffered.</summary>
    protected int ValueCount { get; private set; }

    /// <summary>Nulls buffered.</summary>
    protected int NullCount => RowCount - ValueCount;

    /// <summary>Buffers rows <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> of <paramref name="column"/>.</summary>
    public void Append(Column column, int start, int count)
    {
        int values = count;
        if (MaxDefinition > 0)
        {
            EnsureLevels(RowCount + count);
            Span<byte> levels = _levels.AsSpan(RowCount, count);
            if (column.Validity is { } validity)
            {
                values = 0;
                for (int i = 0; i < count; i++)
                {
                    bool valid = validity.IsValid(start + i);
                    levels[i] = valid ? (byte)1 : (byte)0;
                    values += valid ? 1 : 0;
                }
            }
            else
            {
                levels.Fill(1);
            }
        }
        AppendValues(column, start, count, values);
        RowCount += count;
        ValueCount += values;
    }

    /// <summary>Writes the buffered rows as a column chunk and returns its metadata; the buffer is then empty.</summary>
    public ColumnChunk WriteChunk(CountingSink sink, ThriftCompactWriter thrift)
    {
        var meta = new ColumnMetaData
        {
            Type = PhysicalType,
            PathInSchema = [.. Path],
            Codec = Options.Compression,
            NumValues = RowCount,
        };
        long chunkStart = sink.Position;
        long compressed = 0;
        long uncompressed = 0;
        var body = new ArrayBufferWriter<byte>(4096);
        bool dictionary = PrepareDictionary();
        if (dictionary)
        {
            meta.DictionaryPageOffset = sink.Position;
            int entries = WriteDictionary(body);
            var header = new PageHeader
            {
                Type = PageType.DictionaryPage,
                DictionaryPageHeader = new DictionaryPageHeader { NumValues = entries, Encoding = ParquetEncoding.Plain },
            };
            WritePage(sink, thrift, header, body.WrittenSpan, ref compressed, ref uncompressed);
            meta.Encodings = [ParquetEncoding.Plain, ParquetEncoding.Rle, ParquetEncoding.RleDictionary];
        }
        else
        {
            meta.Encodings = [ParquetEncoding.Plain, ParquetEncoding.Rle];
        }
        meta.DataPageOffset = sink.Position;
        var encodings = new HashSet<ParquetEncoding>(meta.Encodings);
        var repetitionBuffer = new ArrayBufferWriter<byte>(256);
        var definitionBuffer = new ArrayBufferWriter<byte>(256);
        var valueBuffer = new ArrayBufferWriter<byte>(4096);
        int row = 0;
        int value = 0;
        int[] levelScratch = [];
        while (row < RowCount)
        {
            int pageRows = ChoosePageRows(row, value, dictionary);
            if (MaxRepetition > 0)
            {
                // A page holds whole rows: extend it to the next entry that starts a row.
                while (row + pageRows < RowCount && _repetition[row + pageRows] != 0)
                {
                    pageRows++;
                }
            }
            int pageValues = pageRows;
            int rowsStarted = pageRows;
            repetitionBuffer.Clear();
            definitionBuffer.Clear();
            valueBuffer.Clear();
            if (levelScratch.Length < pageRows)
            {
                levelScratch = new int[pageRows];
            }
            if (MaxRepetition > 0)
            {
                ReadOnlySpan<byte> reps = _repetition.AsSpan(row, pageRows);
                rowsStarted = 0;
                for (int i = 0; i < reps.Length; i++)
                {
                    levelScratch[i] = reps[i];
                    rowsStarted += reps[i] == 0 ? 1 : 0;
                }
                RleBitPackedEncoder.Encode(levelScratch.AsSpan(0, pageRows), RleBitPackedEncoder.BitWidth(MaxRepetition), repetitionBuffer);
            }
            if (MaxDefinition > 0)
            {
                ReadOnlySpan<byte> levels = _levels.AsSpan(row, pageRows);
                pageValues = 0;
                for (int i = 0; i < levels.Length; i++)
                {
                    levelScratch[i] = levels[i];
                    pageValues += levels[i] == MaxDefinition ? 1 : 0;
                }
                RleBitPackedEncoder.Encode(levelScratch.AsSpan(0, pageRows), RleBitPackedEncoder.BitWidth(MaxDefinition), definitionBuffer);
            }
            ParquetEncoding encoding = EncodeValues(value, pageValues, dictionary, valueBuffer);
            encodings.Add(encoding);
            if (Options.DataPageVersion == 2)
            {
                // Version 2: repetition then definition levels, uncompressed and without length prefixes (the
                // header carries their lengths), in front of the values.
                body.Clear();
                body.Write(repetitionBuffer.WrittenSpan);
                body.Write(definitionBuffer.WrittenSpan);
                var header = new PageHeader
                {
                    Type = PageType.DataPageV2,
                    DataPageHeaderV2 = new DataPageHeaderV2
                    {
                        NumValues = pageRows,
                        NumNulls = pageRows - pageValues,
                        NumRows = rowsStarted,
                        Encoding = encoding,
                        DefinitionLevelsByteLength = definitionBuffer.WrittenCount,
                        RepetitionLevelsByteLength = repetitionBuffer.WrittenCount,
                        IsCompressed = Options.Compression != CompressionCodec.Uncompressed,
                    },
                };
                WritePageV2(sink, thrift, header, body.WrittenSpan, valueBuffer.WrittenSpan, ref compressed, ref uncompressed);
            }
            else
            {
                // Version 1: each level section with its 4-byte length prefix, then the values; all compressed.
                body.Clear();
                if (MaxRepetition > 0)
                {
                    WriteLengthPrefixed(body, repetitionBuffer.WrittenSpan);
                }
                if (MaxDefinition > 0)
                {
                    WriteLengthPrefixed(body, definitionBuffer.WrittenSpan);
                }
                body.Write(valueBuffer.WrittenSpan);
                var header = new PageHeader
                {
                    Type = PageType.DataPage,
                    DataPageHeader = new DataPageHeader
                    {
                        NumValues = pageRows,
                        Encoding = encoding,
                        DefinitionLevelEncoding = ParquetEncoding.Rle,
                        RepetitionLevelEncoding = ParquetEncoding.Rle,
                    },
                };
                WritePage(sink, thrift, header, body.WrittenSpan, ref compressed, ref uncompressed);
            }
            row += pageRows;
            value += pageValues;
        }
        meta.Encodings = [.. encodings];
        meta.TotalCompressedSize = compressed;
        meta.TotalUncompressedSize = uncompressed;
        meta.Statistics = BuildStatistics();
        meta.Statistics.NullCount = NullCount;
        Reset();
        return new ColumnChunk { FileOffset = chunkStart, MetaData = meta };
    }

    /// <summary>The physical type written.</summary>
    public abstract PhysicalType PhysicalType { get; }

    /// <summary>Buffers <paramref name="values"/> non-null values of rows <paramref name="start"/> .. + <paramref name="count"/>.</summary>
    protected abstract void AppendValues(Column column, int start, int count, int values);

    /// <summary>Decides whether the chunk is dictionary-encoded.</summary>
    protected virtual bool PrepareDictionary() => false;

    /// <summary>Writes the PLAIN dictionary entries; returns their count.</summary>
    protected virtual int WriteDictionary(IBufferWriter<byte> output) => throw new InvalidOperationException("This column has no dictionary.");

    /// <summary>How many rows starting at <paramref name="row"/> (whose first value is <paramref name="value"/>) go in the next page.</summary>
    protected abstract int ChoosePageRows(int row, int value, bool dictionary);

    /// <summary>Encodes values <paramref name="start"/> .. + <paramref name="count"/> (PLAIN, another value encoding, or dictionary indices); returns the encoding used.</summary>
    protected abstract ParquetEncoding EncodeValues(int start, int count, bool dictionary, ArrayBufferWriter<byte> output);

    /// <summary>Min/max over the buffered values.</summary>
    protected abstract Statistics BuildStatistics();

    /// <summary>Empties the value buffer.</summary>
    protected abstract void ResetValues();

    /// <summary>Whether row <paramref name="row"/> is null.</summary>
    protected bool IsNullRow(int row) => MaxDefinition > 0 && _levels[row] != MaxDefinition;

    /// <summary>Writes <paramref name="section"/> after its 4-byte little-endian length (levels in a data page v1).</summary>
    private static void WriteLengthPrefixed(ArrayBufferWriter<byte> body, ReadOnlySpan<byte> section)
    {
        BinaryPrimitives.WriteInt32LittleEndian(body.GetSpan(4), section.Length);
        body.Advance(4);
        body.Write(section);
    }

    private void Reset()
    {
        RowCount = 0;
        ValueCount = 0;
        ResetValues();
    }

    private void WritePage(CountingSink sink, ThriftCompactWriter thrift, PageHeader header, ReadOnlySpan<byte> body, ref long compressed, ref long uncompressed)
    {
        byte[] stored = Options.Compression == CompressionCodec.Uncompressed ? [] : PageCompression.Compress(Options.Compression, body);
        ReadOnlySpan<byte> storedSpan = Options.Compression == CompressionCodec.Uncompressed ? body : stored;
        header.UncompressedPageSize = body.Length;
        header.CompressedPageSize = storedSpan.Length;
        if (Options.WritePageChecksums)
        {
            header.Crc = unchecked((int)Crc32.Compute(storedSpan));
        }
        thrift.Reset();
        header.Write(thrift);
        ReadOnlySpan<byte> headerBytes = thrift.WrittenSpan;
        sink.Write(headerBytes);
        sink.Write(storedSpan);
        compressed += headerBytes.Length + storedSpan.Length;
        uncompressed += headerBytes.Length + body.Length;
    }

    /// <summary>A version 2 data page: the levels stay uncompressed in front of the (compressed) values.</summary>
    private void WritePageV2(CountingSink sink, ThriftCompactWriter thrift, PageHeader header, ReadOnlySpan<byte> levels, ReadOnlySpan<byte> values, ref long compressed, ref long uncompressed)
    {
        byte[] storedValues = Options.Compression == CompressionCodec.Uncompressed ? [] : PageCompression.Compress(Options.Compression, values);
        ReadOnlySpan<byte> storedSpan = Options.Compression == CompressionCodec.Uncompressed ? values : storedValues;
        header.UncompressedPageSize = levels.Length + values.Length;
        header.CompressedPageSize = levels.Length + storedSpan.Length;
        if (Options.WritePageChecksums)
        {
            header.Crc = unchecked((int)Crc32.Compute(levels, storedSpan));
        }
        thrift.Reset();
        header.Write(thrift);
        ReadOnlySpan<byte> headerBytes = thrift.WrittenSpan;
        sink.Write(headerBytes);
        sink.Write(levels);
        sink.Write(storedSpan);
        compressed += headerBytes.Length + levels.Length + storedSpan.Length;
        uncompressed += headerBytes.Length + levels.Length + values.Length;
    }

    private void EnsureLevels(int rows)
    {
        if (rows > _levels.Length)
        {
            Array.Resize(ref _levels, Math.Max(rows, Math.Min(Array.MaxLength, _levels.Length * 2)));
        }
        if (MaxRepetition > 0 && _repetition.Length < _levels.Length)
        {
            Array.Resize(ref _repetition, _levels.Length);
        }
    }
}
