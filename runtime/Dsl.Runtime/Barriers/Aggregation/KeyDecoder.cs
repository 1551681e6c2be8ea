using System.Buffers.Binary;
using Dsl.Barriers.Keys;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// Reads a key column's value back out of a group's <see cref="KeyEncoder"/> bytes, so a group's key is its canonical
/// value whatever row came first: -0.0 reads as 0.0, every NaN as the same NaN, and a nanosecond timestamp (grouped
/// by 100 ns ticks) as its tick.
/// </summary>
internal static class KeyDecoder
{
    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    /// <summary>Appends the value of key column <paramref name="index"/> of <paramref name="key"/> to <paramref name="output"/>.</summary>
    public static void Append(ReadOnlySpan<byte> key, int index, ColumnType type, OutputColumn output)
    {
        ReadOnlySpan<byte> rest = key;
        for (int i = 0; i < index; i++)
        {
            rest = rest[Length(rest)..];
        }
        byte tag = rest[0];
        ReadOnlySpan<byte> payload = rest[1..];
        switch (tag)
        {
            case KeyEncoder.NullTag:
                output.AppendNull();
                break;
            case KeyEncoder.BooleanTag:
                output.AppendLong(payload[0]);
                break;
            case KeyEncoder.IntegerTag or KeyEncoder.LargeUnsignedTag or KeyEncoder.DateTag or KeyEncoder.TimeTag:
                output.AppendLong(BinaryPrimitives.ReadInt64LittleEndian(payload));
                break;
            case KeyEncoder.FloatingTag:
                output.AppendDouble(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(payload)));
                break;
            case KeyEncoder.BytesTag:
                output.AppendBytes(payload.Slice(4, BinaryPrimitives.ReadInt32LittleEndian(payload)));
                break;
            case KeyEncoder.TimestampTag:
                long sinceEpoch = BinaryPrimitives.ReadInt64LittleEndian(payload) - UnixEpochTicks;
                output.AppendLong(type == ColumnType.TimestampNanos ? sinceEpoch * 100 : sinceEpoch / 10);
                break;
            case KeyEncoder.DecimalTag:
                output.AppendDecimal(BinaryPrimitives.ReadInt128LittleEndian(payload[4..]));
                break;
            case KeyEncoder.UuidTag:
                output.AppendGuid(new Guid(payload[..16], bigEndian: true));
                break;
            default:
                throw new InvalidOperationException($"A group key holds the unknown tag {tag}.");
        }
    }

    // The bytes of the first encoded value of key.
    private static int Length(ReadOnlySpan<byte> key) => key[0] switch
    {
        KeyEncoder.NullTag => 1,
        KeyEncoder.BooleanTag => 2,
        KeyEncoder.BytesTag => 5 + BinaryPrimitives.ReadInt32LittleEndian(key[1..]),
        KeyEncoder.DecimalTag => 21,
        KeyEncoder.UuidTag => 17,
        _ => 9,
    };
}
