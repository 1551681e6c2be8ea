using System.Globalization;
using System.Numerics;
using System.Text;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Dsl.Testing;

/// <summary>
/// Renders a value DuckDB.NET read as the text DuckDB's own <c>CAST(value AS VARCHAR)</c> gives, so that test results
/// read as they did when the tests called <c>duckdb_value_varchar</c> directly: <c>2.5</c>, <c>1e+20</c>, <c>nan</c>,
/// <c>true</c>, <c>2024-01-01 00:00:07.4985</c>, <c>1.50</c> for a DECIMAL(4,2), <c>\x00ab</c> for a BLOB.
/// </summary>
/// <remarks>
/// <para><c>DuckDbTextTests</c> (in Dsl.EndToEnd.Tests) compares every rendering here with DuckDB's own cast of the
/// same values, so a change in DuckDB.NET's type mapping or in DuckDB's formatting fails there first.</para>
/// <para>Types DuckDB.NET does not read exactly (TIMESTAMP_NS at 100 ns; DECIMAL values of more than 28 digits) and
/// nested types (LIST, STRUCT, MAP, ARRAY, UNION: DuckDB's quoting rules for them are not reproduced here) are refused
/// with a message that says to cast the column to VARCHAR in the query, never rendered approximately.</para>
/// </remarks>
internal static class DuckDbText
{
    /// <summary>DuckDB.NET's <see cref="DuckDBDataReader.GetDataTypeName"/> of a DECIMAL column.</summary>
    public const string Decimal = "Decimal";

    /// <summary>DuckDB.NET's <see cref="DuckDBDataReader.GetDataTypeName"/> of a TIMESTAMP WITH TIME ZONE column.</summary>
    public const string TimestampTz = "TimestampTz";

    /// <summary>Reads the non-null value of column <paramref name="ordinal"/> in the form <see cref="Render"/> takes.</summary>
    public static object ReadValue(DuckDBDataReader reader, int ordinal, string type) => type switch
    {
        // DuckDB's own structs keep the full range (infinities, years before 1 and after 9999) that DateTime lacks.
        "Timestamp" or "TimestampS" or "TimestampMs" or TimestampTz => reader.GetFieldValue<DuckDBTimestamp>(ordinal),
        "Date" => reader.GetFieldValue<DuckDBDateOnly>(ordinal),
        "Interval" => reader.GetFieldValue<DuckDBInterval>(ordinal),
        "Blob" => ReadBytes(reader, ordinal),
        _ => reader.GetValue(ordinal),
    };

    /// <summary>The text DuckDB gives for <paramref name="value"/>, a value <see cref="ReadValue"/> read.</summary>
    /// <param name="value">The value.</param>
    /// <param name="type">The column's DuckDB.NET type name.</param>
    /// <param name="scale">For a DECIMAL column, its declared scale.</param>
    /// <param name="zone">For a TIMESTAMP WITH TIME ZONE column, the session's time zone.</param>
    /// <param name="column">The column name, for error messages.</param>
    /// <exception cref="NotSupportedException">The type cannot be rendered exactly from what DuckDB.NET reads.</exception>
    public static string Render(object value, string type, int scale, TimeZoneInfo? zone, string column) => (type, value) switch
    {
        ("Varchar" or "Enum" or "Bit", string text) => text,
        ("Boolean", bool flag) => flag ? "true" : "false",
        ("Double", double d) => FormatDouble(d),
        ("Float", float f) => FormatFloat(f),
        (Decimal, decimal m) => FormatDecimal(m, scale, column),
        ("Timestamp" or "TimestampS" or "TimestampMs", DuckDBTimestamp ts) => FormatTimestamp(ts),
        (TimestampTz, DuckDBTimestamp ts) => FormatTimestampTz(ts, zone!, column),
        ("Date", DuckDBDateOnly date) => FormatDate(date),
        ("Time", TimeOnly time) => FormatTime(time.Hour, time.Minute, time.Second, (int)(time.Ticks % TimeSpan.TicksPerSecond / 10)),
        ("TimeTz", DateTimeOffset time) => FormatTime(time.Hour, time.Minute, time.Second, (int)(time.Ticks % TimeSpan.TicksPerSecond / 10)) + FormatOffset((int)time.Offset.TotalSeconds),
        ("Interval", DuckDBInterval interval) => FormatInterval(interval),
        ("Blob", byte[] bytes) => FormatBlob(bytes),
        ("Uuid", Guid guid) => guid.ToString("D"),
        (_, sbyte or short or int or long or byte or ushort or uint or ulong or BigInteger) => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => throw new NotSupportedException(
            $"Column '{column}' has DuckDB type {type}, which this helper does not render as text exactly ({Why(type)}); cast it in the query, e.g. {column}::VARCHAR."),
    };

