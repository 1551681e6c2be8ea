using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dsl.Parquet.Encodings;

/// <summary>
/// The BYTE_STREAM_SPLIT encoding: for values of <c>width</c> bytes, stream <c>b</c> holds byte <c>b</c> of every
/// value, and the streams follow one another. Generic over the width, so it serves FLOAT, DOUBLE, INT32, INT64 and
/// FIXED_LEN_BYTE_ARRAY of any length.
/// </summary>
internal static class ByteStreamSplit
{
    /// <summary>
    /// Reassembles <paramref name="count"/> values of <paramref name="width"/> bytes from <paramref name="data"/> into
    /// <paramref name="destination"/> (their PLAIN layout, <paramref name="count"/> × <paramref name="width"/> bytes).
    /// </summary>
    /// <exception cref="ParquetFormatException">The page holds fewer bytes than the streams need.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode(ReadOnlySpan<byte> data, int width, int count, Span<byte> destination)
    {
        if (width <= 0)
        {
            throw new ParquetFormatException($"BYTE_STREAM_SPLIT needs a positive value width, not {width}.");
        }
        long needed = (long)width * count;
        if (count < 0 || needed > data.Length)
        {
            throw new ParquetFormatException($"BYTE_STREAM_SPLIT data for {count} values of {width} bytes needs {needed} bytes but the page holds {data.Length}.");
        }
        if (destination.Length < needed)
        {
            throw new ArgumentException("The destination is too small for the decoded values.", nameof(destination));
        }
        switch (width)
        {
            case 4:
                Decode4(data, count, MemoryMarshal.Cast<byte, uint>(destination[..(int)needed]));
                break;
            case 8:
                Decode8(data, count, MemoryMarshal.Cast<byte, ulong>(destination[..(int)needed]));
                break;
            default:
                for (int b = 0; b < width; b++)
                {
                    ReadOnlySpan<byte> stream = data.Slice(b * count, count);
                    for (int i = 0; i < stream.Length; i++)
                    {
                        destination[(i * width) + b] = stream[i];
                    }
                }
                break;
        }
    }

    /// <summary>Splits <paramref name="source"/> (PLAIN layout of values of <paramref name="width"/> bytes) into streams in <paramref name="destination"/>.</summary>
    public static void Encode(ReadOnlySpan<byte> source, int width, Span<byte> destination)
    {
        int count = source.Length / width;
        for (int b = 0; b < width; b++)
        {
            Span<byte> stream = destination.Slice(b * count, count);
            for (int i = 0; i < stream.Length; i++)
            {
                stream[i] = source[(i * width) + b];
            }
        }
    }

    private static void Decode4(ReadOnlySpan<byte> data, int count, Span<uint> destination)
    {
        ref byte s0 = ref MemoryMarshal.GetReference(data);
        ref byte s1 = ref Unsafe.Add(ref s0, count);
        ref byte s2 = ref Unsafe.Add(ref s1, count);
        ref byte s3 = ref Unsafe.Add(ref s2, count);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = Unsafe.Add(ref s0, i)
                | ((uint)Unsafe.Add(ref s1, i) << 8)
                | ((uint)Unsafe.Add(ref s2, i) << 16)
                | ((uint)Unsafe.Add(ref s3, i) << 24);
        }
    }

    private static void Decode8(ReadOnlySpan<byte> data, int count, Span<ulong> destination)
    {
        ref byte s0 = ref MemoryMarshal.GetReference(data);
        ref byte s1 = ref Unsafe.Add(ref s0, count);
        ref byte s2 = ref Unsafe.Add(ref s1, count);
        ref byte s3 = ref Unsafe.Add(ref s2, count);
        ref byte s4 = ref Unsafe.Add(ref s3, count);
        ref byte s5 = ref Unsafe.Add(ref s4, count);
        ref byte s6 = ref Unsafe.Add(ref s5, count);
        ref byte s7 = ref Unsafe.Add(ref s6, count);
        for (int i = 0; i < destination.Length; i++)
        {
            uint low = Unsafe.Add(ref s0, i)
                | ((uint)Unsafe.Add(ref s1, i) << 8)
                | ((uint)Unsafe.Add(ref s2, i) << 16)
                | ((uint)Unsafe.Add(ref s3, i) << 24);
            uint high = Unsafe.Add(ref s4, i)
                | ((uint)Unsafe.Add(ref s5, i) << 8)
                | ((uint)Unsafe.Add(ref s6, i) << 16)
                | ((uint)Unsafe.Add(ref s7, i) << 24);
            destination[i] = low | ((ulong)high << 32);
        }
    }
}
