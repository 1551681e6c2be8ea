using System.Buffers.Binary;
using System.Numerics;

namespace Dsl.Validation.Statistics;

/// <summary>
/// 64-bit hashes that are the same in every process (unlike <see cref="HashCode"/>, which is seeded per process), so
/// distinct-count states gathered by different tasks and saved as JSON can be merged.
/// </summary>
internal static class StableHash
{
    private const ulong Multiplier1 = 0xff51afd7ed558ccdUL;
    private const ulong Multiplier2 = 0xc4ceb9fe1a85ec53UL;
    private const ulong Prime = 0x9e3779b97f4a7c15UL;

    /// <summary>The MurmurHash3 finalizer: every input bit affects every output bit.</summary>
    public static ulong Mix(ulong value)
    {
        value ^= value >> 33;
        value *= Multiplier1;
        value ^= value >> 33;
        value *= Multiplier2;
        value ^= value >> 33;
        return value;
    }

    /// <summary>A hash of a double that equates 0.0 and -0.0 (equal values hash alike).</summary>
    public static ulong OfDouble(double value) => Mix((ulong)BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value) + Prime);

    /// <summary>A hash of an integer (a date, timestamp or bool is hashed by its stored integer).</summary>
    public static ulong OfInt64(long value) => Mix((ulong)value + Prime);

    /// <summary>A hash of a byte string, 8 bytes at a time, finished with <see cref="Mix"/>.</summary>
    public static ulong OfBytes(ReadOnlySpan<byte> bytes)
    {
        ulong h = Prime ^ ((ulong)bytes.Length * Multiplier1);
        while (bytes.Length >= 8)
        {
            h = BitOperations.RotateLeft(h ^ Mix(BinaryPrimitives.ReadUInt64LittleEndian(bytes)), 27) * Prime;
            bytes = bytes[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            tail |= (ulong)bytes[i] << (8 * i);
        }
        return Mix(h ^ Mix(tail + Prime));
    }
}
