using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Dsl.Parquet.Reading;

/// <summary>
/// Turns a flat page's definition levels (1 = value, 0 = null) into validity bits, 64 rows to a word, instead of
/// clearing one bit per null row.
/// </summary>
internal static class ValidityScatter
{
    /// <summary>Clears the bits of rows <paramref name="offset"/> + i whose level is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ClearNulls(ValidityBitmap validity, int offset, ReadOnlySpan<int> levels)
    {
        Span<ulong> words = validity.Words;
        for (int i = 0; i < levels.Length; i += 64)
        {
            ulong nulls = NullMask(levels.Slice(i, Math.Min(64, levels.Length - i)));
            if (nulls == 0)
            {
                continue;
            }
            int bit = offset + i;
            int word = bit >> 6;
            int shift = bit & 63;
            words[word] &= ~(nulls << shift);
            // The 64 rows straddle two words unless they start on a word boundary.
            if (shift != 0 && (nulls >> (64 - shift)) != 0)
            {
                words[word + 1] &= ~(nulls >> (64 - shift));
            }
        }
    }

    /// <summary>Bit k set where <paramref name="levels"/>[k] is 0; at most 64 levels.</summary>
    private static ulong NullMask(ReadOnlySpan<int> levels)
    {
        ulong mask = 0;
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref int first = ref MemoryMarshal.GetReference(levels);
            for (; k + 8 <= levels.Length; k += 8)
            {
                Vector256<int> v = Vector256.LoadUnsafe(ref first, (nuint)k);
                mask |= (ulong)Vector256.Equals(v, Vector256<int>.Zero).ExtractMostSignificantBits() << k;
            }
        }
        for (; k < levels.Length; k++)
        {
            if (levels[k] == 0)
            {
                mask |= 1UL << k;
            }
        }
        return mask;
    }
}
