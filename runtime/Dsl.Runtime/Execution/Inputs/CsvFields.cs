using System.Globalization;
using nietras.SeparatedValues;

namespace Dsl.Execution.Inputs;

/// <summary>
/// RFC 4180 fields as Sep hands them over (raw, quotes included): a quoted field is unquoted with its doubled quotes
/// halved, and a field whose quotes do not follow the rules is an error rather than Sep's best guess, so that a stray
/// quote never shifts values silently.
/// </summary>
internal static class CsvFields
{
    /// <summary>The Sep options every CSV read uses: comma, no header handling (we read the header as a row ourselves), no unescaping (done here, checked).</summary>
    public static SepReaderOptions Options => Sep.New(',').Reader(o => o with
    {
        HasHeader = false,
        DisableColCountCheck = true,
        CultureInfo = CultureInfo.InvariantCulture,
    });

    /// <summary>
    /// The value of the raw field <paramref name="raw"/>: itself when unquoted, else unquoted into
    /// <paramref name="scratch"/> (grown as needed). Returns null, or what is wrong with the quoting.
    /// </summary>
    public static string? Unescape(ReadOnlySpan<char> raw, ref char[] scratch, out ReadOnlySpan<char> value, out bool quoted)
    {
        quoted = raw.Length > 0 && raw[0] == '"';
        value = raw;
        if (!quoted)
        {
            return raw.Contains('"') ? "a quote inside a field that does not start with one (quote the whole field and double each quote inside it)" : null;
        }
        if (raw.Length < 2 || raw[^1] != '"')
        {
            return "a quoted field must end with a quote right before the next comma or the end of the line";
        }
        ReadOnlySpan<char> inner = raw[1..^1];
        int first = inner.IndexOf('"');
        if (first < 0)
        {
            value = inner;
            return null;
        }
        if (scratch.Length < inner.Length)
        {
            scratch = new char[Math.Max(inner.Length, scratch.Length * 2)];
        }
        int written = 0;
        for (int i = 0; i < inner.Length; i++)
        {
            char c = inner[i];
            if (c == '"')
            {
                if (i + 1 >= inner.Length || inner[i + 1] != '"')
                {
                    return "a quote inside a quoted field must be doubled (\"\")";
                }
                i++;
            }
            scratch[written++] = c;
        }
        value = scratch.AsSpan(0, written);
        return null;
    }

    /// <summary>How many physical lines the raw record text spans beyond its first: <c>\r\n</c>, <c>\r</c> and <c>\n</c> each end one.</summary>
    public static int LineEnds(ReadOnlySpan<char> text)
    {
        int count = 0;
        for (int i = text.IndexOfAny('\r', '\n'); i >= 0;)
        {
            count++;
            int next = text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? i + 2 : i + 1;
            int rel = text[next..].IndexOfAny('\r', '\n');
            i = rel < 0 ? -1 : next + rel;
        }
        return count;
    }
}
