using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Reading;

/// <summary>
/// Decodes BYTE_ARRAY values into a <see cref="StringColumn"/>. A dictionary page becomes the first entries of the
/// column's <see cref="Utf8Dictionary"/> and dictionary-encoded pages become indices into it; PLAIN pages (a chunk
/// written without a dictionary, or a writer's fallback after the dictionary grew too large) append their values
/// as further entries, one per value.
/// </summary>
internal sealed class ByteArrayDecoder : ColumnDecoder
{
    private readonly ColumnType _type;
    private int[]? _indices;
    private readonly ValidityBitmap? _validity;
    private byte[] _data = [];
    private int _dataLength;
    private int[] _offsets = new int[16];
    private int _entryCount;
    private int _dictionaryCount = -1;
    private readonly int _fixedLength;

    /// <param name="type">String or Binary.</param>
    /// <param name="rows">The most slots the column has.</param>
    /// <param name="nullable">Whether slots may be null.</param>
    /// <param name="fixedLength">For FIXED_LEN_BYTE_ARRAY, the length of every value (no length prefixes); else 0.</param>
    public ByteArrayDecoder(ColumnType type, int rows, bool nullable, int fixedLength = 0)
    {
        _type = type;
        _fixedLength = fixedLength;
        _indices = ArrayPool<int>.Shared.Rent(rows);
        _validity = nullable ? new ValidityBitmap(rows) : null;
    }

    /// <summary>
    /// Sizes the entry buffers once for the chunk's PLAIN and dictionary pages (at most <paramref name="values"/>
    /// entries in at most <paramref name="bytes"/> bytes, from the page headers), instead of growing them page by
    /// page. An underestimate only means growing later.
    /// </summary>
    public override void Reserve(long values, long bytes)
    {
        if (_fixedLength > 0)
        {
            return;
        }
        // Every PLAIN value takes at least its 4-byte length prefix, so the bytes bound the entries too.
        long entries = Math.Min(values, (bytes / 4) + 1);
        EnsureOffsets(entries + 1);
        EnsureData(bytes);
    }

    public override void ReadDictionary(ReadOnlySpan<byte> data, int count)
    {
        if (count < 0 || count > data.Length / MinValueBytes)
        {
            throw new ParquetFormatException($"The dictionary page claims {count} entries but {data.Length} bytes hold at most {data.Length / MinValueBytes}.");
        }
        AppendPlain(data, count, default);
        _dictionaryCount = count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void ReadPage(ParquetEncoding encoding, ReadOnlySpan<byte> values, ReadOnlySpan<int> definitionLevels, int nonNullCount, int rowOffset, int rowCount)
    {
        bool dense = nonNullCount == rowCount;
        Span<int> destination = _indices!.AsSpan(rowOffset, rowCount);
        if (!dense && encoding == ParquetEncoding.Plain && _fixedLength == 0)
        {
            ReadPlainWithNulls(values, definitionLevels, nonNullCount, rowOffset, destination);
            return;
        }
        int[]? scratch = dense ? null : ArrayPool<int>.Shared.Rent(Math.Max(nonNullCount, 1));
        try
        {
            Span<int> target = dense ? destination : scratch.AsSpan(0, nonNullCount);
            switch (encoding)
            {
                case ParquetEncoding.Plain:
                    CheckPlainCount(values, nonNullCount);
                    AppendPlain(values, nonNullCount, target);
                    break;
                case ParquetEncoding.PlainDictionary:
                case ParquetEncoding.RleDictionary:
                    if (_dictionaryCount < 0)
                    {
                        throw new ParquetFormatException("A data page is dictionary-encoded but the column chunk has no dictionary page before it.");
                    }
                    ReadIndices(values, target, _dictionaryCount);
                    break;
                case ParquetEncoding.DeltaLengthByteArray:
                    AppendDeltaLength(values, nonNullCount, target);
                    break;
                case ParquetEncoding.DeltaByteArray:
                    AppendDeltaByteArray(values, nonNullCount, target);
                    break;
                case ParquetEncoding.ByteStreamSplit when _fixedLength > 0:
                    AppendByteStreamSplit(values, nonNullCount, target);
                    break;
                default:
                    throw UnsupportedEncoding(encoding, _fixedLength > 0
                        ? "PLAIN, BYTE_STREAM_SPLIT, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and dictionary encodings"
                        : "PLAIN, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and dictionary encodings");
            }
            if (!dense)
            {
                int v = 0;
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = definitionLevels[i] != 0 ? target[v++] : 0;
                }
                ValidityScatter.ClearNulls(_validity!, rowOffset, definitionLevels);
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<int>.Shared.Return(scratch);
            }
        }
    }

