using Dsl.Generators.Common;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Dsl.Generators.Tests.Incremental;

/// <summary>
/// Diagnostics are located in the compilation's own trees by outputs of their own: an edit elsewhere leaves every
/// output cached, and moving a diagnostic re-runs only the diagnostics output, never the source outputs.
/// </summary>
public sealed class DiagnosticCachingTests
{
    // DSL4001 (Odd calls its method per row) and DSL4002 (Round has no vector block), in segments of their own.
    private const string Source = TestSources.Usings + """
        namespace C;

        [Schema]
        public partial record Reading(long Id, double Value, int Digits);

        [Schema]
        public partial record Rounded(long Id, double Value);

        [Pipeline("cached")]
        public static partial class Cached
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

    private static readonly string[] s_diagnosticSteps =
        [TrackingNames.SchemaDiagnostics, TrackingNames.PipelineDiagnostics, TrackingNames.VectorDiagnostics];

    [Fact]
    public void EditInAnotherFile_LeavesEveryOutputCached_AndTheDiagnosticsReported()
    {
        GeneratorRun first = GeneratorHarness.Run(Source);
        Assert.Equal(["DSL4001", "DSL4002"], first.GeneratorDiagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
        Compilation edited = first.Input.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Other; public static class Unrelated { public static int Answer => 42; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));

        GeneratorDriver driver = first.Driver.RunGeneratorsAndUpdateCompilation(edited, out _, out var diagnostics);

        Assert.Equal(first.GeneratorDiagnostics.Select(d => d.ToString()), diagnostics.Select(d => d.ToString()));
        Assert.All(OutputSteps(driver.GetRunResult()), step =>
            Assert.True(step.Reason == IncrementalStepRunReason.Cached, $"The output of {step.Input} re-ran ({step.Reason})."));
    }

    [Fact]
    public void MovingTheDiagnostics_ReRunsOnlyTheDiagnosticsOutputs()
    {
        GeneratorRun first = GeneratorHarness.Run(Source);
        SyntaxTree tree = first.Input.SyntaxTrees.Single();
        SyntaxTree moved = tree.WithChangedText(SourceText.From("// two lines\n// further down\n" + tree));

        GeneratorDriver driver = first.Driver.RunGeneratorsAndUpdateCompilation(first.Input.ReplaceSyntaxTree(tree, moved), out _, out var diagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();

        Assert.Equal(
            first.GeneratorDiagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line + 2).Order(),
            diagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line).Order());
        Assert.All(diagnostics, d => Assert.Same(moved, d.Location.SourceTree));
        var steps = OutputSteps(result);
        Assert.All(steps.Where(s => !s_diagnosticSteps.Contains(s.Input)), step =>
            Assert.True(step.Reason == IncrementalStepRunReason.Cached, $"The output of {step.Input} re-ran ({step.Reason})."));
        Assert.Contains(steps, s => s.Input == TrackingNames.PipelineDiagnostics && s.Reason != IncrementalStepRunReason.Cached);
        Assert.Contains(steps, s => s.Input == TrackingNames.VectorDiagnostics && s.Reason != IncrementalStepRunReason.Cached);
        // The specs did not change, so the declines (computed from them alone) were not computed again.
        var declines = result.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(TrackingNames.VectorDeclines, out var runs) ? runs : [])
            .SelectMany(r => r.Outputs)
            .ToList();
        Assert.NotEmpty(declines);
        Assert.All(declines, output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, output.Reason.ToString()));
    }

    /// <summary>Each output's run: the tracking name of the step it reads, and why it ran.</summary>
    private static List<(string Input, IncrementalStepRunReason Reason)> OutputSteps(GeneratorDriverRunResult result) =>
        result.Results
            .SelectMany(r => r.TrackedOutputSteps.SelectMany(s => s.Value))
            .SelectMany(step => step.Outputs.Select(o => (Input: InputName(step), o.Reason)))
            .ToList();

    // The nearest named step above an output (Where and Select steps in between have no name).
    private static string InputName(IncrementalGeneratorRunStep step)
    {
        for (IncrementalGeneratorRunStep? current = step; current is not null; current = current.Inputs.IsEmpty ? null : current.Inputs[0].Source)
        {
            if (current != step && current.Name is { } name)
            {
                return name;
            }
        }
        return "(unnamed)";
    }
}
