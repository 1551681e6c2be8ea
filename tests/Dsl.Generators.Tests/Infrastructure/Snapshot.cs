using System.Text.RegularExpressions;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>
/// Compares text with a checked-in file under <c>_snapshots/</c>. Set <c>DSL_UPDATE_SNAPSHOTS=1</c> to rewrite the
/// files on purpose, then review the diff.
/// </summary>
internal static partial class Snapshot
{
    private static bool Updating => Environment.GetEnvironmentVariable("DSL_UPDATE_SNAPSHOTS") == "1";

    private static string Root => Path.Combine(Diagnostics.DiagnosticTests.RepositoryRoot(), "tests", "Dsl.Generators.Tests", "_snapshots");

    /// <summary>
    /// Every file of <paramref name="actual"/> (name to text) matches its snapshot under <c>_snapshots/<paramref name="folder"/>/</c>,
    /// and the folder holds no snapshot of a file that is no longer generated. The update mode rewrites the folder
    /// to exactly these files.
    /// </summary>
    public static void MatchFolder(string folder, IReadOnlyDictionary<string, string> actual)
    {
        string directory = Path.Combine(Root, folder);
        string[] existing = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.txt").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray()
            : [];
        if (Updating)
        {
            Directory.CreateDirectory(directory);
            foreach (string stale in existing.Except(actual.Keys, StringComparer.Ordinal))
            {
                File.Delete(Path.Combine(directory, stale));
            }
        }
        else
        {
            Assert.True(
                existing.SequenceEqual(actual.Keys.Order(StringComparer.Ordinal), StringComparer.Ordinal),
                $"_snapshots/{folder}/ holds [{string.Join(", ", existing)}] but the generator wrote [{string.Join(", ", actual.Keys.Order(StringComparer.Ordinal))}]; run the tests with DSL_UPDATE_SNAPSHOTS=1 to rewrite the snapshots, then review the diff.");
        }
        foreach ((string name, string text) in actual)
        {
            Match(Path.Combine(folder, name), text);
        }
    }

    public static void Match(string name, string actual)
    {
        string scrubbed = Scrub(actual);
        string path = Path.Combine(Root, name);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, scrubbed);
            return;
        }
        Assert.True(File.Exists(path), $"Snapshot '{name}' does not exist yet; run the tests with DSL_UPDATE_SNAPSHOTS=1 to create it, then review it.");
        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, scrubbed);
    }

    /// <summary>Replaces what changes from build to build (the generator version) with placeholders.</summary>
    public static string Scrub(string text) =>
        GeneratedCodeVersion().Replace(text.ReplaceLineEndings("\n"), "\"Dsl.Generators\", \"<version>\"");

    [GeneratedRegex("\"Dsl\\.Generators\", \"[0-9.]+\"")]
    private static partial Regex GeneratedCodeVersion();
}
