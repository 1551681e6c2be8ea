using System.Numerics;
using System.Globalization;

namespace Dsl.Execution.Inputs;

/// <summary>
/// Strict parsers from text (a CSV field, a JSON value, a hive folder value) to the stored form of each column type.
/// Each returns false rather than guess: no rounding, no truncation, no culture. Numbers and dates may carry
/// surrounding ASCII spaces or tabs; text is never trimmed.
/// </summary>
internal static class TextValues
{
    private const NumberStyles IntegerStyle = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign;
    private const NumberStyles FloatStyle = NumberStyles.Float; // sign, point, exponent, surrounding white space; no thousands

    public static bool TryInt32(ReadOnlySpan<char> text, out int value) => int.TryParse(text, IntegerStyle, CultureInfo.InvariantCulture, out value);

    public static bool TryInt64(ReadOnlySpan<char> text, out long value) => long.TryParse(text, IntegerStyle, CultureInfo.InvariantCulture, out value);

    /// <summary>An integer of type <typeparamref name="T"/> (8 to 64 bits, signed or not); out of its range is refused.</summary>
    public static bool TryInteger<T>(ReadOnlySpan<char> text, out T value)
        where T : struct, IBinaryInteger<T> => T.TryParse(text, IntegerStyle, CultureInfo.InvariantCulture, out value);

    /// <summary>A half-precision float, parsed directly (rounded once); as <see cref="TryDouble"/> otherwise.</summary>
    public static bool TryHalf(ReadOnlySpan<char> text, out Half value)
    {
        if (Half.TryParse(text, FloatStyle, CultureInfo.InvariantCulture, out value) && Half.IsFinite(value))
        {
            return true;
        }
        bool named = TryNamed(text, out double special);
        value = (Half)special;
        return named;
    }

    /// <summary>A UUID in its 36-character form (<c>a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11</c>, either letter case).</summary>
    public static bool TryUuid(ReadOnlySpan<char> text, out Guid value) => Guid.TryParseExact(Trim(text), "D", out value);

    /// <summary>A double: invariant digits, or NaN / Infinity / inf with an optional sign in any letter case. A finite number too large for a double is refused, not turned into infinity.</summary>
    public static bool TryDouble(ReadOnlySpan<char> text, out double value)
    {
        // .NET parses "NaN" and "Infinity" too, and turns a finite number too large into infinity: a non-finite
        // result counts only when the text names it.
        if (double.TryParse(text, FloatStyle, CultureInfo.InvariantCulture, out value) && double.IsFinite(value))
        {
            return true;
        }
        return TryNamed(text, out value);
    }

    /// <summary>A float, parsed directly (correctly rounded once, not through double); as <see cref="TryDouble"/> otherwise.</summary>
    public static bool TryFloat(ReadOnlySpan<char> text, out float value)
    {
        if (float.TryParse(text, FloatStyle, CultureInfo.InvariantCulture, out value) && float.IsFinite(value))
        {
            return true;
        }
        bool named = TryNamed(text, out double special);
        value = (float)special;
        return named;
    }

    /// <summary>Whether <paramref name="text"/> is one of the names of a non-finite double (NaN, Infinity, inf, with a sign).</summary>
    public static bool IsNamedFloat(ReadOnlySpan<char> text) => TryNamed(text, out _);

    private static bool TryNamed(ReadOnlySpan<char> text, out double value)
    {
        ReadOnlySpan<char> t = Trim(text);
        double sign = 1;
        if (t.Length > 0 && (t[0] == '-' || t[0] == '+'))
        {
            sign = t[0] == '-' ? -1 : 1;
            t = t[1..];
        }
        if (t.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }
        if (t.Equals("infinity", StringComparison.OrdinalIgnoreCase) || t.Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary><c>true</c>/<c>false</c> in any letter case, or <c>1</c>/<c>0</c>.</summary>
    public static bool TryBoolean(ReadOnlySpan<char> text, out bool value)
    {
        ReadOnlySpan<char> t = Trim(text);
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase) || t is "1")
        {
            value = true;
            return true;
        }
        value = false;
        return t.Equals("false", StringComparison.OrdinalIgnoreCase) || t is "0";
    }

