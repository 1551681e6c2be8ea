namespace Dsl.Parquet.Tests;

/// <summary>Locates the shared parquet-testing corpus: <c>&lt;repo&gt;/../shared/parquet-testing</c>.</summary>
internal static class TestFiles
{
    private static readonly Lazy<string> s_directory = new(Find);

    public static string Directory => s_directory.Value;

    public static string Path(string name) => System.IO.Path.Combine(Directory, name);

    public static string ExpectedPath(string name) => System.IO.Path.Combine(Directory, "expected", name);

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared", "parquet-testing");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"No shared/parquet-testing folder was found above {AppContext.BaseDirectory}; the conformance corpus must sit beside the repository.");
    }
}
