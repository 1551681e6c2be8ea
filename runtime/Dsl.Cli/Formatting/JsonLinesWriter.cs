using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dsl.Cli.Formatting;

/// <summary>
/// Writes batches as JSON lines, one object a row, in DuckDB's conventions (the format of the conformance files'
/// expected output and of <c>dsl parquet cat</c>): keys in schema order; FLOAT widened to double; doubles as the
/// shortest round-trip text with bare <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c>; timestamps as
/// <c>YYYY-MM-DD HH:MM:SS[.fraction]</c> (trailing zeros dropped, <c>+00</c> appended for UTC-adjusted columns);
/// dates <c>YYYY-MM-DD</c>; times <c>HH:MM:SS[.fraction]</c>; binary with bytes outside printable ASCII written
/// <c>\xNN</c>; lists as arrays, structs as objects, maps as objects keyed by the keys' text; nulls as <c>null</c>.
/// Decimals follow DuckDB too: up to 15 digits of precision (which a double holds exactly) as the nearest double,
/// wider ones exactly, with <see cref="ColumnField.Scale"/> digits after the point. JSON columns
/// (<see cref="ColumnField.IsJson"/>, Parquet's <c>JSON</c> logical type) are embedded as JSON where the value is a
/// valid JSON document, as DuckDB does (see <see cref="EmbedJson"/>); a value that is not valid JSON is written as a
/// string, so every line stays valid.
/// </summary>
internal sealed class JsonLinesWriter
{
    private readonly TextWriter _writer;
    private readonly IReadOnlySet<string> _utcColumns;
    private readonly StringBuilder _line = new(256);

    /// <summary>Creates a writer.</summary>
    /// <param name="writer">Where lines go (each ends with <c>\n</c>).</param>
    /// <param name="utcTimestampColumns">Timestamp columns whose values are UTC instants, written with a <c>+00</c> suffix.</param>
    public JsonLinesWriter(TextWriter writer, IReadOnlySet<string>? utcTimestampColumns = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _utcColumns = utcTimestampColumns ?? new HashSet<string>();
    }

    /// <summary>
    /// Whether a value of a JSON column that is a valid JSON document is written as that document, compacted (whitespace
    /// between tokens dropped, tokens kept as written), rather than as a JSON string holding its text. Default true, as
    /// DuckDB writes JSON columns; values that are not valid JSON (RFC 8259: one value, no comments, no trailing
    /// commas, nesting at most <see cref="MaxJsonDepth"/> deep) are written as strings either way.
    /// </summary>
    public bool EmbedJson { get; init; } = true;

    /// <summary>The deepest nesting of an embedded JSON value; deeper ones are written as strings.</summary>
    public const int MaxJsonDepth = 256;

    /// <summary>Writes every row of <paramref name="batch"/>.</summary>
    public void Write(RecordBatch batch) => Write(batch, 0, batch.RowCount);