    /// <summary>A date <c>yyyy-MM-dd</c>, as days since 1970-01-01.</summary>
    public static bool TryDate(ReadOnlySpan<char> text, out int days)
    {
        days = 0;
        ReadOnlySpan<char> t = Trim(text);
        if (t.Length != 10 || !TryDateParts(t, out int y, out int m, out int d))
        {
            return false;
        }
        days = new DateOnly(y, m, d).DayNumber - Timestamps.UnixEpochDayNumber;
        return true;
    }

    /// <summary>
    /// An ISO 8601 date-time: <c>yyyy-MM-dd</c>, then optionally <c>T</c> or a space and <c>HH:mm</c>, <c>:ss</c>, a
    /// fraction of up to 9 digits, and <c>Z</c> or an offset (<c>+02:00</c>, <c>+0200</c>, <c>+02</c>). With an offset
    /// the value is converted to UTC; without one it is taken as written. The result is whole seconds since 1970-01-01
    /// and the nanoseconds within that second.
    /// </summary>
    public static bool TryDateTime(ReadOnlySpan<char> text, out long seconds, out int nanos)
    {
        seconds = 0;
        nanos = 0;
        ReadOnlySpan<char> t = Trim(text);
        if (t.Length < 10 || !TryDateParts(t[..10], out int y, out int mo, out int d))
        {
            return false;
        }
        long day = new DateOnly(y, mo, d).DayNumber - (long)Timestamps.UnixEpochDayNumber;
        long secondOfDay = 0;
        int offsetSeconds = 0;
        if (t.Length > 10)
        {
            if (t[10] is not ('T' or 't' or ' ') || !TryTimeParts(t[11..], out secondOfDay, out nanos, out ReadOnlySpan<char> rest, allowZone: true))
            {
                return false;
            }
            if (!TryOffset(rest, out offsetSeconds))
            {
                return false;
            }
        }
        seconds = (day * 86_400) + secondOfDay - offsetSeconds;
        return true;
    }

    /// <summary>A time of day <c>HH:mm</c>, <c>:ss</c> and a fraction of up to 9 digits, as nanoseconds since midnight.</summary>
    public static bool TryTime(ReadOnlySpan<char> text, out long nanosOfDay)
    {
        nanosOfDay = 0;
        if (!TryTimeParts(Trim(text), out long seconds, out int nanos, out ReadOnlySpan<char> rest, allowZone: false) || !rest.IsEmpty)
        {
            return false;
        }
        nanosOfDay = (seconds * 1_000_000_000L) + nanos;
        return true;
    }

