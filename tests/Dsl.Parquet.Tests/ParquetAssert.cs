using Dsl.Cli.Formatting;

namespace Dsl.Parquet.Tests;

/// <summary>Helpers that read whole files and compare them.</summary>
internal static class ParquetAssert
{
    /// <summary>Reads every row group (all columns or a projection) as JSON lines, at most <paramref name="maxRows"/>.</summary>
    public static List<string> ReadJsonLines(ParquetFileReader reader, IReadOnlyList<string>? columns = null, int maxRows = int.MaxValue)
    {
        var utc = new HashSet<string>(reader.Columns.Where(c => c.IsAdjustedToUtc).Select(c => c.Name), StringComparer.Ordinal);
        var text = new StringWriter { NewLine = "\n" };
        var json = new JsonLinesWriter(text, utc);
        int remaining = maxRows;
        foreach (RecordBatch batch in reader.ReadBatches(columns))
        {
            using (batch)
            {
                int n = Math.Min(remaining, batch.RowCount);
                json.Write(batch, 0, n);
                remaining -= n;
            }
        }
        return [.. text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Opens and fully reads <paramref name="path"/>; returns the rows read.</summary>
    public static long ReadAll(string path)
    {
        using var reader = new ParquetFileReader(path);
        return ReadAll(reader);
    }

    public static long ReadAll(ParquetFileReader reader)
    {
        _ = reader.Schema;
        long rows = 0;
        foreach (RecordBatch batch in reader.ReadBatches())
        {
            using (batch)
            {
                rows += batch.RowCount;
                for (int c = 0; c < batch.Schema.Count; c++)
                {
                    Column column = batch[c];
                    for (int r = 0; r < Math.Min(batch.RowCount, 64); r++)
                    {
                        _ = column.IsNull(r);
                    }
                }
            }
        }
        return rows;
    }

    /// <summary>Splits a flat JSON object line into its top-level key/value texts, raw.</summary>
    public static Dictionary<string, string> SplitObject(string line)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 1;
        while (i < line.Length - 1)
        {
            int keyStart = i;
            i = SkipString(line, i);
            string key = line[(keyStart + 1)..(i - 1)];
            i++; // ':'
            int valueStart = i;
            int depth = 0;
            while (i < line.Length)
            {
                char c = line[i];
                if (c == '"')
                {
                    i = SkipString(line, i);
                    continue;
                }
                if (c is '{' or '[')
                {
                    depth++;
                }
                else if (c is '}' or ']')
                {
                    if (depth == 0)
                    {
                        break;
                    }
                    depth--;
                }
                else if (c == ',' && depth == 0)
                {
                    break;
                }
                i++;
            }
            result[key] = line[valueStart..i];
            i++; // ',' or '}'
        }
        return result;
    }

    private static int SkipString(string s, int i)
    {
        i++;
        while (s[i] != '"')
        {
            i += s[i] == '\\' ? 2 : 1;
        }
        return i + 1;
    }
}
