using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dsl.Parquet.Encodings;

/// <summary>
/// The DELTA_BINARY_PACKED encoding of INT32 and INT64 values: a header (block size, miniblocks per block, value
/// count, first value), then blocks of a zigzag minimum delta, one bit-width byte per miniblock and the miniblocks'
/// bit-packed deltas above that minimum. Arithmetic wraps in the value's width, as the spec requires.
/// </summary>
internal static class DeltaBinaryPacked
{
    private const int EncoderBlockSize = 128;
    private const int EncoderMiniblocks = 4;
    private const int GroupSize = 32;

    /// <summary>
    /// Decodes exactly <paramref name="destination"/>.Length values (<typeparamref name="T"/> is <see cref="int"/> or
    /// <see cref="long"/>) and returns the number of bytes the encoded run occupies in <paramref name="data"/>.
    /// </summary>
    /// <exception cref="ParquetFormatException">The data is malformed, truncated, or holds a different number of values.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Decode<T>(ReadOnlySpan<byte> data, Span<T> destination)
        where T : unmanaged
    {
        if (typeof(T) != typeof(int) && typeof(T) != typeof(long))
        {
            throw new NotSupportedException($"DELTA_BINARY_PACKED decodes INT32 or INT64 values, not {typeof(T).Name}.");
        }
        int pos = 0;
        ulong blockSize = ReadUleb(data, ref pos);
        ulong miniblocks = ReadUleb(data, ref pos);
        ulong total = ReadUleb(data, ref pos);
        ulong first = ZigZagDecode(ReadUleb(data, ref pos));
        if (blockSize == 0 || blockSize % 128 != 0 || blockSize > int.MaxValue)
        {
            throw new ParquetFormatException($"The DELTA_BINARY_PACKED block size {blockSize} is not a positive multiple of 128.");
        }
        if (miniblocks == 0 || blockSize % miniblocks != 0 || (blockSize / miniblocks) % GroupSize != 0)
        {
            throw new ParquetFormatException($"The DELTA_BINARY_PACKED block of {blockSize} values cannot be split into {miniblocks} miniblocks of a multiple of 32 values.");
        }
        if (total != (ulong)destination.Length)
        {
            throw new ParquetFormatException($"The DELTA_BINARY_PACKED header claims {total} values but the page holds {destination.Length}.");
        }
        if (destination.Length == 0)
        {
            return pos;
        }
        int perMiniblock = (int)(blockSize / miniblocks);
        int miniblockCount = (int)miniblocks;
        Span<ulong> group = stackalloc ulong[GroupSize];
        Span<byte> padded = stackalloc byte[(GroupSize * 8) + 16];
        ulong previous = first;
        Store(destination, 0, previous);
        int index = 1;
        int count = destination.Length;
        while (index < count)
        {
            ulong minDelta = ZigZagDecode(ReadUleb(data, ref pos));
            if (miniblockCount > data.Length - pos)
            {
                throw new ParquetFormatException($"A DELTA_BINARY_PACKED block needs {miniblockCount} bit-width bytes but only {data.Length - pos} remain.");
            }
            ReadOnlySpan<byte> widths = data.Slice(pos, miniblockCount);
            pos += miniblockCount;
            for (int m = 0; m < miniblockCount && index < count; m++)
            {
                int width = widths[m];
                if (width > 64)
                {
                    throw new ParquetFormatException($"A DELTA_BINARY_PACKED miniblock declares a bit width of {width}; at most 64 is possible.");
                }
                int inMiniblock = Math.Min(perMiniblock, count - index);
                long miniblockBytes = (long)perMiniblock * width / 8;
                long neededBytes = (((long)inMiniblock * width) + 7) / 8;
                if (neededBytes > data.Length - pos)
                {
                    throw new ParquetFormatException($"A DELTA_BINARY_PACKED miniblock of {inMiniblock} values at bit width {width} needs {neededBytes} bytes but only {data.Length - pos} remain.");
                }
                int groupBytes = GroupSize * width / 8;
                int start = pos;
                for (int g = 0; g < inMiniblock; g += GroupSize)
                {
                    int take = Math.Min(GroupSize, inMiniblock - g);
                    int groupStart = start + (g / GroupSize * groupBytes);
                    if (width == 0)
                    {
                        for (int k = 0; k < take; k++)
                        {
                            previous = unchecked(previous + minDelta);
                            Store(destination, index++, previous);
                        }
                        continue;
                    }
                    scoped ReadOnlySpan<byte> packed;
                    if (groupStart + groupBytes + 8 <= data.Length)
                    {
                        packed = data[groupStart..];
                    }
                    else
                    {
                        padded.Clear();
                        data.Slice(groupStart, Math.Min(groupBytes, data.Length - groupStart)).CopyTo(padded);
                        packed = padded;
                    }
                    if (width <= 56)
                    {
                        // One unaligned 8-byte load holds every value of up to 56 bits, whatever its bit offset.
                        previous = AddNarrow(packed, width, minDelta, previous, destination.Slice(index, take));
                        index += take;
                    }
                    else
                    {
                        Unpack32(packed, width, group);
                        for (int k = 0; k < take; k++)
                        {
                            previous = unchecked(previous + minDelta + group[k]);
                            Store(destination, index++, previous);
                        }
                    }
                }
                pos = (int)Math.Min(start + miniblockBytes, data.Length);
            }
        }
        return pos;
    }

