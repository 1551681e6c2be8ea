using Dsl.Testing;

namespace Dsl.Cli.Tests;

/// <summary>What one in-process run of <c>dsl</c> printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>The output's lines, without the empty one after the last line break.</summary>
    public string[] Lines => Output.Length == 0 ? [] : Output.TrimEnd('\n').Split('\n');
}

/// <summary>Runs <c>dsl</c> commands in-process (through <see cref="DslCli.Run"/>) and finds the corpus files.</summary>
internal static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = DslCli.Run(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>A file of the parquet-testing corpus, e.g. <c>alltypes_plain.parquet</c> or <c>bad_data/X.parquet</c>.</summary>
    public static string Corpus(string name) => RepoPaths.SharedParquetFile(name);

    /// <summary>The expected rows (DuckDB's JSON lines) of a corpus file.</summary>
    public static string[] Expected(string name) => File.ReadAllLines(RepoPaths.SharedParquetFile(Path.Combine("expected", name + ".jsonl")));

    /// <summary>Asserts a failed run: exit code 1, nothing but one <c>error:</c> line on the error writer naming <paramref name="path"/>, no stack trace.</summary>
    public static void AssertOneLineError(CliResult result, string path, string? mustContain = null)
    {
        Assert.Equal(1, result.ExitCode);
        string[] lines = result.Error.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"Expected one error line, got:\n{result.Error}");
        string line = lines[0];
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(path, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.EndsWith(".", line, StringComparison.Ordinal);
        if (mustContain is not null)
        {
            Assert.Contains(mustContain, line, StringComparison.Ordinal);
        }
    }
}
