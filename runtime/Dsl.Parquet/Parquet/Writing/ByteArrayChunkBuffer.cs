using System.Buffers;
using System.Buffers.Binary;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Writing;

/// <summary>
/// Buffers a string or binary column as entry numbers into a per-chunk <see cref="ByteDictionaryBuilder"/> and writes
/// it dictionary-encoded (PLAIN dictionary page, RLE_DICTIONARY data pages). Once the dictionary outgrows
/// <see cref="ParquetWriteOptions.DictionaryPageSizeLimit"/> the remaining pages are PLAIN (the pages already written
/// keep the dictionary); with dictionaries disabled every page is PLAIN.
/// </summary>
internal sealed class ByteArrayChunkBuffer : ColumnChunkBuffer
{
    private readonly ByteDictionaryBuilder _dictionary = new();
    private int[] _ids = new int[256];
    private Utf8Dictionary? _mappedSource;
    private int[] _sourceToEntry = [];
    private int _bitWidth;

    // Entries from _rawStart on are row storage of PLAIN pages (no de-duplication); before it, dictionary entries.
    private int _rawStart;
    // The dictionary entries the chunk's dictionary-encoded pages refer to: the dictionary page's entries.
    private int _dictionaryEntries;
    private bool _plainPageWritten;
    // Dictionary entries already folded into the chunk's min/max.
    private int _observedEntries;
    private byte[]? _min;
    private byte[]? _max;

    public ByteArrayChunkBuffer(ColumnField field, ParquetWriteOptions options, PageScratch scratch)
        : base(field, options, scratch)
    {
        ResetValues();
    }

    public override PhysicalType PhysicalType => Field.FixedLength > 0 ? PhysicalType.FixedLenByteArray : PhysicalType.ByteArray;

