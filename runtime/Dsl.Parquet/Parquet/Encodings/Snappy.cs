using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Dsl.Parquet.Encodings;

/// <summary>
/// A bounds-checked Snappy block decoder that writes into a caller-sized buffer, so a corrupt length preamble can
/// never drive an allocation (compression uses Snappier).
/// </summary>
internal static class Snappy
{
    /// <summary>The uncompressed length declared by a Snappy block's preamble.</summary>
    public static long DeclaredLength(ReadOnlySpan<byte> source, out int preambleBytes)
    {
        ulong result = 0;
        for (int i = 0; i < 5; i++)
        {
            if (i >= source.Length)
            {
                break;
            }
            byte b = source[i];
            result |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                preambleBytes = i + 1;
                return (long)result;
            }
        }
        throw new ParquetFormatException("The Snappy block's length preamble is missing or longer than 5 bytes.");
    }

    /// <summary>Decodes <paramref name="source"/> into exactly <paramref name="destination"/>.</summary>
    /// <remarks>
    /// Every element is bounds-checked against both buffers first; the common short literals and copies are then
    /// moved with fixed-size 16-byte (or 8-byte stride) unaligned loads and stores where both buffers have that much
    /// slack, which is several times faster than a span copy per element.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        long declared = DeclaredLength(source, out int pos);
        if (declared != destination.Length)
        {
            throw new ParquetFormatException($"The Snappy block declares {declared} uncompressed bytes but the page header says {destination.Length}.");
        }
        ref byte src = ref MemoryMarshal.GetReference(source);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        int srcLength = source.Length;
        int dstLength = destination.Length;
        int outPos = 0;
        while (pos < srcLength)
        {
            byte tag = Unsafe.Add(ref src, pos++);
            int length;
            int offset;
            switch (tag & 3)
            {
                case 0:
                {
                    length = tag >> 2;
                    if (length < 60)
                    {
                        length++;
                        if (length <= 16 && srcLength - pos >= 16 && dstLength - outPos >= 16)
                        {
                            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, outPos), Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref src, pos)));
                            pos += length;
                            outPos += length;
                            continue;
                        }
                    }
                    else
                    {
                        int extra = length - 59;
                        if (pos + extra > srcLength)
                        {
                            throw Corrupt("a literal length is cut off");
                        }
                        uint l = 0;
                        for (int i = 0; i < extra; i++)
                        {
                            l |= (uint)Unsafe.Add(ref src, pos + i) << (8 * i);
                        }
                        pos += extra;
                        if (l >= int.MaxValue)
                        {
                            throw Corrupt("a literal is longer than the output");
                        }
                        length = (int)l + 1;
                    }
                    if (length > srcLength - pos || length > dstLength - outPos)
                    {
                        throw Corrupt("a literal runs past the end of the input or the output");
                    }
                    source.Slice(pos, length).CopyTo(destination[outPos..]);
                    pos += length;
                    outPos += length;
                    continue;
                }
                case 1:
                    if (pos >= srcLength)
                    {
                        throw Corrupt("a copy offset is cut off");
                    }
                    length = 4 + ((tag >> 2) & 7);
                    offset = ((tag >> 5) << 8) | Unsafe.Add(ref src, pos++);
                    break;
                case 2:
                    if (pos + 2 > srcLength)
                    {
                        throw Corrupt("a copy offset is cut off");
                    }
                    length = (tag >> 2) + 1;
                    offset = Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref src, pos));
                    pos += 2;
                    break;
                default:
                    if (pos + 4 > srcLength)
                    {
                        throw Corrupt("a copy offset is cut off");
                    }
                    length = (tag >> 2) + 1;
                    uint off = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, pos));
                    pos += 4;
                    if (off > int.MaxValue)
                    {
                        throw Corrupt("a copy offset points before the start of the output");
                    }
                    offset = (int)off;
                    break;
            }
            if (offset == 0 || offset > outPos)
            {
                throw Corrupt("a copy offset points before the start of the output");
            }
            if (length > dstLength - outPos)
            {
                throw Corrupt("a copy runs past the end of the output");
            }
            int from = outPos - offset;
            if (offset >= 8 && length <= 64 && dstLength - outPos >= length + 8)
            {
                // 8-byte strides stay correct for overlapping copies as long as the offset is at least 8: each stride
                // reads only bytes already written. Overshooting up to 7 bytes is fine; later elements overwrite them.
                for (int i = 0; i < length; i += 8)
                {
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, outPos + i), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref dst, from + i)));
                }
            }
            else if (offset >= length)
            {
                destination.Slice(from, length).CopyTo(destination[outPos..]);
            }
            else
            {
                for (int i = 0; i < length; i++)
                {
                    Unsafe.Add(ref dst, outPos + i) = Unsafe.Add(ref dst, from + i);
                }
            }
            outPos += length;
        }
        if (outPos != dstLength)
        {
            throw Corrupt($"it produced {outPos} bytes instead of {dstLength}");
        }
    }

    private static ParquetFormatException Corrupt(string what) => new($"The Snappy data is corrupt: {what}.");
}
