using System.Collections.Generic;
using System.Text;

namespace Dsl.Generators.Common;

/// <summary>
/// The last pass over every generated file, on its text alone: fully qualified names become simple names under
/// <c>using</c> directives where that cannot change what they bind to, then long lines are wrapped
/// (<see cref="SourceWriter.Wrap"/>). The emitters keep writing <c>global::</c> names, so each of them stays correct on
/// its own; this pass only makes the result readable.
/// </summary>
internal static class GeneratedCode
{
    /// <summary>
    /// The namespaces whose types the emitters write fully qualified and that a generated file may import: a
    /// <c>global::N.T</c> with <c>N</c> in this table becomes <c>T</c> under <c>using N;</c>, unless
    /// <see cref="NameScope.Reserved"/> holds <c>T</c>.
    /// </summary>
    public static IReadOnlyList<string> Namespaces { get; } = new[]
    {
        "System",
        "System.Buffers",
        "System.CodeDom.Compiler",
        "System.Collections.Generic",
        "System.Globalization",
        "System.Numerics",
        "System.Runtime.CompilerServices",
        "System.Runtime.InteropServices",
        "System.Runtime.Intrinsics",
        "System.Text",
        "Dsl",
        "Dsl.Execution",
        "Dsl.Fitting",
        "Dsl.Kernels",
        "Dsl.Validation",
    };

    /// <summary>
    /// Simplifies the names of <paramref name="source"/>, a file whose code lies in the file-scoped namespace
    /// <paramref name="fileNamespace"/>, and wraps its long lines. <paramref name="members"/> are the names of members
    /// the file itself declares or completes where its code runs (a schema's columns), which the compilation's
    /// declarations do not show: they keep <c>global::</c> too.
    /// </summary>
    /// <remarks>
    /// The <c>using</c> directives go after the file-scoped namespace declaration, so they are looked up after the
    /// members of that namespace and before every enclosing namespace and every using directive of the compilation
    /// unit, global usings included: only a namespace, type or member the user declares can take a simple name
    /// away, and <paramref name="scope"/> lists those. A file in the global namespace shares its using level with the
    /// project's global usings, where an imported type of the same name would make a simple name ambiguous, so its
    /// names keep <c>global::</c>. The user's own types are written simply only when they live in the file's
    /// namespace itself, which the lookup searches before any using directive.
    /// </remarks>
    public static string Finish(string source, string fileNamespace, NameScope scope, IEnumerable<string>? members = null) =>
        WrapLines(fileNamespace.Length == 0
            ? source
            : Simplify(source, fileNamespace, scope, new HashSet<string>(members ?? System.Array.Empty<string>(), System.StringComparer.Ordinal)));