    public override Column Build(int rows)
    {
        int[] indices = _indices ?? throw new InvalidOperationException("The column was already built.");
        _indices = null;
        // The buffers go to the dictionary as they are: entries were appended with increasing offsets, and every
        // dictionary index was checked against the dictionary page as it was read.
        var dictionary = new Utf8Dictionary(_data, _offsets, _entryCount);
        // Nested columns reserve a slot per level entry; only the first rows are slots.
        _validity?.Truncate(rows);
        ValidityBitmap? validity = _validity is not null && _validity.CountNulls() > 0 ? _validity : null;
        return new StringColumn(_type, dictionary, indices, rows, validity, pooled: true);
    }

    public override void Dispose()
    {
        // The rented indices go back unless a built column owns them.
        if (_indices is { } indices)
        {
            _indices = null;
            ArrayPool<int>.Shared.Return(indices);
        }
    }

    /// <summary>
    /// A PLAIN page with nulls: its values become consecutive new entries, so each row that has a value gets the next
    /// entry number directly, with no scratch copy of the entry numbers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadPlainWithNulls(ReadOnlySpan<byte> values, ReadOnlySpan<int> definitionLevels, int nonNullCount, int rowOffset, Span<int> destination)
    {
        CheckPlainCount(values, nonNullCount);
        int next = _entryCount;
        AppendPlain(values, nonNullCount, default);
        for (int i = 0; i < destination.Length; i++)
        {
            int valid = definitionLevels[i];
            destination[i] = valid != 0 ? next : 0;
            next += valid;
        }
        ValidityScatter.ClearNulls(_validity!, rowOffset, definitionLevels);
    }

    // The fewest bytes a PLAIN value occupies: its length prefix, or its fixed length.
    private int MinValueBytes => _fixedLength > 0 ? _fixedLength : 4;

    private void CheckPlainCount(ReadOnlySpan<byte> values, int count)
    {
        if (count > values.Length / MinValueBytes)
        {
            throw new ParquetFormatException($"PLAIN data for {count} byte arrays needs at least {(long)count * MinValueBytes} bytes but the page holds {values.Length}.");
        }
    }