    /// <summary>
    /// A double as DuckDB prints it: the shortest digits that read back as the same double, positional when the
    /// decimal exponent is from -4 to 15 (with <c>.0</c> when the value is whole), else <c>1.5e+20</c> style with at
    /// least two exponent digits; <c>nan</c>, <c>inf</c>, <c>-inf</c>, <c>-0.0</c>.
    /// </summary>
    public static string FormatDouble(double value) =>
        double.IsNaN(value) ? "nan"
        : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf")
        : Layout(value.ToString("R", CultureInfo.InvariantCulture), double.IsNegative(value));

    /// <summary>
    /// A float as DuckDB prints it, laid out as <see cref="FormatDouble"/>: the fewest digits that lie within the
    /// float's rounding interval (boundaries included), the candidate closest to the value; but when that candidate is
    /// ambiguous (on a boundary of the interval, or exactly halfway between two candidates), the shortest digits of
    /// the value as a double instead (<c>39310.0625</c>, not <c>39310.062</c>).
    /// </summary>
    /// <remarks>
    /// That is what DuckDB's formatter (an early {fmt}) does: its fast shortest-digits search gives up on exactly
    /// those ambiguous cases and falls back to an exact search that treats the value as a double.
    /// </remarks>
    public static string FormatFloat(float value)
    {
        if (float.IsNaN(value))
        {
            return "nan";
        }
        if (float.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }
        bool negative = float.IsNegative(value);
        if (value == 0)
        {
            return negative ? "-0.0" : "0.0";
        }
        return ShortestFloatDigits(Math.Abs(value)) is { } digits
            ? Layout(digits, negative)
            : Layout(((double)value).ToString("R", CultureInfo.InvariantCulture), negative);
    }

    // The fewest decimal digits N x 10^p inside the float's closed rounding interval, as "NEp", or null when the
    // closest such candidate is ambiguous. Exact: the value, its interval and the candidates as BigInteger ratios.
    private static string? ShortestFloatDigits(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        int biased = (bits >> 23) & 0xFF;
        long mantissa = bits & 0x7FFFFF;
        int exponent;
        if (biased == 0)
        {
            exponent = -149;
        }
        else
        {
            mantissa |= 1L << 23;
            exponent = biased - 150;
        }
        // value = m 2^e; its neighbours' midpoints are (2m +- 1) 2^(e-1), except that below a power of two the gap
        // halves: (4m - 1) 2^(e-2). Everything is scaled by 2^(2-e) (or 2^2) so that all three are integers.
        bool closerBelow = mantissa == 1L << 23 && biased > 1;
        int shift = Math.Max(0, 2 - exponent);
        BigInteger scale = BigInteger.One << shift;
        BigInteger Scaled(BigInteger numerator, int power) =>
            power >= 0 ? (numerator << power) * scale : numerator * scale >> -power;
        BigInteger w = Scaled(mantissa, exponent);
        BigInteger high = Scaled((2 * mantissa) + 1, exponent - 1);
        BigInteger low = closerBelow ? Scaled((4 * mantissa) - 1, exponent - 2) : Scaled((2 * mantissa) - 1, exponent - 1);

        int top = (int)Math.Floor(Math.Log10(value)) + 1;
        for (int p = top; p >= top - 12; p--)
        {
            // Candidates N 10^p, scaled the same way: N * unit, with everything else multiplied by 10^-p when p < 0.
            BigInteger tens = BigInteger.Pow(10, Math.Abs(p));
            BigInteger unit = p >= 0 ? tens * scale : scale;
            BigInteger W = p >= 0 ? w : w * tens, H = p >= 0 ? high : high * tens, L = p >= 0 ? low : low * tens;
            BigInteger first = BigInteger.DivRem(L + unit - 1, unit).Quotient;
            BigInteger last = BigInteger.DivRem(H, unit).Quotient;
            if (first > last)
            {
                continue;
            }
            (BigInteger below, BigInteger rest) = BigInteger.DivRem(W, unit);
            BigInteger twice = 2 * rest;
            if (twice == unit && below >= first && below + 1 <= last)
            {
                return null; // exactly halfway between two candidates
            }
            BigInteger n = BigInteger.Clamp(twice > unit ? below + 1 : below, first, last);
            if (n * unit == L || n * unit == H)
            {
                return null; // on a boundary of the interval
            }
            return n.ToString(CultureInfo.InvariantCulture) + "E" + p.ToString(CultureInfo.InvariantCulture);
        }
        return null;
    }