    /// <summary>Encodes <paramref name="values"/> (<see cref="int"/> or <see cref="long"/>) with 128-value blocks of four miniblocks.</summary>
    public static void Encode<T>(ReadOnlySpan<T> values, IBufferWriter<byte> output)
        where T : unmanaged
    {
        bool narrow = typeof(T) == typeof(int);
        if (!narrow && typeof(T) != typeof(long))
        {
            throw new NotSupportedException($"DELTA_BINARY_PACKED encodes INT32 or INT64 values, not {typeof(T).Name}.");
        }
        Span<byte> scratch = stackalloc byte[10];
        WriteUleb(output, EncoderBlockSize, scratch);
        WriteUleb(output, EncoderMiniblocks, scratch);
        WriteUleb(output, (ulong)values.Length, scratch);
        WriteUleb(output, values.Length == 0 ? 0 : ZigZagEncode(Load(values, 0)), scratch);
        Span<long> deltas = stackalloc long[EncoderBlockSize];
        Span<ulong> packed = stackalloc ulong[EncoderBlockSize];
        Span<int> bitWidths = stackalloc int[EncoderMiniblocks];
        for (int i = 1; i < values.Length; i += EncoderBlockSize)
        {
            int n = Math.Min(EncoderBlockSize, values.Length - i);
            long minDelta = long.MaxValue;
            for (int k = 0; k < n; k++)
            {
                long delta = narrow
                    ? unchecked((int)Load(values, i + k) - (int)Load(values, i + k - 1))
                    : unchecked(Load(values, i + k) - Load(values, i + k - 1));
                deltas[k] = delta;
                minDelta = Math.Min(minDelta, delta);
            }
            for (int k = 0; k < n; k++)
            {
                // For INT32 the deltas and their minimum are 32-bit values, so the difference fits 32 bits unsigned.
                packed[k] = unchecked((ulong)(deltas[k] - minDelta));
            }
            packed[n..].Clear();
            WriteUleb(output, ZigZagEncode(minDelta), scratch);
            Span<byte> widths = output.GetSpan(EncoderMiniblocks)[..EncoderMiniblocks];
            int used = (n + GroupSize - 1) / GroupSize;
            for (int m = 0; m < EncoderMiniblocks; m++)
            {
                ulong max = 0;
                if (m < used)
                {
                    foreach (ulong d in packed.Slice(m * GroupSize, GroupSize))
                    {
                        max |= d;
                    }
                }
                bitWidths[m] = 64 - BitOperations.LeadingZeroCount(max);
                widths[m] = (byte)bitWidths[m];
            }
            output.Advance(EncoderMiniblocks);
            for (int m = 0; m < used; m++)
            {
                int bytes = GroupSize * bitWidths[m] / 8;
                if (bytes == 0)
                {
                    continue;
                }
                Span<byte> target = output.GetSpan(bytes + 8)[..bytes];
                Pack32(packed.Slice(m * GroupSize, GroupSize), bitWidths[m], target);
                output.Advance(bytes);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Load<T>(ReadOnlySpan<T> values, int index)
        where T : unmanaged =>
        typeof(T) == typeof(int) ? Unsafe.As<T, int>(ref Unsafe.AsRef(in values[index])) : Unsafe.As<T, long>(ref Unsafe.AsRef(in values[index]));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Span<T> destination, int index, ulong value)
        where T : unmanaged
    {
        if (typeof(T) == typeof(int))
        {
            Unsafe.As<T, int>(ref destination[index]) = unchecked((int)value);
        }
        else
        {
            Unsafe.As<T, long>(ref destination[index]) = unchecked((long)value);
        }
    }

    /// <summary>
    /// Unpacks <paramref name="destination"/>.Length (at most 32) deltas of <paramref name="width"/> &lt;= 56 bits and
    /// adds them up into values; returns the last value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong AddNarrow<T>(ReadOnlySpan<byte> source, int width, ulong minDelta, ulong previous, Span<T> destination)
        where T : unmanaged
    {
        ulong mask = (1UL << width) - 1;
        ref byte src = ref MemoryMarshal.GetReference(source);
        int bit = 0;
        for (int i = 0; i < destination.Length; i++)
        {
            ulong v = (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, bit >> 3)) >> (bit & 7)) & mask;
            previous = unchecked(previous + minDelta + v);
            Store(destination, i, previous);
            bit += width;
        }
        return previous;
    }

