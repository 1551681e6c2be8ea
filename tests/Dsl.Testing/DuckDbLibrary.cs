namespace Dsl.Testing;

/// <summary>Finds the file of the DuckDB library that DuckDB.NET loaded into this process.</summary>
internal static class DuckDbLibrary
{
    private static readonly string[] s_fileNames = ["libduckdb.so", "libduckdb.dylib", "duckdb.dll"];

    /// <summary>The loaded library's path: from the process's memory map on Linux, else where the package puts it.</summary>
    /// <exception cref="InvalidOperationException">No such file was found.</exception>
    public static string LoadedPath()
    {
        // /proc/self/maps names every mapped file: the truth about which copy was loaded, not a guess.
        const string maps = "/proc/self/maps";
        if (File.Exists(maps))
        {
            foreach (string line in File.ReadLines(maps))
            {
                int slash = line.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0 && s_fileNames.Contains(Path.GetFileName(line[slash..]), StringComparer.Ordinal))
                {
                    return line[slash..];
                }
            }
        }
        // Elsewhere: the two places the .NET host loads a package's native asset from.
        string rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        foreach (string name in s_fileNames)
        {
            foreach (string candidate in new[] { Path.Combine(AppContext.BaseDirectory, name), Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", name) })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new InvalidOperationException($"DuckDB is loaded but its library file was not found under '{AppContext.BaseDirectory}'.");
    }
}