    protected override void AppendValues(Column column, int start, int count, int values)
    {
        var strings = (StringColumn)column;
        Utf8Dictionary source = strings.Dictionary;
        if (!ReferenceEquals(source, _mappedSource))
        {
            // Map each source entry to a chunk entry at most once per batch dictionary, not once per row.
            _mappedSource = source;
            if (_sourceToEntry.Length < source.Count)
            {
                _sourceToEntry = new int[source.Count];
            }
            _sourceToEntry.AsSpan(0, source.Count).Fill(-1);
        }
        if (ValueCount + values > _ids.Length)
        {
            Array.Resize(ref _ids, (int)Math.Min(Array.MaxLength, Math.Max(ValueCount + values, (long)_ids.Length * 2)));
        }
        ReadOnlySpan<int> indices = strings.Indices.Slice(start, count);
        Span<int> target = _ids.AsSpan(ValueCount, values);
        ValidityBitmap? validity = column.Validity;
        int v = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            if (validity is not null && !validity.IsValid(start + i))
            {
                continue;
            }
            int sourceIndex = indices[i];
            if (Field.FixedLength > 0 && source.GetBytes(sourceIndex).Length != Field.FixedLength)
            {
                throw new ArgumentException($"Row {start + i} of column '{Field.Name}' holds {source.GetBytes(sourceIndex).Length} bytes but the column is fixed at {Field.FixedLength}.", nameof(column));
            }
            int entry;
            if (_dictionary.Deduplicating)
            {
                entry = _sourceToEntry[sourceIndex];
                if (entry < 0)
                {
                    entry = _dictionary.GetOrAdd(source.GetBytes(sourceIndex));
                    _sourceToEntry[sourceIndex] = entry;
                    if (_dictionary.PlainSize > Options.DictionaryPageSizeLimit)
                    {
                        _dictionary.StopDeduplicating();
                        _rawStart = _dictionary.Count;
                    }
                }
            }
            else
            {
                entry = _dictionary.GetOrAdd(source.GetBytes(sourceIndex));
            }
            target[v++] = entry;
        }
    }

    protected override bool NextPageUsesDictionary()
    {
        // A chunk never goes back from PLAIN to the dictionary: readers may take a PLAIN page as the fallback.
        bool dictionary = _dictionary.Deduplicating && _dictionary.Count > 0 && !_plainPageWritten;
        _bitWidth = dictionary ? Math.Max(1, RleBitPackedEncoder.BitWidth(_dictionary.Count - 1)) : 0;
        return dictionary;
    }

    // A dictionary-encoded page is cut at DataPageSize bytes of pending entry numbers (4 bytes a value), which is what
    // the rows take while they wait; their encoded indices are smaller.
    protected override long EstimatePendingBytes() =>
        _dictionary.Deduplicating && !_plainPageWritten
            ? (long)ValueCount * sizeof(int)
            : ((long)ValueCount * PrefixLength) + _dictionary.BytesFrom(_rawStart);

    protected override int WriteDictionary(IBufferWriter<byte> output)
    {
        for (int i = 0; i < _dictionaryEntries; i++)
        {
            WritePlain(output, _dictionary[i], PrefixLength);
        }
        return _dictionaryEntries;
    }

    protected override int ChoosePageRows(int row, int value, bool dictionary)
    {
        long budget = Options.DataPageSize;
        long size = 0;
        int r = row;
        int v = value;
        while (r < RowCount)
        {
            if (!IsNullRow(r))
            {
                size += dictionary ? sizeof(int) : PrefixLength + _dictionary[_ids[v]].Length;
                v++;
            }
            r++;
            if (size >= budget)
            {
                break;
            }
        }
        return Math.Max(1, r - row);
    }

    protected override ParquetEncoding EncodeValues(int start, int count, bool dictionary, ArrayBufferWriter<byte> output)
    {
        ReadOnlySpan<int> ids = _ids.AsSpan(start, count);
        if (dictionary)
        {
            output.GetSpan(1)[0] = (byte)_bitWidth;
            output.Advance(1);
            RleBitPackedEncoder.Encode(ids, _bitWidth, output);
            _dictionaryEntries = _dictionary.Count;
            return ParquetEncoding.RleDictionary;
        }
        _plainPageWritten = true;
        foreach (int id in ids)
        {
            WritePlain(output, _dictionary[id], PrefixLength);
        }
        return ParquetEncoding.Plain;
    }

    protected override void ObserveValues(int start, int count)
    {
        // Every dictionary entry is used by some row of this chunk, so folding in new entries covers their rows; row
        // storage entries are folded in value by value.
        int dictionaryCount = Math.Min(_dictionary.Count, _rawStart);
        for (; _observedEntries < dictionaryCount; _observedEntries++)
        {
            Observe(_dictionary[_observedEntries]);
        }
        foreach (int id in _ids.AsSpan(start, count))
        {
            if (id >= _rawStart)
            {
                Observe(_dictionary[id]);
            }
        }
    }

    protected override Statistics BuildStatistics()
    {
        var stats = new Statistics();
        if (_min is not null && _max is not null && _min.Length <= Options.MaxStatisticsValueLength && _max.Length <= Options.MaxStatisticsValueLength)
        {
            stats.MinValue = _min;
            stats.MaxValue = _max;
        }
        return stats;
    }

    protected override void DiscardValues(int count)
    {
        // Row storage of the values now in pages is dropped, so a PLAIN column holds about a page, not a row group.
        int rawWritten = 0;
        if (!_dictionary.Deduplicating)
        {
            foreach (int id in _ids.AsSpan(0, count))
            {
                rawWritten += id >= _rawStart ? 1 : 0;
            }
        }
        Span<int> pending = _ids.AsSpan(0, ValueCount - count);
        _ids.AsSpan(count, ValueCount - count).CopyTo(pending);
        if (rawWritten > 0)
        {
            // Row storage entries are added in row order, so the written ones are the first after _rawStart.
            _dictionary.RemoveRange(_rawStart, rawWritten);
            for (int i = 0; i < pending.Length; i++)
            {
                if (pending[i] >= _rawStart)
                {
                    pending[i] -= rawWritten;
                }
            }
        }
    }

    protected override void ResetValues()
    {
        _dictionary.Reset();
        _rawStart = int.MaxValue;
        if (!Options.EnableDictionary)
        {
            _dictionary.StopDeduplicating();
            _rawStart = 0;
        }
        _mappedSource = null;
        _dictionaryEntries = 0;
        _plainPageWritten = false;
        _observedEntries = 0;
        _min = null;
        _max = null;
    }

    private void Observe(ReadOnlySpan<byte> value)
    {
        if (_min is null || value.SequenceCompareTo(_min) < 0)
        {
            _min = value.ToArray();
        }
        if (_max is null || value.SequenceCompareTo(_max) > 0)
        {
            _max = value.ToArray();
        }
    }

    // FIXED_LEN_BYTE_ARRAY values are PLAIN-encoded without a length prefix.
    private int PrefixLength => Field.FixedLength > 0 ? 0 : 4;

    private static void WritePlain(IBufferWriter<byte> output, ReadOnlySpan<byte> value, int prefixLength)
    {
        Span<byte> span = output.GetSpan(Math.Max(prefixLength + value.Length, 1));
        if (prefixLength > 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span, value.Length);
        }
        value.CopyTo(span[prefixLength..]);
        output.Advance(prefixLength + value.Length);
    }
}
