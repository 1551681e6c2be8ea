using System.Buffers.Binary;

namespace Dsl.Parquet.Encodings;

/// <summary>
/// A bounds-checked Snappy block decoder that writes into a caller-sized buffer, so a corrupt length preamble can
/// never drive an allocation (compression uses IronSnappy).
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
    public static void Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        long declared = DeclaredLength(source, out int pos);
        if (declared != destination.Length)
        {
            throw new ParquetFormatException($"The Snappy block declares {declared} uncompressed bytes but the page header says {destination.Length}.");
        }
        int outPos = 0;
        while (pos < source.Length)
        {
            byte tag = source[pos++];
            int length;
            int offset;
            switch (tag & 3)
            {
                case 0:
                {
                    length = tag >> 2;
                    if (length >= 60)
                    {
                        int extra = length - 59;
                        if (pos + extra > source.Length)
                        {
                            throw Corrupt("a literal length is cut off");
                        }
                        uint l = 0;
                        for (int i = 0; i < extra; i++)
                        {
                            l |= (uint)source[pos + i] << (8 * i);
                        }
                        pos += extra;
                        if (l >= int.MaxValue)
                        {
                            throw Corrupt("a literal is longer than the output");
                        }
                        length = (int)l;
                    }
                    length++;
                    if (length > source.Length - pos || length > destination.Length - outPos)
                    {
                        throw Corrupt("a literal runs past the end of the input or the output");
                    }
                    source.Slice(pos, length).CopyTo(destination[outPos..]);
                    pos += length;
                    outPos += length;
                    continue;
                }
                case 1:
                    if (pos >= source.Length)
                    {
                        throw Corrupt("a copy offset is cut off");
                    }
                    length = 4 + ((tag >> 2) & 7);
                    offset = ((tag >> 5) << 8) | source[pos++];
                    break;
                case 2:
                    if (pos + 2 > source.Length)
                    {
                        throw Corrupt("a copy offset is cut off");
                    }
                    length = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(pos, 2));
                    pos += 2;
                    break;
                default:
                    if (pos + 4 > source.Length)
                    {
                        throw Corrupt("a copy offset is cut off");
                    }
                    length = (tag >> 2) + 1;
                    uint off = BinaryPrimitives.ReadUInt32LittleEndian(source.Slice(pos, 4));
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
            if (length > destination.Length - outPos)
            {
                throw Corrupt("a copy runs past the end of the output");
            }
            int from = outPos - offset;
            if (offset >= length)
            {
                destination.Slice(from, length).CopyTo(destination[outPos..]);
            }
            else
            {
                for (int i = 0; i < length; i++)
                {
                    destination[outPos + i] = destination[from + i];
                }
            }
            outPos += length;
        }
        if (outPos != destination.Length)
        {
            throw Corrupt($"it produced {outPos} bytes instead of {destination.Length}");
        }
    }

    private static ParquetFormatException Corrupt(string what) => new($"The Snappy data is corrupt: {what}.");
}
