namespace Dsl.Testing;

/// <summary>Well-known folders of the repository the tests run from.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The repository root: the nearest folder above the test binaries that holds <c>Dsl.sln</c>.</summary>
    /// <exception cref="InvalidOperationException">No such folder exists above <see cref="AppContext.BaseDirectory"/>.</exception>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary><c>&lt;RepoRoot&gt;/artifacts</c>: build output and local packages (git-ignored).</summary>
    public static string Artifacts => Path.Combine(RepoRoot, "artifacts");

    /// <summary><c>&lt;RepoRoot&gt;/../shared/parquet-testing</c>: files from the Apache parquet-testing project.</summary>
    public static string SharedParquetTesting => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "parquet-testing"));

    /// <summary>
    /// The full path of <paramref name="relativePath"/> under <see cref="SharedParquetTesting"/>, checked to exist.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is not there.</exception>
    public static string SharedParquetFile(string relativePath)
    {
        string path = Path.Combine(SharedParquetTesting, relativePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The test file '{relativePath}' was not found under '{SharedParquetTesting}'. The parquet-testing files are expected in a 'shared' folder beside the repository.",
                path);
        }
        return path;
    }

    /// <summary>Creates an empty temporary folder that is deleted, with its contents, when the result is disposed.</summary>
    /// <param name="prefix">The start of the folder name, to tell tests' folders apart.</param>
    public static TempDirectory CreateTempDirectory(string prefix = "dsl-test") => TempDirectory.Create(prefix);

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dsl.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException(
            $"No folder holding 'Dsl.sln' was found above '{AppContext.BaseDirectory}'. Run the tests from a build inside the repository.");
    }
}
