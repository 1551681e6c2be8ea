using System.Buffers.Binary;

namespace Dsl.Barriers.Aggregation;

/// <summary>Reads one spilled group record; running past its end means the file is damaged, and says which file.</summary>
internal ref struct SpillReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _path;
    private int _position;

    public SpillReader(ReadOnlySpan<byte> data, string path)
    {
        _data = data;
        _path = path;
        _position = 0;
    }

    public readonly bool AtEnd => _position == _data.Length;

    public readonly string Path => _path;

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public Int128 ReadInt128() => BinaryPrimitives.ReadInt128LittleEndian(Take(16));

    /// <summary>Reads a length, then that many bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        int length = ReadInt32();
        if (length < 0)
        {
            throw SpillFile.Damaged(_path, $"a value claims a negative length ({length})");
        }
        return Take(length);
    }

    /// <summary>A count of items that each take at least <paramref name="minimumBytes"/>: checked against what is left.</summary>
    public int ReadCount(int minimumBytes)
    {
        int count = ReadInt32();
        if (count < 0 || (long)count * minimumBytes > _data.Length - _position)
        {
            throw SpillFile.Damaged(_path, $"a group's state claims {count} items, more than its record holds");
        }
        return count;
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            throw SpillFile.Damaged(_path, "a group's state runs past the end of its record");
        }
        ReadOnlySpan<byte> span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
