namespace Dsl.Execution.Inputs;

/// <summary>
/// Matching the columns a pipeline reads to the names a CSV header (or a JSON object) gives: exactly, letter case
/// included; a name that matches only loosely is reported as a near match rather than guessed.
/// </summary>
internal static class TextColumnNames
{
    /// <summary>
    /// For each field, its index in <paramref name="header"/>, or -1 when the header lacks it and the field is nullable
    /// (it then reads as null). Errors name the file, the column and the near matches.
    /// </summary>
    public static int[] MapHeader(string file, IReadOnlyList<string> header, IReadOnlyList<ColumnField> fields, string schema)
    {
        int[] map = new int[fields.Count];
        for (int f = 0; f < fields.Count; f++)
        {
            ColumnField field = fields[f];
            int found = -1;
            for (int h = 0; h < header.Count; h++)
            {
                if (header[h] != field.Name)
                {
                    continue;
                }
                if (found >= 0)
                {
                    throw new PipelineExecutionException($"Input file '{file}' names column '{field.Name}' twice in its header (columns {found + 1} and {h + 1}), so which one schema '{schema}' reads is ambiguous. Rename one of them.");
                }
                found = h;
            }
            if (found < 0)
            {
                // A name that differs only in letter case or separators is surely meant: say so even for a nullable member.
                string[] loose = header.Where(h => Loose(h) == Loose(field.Name)).Distinct().ToArray();
                if (loose.Length > 0)
                {
                    throw new PipelineExecutionException($"Input file '{file}' has no column '{field.Name}' (schema '{schema}'), but its header has {string.Join(" and ", loose.Select(n => $"'{n}'"))}. Column names match exactly, letter case included: rename the header column, or map the member to it with [property: Column(\"{loose[0]}\")].");
                }
                if (!field.Nullable)
                {
                    string[] near = Near(field.Name, header);
                    string hint = near.Length > 0 ? $" (near: {string.Join(", ", near.Select(n => $"'{n}'"))})" : "";
                    throw new PipelineExecutionException($"Input file '{file}' has no column '{field.Name}', which schema '{schema}' declares non-nullable ({field.TypeName}). Its header names {Names(header)}{hint}. Add the column, map the member to another one with [property: Column(\"...\")], or declare it nullable to read it as null.");
                }
            }
            map[f] = found;
        }
        return map;
    }

    /// <summary>The names that differ from <paramref name="name"/> in letter case or separators, or by one or two typed characters.</summary>
    public static string[] Near(string name, IEnumerable<string> candidates) =>
        candidates.Where(c => c != name && (Loose(c) == Loose(name) || (name.Length >= 4 && Distance(c.ToLowerInvariant(), name.ToLowerInvariant()) <= 2))).Distinct().Take(3).ToArray();

    private static string Names(IReadOnlyList<string> header) =>
        header.Count == 0 ? "no columns" : string.Join(", ", header.Take(20).Select(h => $"'{h}'")) + (header.Count > 20 ? $" and {header.Count - 20} more" : "");

    private static string Loose(string name) => new(name.Where(c => c is not ('_' or '-' or ' ')).Select(char.ToLowerInvariant).ToArray());

    // Levenshtein distance, for short names only.
    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2 || a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue;
        }
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
