using System.Globalization;

namespace Dsl;

/// <summary>Conversions between <see cref="decimal"/> and the unscaled <see cref="Int128"/> storage of <see cref="ColumnType.Decimal"/>.</summary>
public static class Decimals
{
    private static readonly Int128 MaxMantissa = (Int128.One << 96) - 1;

    /// <summary>The <see cref="decimal"/> worth <c>unscaled / 10^scale</c>.</summary>
    /// <exception cref="OverflowException">The value has more digits than <see cref="decimal"/> holds (its 96-bit mantissa).</exception>
    public static decimal ToDecimal(Int128 unscaled, int scale)
    {
        bool negative = unscaled < 0;
        Int128 magnitude = negative ? -unscaled : unscaled;
        if (magnitude > MaxMantissa)
        {
            throw new OverflowException($"The decimal {ToText(unscaled, scale)} has more significant digits than a C# decimal holds (about 28); declare fewer digits in the data or read the column as a string.");
        }
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)scale);
    }

    /// <summary>
    /// <c>unscaled / 10^scale</c> as text with exactly <paramref name="scale"/> digits after the point, every digit
    /// kept (no rounding, whatever the precision): <c>-0.05</c> for (-5, 2).
    /// </summary>
    internal static string ToText(Int128 unscaled, int scale)
    {
        bool negative = Int128.IsNegative(unscaled);
        // The magnitude of Int128.MinValue does not fit Int128; UInt128 holds every magnitude.
        UInt128 magnitude = negative ? (UInt128)(-(unscaled + 1)) + 1 : (UInt128)unscaled;
        string digits = magnitude.ToString(CultureInfo.InvariantCulture);
        if (scale > 0)
        {
            digits = digits.PadLeft(scale + 1, '0');
            digits = digits[..^scale] + "." + digits[^scale..];
        }
        return negative ? "-" + digits : digits;
    }

    /// <summary>
    /// The unscaled value of <paramref name="value"/> at <paramref name="scale"/> digits after the point, rounded half
    /// away from zero (as DuckDB's cast to DECIMAL rounds).
    /// </summary>
    /// <exception cref="OverflowException">The value needs more than <paramref name="precision"/> digits at that scale.</exception>
    public static Int128 FromDecimal(decimal value, int precision, int scale)
    {
        decimal rounded = Math.Round(value, scale, MidpointRounding.AwayFromZero);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(rounded, bits);
        Int128 unscaled = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        int have = (bits[3] >> 16) & 0xFF;
        unscaled *= Pow10(scale - have);
        if (unscaled >= Pow10(precision))
        {
            throw new OverflowException($"The decimal {value.ToString(CultureInfo.InvariantCulture)} does not fit Decimal({precision},{scale}): it needs more than {precision - scale} digits before the point. Declare more digits with [property: Decimal(p, s)].");
        }
        return bits[3] < 0 ? -unscaled : unscaled;
    }

    /// <summary>10 to the power <paramref name="digits"/> (0 to 38), the bound of a decimal's unscaled values.</summary>
    internal static Int128 Pow10(int digits) => PowersOfTen[digits];

    // A table, not a loop: FromDecimal checks every written value against one.
    private static readonly Int128[] PowersOfTen = MakePowersOfTen();

    private static Int128[] MakePowersOfTen()
    {
        var powers = new Int128[39];
        powers[0] = Int128.One;
        for (int i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }
        return powers;
    }
}
