using System.Globalization;

namespace Dsl.Runtime.Tests.Features;

/// <summary>Comparisons of the feature tests: bit for bit (any NaN equals any NaN), and distances in units in the last place.</summary>
internal static class FeatureAssert
{
    /// <summary>Asserts that each value has the bits of scikit-learn's (NaN matches NaN whatever its payload).</summary>
    public static void SameBits(double[] expected, double[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, scikit-learn gave {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            SameBits(expected[i], actual[i], $"{what}[{i}]");
        }
    }

    /// <summary>Asserts one value has the bits of the reference (NaN matches NaN).</summary>
    public static void SameBits(double expected, double actual, string what)
    {
        bool same = double.IsNaN(expected) ? double.IsNaN(actual) : BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual);
        Assert.True(same, $"{what}: expected {Show(expected)} but got {Show(actual)}.");
    }

    /// <summary>
    /// The distance between <paramref name="a"/> and <paramref name="b"/> in units in the last place (the number of
    /// doubles between them; 0 for equal values and for two NaNs, long.MaxValue when only one is NaN or the signs differ
    /// away from zero).
    /// </summary>
    public static long Ulps(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return double.IsNaN(a) && double.IsNaN(b) ? 0 : long.MaxValue;
        }
        if (a == b)
        {
            return 0;
        }
        long x = Ordered(a);
        long y = Ordered(b);
        return x > y ? x - y : y - x;
    }

    /// <summary>The largest <see cref="Ulps"/> over two arrays of the same length.</summary>
    public static long MaxUlps(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        long max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Ulps(expected[i], actual[i]));
        }
        return max;
    }

    public static string Show(double value) =>
        value.ToString("R", CultureInfo.InvariantCulture) + (value == 0 && double.IsNegative(value) ? " (negative zero)" : string.Empty);

    // Maps doubles onto integers in the same order, so that adjacent doubles are adjacent integers (-0 and +0 meet at 0).
    private static long Ordered(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        return bits < 0 ? long.MinValue - bits : bits;
    }
}
