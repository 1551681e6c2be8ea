using System.Runtime.CompilerServices;
namespace Dsl.Parquet.Encodings;

/// <summary>Decodes the deprecated BIT_PACKED level encoding: fixed-width values packed most significant bit first.</summary>
internal static class BitPackedLevelDecoder
{
    /// <summary>The byte length of <paramref name="count"/> values of <paramref name="bitWidth"/> bits.</summary>
    public static long ByteLength(int count, int bitWidth) => (((long)count * bitWidth) + 7) / 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> destination)
    {
        if (ByteLength(destination.Length, bitWidth) > data.Length)
        {
            throw new ParquetFormatException($"BIT_PACKED levels need {ByteLength(destination.Length, bitWidth)} bytes for {destination.Length} values but only {data.Length} remain.");
        }
        long bit = 0;
        for (int i = 0; i < destination.Length; i++)
        {
            int v = 0;
            for (int b = 0; b < bitWidth; b++, bit++)
            {
                int set = (data[(int)(bit >> 3)] >> (7 - (int)(bit & 7))) & 1;
                v = (v << 1) | set;
            }
            destination[i] = v;
        }
    }
}