    /// <summary>Writes rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> of <paramref name="batch"/>.</summary>
    public void Write(RecordBatch batch, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, batch.RowCount);
        for (int row = start; row < start + count; row++)
        {
            _line.Clear();
            AppendRow(_line, batch, row);
            _line.Append('\n');
            _writer.Write(_line);
        }
    }

    /// <summary>The JSON text of row <paramref name="row"/>, without a line break.</summary>
    public string FormatRow(RecordBatch batch, int row)
    {
        var sb = new StringBuilder(128);
        AppendRow(sb, batch, row);
        return sb.ToString();
    }

    /// <summary>A double as DuckDB writes it: shortest round-trip digits, <c>.0</c> on integral values, exponent form (<c>1e-7</c>, <c>1.5e300</c>) below 1e-6 and from 1e21 on.</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r[0] == '-';
        if (negative)
        {
            r = r[1..];
        }
        int e = r.IndexOf('E');
        string mantissa = e < 0 ? r : r[..e];
        int exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int point = mantissa.IndexOf('.');
        string digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        int intDigits = point < 0 ? mantissa.Length : point;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }
        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }
        // value = 0.digits * 10^(decimalPoint)
        int decimalPoint = intDigits - lead + exponent;
        int sciExponent = decimalPoint - 1;
        var sb = new StringBuilder(32);
        if (negative)
        {
            sb.Append('-');
        }
        if (sciExponent >= -6 && sciExponent <= 20)
        {
            if (decimalPoint <= 0)
            {
                sb.Append("0.").Append('0', -decimalPoint).Append(digits);
            }
            else if (decimalPoint >= digits.Length)
            {
                sb.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
            }
            else
            {
                sb.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
            }
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }
            sb.Append('e').Append(sciExponent.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Microseconds since the Unix epoch as <c>YYYY-MM-DD HH:MM:SS[.fraction]</c>, fraction without trailing zeros.</summary>
    public static string FormatTimestamp(long micros, bool adjustedToUtc = false)
    {
        const long microsPerDay = 86_400_000_000L;
        long days = Math.DivRem(micros, microsPerDay, out long ofDay);
        if (ofDay < 0)
        {
            ofDay += microsPerDay;
            days--;
        }
        CivilFromDays(days, out long year, out int month, out int day);
        var sb = new StringBuilder(32);
        AppendDate(sb, year, month, day);
        sb.Append(' ');
        AppendClock(sb, ofDay / 1_000_000, ofDay % 1_000_000, 6);
        if (adjustedToUtc)
        {
            sb.Append("+00");
        }
        return sb.ToString();
    }

    // Days since 1970-01-01 to a proleptic Gregorian date, by 400-year eras (each 146097 days).
    private static void CivilFromDays(long days, out long year, out int month, out int day)
    {
        long z = days + 719468;
        long era = (z >= 0 ? z : z - 146096) / 146097;
        long dayOfEra = z - (era * 146097);
        long yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36524) - (dayOfEra / 146096)) / 365;
        long dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        long mp = ((5 * dayOfYear) + 2) / 153;
        day = (int)(dayOfYear - (((153 * mp) + 2) / 5) + 1);
        month = (int)(mp < 10 ? mp + 3 : mp - 9);
        year = (yearOfEra + (era * 400)) + (month <= 2 ? 1 : 0);
    }

    private void AppendRow(StringBuilder sb, RecordBatch batch, int row)
    {
        sb.Append('{');
        for (int c = 0; c < batch.Schema.Count; c++)
        {
            if (c > 0)
            {
                sb.Append(',');
            }
            ColumnField field = batch.Schema[c];
            AppendString(sb, field.Name);
            sb.Append(':');
            AppendValue(sb, batch[c], field, row, _utcColumns.Contains(field.Name), EmbedJson);
        }
        sb.Append('}');
    }

    private static void AppendValue(StringBuilder sb, Column column, ColumnField field, int row, bool utc, bool embedJson)
    {
        if (column.IsNull(row))
        {
            sb.Append("null");
            return;
        }
        utc |= field.IsAdjustedToUtc;
        switch (column)
        {
            case PrimitiveColumn<int> dates when column.Type == ColumnType.Date:
                sb.Append('"').Append(FormatDate(dates[row])).Append('"');
                break;
            case PrimitiveColumn<int> ints:
                sb.Append(ints[row].ToString(CultureInfo.InvariantCulture));
                break;
            case PrimitiveColumn<long> longs when column.Type == ColumnType.Timestamp:
                sb.Append('"').Append(FormatTimestamp(longs[row], utc)).Append('"');
                break;
            case PrimitiveColumn<long> longs when column.Type == ColumnType.TimestampNanos:
                sb.Append('"').Append(FormatTimestampNanos(longs[row], utc)).Append('"');
                break;
            case PrimitiveColumn<long> longs when column.Type == ColumnType.Time:
                sb.Append('"').Append(FormatTime(longs[row], utc)).Append('"');
                break;
            case PrimitiveColumn<Int128> decimals:
                sb.Append(field.Precision <= 15 ? FormatDouble((double)decimals[row] / Math.Pow(10, field.Scale)) : FormatDecimal(decimals[row], field.Scale));
                break;
            case ListColumn map when column.Type == ColumnType.Map:
                AppendMap(sb, map, field, row, embedJson);
                break;
            case ListColumn list:
            {
                ColumnField element = field.Children.Count > 0 ? field.Children[0] : new ColumnField("element", list.Values.Type, true);
                sb.Append('[');
                int start = list.Start(row);
                for (int i = 0; i < list.Count(row); i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    AppendValue(sb, list.Values, element, start + i, false, embedJson);
                }
                sb.Append(']');
                break;
            }
            case StructColumn structs:
                sb.Append('{');
                for (int i = 0; i < structs.Children.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    ColumnField member = i < field.Children.Count ? field.Children[i] : new ColumnField($"f{i}", structs.Children[i].Type, true);
                    AppendString(sb, member.Name);
                    sb.Append(':');
                    AppendValue(sb, structs.Children[i], member, row, false, embedJson);
                }
                sb.Append('}');
                break;
            case PrimitiveColumn<long> longs:
                sb.Append(longs[row].ToString(CultureInfo.InvariantCulture));
                break;
            case PrimitiveColumn<float> floats:
                sb.Append(FormatDouble(floats[row]));
                break;
            case PrimitiveColumn<Half> halves:
                sb.Append(FormatDouble((double)halves[row]));
                break;
            case PrimitiveColumn<sbyte> c:
                sb.Append(c[row].ToString(CultureInfo.InvariantCulture));
                break;
            case PrimitiveColumn<short> c:
                sb.Append(c[row].ToString(CultureInfo.InvariantCulture));
                break;
            case PrimitiveColumn<byte> c:
                sb.Append(c[row].ToString(CultureInfo.InvariantCulture));
                break;
            case PrimitiveColumn<ushort> c:
                sb.Append(c[row].ToString(CultureInfo.InvariantCulture));
                break;
            case PrimitiveColumn<uint> c:
                sb.Append(c[row].ToString(CultureInfo.InvariantCulture));
                break;
            case PrimitiveColumn<ulong> c:
                sb.Append(c[row].ToString(CultureInfo.InvariantCulture));
                break;
            case PrimitiveColumn<Guid> uuids:
                sb.Append('"').Append(uuids[row].ToString("D")).Append('"');
                break;
            case PrimitiveColumn<double> doubles:
                sb.Append(FormatDouble(doubles[row]));
                break;
            case PrimitiveColumn<bool> bools:
                sb.Append(bools[row] ? "true" : "false");
                break;
            case StringColumn json when column.Type == ColumnType.String && field.IsJson && embedJson:
                AppendJson(sb, json.GetString(row)!);
                break;
            case StringColumn strings when column.Type == ColumnType.String:
                AppendString(sb, strings.GetString(row)!);
                break;
            case StringColumn binary:
                AppendBinary(sb, binary.GetBytes(row));
                break;
            default:
                throw new NotSupportedException($"Column type {column.Type} cannot be written as JSON yet.");
        }
    }

    private static void AppendMap(StringBuilder sb, ListColumn map, ColumnField field, int row, bool embedJson)
    {
        Column keys = map.Keys;
        Column items = map.Items;
        ColumnField keyField = field.Children.Count > 0 ? field.Children[0] : new ColumnField("key", keys.Type, false);
        ColumnField valueField = field.Children.Count > 1 ? field.Children[1] : new ColumnField("value", items.Type, true);
        var key = new StringBuilder(16);
        sb.Append('{');
        int start = map.Start(row);
        for (int i = 0; i < map.Count(row); i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            // Keys are written as strings: a string key as is, any other as its JSON text in quotes.
            key.Clear();
            AppendValue(key, keys, keyField, start + i, false, embedJson: false);
            if (key.Length > 0 && key[0] == '"')
            {
                sb.Append(key);
            }
            else
            {
                AppendString(sb, key.ToString());
            }
            sb.Append(':');
            AppendValue(sb, items, valueField, start + i, false, embedJson);
        }
        sb.Append('}');
    }

    /// <summary>Days since the Unix epoch as <c>YYYY-MM-DD</c> (years before 1 as DuckDB writes them, <c>YYYY-MM-DD (BC)</c>).</summary>
    public static string FormatDate(int days)
    {
        CivilFromDays(days, out long year, out int month, out int day);
        var sb = new StringBuilder(16);
        AppendDate(sb, year, month, day);
        return sb.ToString();
    }

    /// <summary>Nanoseconds since midnight as <c>HH:MM:SS[.fraction]</c>, with <c>+00</c> for a UTC time.</summary>
    public static string FormatTime(long nanos, bool adjustedToUtc = false)
    {
        var sb = new StringBuilder(24);
        long seconds = Math.DivRem(nanos, 1_000_000_000L, out long fraction);
        if (fraction < 0)
        {
            fraction += 1_000_000_000L;
            seconds--;
        }
        AppendClock(sb, seconds, fraction, 9);
        if (adjustedToUtc)
        {
            sb.Append("+00");
        }
        return sb.ToString();
    }

    /// <summary>Nanoseconds since the Unix epoch as <c>YYYY-MM-DD HH:MM:SS[.fraction]</c>, fraction without trailing zeros.</summary>
    public static string FormatTimestampNanos(long nanos, bool adjustedToUtc = false)
    {
        const long nanosPerDay = 86_400_000_000_000L;
        long days = Math.DivRem(nanos, nanosPerDay, out long ofDay);
        if (ofDay < 0)
        {
            ofDay += nanosPerDay;
            days--;
        }
        CivilFromDays(days, out long year, out int month, out int day);
        var sb = new StringBuilder(40);
        AppendDate(sb, year, month, day);
        sb.Append(' ');
        AppendClock(sb, ofDay / 1_000_000_000L, ofDay % 1_000_000_000L, 9);
        if (adjustedToUtc)
        {
            sb.Append("+00");
        }
        return sb.ToString();
    }

    /// <summary>An unscaled decimal as text with exactly <paramref name="scale"/> digits after the point.</summary>
    public static string FormatDecimal(Int128 unscaled, int scale) => Decimals.ToText(unscaled, scale);

    private static void AppendDate(StringBuilder sb, long year, int month, int day)
    {
        // DuckDB writes year 0 and earlier as the positive year before Christ followed by " (BC)".
        long shown = year <= 0 ? 1 - year : year;
        sb.Append(shown.ToString("0000", CultureInfo.InvariantCulture)).Append('-')
          .Append(month.ToString("00", CultureInfo.InvariantCulture)).Append('-')
          .Append(day.ToString("00", CultureInfo.InvariantCulture));
        if (year <= 0)
        {
            sb.Append(" (BC)");
        }
    }

    private static void AppendClock(StringBuilder sb, long seconds, long fraction, int fractionDigits)
    {
        sb.Append((seconds / 3600).ToString("00", CultureInfo.InvariantCulture)).Append(':')
          .Append((seconds / 60 % 60).ToString("00", CultureInfo.InvariantCulture)).Append(':')
          .Append((seconds % 60).ToString("00", CultureInfo.InvariantCulture));
        if (fraction != 0)
        {
            sb.Append('.').Append(fraction.ToString(new string('0', fractionDigits), CultureInfo.InvariantCulture).TrimEnd('0'));
        }
    }

    /// <summary>
    /// <paramref name="text"/> compacted (whitespace between tokens dropped) when it is one valid JSON value; null when
    /// it is not (RFC 8259, nesting at most <see cref="MaxJsonDepth"/> deep).
    /// </summary>
    public static string? CompactJson(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        return TryAppendCompactJson(sb, text) ? sb.ToString() : null;
    }

    private static void AppendJson(StringBuilder sb, string text)
    {
        int mark = sb.Length;
        if (!TryAppendCompactJson(sb, text))
        {
            sb.Length = mark;
            AppendString(sb, text);
        }
    }

    private static bool TryAppendCompactJson(StringBuilder sb, string text)
    {
        if (!IsValidJson(text))
        {
            return false;
        }
        // Valid JSON: outside strings only structural characters, literals, numbers and whitespace remain; inside
        // strings every control character is escaped, so dropping the whitespace outside them leaves one line.
        bool inString = false;
        bool escaped = false;
        foreach (char ch in text)
        {
            if (inString)
            {
                sb.Append(ch);
                if (escaped)
                {
                    escaped = false;
                }
                else if (ch == '\\')
                {
                    escaped = true;
                }
                else if (ch == '"')
                {
                    inString = false;
                }
            }
            else if (ch is not (' ' or '\t' or '\n' or '\r'))
            {
                sb.Append(ch);
                inString = ch == '"';
            }
        }
        return true;
    }

    private static bool IsValidJson(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxJsonDepth, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        try
        {
            bool any = false;
            while (reader.Read())
            {
                any = true;
            }
            return any;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Bytes as a JSON string, printable ASCII as is and other bytes as <c>\xNN</c> (DuckDB's blob text).</summary>
    public static string FormatBinary(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length + 2);
        AppendBinary(sb, bytes);
        return sb.ToString();
    }

    /// <summary>Text as a JSON string, quoted and escaped.</summary>
    public static string FormatJsonString(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        AppendString(sb, value);
        return sb.ToString();
    }

    private static void AppendBinary(StringBuilder sb, ReadOnlySpan<byte> bytes)
    {
        sb.Append('"');
        foreach (byte b in bytes)
        {
            // DuckDB also escapes the backslash and both quote characters.
            if (b is >= 0x20 and <= 0x7E and not ((byte)'\\' or (byte)'\'' or (byte)'"'))
            {
                AppendEscapedChar(sb, (char)b);
            }
            else
            {
                sb.Append("\\\\x").Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        sb.Append('"');
    }

    private static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char ch in value)
        {
            AppendEscapedChar(sb, ch);
        }
        sb.Append('"');
    }

    private static void AppendEscapedChar(StringBuilder sb, char ch)
    {
        switch (ch)
        {
            case '"':
                sb.Append("\\\"");
                break;
            case '\\':
                sb.Append("\\\\");
                break;
            case '\n':
                sb.Append("\\n");
                break;
            case '\r':
                sb.Append("\\r");
                break;
            case '\t':
                sb.Append("\\t");
                break;
            case '\b':
                sb.Append("\\b");
                break;
            case '\f':
                sb.Append("\\f");
                break;
            default:
                if (ch < 0x20)
                {
                    sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(ch);
                }
                break;
        }
    }
}