    /// <summary>Appends <paramref name="count"/> PLAIN values as new entries; entry numbers go to <paramref name="entries"/> when given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AppendPlain(ReadOnlySpan<byte> data, int count, Span<int> entries)
    {
        if (_fixedLength > 0)
        {
            AppendFixed(data, count, entries);
            return;
        }
        // The values' bytes are at most the page's bytes, so growing once per page by that much is bounded by the input
        // (in long: two pages of a gigabyte overflow an int). Near the largest array the bound is capped and each value
        // is checked against the room left instead.
        EnsureData(Math.Min((long)_dataLength + data.Length, Array.MaxLength));
        EnsureOffsets(_entryCount + count + 1);
        ref byte source = ref MemoryMarshal.GetReference(data);
        byte[] target = _data;
        int[] offsets = _offsets;
        int dataLength = _dataLength;
        int entry = _entryCount;
        int pos = 0;
        for (int i = 0; i < count; i++)
        {
            if (data.Length - pos < 4)
            {
                throw new ParquetFormatException($"Byte array {i} of {count} is cut off: its length prefix needs 4 bytes but {data.Length - pos} remain.");
            }
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(pos, 4));
            pos += 4;
            if (length > (uint)(data.Length - pos))
            {
                throw new ParquetFormatException($"Byte array {i} of {count} claims {length} bytes but only {data.Length - pos} remain in the page.");
            }
            if (length > (uint)(target.Length - dataLength))
            {
                throw new ParquetFormatException($"The column chunk holds more than {Array.MaxLength} bytes of byte-array values, which one batch column cannot hold.");
            }
            if (length <= 16 && data.Length - pos >= 16 && target.Length - dataLength >= 16)
            {
                // Short values (the common case) move as one 16-byte load and store where both buffers have the
                // room; the bytes past the value are overwritten by the next one. A span copy per value costs more.
                Unsafe.WriteUnaligned(ref target[dataLength], Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref source, pos)));
            }
            else
            {
                data.Slice(pos, (int)length).CopyTo(target.AsSpan(dataLength));
            }
            pos += (int)length;
            dataLength += (int)length;
            if (!entries.IsEmpty)
            {
                entries[i] = entry;
            }
            offsets[++entry] = dataLength;
        }
        _dataLength = dataLength;
        _entryCount = entry;
    }

    /// <summary>BYTE_STREAM_SPLIT on FIXED_LEN_BYTE_ARRAY: reassemble the PLAIN layout, then append it as fixed-length values.</summary>
    private void AppendByteStreamSplit(ReadOnlySpan<byte> data, int count, Span<int> entries)
    {
        long bytes = (long)count * _fixedLength;
        if (bytes > data.Length)
        {
            throw new ParquetFormatException($"BYTE_STREAM_SPLIT data for {count} values of {_fixedLength} bytes needs {bytes} bytes but the page holds {data.Length}.");
        }
        byte[] plain = ArrayPool<byte>.Shared.Rent((int)Math.Max(bytes, 1));
        try
        {
            Encodings.ByteStreamSplit.Decode(data, _fixedLength, count, plain);
            AppendFixed(plain.AsSpan(0, (int)bytes), count, entries);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    private void AppendFixed(ReadOnlySpan<byte> data, int count, Span<int> entries)
    {
        int width = _fixedLength;
        EnsureData(_dataLength + ((long)count * width));
        EnsureOffsets(_entryCount + (long)count + 1);
        for (int i = 0; i < count; i++)
        {
            data.Slice(i * width, width).CopyTo(_data.AsSpan(_dataLength));
            _dataLength += width;
            if (!entries.IsEmpty)
            {
                entries[i] = _entryCount;
            }
            _offsets[++_entryCount] = _dataLength;
        }
    }

    /// <summary>DELTA_LENGTH_BYTE_ARRAY: the lengths (DELTA_BINARY_PACKED), then every value's bytes back to back.</summary>
    private void AppendDeltaLength(ReadOnlySpan<byte> data, int count, Span<int> entries)
    {
        int[] lengths = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        try
        {
            Span<int> lens = lengths.AsSpan(0, count);
            int pos = Encodings.DeltaBinaryPacked.Decode(data, lens);
            AppendConcatenated(data[pos..], lens, entries);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(lengths);
        }
    }

    /// <summary>
    /// DELTA_BYTE_ARRAY: prefix lengths (DELTA_BINARY_PACKED), then the suffixes as DELTA_LENGTH_BYTE_ARRAY; each
    /// value is the first <c>prefix</c> bytes of the value before it followed by its suffix.
    /// </summary>
    private void AppendDeltaByteArray(ReadOnlySpan<byte> data, int count, Span<int> entries)
    {
        int[] prefixArray = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        int[] suffixArray = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        try
        {
            Span<int> prefixes = prefixArray.AsSpan(0, count);
            Span<int> suffixes = suffixArray.AsSpan(0, count);
            int pos = Encodings.DeltaBinaryPacked.Decode(data, prefixes);
            pos += Encodings.DeltaBinaryPacked.Decode(data[pos..], suffixes);
            ReadOnlySpan<byte> bytes = data[pos..];
            long suffixTotal = 0;
            long total = 0;
            long previous = 0;
            for (int i = 0; i < count; i++)
            {
                int prefix = prefixes[i];
                int suffix = suffixes[i];
                if (prefix < 0 || prefix > previous)
                {
                    throw new ParquetFormatException($"Value {i} of the DELTA_BYTE_ARRAY page reuses {prefix} bytes of the value before it, which has {previous}.");
                }
                if (suffix < 0)
                {
                    throw new ParquetFormatException($"Value {i} of the DELTA_BYTE_ARRAY page has a negative suffix length ({suffix}).");
                }
                suffixTotal += suffix;
                previous = (long)prefix + suffix;
                total += previous;
            }
            if (suffixTotal > bytes.Length)
            {
                throw new ParquetFormatException($"The DELTA_BYTE_ARRAY suffixes claim {suffixTotal} bytes but the page holds {bytes.Length}.");
            }
            EnsureData(_dataLength + total);
            EnsureOffsets(_entryCount + count + 1);
            int read = 0;
            int previousStart = _dataLength;
            for (int i = 0; i < count; i++)
            {
                int start = _dataLength;
                int prefix = prefixes[i];
                _data.AsSpan(previousStart, prefix).CopyTo(_data.AsSpan(start));
                bytes.Slice(read, suffixes[i]).CopyTo(_data.AsSpan(start + prefix));
                read += suffixes[i];
                _dataLength = start + prefix + suffixes[i];
                previousStart = start;
                if (!entries.IsEmpty)
                {
                    entries[i] = _entryCount;
                }
                _offsets[++_entryCount] = _dataLength;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(prefixArray);
            ArrayPool<int>.Shared.Return(suffixArray);
        }
    }

    /// <summary>Appends values whose <paramref name="lengths"/> are given and whose bytes follow one another in <paramref name="bytes"/>.</summary>
    private void AppendConcatenated(ReadOnlySpan<byte> bytes, ReadOnlySpan<int> lengths, Span<int> entries)
    {
        long total = 0;
        foreach (int length in lengths)
        {
            if (length < 0)
            {
                throw new ParquetFormatException($"A DELTA_LENGTH_BYTE_ARRAY page holds a negative value length ({length}).");
            }
            total += length;
        }
        if (total > bytes.Length)
        {
            throw new ParquetFormatException($"The DELTA_LENGTH_BYTE_ARRAY lengths add up to {total} bytes but the page holds {bytes.Length}.");
        }
        EnsureData(_dataLength + total);
        EnsureOffsets(_entryCount + lengths.Length + 1);
        bytes[..(int)total].CopyTo(_data.AsSpan(_dataLength));
        for (int i = 0; i < lengths.Length; i++)
        {
            _dataLength += lengths[i];
            if (!entries.IsEmpty)
            {
                entries[i] = _entryCount;
            }
            _offsets[++_entryCount] = _dataLength;
        }
    }

    /// <summary>Writes 16 bytes as lower-case <c>xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx</c>, bytes in stored order.</summary>
    internal static void FormatUuid(ReadOnlySpan<byte> value, Span<byte> text)
    {
        ReadOnlySpan<byte> hex = "0123456789abcdef"u8;
        int t = 0;
        for (int i = 0; i < 16; i++)
        {
            if (i is 4 or 6 or 8 or 10)
            {
                text[t++] = (byte)'-';
            }
            text[t++] = hex[value[i] >> 4];
            text[t++] = hex[value[i] & 15];
        }
    }

    private void EnsureData(long needed)
    {
        if (needed > Array.MaxLength)
        {
            throw new ParquetFormatException($"The column chunk holds more than {Array.MaxLength} bytes of byte-array values, which one batch column cannot hold.");
        }
        if (needed > _data.Length)
        {
            // Uninitialized: every byte is written before it is read, so clearing the new buffer would be wasted work.
            byte[] grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_data.Length * 2)));
            _data.AsSpan(0, _dataLength).CopyTo(grown);
            _data = grown;
        }
    }

    private void EnsureOffsets(long needed)
    {
        if (needed > Array.MaxLength)
        {
            throw new ParquetFormatException($"The column chunk holds more than {Array.MaxLength} byte-array values, which one batch column cannot hold.");
        }
        if (needed > _offsets.Length)
        {
            int[] grown = GC.AllocateUninitializedArray<int>((int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_offsets.Length * 2)));
            _offsets.AsSpan(0, _entryCount + 1).CopyTo(grown);
            _offsets = grown;
        }
    }
}
