using System.Buffers;
using System.Buffers.Binary;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Writing;

/// <summary>
/// Buffers a string or binary column as entry numbers into a per-chunk <see cref="ByteDictionaryBuilder"/> and writes
/// it dictionary-encoded (PLAIN dictionary page, RLE_DICTIONARY data pages), or PLAIN when the dictionary outgrew
/// <see cref="ParquetWriteOptions.DictionaryPageSizeLimit"/> or dictionaries are disabled.
/// </summary>
internal sealed class ByteArrayChunkBuffer : ColumnChunkBuffer
{
    private readonly ByteDictionaryBuilder _dictionary = new();
    private int[] _ids = new int[256];
    private Utf8Dictionary? _mappedSource;
    private int[] _sourceToEntry = [];
    private int _bitWidth;

    public ByteArrayChunkBuffer(ColumnField field, ParquetWriteOptions options)
        : base(field, options)
    {
        if (!options.EnableDictionary)
        {
            _dictionary.StopDeduplicating();
        }
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

    protected override bool PrepareDictionary()
    {
        bool dictionary = _dictionary.Deduplicating && _dictionary.Count > 0 && _dictionary.PlainSize <= Options.DictionaryPageSizeLimit;
        _bitWidth = dictionary ? Math.Max(1, RleBitPackedEncoder.BitWidth(_dictionary.Count - 1)) : 0;
        return dictionary;
    }

    protected override int WriteDictionary(IBufferWriter<byte> output)
    {
        for (int i = 0; i < _dictionary.Count; i++)
        {
            WritePlain(output, _dictionary[i], PrefixLength);
        }
        return _dictionary.Count;
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
                size += dictionary ? 1 + (_bitWidth >> 3) : PrefixLength + _dictionary[_ids[v]].Length;
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
            return ParquetEncoding.RleDictionary;
        }
        foreach (int id in ids)
        {
            WritePlain(output, _dictionary[id], PrefixLength);
        }
        return ParquetEncoding.Plain;
    }

    protected override Statistics BuildStatistics()
    {
        var stats = new Statistics();
        if (ValueCount == 0)
        {
            return stats;
        }
        // Every entry is used by some row of this chunk; with de-duplication off entries are rows, so scanning the
        // entries covers exactly the values either way.
        ReadOnlySpan<byte> min = _dictionary[_ids[0]];
        ReadOnlySpan<byte> max = min;
        for (int i = 0; i < _dictionary.Count; i++)
        {
            ReadOnlySpan<byte> e = _dictionary[i];
            if (e.SequenceCompareTo(min) < 0)
            {
                min = e;
            }
            if (e.SequenceCompareTo(max) > 0)
            {
                max = e;
            }
        }
        if (min.Length <= Options.MaxStatisticsValueLength && max.Length <= Options.MaxStatisticsValueLength)
        {
            stats.MinValue = min.ToArray();
            stats.MaxValue = max.ToArray();
        }
        return stats;
    }

    protected override void ResetValues()
    {
        _dictionary.Reset();
        if (!Options.EnableDictionary)
        {
            _dictionary.StopDeduplicating();
        }
        _mappedSource = null;
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
