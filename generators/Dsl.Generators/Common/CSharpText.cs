namespace Dsl.Generators.Common;

/// <summary>
/// The little C# lexing the text passes over generated code need: where literals and comments start and end, so
/// that wrapping and name simplification never touch the inside of a string, a character or a comment's text.
/// </summary>
internal static class CSharpText
{
    /// <summary>
    /// If a string or character literal starts at <paramref name="i"/> (including <c>@"</c>, <c>$"</c>,
    /// <c>$@"</c>, <c>@$"</c> and <c>"""</c> forms), the index just after it; otherwise -1. An unterminated literal
    /// ends at the end of the text.
    /// </summary>
    public static int LiteralEnd(string s, int i)
    {
        if (i >= s.Length)
        {
            return -1;
        }
        char c = s[i];
        if (c == '\'')
        {
            return QuotedEnd(s, i + 1, '\'', verbatim: false, interpolated: false);
        }
        bool verbatim = false, interpolated = false;
        int j = i;
        while (j < s.Length && (s[j] == '@' || s[j] == '$') && j - i < 2)
        {
            verbatim |= s[j] == '@';
            interpolated |= s[j] == '$';
            j++;
        }
        if (j >= s.Length || s[j] != '"')
        {
            return -1;
        }
        if (j > i && i > 0 && IsIdentifierChar(s[i - 1]))
        {
            return -1;
        }
        if (string.CompareOrdinal(s, j, "\"\"\"", 0, 3) == 0)
        {
            int close = s.IndexOf("\"\"\"", j + 3, System.StringComparison.Ordinal);
            return close < 0 ? s.Length : close + 3;
        }
        return QuotedEnd(s, j + 1, '"', verbatim, interpolated);
    }

    private static int QuotedEnd(string s, int i, char quote, bool verbatim, bool interpolated)
    {
        while (i < s.Length)
        {
            char c = s[i];
            if (!verbatim && c == '\n')
            {
                // Only verbatim literals span lines; stopping here keeps a stray quote from swallowing the file.
                return i;
            }
            if (!verbatim && c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == quote)
            {
                if (verbatim && i + 1 < s.Length && s[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            if (interpolated && c == '{')
            {
                if (i + 1 < s.Length && s[i + 1] == '{')
                {
                    i += 2;
                    continue;
                }
                i = HoleEnd(s, i + 1);
                continue;
            }
            i++;
        }
        return s.Length;
    }

    // The code inside an interpolation hole, up to and including its closing brace; nested literals are skipped whole.
    private static int HoleEnd(string s, int i)
    {
        int depth = 0;
        while (i < s.Length)
        {
            int literal = LiteralEnd(s, i);
            if (literal > 0)
            {
                i = literal;
                continue;
            }
            char c = s[i];
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}')
            {
                if (depth == 0)
                {
                    return i + 1;
                }
                depth--;
            }
            i++;
        }
        return s.Length;
    }

    /// <summary>Whether a <c>//</c> comment starts at <paramref name="i"/> (the caller has skipped literals).</summary>
    public static bool IsCommentStart(string s, int i) => i + 1 < s.Length && s[i] == '/' && s[i + 1] == '/';

    public static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