    /// <summary>Unpacks 32 values of <paramref name="width"/> bits (LSB first); <paramref name="source"/> has 8 readable bytes past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unpack32(ReadOnlySpan<byte> source, int width, Span<ulong> values)
    {
        ulong mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        ref byte src = ref MemoryMarshal.GetReference(source);
        int bit = 0;
        for (int i = 0; i < GroupSize; i++)
        {
            int b = bit >> 3;
            int shift = bit & 7;
            ulong v = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, b)) >> shift;
            if (shift + width > 64)
            {
                v |= (ulong)Unsafe.Add(ref src, b + 8) << (64 - shift);
            }
            values[i] = v & mask;
            bit += width;
        }
    }

    private static void Pack32(ReadOnlySpan<ulong> values, int width, Span<byte> target)
    {
        int pos = 0;
        ulong acc = 0;
        int bits = 0;
        for (int i = 0; i < GroupSize; i++)
        {
            ulong v = values[i];
            acc |= v << bits;
            int spill = bits + width - 64;
            if (spill >= 0)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(target[pos..], acc);
                pos += 8;
                acc = spill > 0 ? v >> (width - spill) : 0;
                bits = spill;
            }
            else
            {
                bits += width;
            }
        }
        if (bits > 0)
        {
            // 32 values fill a whole number of 32-bit words, so what is left is exactly four bytes.
            BinaryPrimitives.WriteUInt32LittleEndian(target[pos..], (uint)acc);
        }
    }

    private static ulong ReadUleb(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (pos >= data.Length)
            {
                throw new ParquetFormatException("A DELTA_BINARY_PACKED varint runs past the end of the page.");
            }
            byte b = data[pos++];
            if (shift == 63 && b > 1)
            {
                throw new ParquetFormatException("A DELTA_BINARY_PACKED varint does not fit 64 bits.");
            }
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new ParquetFormatException("A DELTA_BINARY_PACKED varint is longer than 10 bytes.");
    }

    private static void WriteUleb(IBufferWriter<byte> output, ulong value, Span<byte> scratch)
    {
        int n = 0;
        while (value >= 0x80)
        {
            scratch[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        scratch[n++] = (byte)value;
        output.Write(scratch[..n]);
    }

    private static ulong ZigZagDecode(ulong value) => (value >> 1) ^ (0UL - (value & 1));

    private static ulong ZigZagEncode(long value) => unchecked((ulong)((value << 1) ^ (value >> 63)));
}
