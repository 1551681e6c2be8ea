using System.Buffers.Binary;

namespace Dsl.Barriers.Aggregation;

/// <summary>A growable little-endian byte buffer that spilled states are written into.</summary>
internal sealed class SpillBuffer
{
    private byte[] _data = new byte[1 << 16];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _data.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void WriteByte(byte value) => Take(1)[0] = value;

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), value);

    public void WriteInt128(Int128 value) => BinaryPrimitives.WriteInt128LittleEndian(Take(16), value);

    /// <summary>Writes the length of <paramref name="bytes"/>, then the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteInt32(bytes.Length);
        bytes.CopyTo(Take(bytes.Length));
    }

    /// <summary>Writes <paramref name="bytes"/> as they are.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));

    /// <summary>Reserves four bytes for a length written later by <see cref="PatchLength"/>; returns their position.</summary>
    public int ReserveLength()
    {
        int at = Length;
        Take(4);
        return at;
    }

    /// <summary>Writes at <paramref name="at"/> the number of bytes written after the four reserved there.</summary>
    public void PatchLength(int at) => BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(at), Length - at - 4);

    private Span<byte> Take(int count)
    {
        if (_data.Length - Length < count)
        {
            long needed = (long)Length + count;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException($"One aggregate group's spilled state would take more than {Array.MaxLength} bytes.");
            }
            Array.Resize(ref _data, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_data.Length * 2)));
        }
        Span<byte> span = _data.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
