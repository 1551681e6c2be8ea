using System.Buffers;
using System.Buffers.Binary;
using Dsl.Parquet.Compression;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;
using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Writing;

/// <summary>
/// One column's chunk of the current row group: rows are appended, and as soon as a page's worth is pending (about
/// <see cref="ParquetWriteOptions.DataPageSize"/> bytes, or <see cref="ParquetWriteOptions.DataPageRows"/> rows) it
/// is encoded, compressed and spooled, so a chunk holds its stored pages plus less than a page of rows, not the row
/// group's rows. <see cref="WriteChunk"/> then writes the optional dictionary page and the spooled pages (version 1
/// or 2, RLE definition levels for a nullable column). A leaf of a nested column (<see cref="SetNesting"/>) buffers
/// level entries rather than rows: repetition and definition levels of any height, pages cut at row boundaries.
/// </summary>
internal abstract class ColumnChunkBuffer
{
    private readonly PageScratch _scratch;
    private readonly PageSpool _pages = new();
    private readonly HashSet<ParquetEncoding> _encodings = [];
    private byte[] _levels = [];
    private byte[] _repetition = [];
    private long _chunkEntries;
    private long _chunkNulls;
    private long _compressed;
    private long _uncompressed;
    private bool _anyDictionaryPage;

    protected ColumnChunkBuffer(ColumnField field, ParquetWriteOptions options, PageScratch scratch)
    {
        Field = field;
        Options = options;
        _scratch = scratch;
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
        Appended(count, stored);
    }

    public ColumnField Field { get; }

    protected ParquetWriteOptions Options { get; }

    /// <summary>Rows (level entries, for a nested leaf) appended and not yet in a page.</summary>
    public int RowCount { get; private set; }

    /// <summary>Non-null values appended and not yet in a page.</summary>
    protected int ValueCount { get; private set; }

    /// <summary>About the bytes the rows not yet in a page take.</summary>
    public long PendingBytes => EstimatePendingBytes();

    /// <summary>The bytes of this chunk's finished pages, waiting for the row group to be written.</summary>
    public long SpooledBytes => _pages.Length;

    /// <summary>The bytes of the page spool's blocks, in use or kept for the next chunk.</summary>
    public long SpoolCapacity => _pages.Capacity;

