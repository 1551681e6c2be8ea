using System.Collections.Generic;

namespace Dsl.Generators.Common;

internal sealed partial class SourceWriter
{
    /// <summary>The longest line generated code may have; longer lines are wrapped by <see cref="Wrap"/>.</summary>
    public const int MaxLineLength = 140;

    /// <summary>
    /// Splits one generated line, written after <paramref name="indent"/> columns of indentation, into lines of at
    /// most <paramref name="max"/> characters where it can. Code breaks between tokens: after a top-level
    /// <c>,</c> or before a top-level <c>&amp;&amp;</c>, <c>||</c>, <c>&amp;</c>, <c>|</c> or <c>+</c>, the
    /// after the <c>(</c> of a call, the shallowest nesting first, continuation lines indented four columns deeper than the line; a long trailing
    /// comment moves to its own line above the code. Comments break between words. String and character literals,
    /// preprocessor lines and tokens are never split, so a literal longer than the limit stays one long line.
    /// Each returned line carries its full indentation.
    /// </summary>
    public static IEnumerable<string> Wrap(string line, int indent, int max = MaxLineLength)
    {
        var lines = new List<string>();
        if (indent + line.Length <= max)
        {
            lines.Add(new string(' ', indent) + line);
            return lines;
        }
        int lead = 0;
        while (lead < line.Length && line[lead] == ' ')
        {
            lead++;
        }
        int column = indent + lead;
        string body = line.Substring(lead);
        if (body.StartsWith("#", System.StringComparison.Ordinal))
        {
            lines.Add(new string(' ', indent) + line);
            return lines;
        }
        int comment = TrailingCommentStart(body);
        if (comment == 0)
        {
            WrapComment(body, column, max, lines);
            return lines;
        }
        if (comment > 0)
        {
            string code = body.Substring(0, comment).TrimEnd();
            WrapComment(body.Substring(comment), column, max, lines);
            WrapCode(code, column, max, lines);
            return lines;
        }
        WrapCode(body, column, max, lines);
        return lines;
    }

    /// <summary>Where a <c>//</c> comment starts outside literals, or -1.</summary>
    private static int TrailingCommentStart(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            int literal = CSharpText.LiteralEnd(text, i);
            if (literal > 0)
            {
                i = literal - 1;
                continue;
            }
            if (CSharpText.IsCommentStart(text, i))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Word-wraps a comment; continuation lines repeat its marker (<c>//</c> or <c>///</c>), indented.</summary>
    private static void WrapComment(string comment, int column, int max, List<string> lines)
    {
        int marker = 0;
        while (marker < comment.Length && comment[marker] == '/')
        {
            marker++;
        }
        string prefix = comment.Substring(0, marker);
        // XML documentation ignores the extra spaces; plain comments show them, marking a continued line.
        string continuation = prefix + (marker == 3 ? " " : "   ");
        string pad = new(' ', column);
        var current = new System.Text.StringBuilder(prefix);
        bool first = true;
        bool hasWord = false;
        foreach (string word in comment.Substring(marker).Split(' '))
        {
            if (word.Length == 0)
            {
                if (!hasWord && first)
                {
                    // Keep the spacing right after the marker as written.
                    current.Append(' ');
                }
                continue;
            }
            if (hasWord && column + current.Length + 1 + word.Length > max)
            {
                lines.Add(pad + current);
                current.Clear().Append(continuation);
                first = false;
                hasWord = false;
            }
            if (hasWord)
            {
                current.Append(' ');
            }
            current.Append(word);
            hasWord = true;
        }
        lines.Add(pad + current);
    }

    private readonly struct Break
    {
        public Break(int end, int next, int depth)
        {
            End = end;
            Next = next;
            Depth = depth;
        }

        /// <summary>Where the line before the break ends (exclusive).</summary>
        public int End { get; }

        /// <summary>Where the line after the break starts.</summary>
        public int Next { get; }

        /// <summary>How many brackets enclose the break.</summary>
        public int Depth { get; }
    }

    private static void WrapCode(string code, int column, int max, List<string> lines)
    {
        var breaks = new List<Break>();
        int depth = 0;
        for (int i = 0; i < code.Length; i++)
        {
            int literal = CSharpText.LiteralEnd(code, i);
            if (literal > 0)
            {
                i = literal - 1;
                continue;
            }
            char c = code[i];
            switch (c)
            {
                case '(':
                    depth++;
                    // After the parenthesis of a call or object creation, unless the argument list is empty.
                    if (i > 0 && (CSharpText.IsIdentifierChar(code[i - 1]) || code[i - 1] == '>') && i + 1 < code.Length && code[i + 1] != ')')
                    {
                        breaks.Add(new Break(i + 1, i + 1, depth));
                    }
                    break;
                case '[':
                case '{':
                    depth++;
                    break;
                case ')':
                case ']':
                case '}':
                    depth--;
                    break;
                case ',':
                    if (i + 1 < code.Length && code[i + 1] == ' ')
                    {
                        breaks.Add(new Break(i + 1, i + 2, depth));
                    }
                    break;
                case '&':
                case '|':
                case '+':
                {
                    // Binary operators only, written " op " by the emitters; "&&" and "||" are one operator.
                    int length = c != '+' && i + 1 < code.Length && code[i + 1] == c ? 2 : 1;
                    if (i > 0 && code[i - 1] == ' ' && i + length < code.Length && code[i + length] == ' ')
                    {
                        breaks.Add(new Break(i - 1, i, depth));
                    }
                    i += length - 1;
                    break;
                }
            }
        }
        Layout(code, breaks, 0, code.Length, column, column + 4, max, lines);
    }

    /// <summary>
    /// Lays out <paramref name="code"/>[<paramref name="from"/>, <paramref name="to"/>) starting at column
    /// <paramref name="first"/>, continuing at <paramref name="next"/>: breaks at the shallowest depth are filled
    /// greedily; a piece still too long is laid out again at the next depth, four columns deeper.
    /// </summary>
    private static void Layout(string code, List<Break> breaks, int from, int to, int first, int next, int max, List<string> lines)
    {
        int shallowest = int.MaxValue;
        foreach (Break b in breaks)
        {
            if (b.Next > from && b.End < to && b.Depth < shallowest)
            {
                shallowest = b.Depth;
            }
        }
        if (first + (to - from) <= max || shallowest == int.MaxValue)
        {
            lines.Add(new string(' ', first) + code.Substring(from, to - from));
            return;
        }
        var cuts = new List<Break>();
        foreach (Break b in breaks)
        {
            if (b.Next > from && b.End < to && b.Depth == shallowest)
            {
                cuts.Add(b);
            }
        }
        int start = from;
        int column = first;
        int piece = 0;
        while (start < to)
        {
            // Take pieces while the line fits; at least one.
            int end = piece < cuts.Count ? cuts[piece].End : to;
            int resume = piece < cuts.Count ? cuts[piece].Next : to;
            piece++;
            while (piece <= cuts.Count)
            {
                int candidateEnd = piece < cuts.Count ? cuts[piece].End : to;
                if (column + (candidateEnd - start) > max)
                {
                    break;
                }
                end = candidateEnd;
                resume = piece < cuts.Count ? cuts[piece].Next : to;
                piece++;
            }
            if (column + (end - start) > max)
            {
                Layout(code, breaks, start, end, column, (column == first ? next : column) + 4, max, lines);
            }
            else
            {
                lines.Add(new string(' ', column) + code.Substring(start, end - start));
            }
            start = resume;
            column = next;
        }
    }
}