    private static byte[] ReadBytes(DuckDBDataReader reader, int ordinal)
    {
        // The stream reads DuckDB's own buffer, which lives only until the reader moves on: copy it now.
        using Stream stream = reader.GetStream(ordinal);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    // .NET's shortest round-trip text ("1.5E+20", "0.0001", "-123.25", "1E-05") re-laid out the way DuckDB lays it out.
    private static string Layout(string roundTrip, bool negative)
    {
        ReadOnlySpan<char> text = roundTrip.AsSpan().TrimStart('-');
        int e = text.IndexOfAny('E', 'e');
        int exponent = e < 0 ? 0 : int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        ReadOnlySpan<char> mantissa = e < 0 ? text : text[..e];
        int point = mantissa.IndexOf('.');
        string digits = point < 0 ? mantissa.ToString() : string.Concat(mantissa[..point], mantissa[(point + 1)..]);
        int pointAt = (point < 0 ? mantissa.Length : point) + exponent; // value = 0.<digits> x 10^pointAt, before trimming
        int leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }
        digits = digits[leading..].TrimEnd('0');
        pointAt -= leading;
        var sb = new StringBuilder(32);
        if (negative)
        {
            sb.Append('-');
        }
        if (digits.Length == 0)
        {
            return sb.Append("0.0").ToString();
        }
        int scientific = pointAt - 1;
        if (scientific < -4 || scientific >= 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }
            return sb.Append('e').Append(scientific < 0 ? '-' : '+').Append(Math.Abs(scientific).ToString("00", CultureInfo.InvariantCulture)).ToString();
        }
        if (pointAt <= 0)
        {
            return sb.Append("0.").Append('0', -pointAt).Append(digits).ToString();
        }
        if (pointAt >= digits.Length)
        {
            return sb.Append(digits).Append('0', pointAt - digits.Length).Append(".0").ToString();
        }
        return sb.Append(digits, 0, pointAt).Append('.').Append(digits, pointAt, digits.Length - pointAt).ToString();
    }

    private static string FormatDecimal(decimal value, int scale, string column)
    {
        // System.Decimal holds 28 digits (29 for small leading digits); a wider DECIMAL(38, s) value would arrive rounded.
        decimal whole = Math.Truncate(Math.Abs(value));
        int integerDigits = whole == 0 ? 0 : whole.ToString(CultureInfo.InvariantCulture).Length;
        if (integerDigits + scale > 28)
        {
            throw new NotSupportedException(
                $"Column '{column}' holds the DECIMAL value {value} with scale {scale}, more digits than System.Decimal keeps exactly; cast it in the query, e.g. {column}::VARCHAR.");
        }
        return value.ToString("F" + scale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static string FormatDate(DuckDBDateOnly date)
    {
        if (date.IsInfinity)
        {
            return date.IsPositiveInfinity ? "infinity" : "-infinity";
        }
        return YearMonthDay(date.Year, date.Month, date.Day) + (date.Year <= 0 ? " (BC)" : "");
    }

    private static string FormatTimestamp(DuckDBTimestamp ts)
    {
        if (ts.IsInfinity)
        {
            return ts.IsPositiveInfinity ? "infinity" : "-infinity";
        }
        DuckDBTimeOnly time = ts.Time;
        return FormatDate(ts.Date) + " " + FormatTime(time.Hour, time.Min, time.Sec, time.Microsecond);
    }

    private static string FormatTimestampTz(DuckDBTimestamp utc, TimeZoneInfo zone, string column)
    {
        if (utc.IsInfinity)
        {
            return utc.IsPositiveInfinity ? "infinity" : "-infinity";
        }
        if (utc.Date.Year is < 1 or > 9999)
        {
            throw new NotSupportedException(
                $"Column '{column}' holds a TIMESTAMP WITH TIME ZONE in the year {utc.Date.Year}, outside the years .NET's time zones cover; cast it in the query, e.g. {column}::VARCHAR.");
        }
        DateTime instant = DateTime.SpecifyKind(utc.ToDateTime(), DateTimeKind.Utc);
        TimeSpan offset = zone.GetUtcOffset(instant);
        DateTime local = instant + offset;
        int micros = (int)(local.Ticks % TimeSpan.TicksPerSecond / 10);
        return YearMonthDay(local.Year, local.Month, local.Day) + " " + FormatTime(local.Hour, local.Minute, local.Second, micros) + FormatOffset((int)offset.TotalSeconds);
    }

    // DuckDB pads the year to four digits and writes a year before 1 as its BC year (0 is 1 BC).
    private static string YearMonthDay(int year, int month, int day) =>
        string.Create(CultureInfo.InvariantCulture, $"{(year <= 0 ? 1 - year : year):0000}-{month:00}-{day:00}");

    // HH:MM:SS, then the microseconds without trailing zeros (none when they are zero).
    private static string FormatTime(int hour, int minute, int second, int micros)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{hour:00}:{minute:00}:{second:00}");
        return micros == 0 ? text : text + "." + micros.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0');
    }

    // +HH, +HH:MM or +HH:MM:SS: only as much as the offset needs.
    private static string FormatOffset(int seconds)
    {
        char sign = seconds < 0 ? '-' : '+';
        seconds = Math.Abs(seconds);
        string text = string.Create(CultureInfo.InvariantCulture, $"{sign}{seconds / 3600:00}");
        if (seconds % 3600 != 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $":{seconds / 60 % 60:00}");
            if (seconds % 60 != 0)
            {
                text += string.Create(CultureInfo.InvariantCulture, $":{seconds % 60:00}");
            }
        }
        return text;
    }

    // "1 year 2 months 3 days 04:05:06.007"; each part only when it is not zero, and "00:00:00" for the zero interval.
    private static string FormatInterval(DuckDBInterval interval)
    {
        var parts = new List<string>(4);
        int years = interval.Months / 12;
        int months = interval.Months % 12;
        AddPart(parts, years, "year");
        AddPart(parts, months, "month");
        AddPart(parts, interval.Days, "day");
        long micros = unchecked((long)interval.Micros);
        if (micros != 0 || parts.Count == 0)
        {
            ulong magnitude = micros < 0 ? (ulong)-(micros + 1) + 1 : (ulong)micros;
            ulong totalSeconds = magnitude / 1_000_000;
            string time = string.Create(CultureInfo.InvariantCulture, $"{(micros < 0 ? "-" : "")}{totalSeconds / 3600:00}:{totalSeconds / 60 % 60:00}:{totalSeconds % 60:00}");
            ulong fraction = magnitude % 1_000_000;
            parts.Add(fraction == 0 ? time : time + "." + fraction.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }
        return string.Join(' ', parts);
    }

    private static void AddPart(List<string> parts, int count, string unit)
    {
        if (count != 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count is 1 or -1 ? "" : "s")}"));
        }
    }

    // Printable ASCII as itself; every other byte, and the quote and backslash characters, as \xHH.
    private static string FormatBlob(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b is not (byte)'\\' and not (byte)'\'' and not (byte)'"')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append("\\x").Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    private static string Why(string type) => type switch
    {
        "TimestampNs" => "DuckDB.NET reads it at 100 ns, losing the last digit",
        "List" or "Struct" or "Map" or "Array" or "Union" => "DuckDB's quoting of nested values is not reproduced",
        _ => "no rendering is defined for it",
    };
}
