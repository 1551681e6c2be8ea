using System.Text.RegularExpressions;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>
/// Compares text with a checked-in file under <c>_snapshots/</c>. Set <c>DSL_UPDATE_SNAPSHOTS=1</c> to rewrite the
/// files on purpose, then review the diff.
/// </summary>
internal static partial class Snapshot
{
    public static void Match(string name, string actual)
    {
        string scrubbed = Scrub(actual);
        string path = Path.Combine(Diagnostics.DiagnosticTests.RepositoryRoot(), "tests", "Dsl.Generators.Tests", "_snapshots", name);
        if (Environment.GetEnvironmentVariable("DSL_UPDATE_SNAPSHOTS") == "1")
        {
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
