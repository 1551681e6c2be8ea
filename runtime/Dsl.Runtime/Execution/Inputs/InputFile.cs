namespace Dsl.Execution.Inputs;

/// <summary>One data file of an input, as listed before anything is read.</summary>
/// <param name="Path">The full path.</param>
/// <param name="Format">How it is stored, from its name.</param>
/// <param name="Compressed">Whether it is gzip-compressed (<c>.gz</c>; text formats only).</param>
/// <param name="Root">The input folder it was found under (the file itself when the input is a file).</param>
/// <param name="Folders">The hive partition folders between <paramref name="Root"/> and the file, decoded, outermost first.</param>
internal sealed record InputFile(string Path, InputFormat Format, bool Compressed, string Root, IReadOnlyList<PartitionValue> Folders)
{
    /// <summary>The format a file name says, or null for a name that is not data (<c>notes.txt</c>).</summary>
    public static (InputFormat Format, bool Compressed)? FormatOf(string name)
    {
        bool compressed = name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        string inner = compressed ? name[..^3] : name;
        InputFormat? format = System.IO.Path.GetExtension(inner).ToLowerInvariant() switch
        {
            ".parquet" when !compressed => InputFormat.Parquet,
            ".csv" => InputFormat.Csv,
            ".jsonl" or ".ndjson" => InputFormat.JsonLines,
            _ => null,
        };
        return format is { } f ? (f, compressed) : null;
    }
}
