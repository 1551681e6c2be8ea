using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Dsl.Parquet.Encodings;

/// <summary>
/// Decodes the RLE/bit-packed hybrid encoding (definition levels, dictionary indices, RLE booleans) from a span.
/// Run lengths are trusted only as far as the bytes behind them go: a run that claims more values than the data
/// holds, or data that ends before the requested values, fails with <see cref="ParquetFormatException"/>.
/// </summary>
internal ref struct RleBitPackedDecoder
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _bitWidth;
    private readonly int _valueBytes;
    private readonly ulong _mask;
    private int _position;
    private int _rleRemaining;
    private int _rleValue;
    private int _packedRemaining;
    private long _packedBit;

    public RleBitPackedDecoder(ReadOnlySpan<byte> data, int bitWidth)
    {
        if ((uint)bitWidth > 32)
        {
            throw new ParquetFormatException($"An RLE/bit-packed run has bit width {bitWidth}; widths from 0 to 32 are valid.");
        }
        _data = data;
        _bitWidth = bitWidth;
        _valueBytes = (bitWidth + 7) >> 3;
        _mask = bitWidth == 64 ? ulong.MaxValue : (1UL << bitWidth) - 1;
        _position = 0;
        _rleRemaining = 0;
        _rleValue = 0;
        _packedRemaining = 0;
        _packedBit = 0;
    }

    /// <summary>Bytes consumed by the runs read so far.</summary>
    public readonly int Position => _position;

    /// <summary>Fills <paramref name="destination"/> with the next values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Read(Span<int> destination)
    {
        int i = 0;
        while (i < destination.Length)
        {
            if (_rleRemaining > 0)
            {
                int n = Math.Min(_rleRemaining, destination.Length - i);
                destination.Slice(i, n).Fill(_rleValue);
                _rleRemaining -= n;
                i += n;
            }
            else if (_packedRemaining > 0)
            {
                int n = Math.Min(_packedRemaining, destination.Length - i);
                Unpack(destination.Slice(i, n));
                _packedRemaining -= n;
                i += n;
            }
            else
            {
                ReadRunHeader(destination.Length - i);
            }
        }
    }

    private void ReadRunHeader(int wanted)
    {
        if (_position >= _data.Length)
        {
            throw new ParquetFormatException($"The RLE/bit-packed data ended after {_position} bytes while {wanted} more values were expected.");
        }
        uint header = ReadVarint();
        if ((header & 1) == 0)
        {
            uint count = header >> 1;
            if (_valueBytes > _data.Length - _position)
            {
                throw new ParquetFormatException($"An RLE run at byte {_position} needs a {_valueBytes}-byte value but the data ends there.");
            }
            int value = 0;
            for (int b = 0; b < _valueBytes; b++)
            {
                value |= _data[_position + b] << (8 * b);
            }
            _position += _valueBytes;
            if (_bitWidth < 32 && (uint)value > (uint)_mask)
            {
                throw new ParquetFormatException($"An RLE run holds value {value}, which does not fit its bit width {_bitWidth}.");
            }
            _rleValue = value;
            _rleRemaining = (int)Math.Min(count, int.MaxValue);
        }
        else
        {
            long groups = header >> 1;
            long values = groups * 8;
            long bytes = groups * _bitWidth;
            int available = (int)Math.Min(bytes, _data.Length - _position);
            _packedBit = (long)_position * 8;
            _position += available;
            // A final run may be cut short by writers that omit the padding of its last group: only the values whose
            // bits are actually present are readable.
            long present = _bitWidth == 0 ? values : Math.Min(values, (long)available * 8 / _bitWidth);
            _packedRemaining = (int)Math.Min(present, int.MaxValue);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Unpack(Span<int> destination)
    {
        int width = _bitWidth;
        if (width == 0)
        {
            destination.Clear();
            return;
        }
        ReadOnlySpan<byte> data = _data;
        long bit = _packedBit;
        ulong mask = _mask;
        int i = 0;
        if (width == 1)
        {
            // Definition levels of a flat optional column: once byte-aligned, each byte is eight levels.
            for (; i < destination.Length && (bit & 7) != 0; i++, bit++)
            {
                destination[i] = (data[(int)(bit >> 3)] >> (int)(bit & 7)) & 1;
            }
            int bytes = Math.Max(0, Math.Min((destination.Length - i) >> 3, data.Length - (int)(bit >> 3)));
            ReadOnlySpan<byte> packed = data.Slice((int)(bit >> 3), bytes);
            Span<int> target = destination.Slice(i, bytes * 8);
            for (int b = 0; b < packed.Length; b++)
            {
                int v = packed[b];
                Span<int> eight = target.Slice(b * 8, 8);
                eight[7] = v >> 7;
                eight[6] = (v >> 6) & 1;
                eight[5] = (v >> 5) & 1;
                eight[4] = (v >> 4) & 1;
                eight[3] = (v >> 3) & 1;
                eight[2] = (v >> 2) & 1;
                eight[1] = (v >> 1) & 1;
                eight[0] = v & 1;
            }
            i += bytes * 8;
            bit += bytes * 8L;
        }
        for (; i < destination.Length; i++)
        {
            int byteIndex = (int)(bit >> 3);
            int shift = (int)(bit & 7);
            ulong word;
            if (byteIndex + 8 <= data.Length)
            {
                word = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(byteIndex, 8));
            }
            else
            {
                word = 0;
                for (int b = 0; byteIndex + b < data.Length && b < 8; b++)
                {
                    word |= (ulong)data[byteIndex + b] << (8 * b);
                }
            }
            destination[i] = (int)((word >> shift) & mask);
            bit += width;
        }
        _packedBit = bit;
    }

    private uint ReadVarint()
    {
        uint result = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new ParquetFormatException($"An RLE/bit-packed run header is cut off at byte {_position}.");
            }
            byte b = _data[_position++];
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new ParquetFormatException($"An RLE/bit-packed run header at byte {_position} is longer than 5 bytes.");
    }
}
