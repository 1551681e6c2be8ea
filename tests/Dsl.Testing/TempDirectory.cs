namespace Dsl.Testing;

/// <summary>A fresh temporary folder that deletes itself, with everything in it, on <see cref="Dispose"/>.</summary>
public sealed class TempDirectory : IDisposable
{
    private TempDirectory(string path)
    {
        Path = path;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>Creates a new, empty folder under the system temporary folder.</summary>
    /// <param name="prefix">The start of the folder name.</param>
    public static TempDirectory Create(string prefix = "dsl-test")
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return new TempDirectory(path);
    }

    /// <summary>The full path of <paramref name="relativePath"/> inside this folder (nothing is created).</summary>
    public string Combine(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    /// <summary>Creates (if needed) the sub-folder <paramref name="relativePath"/> and returns its full path.</summary>
    public string CreateSubdirectory(string relativePath) => Directory.CreateDirectory(Combine(relativePath)).FullName;

    /// <inheritdoc />
    public override string ToString() => Path;

    /// <summary>Deletes the folder. A folder that cannot be deleted (a file still open elsewhere) is left behind rather than failing the test.</summary>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