    /// <summary>Gives the page spool's kept blocks back when the chunk holds no finished page.</summary>
    public void ReleaseSpool() => _pages.Release();

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
        Appended(count, values);
    }

    /// <summary>Writes the chunk (dictionary page, spooled pages, the pending rows) and returns its metadata; the buffer is then empty.</summary>
    public ColumnChunk WriteChunk(CountingSink sink)
    {
        WritePages(final: true);
        var meta = new ColumnMetaData
        {
            Type = PhysicalType,
            PathInSchema = [.. Path],
            Codec = Options.Compression,
            NumValues = _chunkEntries,
        };
        long chunkStart = sink.Position;
        _encodings.Add(ParquetEncoding.Rle);
        if (_anyDictionaryPage)
        {
            // The dictionary page goes first in the file, though it is written last: only now are its entries final.
            meta.DictionaryPageOffset = sink.Position;
            ArrayBufferWriter<byte> body = _scratch.Body;
            body.Clear();
            int entries = WriteDictionary(body);
            var header = new PageHeader
            {
                Type = PageType.DictionaryPage,
                DictionaryPageHeader = new DictionaryPageHeader { NumValues = entries, Encoding = ParquetEncoding.Plain },
            };
            (long stored, long raw) = WritePage(header, [], body.WrittenSpan, sink);
            _compressed += stored;
            _uncompressed += raw;
            _encodings.Add(ParquetEncoding.Plain);
        }
        meta.DataPageOffset = sink.Position;
        _pages.MoveTo(sink);
        meta.Encodings = [.. _encodings.Order()];
        meta.TotalCompressedSize = _compressed;
        meta.TotalUncompressedSize = _uncompressed;
        meta.Statistics = BuildStatistics();
        meta.Statistics.NullCount = _chunkNulls;
        _chunkEntries = 0;
        _chunkNulls = 0;
        _compressed = 0;
        _uncompressed = 0;
        _anyDictionaryPage = false;
        _encodings.Clear();
        ResetValues();
        return new ColumnChunk { FileOffset = chunkStart, MetaData = meta };
    }

    private void Appended(int entries, int values)
    {
        RowCount += entries;
        ValueCount += values;
        _chunkEntries += entries;
        _chunkNulls += entries - values;
        if (RowCount > Options.DataPageRows || EstimatePendingBytes() >= Options.DataPageSize)
        {
            WritePages(final: false);
        }
    }

    /// <summary>
    /// Encodes pending rows into spooled pages: every full page, and with <paramref name="final"/> the rest too. A page
    /// is full when rows remain after it; a nested leaf's page must also end where a row starts.
    /// </summary>
    private void WritePages(bool final)
    {
        int row = 0;
        int value = 0;
        while (row < RowCount)
        {
            bool dictionary = NextPageUsesDictionary();
            int pageRows = Math.Min(ChoosePageRows(row, value, dictionary), Options.DataPageRows);
            if (MaxRepetition > 0)
            {
                // A page holds whole rows: extend it to the next entry that starts a row.
                while (row + pageRows < RowCount && _repetition[row + pageRows] != 0)
                {
                    pageRows++;
                }
            }
            if (!final && row + pageRows >= RowCount)
            {
                break;
            }
            value += WriteDataPage(row, pageRows, value, dictionary);
            row += pageRows;
        }
        if (row > 0)
        {
            DiscardValues(value);
            if (MaxDefinition > 0)
            {
                _levels.AsSpan(row, RowCount - row).CopyTo(_levels);
            }
            if (MaxRepetition > 0)
            {
                _repetition.AsSpan(row, RowCount - row).CopyTo(_repetition);
            }
            RowCount -= row;
            ValueCount -= value;
        }
    }

    /// <summary>Encodes, compresses and spools one data page of pending rows; returns its non-null values.</summary>
    private int WriteDataPage(int row, int pageRows, int value, bool dictionary)
    {
        PageScratch scratch = _scratch;
        ArrayBufferWriter<byte> repetitionBuffer = scratch.Repetition;
        ArrayBufferWriter<byte> definitionBuffer = scratch.Definition;
        ArrayBufferWriter<byte> valueBuffer = scratch.Values;
        repetitionBuffer.Clear();
        definitionBuffer.Clear();
        valueBuffer.Clear();
        if (scratch.Levels.Length < pageRows)
        {
            scratch.Levels = new int[pageRows];
        }
        int[] levelScratch = scratch.Levels;
        int pageValues = pageRows;
        int rowsStarted = pageRows;
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
        ObserveValues(value, pageValues);
        ParquetEncoding encoding = EncodeValues(value, pageValues, dictionary, valueBuffer);
        _encodings.Add(encoding);
        _anyDictionaryPage |= dictionary;
        ArrayBufferWriter<byte> body = scratch.Body;
        body.Clear();
        PageHeader header;
        if (Options.DataPageVersion == 2)
        {
            // Version 2: repetition then definition levels, uncompressed and without length prefixes (the header
            // carries their lengths), in front of the (compressed) values.
            body.Write(repetitionBuffer.WrittenSpan);
            body.Write(definitionBuffer.WrittenSpan);
            header = new PageHeader
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
        }
        else
        {
            // Version 1: each level section with its 4-byte length prefix, then the values; all compressed.
            if (MaxRepetition > 0)
            {
                WriteLengthPrefixed(body, repetitionBuffer.WrittenSpan);
            }
            if (MaxDefinition > 0)
            {
                WriteLengthPrefixed(body, definitionBuffer.WrittenSpan);
            }
            body.Write(valueBuffer.WrittenSpan);
            header = new PageHeader
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
        }
        (long stored, long raw) = Options.DataPageVersion == 2
            ? WritePage(header, body.WrittenSpan, valueBuffer.WrittenSpan, sink: null)
            : WritePage(header, [], body.WrittenSpan, sink: null);
        _compressed += stored;
        _uncompressed += raw;
        return pageValues;
    }

    /// <summary>The physical type written.</summary>
    public abstract PhysicalType PhysicalType { get; }

    /// <summary>Buffers <paramref name="values"/> non-null values of rows <paramref name="start"/> .. + <paramref name="count"/>.</summary>
    protected abstract void AppendValues(Column column, int start, int count, int values);

    /// <summary>
    /// Whether the next page is dictionary-encoded. A column that outgrows its dictionary writes its remaining pages
    /// PLAIN; the pages before stay dictionary-encoded, as readers expect of a dictionary fallback.
    /// </summary>
    protected virtual bool NextPageUsesDictionary() => false;

    /// <summary>About the bytes the pending values take encoded: pages are cut only once it reaches a page's size.</summary>
    protected abstract long EstimatePendingBytes();

    /// <summary>Writes the PLAIN entries the chunk's dictionary pages refer to; returns their count.</summary>
    protected virtual int WriteDictionary(IBufferWriter<byte> output) => throw new InvalidOperationException("This column has no dictionary.");

    /// <summary>How many rows starting at <paramref name="row"/> (whose first value is <paramref name="value"/>) go in the next page.</summary>
    protected abstract int ChoosePageRows(int row, int value, bool dictionary);

    /// <summary>Encodes values <paramref name="start"/> .. + <paramref name="count"/> (PLAIN, another value encoding, or dictionary indices); returns the encoding used.</summary>
    protected abstract ParquetEncoding EncodeValues(int start, int count, bool dictionary, ArrayBufferWriter<byte> output);

    /// <summary>Adds pending values <paramref name="start"/> .. + <paramref name="count"/>, about to be paged, to the chunk's min/max.</summary>
    protected abstract void ObserveValues(int start, int count);

    /// <summary>The chunk's min/max, from what <see cref="ObserveValues"/> saw.</summary>
    protected abstract Statistics BuildStatistics();

    /// <summary>Drops the first <paramref name="count"/> pending values (now in pages), moving the rest to the front.</summary>
    protected abstract void DiscardValues(int count);

    /// <summary>Empties the value buffer and the statistics for the next chunk.</summary>
    protected abstract void ResetValues();

    /// <summary>Whether pending row <paramref name="row"/> is null.</summary>
    protected bool IsNullRow(int row) => MaxDefinition > 0 && _levels[row] != MaxDefinition;

    /// <summary>Writes <paramref name="section"/> after its 4-byte little-endian length (levels in a data page v1).</summary>
    private static void WriteLengthPrefixed(ArrayBufferWriter<byte> body, ReadOnlySpan<byte> section)
    {
        BinaryPrimitives.WriteInt32LittleEndian(body.GetSpan(4), section.Length);
        body.Advance(4);
        body.Write(section);
    }

    /// <summary>
    /// Compresses a page and writes its header and bytes to the spool (a data page) or to <paramref name="sink"/> (the
    /// dictionary page); <paramref name="levels"/> stay uncompressed in front (version 2). Returns the stored and the
    /// uncompressed bytes, headers included.
    /// </summary>
    private (long Stored, long Raw) WritePage(PageHeader header, ReadOnlySpan<byte> levels, ReadOnlySpan<byte> payload, CountingSink? sink)
    {
        ReadOnlySpan<byte> storedSpan = payload;
        if (Options.Compression != CompressionCodec.Uncompressed)
        {
            int length = PageCompression.Compress(Options.Compression, payload, ref _scratch.Compressed);
            storedSpan = _scratch.Compressed.AsSpan(0, length);
        }
        header.UncompressedPageSize = levels.Length + payload.Length;
        header.CompressedPageSize = levels.Length + storedSpan.Length;
        if (Options.WritePageChecksums)
        {
            header.Crc = unchecked((int)Crc32.Compute(levels, storedSpan));
        }
        ThriftCompactWriter thrift = _scratch.Thrift;
        thrift.Reset();
        header.Write(thrift);
        ReadOnlySpan<byte> headerBytes = thrift.WrittenSpan;
        if (sink is null)
        {
            _pages.Write(headerBytes);
            _pages.Write(levels);
            _pages.Write(storedSpan);
        }
        else
        {
            sink.Write(headerBytes);
            sink.Write(levels);
            sink.Write(storedSpan);
        }
        return (headerBytes.Length + levels.Length + storedSpan.Length, headerBytes.Length + levels.Length + payload.Length);
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