    /// <summary>Every line of <paramref name="source"/> through <see cref="SourceWriter.Wrap"/>.</summary>
    public static string WrapLines(string source)
    {
        var sb = new StringBuilder(source.Length + 256);
        string[] lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0)
            {
                sb.Append('\n');
            }
            bool firstPart = true;
            foreach (string part in SourceWriter.Wrap(lines[i], 0))
            {
                if (!firstPart)
                {
                    sb.Append('\n');
                }
                sb.Append(part);
                firstPart = false;
            }
        }
        return sb.ToString();
    }

    private const string Global = "global::";

    private static string Simplify(string source, string fileNamespace, NameScope scope, HashSet<string> members)
    {
        string[] fileParts = fileNamespace.Split('.');
        var used = new SortedSet<string>(UsingOrder.Instance);
        var sb = new StringBuilder(source.Length);
        int i = 0;
        bool comment = false;
        while (i < source.Length)
        {
            // Names in comments are simplified too (they are for reading); quotes in them are prose, not literals.
            if (source[i] == '\n')
            {
                comment = false;
            }
            else if (!comment && CSharpText.IsCommentStart(source, i))
            {
                comment = true;
            }
            int literal = comment ? -1 : CSharpText.LiteralEnd(source, i);
            if (literal > 0)
            {
                sb.Append(source, i, literal - i);
                i = literal;
                continue;
            }
            if (string.CompareOrdinal(source, i, Global, 0, Global.Length) != 0
                || (i > 0 && (CSharpText.IsIdentifierChar(source[i - 1]) || source[i - 1] == '.')))
            {
                sb.Append(source[i]);
                i++;
                continue;
            }
            int end = i + Global.Length;
            var segments = new List<(int Start, int End)>();
            while (true)
            {
                int start = end;
                while (end < source.Length && CSharpText.IsIdentifierChar(source[end]))
                {
                    end++;
                }
                if (end == start)
                {
                    break;
                }
                segments.Add((start, end));
                if (end + 1 < source.Length && source[end] == '.' && (char.IsLetter(source[end + 1]) || source[end + 1] == '_'))
                {
                    end++;
                    continue;
                }
                break;
            }
            int keep = SimpleNameStart(source, segments, fileParts, scope, members, used);
            if (keep < 0)
            {
                sb.Append(source, i, Global.Length);
                i += Global.Length;
                continue;
            }
            // Drop "global::" and the namespace; the rest (the type, its members, any generic arguments) is copied
            // and scanned on, so qualified names inside generic arguments are simplified too.
            i = segments[keep].Start;
        }
        return InsertUsings(sb.ToString(), fileNamespace, used, scope);
    }

    /// <summary>
    /// The index of the segment where the simple name starts (the type after a namespace that may be dropped), or -1
    /// when the name keeps <c>global::</c>; records the namespace to import.
    /// </summary>
    private static int SimpleNameStart(
        string source, List<(int Start, int End)> segments, string[] fileParts, NameScope scope, HashSet<string> members, SortedSet<string> used)
    {
        string[] names = new string[segments.Count];
        for (int s = 0; s < segments.Count; s++)
        {
            names[s] = source.Substring(segments[s].Start, segments[s].End - segments[s].Start);
        }
        string? best = null;
        int bestLength = 0;
        foreach (string ns in Namespaces)
        {
            string[] parts = ns.Split('.');
            if (parts.Length > bestLength && parts.Length < names.Length && StartsWith(names, parts))
            {
                best = ns;
                bestLength = parts.Length;
            }
        }
        if (best is not null)
        {
            string simple = names[bestLength];
            if (!scope.IsChildNamespace(best + "." + simple) && !scope.IsReserved(simple) && !members.Contains(simple))
            {
                used.Add(best);
                return bestLength;
            }
        }
        if (fileParts.Length < names.Length && StartsWith(names, fileParts)
            && !scope.IsShadowed(names[fileParts.Length]) && !members.Contains(names[fileParts.Length]))
        {
            return fileParts.Length;
        }
        return -1;
    }

    private static bool StartsWith(string[] names, string[] prefix)
    {
        for (int p = 0; p < prefix.Length; p++)
        {
            if (names[p] != prefix[p])
            {
                return false;
            }
        }
        return true;
    }

    private static string InsertUsings(string source, string fileNamespace, SortedSet<string> used, NameScope scope)
    {
        if (used.Count == 0)
        {
            return source;
        }
        string declaration = "namespace " + fileNamespace + ";\n\n";
        int at = source.IndexOf(declaration, System.StringComparison.Ordinal);
        if (at < 0)
        {
            throw new System.InvalidOperationException("A generated file in namespace '" + fileNamespace + "' lacks its file-scoped namespace declaration.");
        }
        var usings = new StringBuilder();
        foreach (string ns in used)
        {
            string first = ns.Split('.')[0];
            usings.Append("using ").Append(scope.IsReserved(first) ? Global : string.Empty).Append(ns).Append(";\n");
        }
        usings.Append('\n');
        return source.Insert(at + declaration.Length, usings.ToString());
    }

    /// <summary><c>System</c> namespaces first, then ordinal order, as <c>dotnet format</c> sorts usings.</summary>
    private sealed class UsingOrder : IComparer<string>
    {
        public static UsingOrder Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            bool xs = x == "System" || x!.StartsWith("System.", System.StringComparison.Ordinal);
            bool ys = y == "System" || y!.StartsWith("System.", System.StringComparison.Ordinal);
            return xs != ys ? (xs ? -1 : 1) : string.CompareOrdinal(x, y);
        }
    }
}
