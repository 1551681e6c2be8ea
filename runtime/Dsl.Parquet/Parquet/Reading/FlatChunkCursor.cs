using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Reading;

/// <summary>
/// Streams one flat column chunk: reads its pages from the file as they are needed (never the whole chunk), decodes
/// them in segments of about <c>segmentRows</c> rows with the decoders the whole-chunk reader uses, and hands out runs of
/// rows (<see cref="Take"/>) that a batch copies before <see cref="ReleaseConsumed"/> frees them. So a row group is
/// read batch by batch in memory proportional to the batch, whatever its size. The dictionary page is kept (stored
/// bytes) and decoded into each segment; segments of a dictionary-encoded chunk share one dictionary instance.
/// </summary>
internal sealed class FlatChunkCursor : IDisposable
{
    private const int MinHeaderWindow = 4096;

    private readonly Stream _stream;
    private readonly LeafPlan _leaf;
    private readonly ChunkLocation _location;
    private readonly CompressionCodec _codec;
    private readonly long _chunkStart;
    private readonly long _chunkLength;
    private readonly int _rows;
    private readonly int _segmentRows;
    private readonly List<(Column Column, int FirstRow, Utf8Dictionary? Dictionary)> _segments = [];
    private byte[] _window = [];
    private long _windowOffset;
    private int _windowLength;
    private long _next;
    private int _pageIndex;
    private int _rowsDecoded;
    private bool _sawData;
    private bool _sawDictionary;
    private byte[]? _dictionaryBytes;
    private ColumnChunkReader.PageRef _dictionaryPage;
    private int _dictionaryCount = -1;
    private Utf8Dictionary? _chunkDictionary;
    private int _consumed;

    public FlatChunkCursor(Stream stream, long dataStart, long dataEnd, string? createdBy, ChunkLocation location, LeafPlan leaf, ColumnChunk chunk, int rows, int segmentRows)
    {
        _stream = stream;
        _leaf = leaf;
        _location = location;
        _rows = rows;
        _segmentRows = segmentRows;
        ColumnMetaData meta = ColumnChunkReader.CheckChunk(location, leaf, chunk);
        (_chunkStart, _chunkLength) = ColumnChunkReader.ChunkRange(meta, dataStart, dataEnd, createdBy, location);
        _codec = meta.Codec;
    }

    /// <summary>Adds to <paramref name="pieces"/> the next <paramref name="count"/> rows of the column, decoding pages as needed.</summary>
    public void Take(int count, List<ColumnPiece> pieces)
    {
        Guard(() =>
        {
            while (_rowsDecoded < _consumed + count)
            {
                DecodeSegment();
            }
            int from = _consumed;
            int end = _consumed + count;
            foreach ((Column column, int first, Utf8Dictionary? dictionary) in _segments)
            {
                int segmentEnd = first + column.Length;
                if (segmentEnd <= from || first >= end)
                {
                    continue;
                }
                int start = Math.Max(from, first);
                int stop = Math.Min(end, segmentEnd);
                pieces.Add(new ColumnPiece(column, start - first, stop - start, dictionary));
            }
            _consumed = end;
        });
    }

    /// <summary>Frees the segments whose rows have all been taken (call after the batch copied them).</summary>
    public void ReleaseConsumed()
    {
        while (_segments.Count > 0 && _segments[0].FirstRow + _segments[0].Column.Length <= _consumed)
        {
            _segments[0].Column.Dispose();
            _segments.RemoveAt(0);
        }
    }

