using System.Buffers;

namespace Dsl.Parquet.Encodings;

/// <summary>
/// Encodes values with the RLE/bit-packed hybrid: runs of 8 or more equal values become RLE runs, everything
/// else is bit-packed in groups of 8 (the last group padded with zeros).
/// </summary>
internal static class RleBitPackedEncoder
{
    private const int MinRepeat = 8;

    /// <summary>Appends the encoding of <paramref name="values"/> to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<int> values, int bitWidth, IBufferWriter<byte> output)
    {
        int valueBytes = (bitWidth + 7) >> 3;
        int p = 0;
        while (p < values.Length)
        {
            int run = RunLength(values, p);
            if (run >= MinRepeat)
            {
                WriteVarint(output, (uint)run << 1);
                Span<byte> span = output.GetSpan(4);
                int v = values[p];
                for (int b = 0; b < valueBytes; b++)
                {
                    span[b] = (byte)(v >> (8 * b));
                }
                output.Advance(valueBytes);
                p += run;
                continue;
            }
            // Literal groups: extend in whole groups of 8 until a long run starts or the input ends.
            int start = p;
            int groups = 0;
            do
            {
                groups++;
                p = Math.Min(start + (groups * 8), values.Length);
            }
            while (p < values.Length && groups < 1 << 20 && RunLength(values, p) < MinRepeat);
            WriteVarint(output, ((uint)groups << 1) | 1);
            int byteCount = groups * bitWidth;
            Span<byte> dest = output.GetSpan(byteCount);
            dest[..byteCount].Clear();
            ulong acc = 0;
            int accBits = 0;
            int o = 0;
            for (int i = start; i < p; i++)
            {
                acc |= (ulong)(uint)values[i] << accBits;
                accBits += bitWidth;
                while (accBits >= 8)
                {
                    dest[o++] = (byte)acc;
                    acc >>= 8;
                    accBits -= 8;
                }
            }
            if (accBits > 0)
            {
                dest[o] = (byte)acc;
            }
            output.Advance(byteCount);
        }
    }

    /// <summary>Bits needed for values up to <paramref name="maxValue"/>.</summary>
    public static int BitWidth(int maxValue) => maxValue <= 0 ? 0 : 32 - int.LeadingZeroCount(maxValue);

    private static int RunLength(ReadOnlySpan<int> values, int start)
    {
        int v = values[start];
        int end = start + 1;
        while (end < values.Length && values[end] == v)
        {
            end++;
        }
        return end - start;
    }

    private static void WriteVarint(IBufferWriter<byte> output, uint value)
    {
        Span<byte> span = output.GetSpan(5);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        output.Advance(n);
    }
}