    /// <summary>
    /// A decimal number <c>[-+]digits[.digits]</c> as its unscaled value at <paramref name="scale"/>; refused when it
    /// has more than <paramref name="precision"/> digits at that scale or nonzero digits past the scale (that would round).
    /// </summary>
    public static bool TryDecimal(ReadOnlySpan<char> text, int precision, int scale, out Int128 unscaled)
    {
        unscaled = 0;
        ReadOnlySpan<char> t = Trim(text);
        bool negative = false;
        if (t.Length > 0 && (t[0] == '-' || t[0] == '+'))
        {
            negative = t[0] == '-';
            t = t[1..];
        }
        int point = t.IndexOf('.');
        ReadOnlySpan<char> whole = point < 0 ? t : t[..point];
        ReadOnlySpan<char> fraction = point < 0 ? [] : t[(point + 1)..];
        if ((whole.IsEmpty && fraction.IsEmpty) || whole.ContainsAnyExceptInRange('0', '9') || fraction.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }
        if (fraction.Length > scale)
        {
            if (fraction[scale..].ContainsAnyExcept('0'))
            {
                return false;
            }
            fraction = fraction[..scale];
        }
        whole = whole.TrimStart('0');
        if (whole.Length + scale > precision)
        {
            return false;
        }
        Int128 value = 0;
        foreach (char c in whole)
        {
            value = (value * 10) + (c - '0');
        }
        for (int i = 0; i < scale; i++)
        {
            value = (value * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
        }
        unscaled = negative ? -value : value;
        return true;
    }

    /// <summary>Base64 text (RFC 4648, with padding) decoded into <paramref name="bytes"/>; <paramref name="written"/> bytes.</summary>
    public static bool TryBase64(ReadOnlySpan<char> text, Span<byte> bytes, out int written) => Convert.TryFromBase64Chars(text, bytes, out written);

    // yyyy-MM-dd, each part all digits, a real calendar day.
    private static bool TryDateParts(ReadOnlySpan<char> t, out int year, out int month, out int day)
    {
        year = month = day = 0;
        if (t.Length != 10 || t[4] != '-' || t[7] != '-'
            || !TryDigits(t[..4], out year) || !TryDigits(t[5..7], out month) || !TryDigits(t[8..10], out day))
        {
            return false;
        }
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    // HH:mm[:ss[.fffffffff]], then what follows (a zone, when allowed).
    private static bool TryTimeParts(ReadOnlySpan<char> t, out long secondOfDay, out int nanos, out ReadOnlySpan<char> rest, bool allowZone)
    {
        secondOfDay = 0;
        nanos = 0;
        rest = [];
        if (t.Length < 5 || t[2] != ':' || !TryDigits(t[..2], out int hour) || !TryDigits(t[3..5], out int minute) || hour > 23 || minute > 59)
        {
            return false;
        }
        int second = 0;
        int at = 5;
        if (t.Length >= 8 && t[5] == ':')
        {
            if (!TryDigits(t[6..8], out second) || second > 59)
            {
                return false;
            }
            at = 8;
            if (t.Length > 8 && t[8] == '.')
            {
                int digits = 0;
                at = 9;
                while (at < t.Length && char.IsAsciiDigit(t[at]))
                {
                    if (++digits > 9)
                    {
                        return false;
                    }
                    nanos = (nanos * 10) + (t[at] - '0');
                    at++;
                }
                if (digits == 0)
                {
                    return false;
                }
                for (int i = digits; i < 9; i++)
                {
                    nanos *= 10;
                }
            }
        }
        rest = t[at..];
        if (!allowZone && !rest.IsEmpty)
        {
            return false;
        }
        secondOfDay = (hour * 3600L) + (minute * 60L) + second;
        return true;
    }

    // Nothing, Z, or +HH, +HHmm, +HH:mm (and the same with -).
    private static bool TryOffset(ReadOnlySpan<char> t, out int seconds)
    {
        seconds = 0;
        if (t.IsEmpty)
        {
            return true;
        }
        if (t is "Z" or "z")
        {
            return true;
        }
        if (t[0] is not ('+' or '-'))
        {
            return false;
        }
        int sign = t[0] == '-' ? -1 : 1;
        ReadOnlySpan<char> o = t[1..];
        int hours;
        int minutes = 0;
        bool ok = o.Length switch
        {
            2 => TryDigits(o, out hours),
            4 => TryDigits(o[..2], out hours) && TryDigits(o[2..], out minutes),
            5 => o[2] == ':' & TryDigits(o[..2], out hours) & TryDigits(o[3..], out minutes),
            _ => (hours = 0) != 0,
        };
        if (!ok || hours > 23 || minutes > 59)
        {
            return false;
        }
        seconds = sign * ((hours * 3600) + (minutes * 60));
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> t, out int value)
    {
        value = 0;
        foreach (char c in t)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = (value * 10) + (c - '0');
        }
        return !t.IsEmpty;
    }

    private static ReadOnlySpan<char> Trim(ReadOnlySpan<char> text) => text.Trim(" \t");
}