    public void Dispose()
    {
        foreach ((Column column, _, _) in _segments)
        {
            column.Dispose();
        }
        _segments.Clear();
    }

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (ParquetFormatException ex) when (ex.FilePath is null)
        {
            throw _location.Error(ex.Message, ex);
        }
        catch (Exception ex) when (ex is not ParquetFormatException and not OutOfMemoryException and not IOException and not ObjectDisposedException)
        {
            throw _location.Error($"The column chunk is corrupt: {ex.Message.TrimEnd('.')}.", ex);
        }
    }

    // Scans page headers until about segmentRows rows (or the chunk's end), keeping their bytes in the window, then
    // decodes them into one column.
    private void DecodeSegment()
    {
        Compact();
        int target = Math.Min(_segmentRows, _rows - _rowsDecoded);
        var pages = new List<ColumnChunkReader.PageRef>();
        long values = 0;
        while (values < target)
        {
            _location.Page = _pageIndex;
            if (_next >= _chunkLength)
            {
                throw _location.Error($"The column chunk ends after {_rowsDecoded + values} values but the row group has {_rows} rows.");
            }
            (PageHeader header, int consumed) = ParseHeader(_next);
            long body = _next + consumed;
            int count = ColumnChunkReader.CheckPage(header, _chunkLength - body, flat: true, _rows - _rowsDecoded - values, _rows, ref _sawData, ref _sawDictionary, _location);
            int size = header.CompressedPageSize;
            Ensure(body, size);
            if (header.Type == PageType.DictionaryPage)
            {
                _dictionaryBytes = _window.AsSpan((int)(body - _windowOffset), size).ToArray();
                _dictionaryPage = new ColumnChunkReader.PageRef(header, 0, _pageIndex);
                _dictionaryCount = header.DictionaryPageHeader!.NumValues;
            }
            else if (header.Type is PageType.DataPage or PageType.DataPageV2)
            {
                values += count;
                pages.Add(new ColumnChunkReader.PageRef(header, (int)(body - _windowOffset), _pageIndex));
            }
            _next = body + size;
            _pageIndex++;
        }

        using var levels = new LevelState(_leaf, nested: false);
        using ColumnDecoder decoder = ColumnChunkReader.CreateDecoder(_leaf, (int)values, flat: true);
        if (_dictionaryBytes is not null)
        {
            ColumnChunkReader.DecodePages(_dictionaryBytes, [_dictionaryPage], _codec, decoder, levels, _location);
        }
        ColumnChunkReader.DecodePages(new ReadOnlyMemory<byte>(_window, 0, _windowLength), pages, _codec, decoder, levels, _location);
        _location.Page = null;
        if (levels.RowCount != values)
        {
            throw _location.Error($"The column chunk's pages hold {levels.RowCount} rows where their headers claim {values}.");
        }
        Column column = decoder.Build(levels.SlotCount);
        Utf8Dictionary? dictionary = null;
        if (column is StringColumn strings)
        {
            // Segments decoded from the dictionary page alone hold equal dictionaries: let them share the first's, so
            // a batch that spans two segments keeps one dictionary.
            dictionary = _dictionaryCount >= 0 && strings.Dictionary.Count == _dictionaryCount
                ? _chunkDictionary ??= strings.Dictionary
                : strings.Dictionary;
        }
        _segments.Add((column, _rowsDecoded, dictionary));
        _rowsDecoded += (int)values;
    }

    private (PageHeader Header, int Consumed) ParseHeader(long offset)
    {
        int want = (int)Math.Min(_chunkLength - offset, MinHeaderWindow);
        while (true)
        {
            Ensure(offset, want);
            try
            {
                PageHeader header = PageHeader.Parse(_window.AsSpan((int)(offset - _windowOffset), want), out int consumed);
                return (header, consumed);
            }
            catch (Exception e) when (e is ParquetFormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                if (want >= _chunkLength - offset)
                {
                    throw _location.Error($"The page header is corrupt: {e.Message}", e);
                }
                want = (int)Math.Min(_chunkLength - offset, (long)want * 4);
            }
        }
    }

    // Drops the window's bytes before the next page (done between segments, never during one: page offsets of the
    // segment being scanned point into the window).
    private void Compact()
    {
        long drop = Math.Min(_next - _windowOffset, _windowLength);
        if (drop <= 0)
        {
            return;
        }
        _window.AsSpan((int)drop, _windowLength - (int)drop).CopyTo(_window);
        _windowLength -= (int)drop;
        _windowOffset += drop;
    }

    // Makes chunk bytes [offset, offset + length) present in the window, reading ahead to fill its capacity.
    private void Ensure(long offset, int length)
    {
        long end = offset + length;
        if (end <= _windowOffset + _windowLength)
        {
            return;
        }
        long needed = end - _windowOffset;
        if (needed > Array.MaxLength)
        {
            throw _location.Error($"A segment of the column chunk needs {needed} bytes in memory at once, more than an array can hold.");
        }
        if (needed > _window.Length)
        {
            byte[] grown = new byte[(int)Math.Min(Array.MaxLength, Math.Max(needed, Math.Max(64 << 10, (long)_window.Length * 2)))];
            _window.AsSpan(0, _windowLength).CopyTo(grown);
            _window = grown;
        }
        long readEnd = Math.Min(_chunkLength, _windowOffset + _window.Length);
        int toRead = (int)(readEnd - (_windowOffset + _windowLength));
        _stream.Seek(_chunkStart + _windowOffset + _windowLength, SeekOrigin.Begin);
        _stream.ReadExactly(_window, _windowLength, toRead);
        _windowLength += toRead;
    }
}
