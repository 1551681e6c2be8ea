using System.Text;

namespace Dsl.Execution.Inputs;

/// <summary>
/// Hive partition folders (<c>country=FR/year=2024/part-0.parquet</c>): the key and value of each folder between the
/// input root and a file, decoded the way Hive, Spark and DuckDB escape them.
/// </summary>
/// <remarks>
/// Writers escape characters that cannot stand in a folder name as <c>%XX</c> (Hive and Spark: <c>/</c>, <c>=</c>,
/// <c>%</c>, <c>:</c>, <c>#</c>, quotes, control characters; DuckDB also spaces and every non-ASCII byte, as UTF-8).
/// Decoding every <c>%XX</c> as a byte and the result as UTF-8 reads all of them; <c>+</c> stays <c>+</c> (this is
/// not form encoding), and a <c>%</c> not followed by two hex digits stays as it is.
/// <c>__HIVE_DEFAULT_PARTITION__</c> is the folder Hive and Spark write for a null value.
/// </remarks>
internal static class HiveFolders
{
    /// <summary>The folder value Hive and Spark write for null.</summary>
    public const string DefaultPartition = "__HIVE_DEFAULT_PARTITION__";

    /// <summary>The decoded key and value of each folder of <paramref name="relativeFolders"/>, outermost first.</summary>
    /// <exception cref="PipelineExecutionException">A folder's escapes do not decode to UTF-8 text.</exception>
    public static IReadOnlyList<PartitionValue> Values(string root, string[] relativeFolders)
    {
        var values = new PartitionValue[relativeFolders.Length];
        for (int i = 0; i < relativeFolders.Length; i++)
        {
            string folder = relativeFolders[i];
            int eq = folder.IndexOf('=');
            string key = Decode(root, folder, folder[..eq]);
            string raw = folder[(eq + 1)..];
            values[i] = new PartitionValue(key, raw == DefaultPartition ? null : Decode(root, folder, raw));
        }
        return values;
    }

    /// <summary><paramref name="text"/> with its <c>%XX</c> escapes decoded as UTF-8 bytes.</summary>
    public static string Decode(string root, string folder, string text)
    {
        if (!text.Contains('%'))
        {
            return text;
        }
        var bytes = new List<byte>(text.Length);
        Span<byte> one = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                bytes.Add((byte)((Hex(text[i + 1]) << 4) | Hex(text[i + 2])));
                i += 2;
                continue;
            }
            int n = Encoding.UTF8.GetBytes(text.AsSpan(i, char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1), one);
            if (n == 0)
            {
                continue;
            }
            for (int b = 0; b < n; b++)
            {
                bytes.Add(one[b]);
            }
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length)
            {
                i++;
            }
        }
        try
        {
            return TextStreams.StrictUtf8.GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            throw new PipelineExecutionException($"The hive partition folder '{folder}' under '{root}' has %XX escapes that do not decode to UTF-8 text. Rename the folder.");
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int Hex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
