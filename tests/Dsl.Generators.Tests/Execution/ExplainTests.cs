using System.Text.Json;
using System.Text.RegularExpressions;
using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Hosting;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// <c>explain</c> of a generated pipeline says per segment how its kernel runs rows (vector blocks, per-row code, or
/// the user's method per row) and, without vector blocks, which construct of which stage is why.
/// </summary>
public sealed class ExplainTests
{
    // Three segments: one with vector blocks, one held on per-row code by Math.Round with a per-row number of digits
    // (DSL4002), and one that calls its stage method per row (DSL4001). Materialized outputs keep them apart.
    private const string Source = TestSources.Usings + """
        namespace X;

        [Schema]
        public partial record Reading(long Id, double Value, int Digits);

        [Schema]
        public partial record Rounded(long Id, double Value);

        [Pipeline("explained")]
        public static partial class Explained
        {
            [Map]
            static Rounded Round(Reading r) => new(r.Id, Math.Round(r.Value, r.Digits));

            [Filter(From = nameof(Round))]
            static bool Positive(Rounded r) => r.Value > 0;

            [Filter(From = nameof(Round))]
            static bool Odd(Rounded r) => IsOdd(r);

            // A block body: not inlined, so the stage passes the row to a call.
            static bool IsOdd(Rounded r)
            {
                return r.Id % 2 == 1;
            }
        }
        """;

    [Fact]
    public void Explain_NamesHowEachSegmentRuns_AndTheConstructThatHasNoVectorForm()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline compiled = snippet.Pipeline("X.Explained");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.True(PipelineHost.Run(compiled, ["explain"], stdout: stdout, stderr: stderr) == 0, stderr.ToString());

        string[] lines = stdout.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(
            "      runs as: per-row code, no vector block (in Round, 'Math.Round(Value, Digits)': Math.Round's digits must be a literal from 0 to 15 (other digits throw)) [DSL4002]",
            RunsAs(lines, "Round"));
        Assert.Equal("      runs as: vector blocks (the rows after the last whole block: per-row code)", RunsAs(lines, "Positive"));
        Assert.Equal(
            "      runs as: the user's method called per row, no vector block (in Odd, the helper 'IsOdd', which takes the row and cannot be inlined: it is not expression-bodied "
            + "(write it as 'static T Name(...) => expression;') ('IsOdd(r)'): the stage's own method is called once per row (DSL4001)) [DSL4001]",
            RunsAs(lines, "Odd"));
    }

    [Fact]
    public void ExplainJson_GivesEachSegmentsExecution_AndWhyItHasNoVectorBlock()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.True(PipelineHost.Run(snippet.Pipeline("X.Explained"), ["explain", "--format", "json"], stdout: stdout, stderr: stderr) == 0, stderr.ToString());

        using JsonDocument json = JsonDocument.Parse(stdout.ToString());
        Dictionary<string, JsonElement> segments = json.RootElement.GetProperty("segments").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.Clone());
        Assert.Equal("PerRowCode", segments["Round"].GetProperty("execution").GetString());
        JsonElement decline = segments["Round"].GetProperty("noVectorBlock");
        Assert.Equal("Round", decline.GetProperty("stage").GetString());
        Assert.Equal("'Math.Round(Value, Digits)'", decline.GetProperty("construct").GetString());
        Assert.Equal("Math.Round's digits must be a literal from 0 to 15 (other digits throw)", decline.GetProperty("reason").GetString());
        Assert.Equal("VectorBlocks", segments["Positive"].GetProperty("execution").GetString());
        Assert.False(segments["Positive"].TryGetProperty("noVectorBlock", out _));
        Assert.Equal("MethodPerRow", segments["Odd"].GetProperty("execution").GetString());
        Assert.Equal("Odd", segments["Odd"].GetProperty("noVectorBlock").GetProperty("stage").GetString());
    }

    [Theory]
    [InlineData("DSL4001")]
    [InlineData("DSL4002")]
    public void TheDiagnosticPage_ShowsWhatExplainPrintsForItsExample(string id)
    {
        string page = File.ReadAllText(Path.Combine(Diagnostics.DiagnosticTests.RepositoryRoot(), "docs", "diagnostics", id + ".md"));
        string example = Regex.Match(page, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        string[] shown = Regex.Match(page, "## What `explain` shows.*?```text\n(.*?)```", RegexOptions.Singleline).Groups[1].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(shown);
        using var snippet = LoadedSnippet.Compile(example);
        Assert.Contains(snippet.Run.GeneratorDiagnostics, d => d.Id == id);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.True(PipelineHost.Run(snippet.Pipeline("P"), ["explain"], stdout: stdout, stderr: stderr) == 0, stderr.ToString());

        string[] lines = stdout.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        int at = Array.IndexOf(lines, shown[0]);
        Assert.True(at >= 0, shown[0] + " is not in:\n" + stdout);
        Assert.Equal(shown, lines.Skip(at).Take(shown.Length));
    }

    // The "runs as:" line of the segment whose stages are exactly `segment` (joined by '+').
    private static string RunsAs(string[] lines, string segment)
    {
        int start = Array.FindIndex(lines, l => l.StartsWith("  #", StringComparison.Ordinal) && l.Contains(" " + segment + ":", StringComparison.Ordinal));
        Assert.True(start >= 0, "No segment " + segment + " in:\n" + string.Join("\n", lines));
        return lines.Skip(start + 1).TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal)).Single(l => l.Contains("runs as:", StringComparison.Ordinal));
    }
}
