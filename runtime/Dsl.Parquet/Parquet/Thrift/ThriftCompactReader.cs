using System.Buffers.Binary;
using System.Text;

namespace Dsl.Parquet.Thrift;

/// <summary>
/// Reads the Thrift compact protocol from a span. Every length and count is checked against the bytes that remain,
/// so a corrupt or hostile length fails with <see cref="ParquetFormatException"/> before anything is allocated
/// from it; nesting is limited so that deep garbage cannot exhaust the stack.
/// </summary>
internal ref struct ThriftCompactReader
{
    private const int MaxDepth = 64;
    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private int _depth;

    public ThriftCompactReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        _depth = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Marks the start of a nested struct; call <see cref="EndStruct"/> after its stop field.</summary>
    public void BeginStruct()
    {
        if (++_depth > MaxDepth)
        {
            throw new ParquetFormatException($"The Thrift metadata nests structures more than {MaxDepth} levels deep at offset {_position}; the metadata is corrupt.");
        }
    }

    /// <summary>Marks the end of a nested struct.</summary>
    public void EndStruct() => _depth--;

    /// <summary>
    /// Reads the next field header of the current struct. Returns false at the stop field.
    /// <paramref name="lastFieldId"/> carries the previous field id of this struct (start with 0).
    /// </summary>
    public bool NextField(ref short lastFieldId, out short fieldId, out byte type)
    {
        byte header = ReadRawByte();
        type = (byte)(header & 0x0F);
        if (type == CompactType.Stop)
        {
            fieldId = 0;
            return false;
        }
        int delta = header >> 4;
        fieldId = delta != 0 ? (short)(lastFieldId + delta) : ReadI16();
        lastFieldId = fieldId;
        return true;
    }

    /// <summary>Reads a boolean field whose value is carried in its type nibble.</summary>
    public static bool BoolFromType(byte type) => type == CompactType.BooleanTrue;

    /// <summary>Reads a single byte.</summary>
    public byte ReadRawByte()
    {
        if (_position >= _data.Length)
        {
            throw Truncated(1);
        }
        return _data[_position++];
    }

    /// <summary>Reads an unsigned LEB128 varint of up to 64 bits.</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte b = ReadRawByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new ParquetFormatException($"A Thrift varint at offset {_position} is longer than 10 bytes; the metadata is corrupt.");
    }

    /// <summary>Reads a zigzag-encoded 16-bit integer.</summary>
    public short ReadI16()
    {
        long v = ReadI64();
        if (v < short.MinValue || v > short.MaxValue)
        {
            throw new ParquetFormatException($"A Thrift i16 at offset {_position} holds {v}, which does not fit 16 bits; the metadata is corrupt.");
        }
        return (short)v;
    }

    /// <summary>Reads a zigzag-encoded 32-bit integer.</summary>
    public int ReadI32()
    {
        long v = ReadI64();
        if (v < int.MinValue || v > int.MaxValue)
        {
            throw new ParquetFormatException($"A Thrift i32 at offset {_position} holds {v}, which does not fit 32 bits; the metadata is corrupt.");
        }
        return (int)v;
    }

    /// <summary>Reads a zigzag-encoded 64-bit integer.</summary>
    public long ReadI64()
    {
        ulong raw = ReadVarint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>Reads an 8-byte little-endian double.</summary>
    public double ReadDouble()
    {
        ReadOnlySpan<byte> bytes = ReadRaw(8);
        return BinaryPrimitives.ReadDoubleLittleEndian(bytes);
    }

    /// <summary>Reads a length-prefixed binary value (a view of the input).</summary>
    public ReadOnlySpan<byte> ReadBinary()
    {
        ulong length = ReadVarint();
        if (length > (ulong)Remaining)
        {
            throw new ParquetFormatException($"A Thrift binary at offset {_position} claims {length} bytes but only {Remaining} remain; the metadata is corrupt or truncated.");
        }
        return ReadRaw((int)length);
    }

    /// <summary>Reads a length-prefixed UTF-8 string.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadBinary());

    /// <summary>Reads a list (or set) header and returns its element count, checked against the remaining bytes.</summary>
    public int ReadListHeader(out byte elementType)
    {
        byte header = ReadRawByte();
        elementType = (byte)(header & 0x0F);
        int sizeNibble = header >> 4;
        ulong count = sizeNibble != 15 ? (ulong)sizeNibble : ReadVarint();
        // Every element takes at least one byte (an empty struct is its stop byte), so a count beyond the remaining
        // bytes is a lie; checking here keeps callers from allocating from it.
        if (count > (ulong)Remaining)
        {
            throw new ParquetFormatException($"A Thrift list at offset {_position} claims {count} elements but only {Remaining} bytes remain; the metadata is corrupt or truncated.");
        }
        return (int)count;
    }

    /// <summary>Reads an element of a list whose element type is boolean.</summary>
    public bool ReadListBool() => ReadRawByte() == CompactType.BooleanTrue;

    /// <summary>Skips a value of compact type <paramref name="type"/>.</summary>
    public void Skip(byte type)
    {
        switch (type)
        {
            case CompactType.BooleanTrue:
            case CompactType.BooleanFalse:
                break;
            case CompactType.Byte:
                ReadRawByte();
                break;
            case CompactType.I16:
            case CompactType.I32:
            case CompactType.I64:
                ReadVarint();
                break;
            case CompactType.Double:
                ReadRaw(8);
                break;
            case CompactType.Binary:
                ReadBinary();
                break;
            case CompactType.List:
            case CompactType.Set:
            {
                int count = ReadListHeader(out byte elementType);
                BeginStruct();
                for (int i = 0; i < count; i++)
                {
                    SkipElement(elementType);
                }
                EndStruct();
                break;
            }
            case CompactType.Map:
            {
                ulong count = ReadVarint();
                if (count > (ulong)Remaining)
                {
                    throw new ParquetFormatException($"A Thrift map at offset {_position} claims {count} entries but only {Remaining} bytes remain; the metadata is corrupt or truncated.");
                }
                if (count > 0)
                {
                    byte kinds = ReadRawByte();
                    BeginStruct();
                    for (ulong i = 0; i < count; i++)
                    {
                        SkipElement((byte)(kinds >> 4));
                        SkipElement((byte)(kinds & 0x0F));
                    }
                    EndStruct();
                }
                break;
            }
            case CompactType.Struct:
                SkipStruct();
                break;
            default:
                throw new ParquetFormatException($"Unknown Thrift compact type {type} at offset {_position}; the metadata is corrupt.");
        }
    }

    /// <summary>Skips a whole struct, up to and including its stop field.</summary>
    public void SkipStruct()
    {
        BeginStruct();
        short last = 0;
        while (NextField(ref last, out _, out byte type))
        {
            Skip(type);
        }
        EndStruct();
    }

    private void SkipElement(byte type)
    {
        // Inside collections booleans take a byte of their own.
        if (type is CompactType.BooleanTrue or CompactType.BooleanFalse)
        {
            ReadRawByte();
        }
        else
        {
            Skip(type);
        }
    }

    private ReadOnlySpan<byte> ReadRaw(int count)
    {
        if (count > Remaining)
        {
            throw Truncated(count);
        }
        ReadOnlySpan<byte> slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly ParquetFormatException Truncated(int needed) =>
        new($"The Thrift metadata is truncated: {needed} more bytes were needed at offset {_position} but only {Remaining} remain.");
}
