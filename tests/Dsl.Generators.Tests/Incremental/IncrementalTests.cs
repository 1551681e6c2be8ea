using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Dsl.Generators.Common;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generators.Tests.Incremental;

public sealed class IncrementalTests
{
    private static readonly string[] s_trackedSteps =
    [
        TrackingNames.SchemaModels,
        TrackingNames.SchemaSpecs,
        TrackingNames.PipelineModels,
        TrackingNames.PipelineSpecs,
    ];

    [Fact]
    public void UnrelatedEdit_LeavesTrackedStepsCachedOrUnchanged()
    {
        GeneratorRun first = GeneratorHarness.Run(TestSources.FraudFeatures);
        Compilation edited = first.Input.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Other; public static class Unrelated { public static int Answer => 42; }",
            GeneratorHarness.ParseOptions,
            path: "Unrelated.cs"));

        GeneratorDriverRunResult second = first.Driver.RunGenerators(edited).GetRunResult();

        foreach (GeneratorRunResult result in second.Results)
        {
            foreach (string step in s_trackedSteps)
            {
                if (!result.TrackedSteps.TryGetValue(step, out var runs))
                {
                    continue;
                }
                Assert.All(runs.SelectMany(r => r.Outputs), output =>
                    Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Step '{step}' re-ran with reason {output.Reason}."));
            }
            Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), output =>
                Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
        }
        Assert.Contains(second.Results, r => r.TrackedSteps.ContainsKey(TrackingNames.PipelineSpecs));
    }

    /// <summary>Edits that change no declaration the generators read, applied to a scenario's one file.</summary>
    public static TheoryData<string, string> NeutralEdits()
    {
        var data = new TheoryData<string, string>();
        foreach (string scenario in GeneratorScenarios.All.Keys)
        {
            foreach (string edit in s_neutralEdits.Keys)
            {
                data.Add(scenario, edit);
            }
        }
        return data;
    }

    private static readonly Dictionary<string, Func<string, string>> s_neutralEdits = new(StringComparer.Ordinal)
    {
        // A new type at the end of the file: nothing the generators read moves.
        ["EditElsewhere"] = source => source + "\nnamespace Other { public static class Unrelated { public static int Answer => 42; } }\n",
        // Lines inserted above everything: every declaration moves down.
        ["MoveCode"] = source => "// a comment\n\n// and a blank line\n" + source,
        // Every line indented four more spaces: every column moves.
        ["Reindent"] = source => string.Join("\n", source.Split('\n').Select(line => line.Length == 0 ? line : "    " + line)),
    };

    [Theory]
    [MemberData(nameof(NeutralEdits))]
    public void NeutralEdit_LeavesSpecsEqualAndSourceOutputsCached(string scenario, string edit)
    {
        GeneratorRun first = GeneratorScenarios.Run(scenario);
        GeneratorDriverRunResult second = Rerun(first, s_neutralEdits[edit]);

        bool hasDiagnostics = !first.GeneratorDiagnostics.IsEmpty;
        foreach (GeneratorRunResult result in second.Results)
        {
            foreach ((string step, ImmutableArray<IncrementalGeneratorRunStep> runs) in result.TrackedSteps)
            {
                // A model holds its diagnostics' locations: when a scenario reports a diagnostic and the edit moves
                // it, the model changes, but the spec split off from it must not.
                bool mayChange = hasDiagnostics && edit != "EditElsewhere" && step is TrackingNames.SchemaModels or TrackingNames.PipelineModels;
                if (!s_trackedSteps.Contains(step) || mayChange)
                {
                    continue;
                }
                Assert.All(runs.SelectMany(r => r.Outputs), output =>
                    Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Step '{step}' of {scenario} re-ran with reason {output.Reason} after {edit}."));
            }
            Assert.All(SourceOutputs(result).SelectMany(r => r.Outputs), output =>
                Assert.True(output.Reason == IncrementalStepRunReason.Cached, $"A source output of {scenario} re-ran with reason {output.Reason} after {edit}."));
            if (!hasDiagnostics)
            {
                Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), output =>
                    Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
            }
        }
        Assert.Equal(Specs(first), SpecsOf(second));
    }

    [Theory]
    [MemberData(nameof(GeneratorScenarios.Names), MemberType = typeof(GeneratorScenarios))]
    public void MovingADiagnostic_RerunsOnlyTheDiagnosticsOutput(string scenario)
    {
        GeneratorRun first = GeneratorScenarios.Run(scenario);
        if (first.GeneratorDiagnostics.IsEmpty)
        {
            // Nothing to move: the scenario reports no diagnostic (NeutralEdit covers it).
            Assert.All(first.Result.Results, r => Assert.Empty(r.Diagnostics));
            return;
        }
        GeneratorDriverRunResult second = Rerun(first, s_neutralEdits["MoveCode"]);

        ImmutableArray<Diagnostic> moved = second.Diagnostics;
        Assert.Equal(first.GeneratorDiagnostics.Select(d => d.Id), moved.Select(d => d.Id));
        Assert.All(moved.Zip(first.GeneratorDiagnostics), pair =>
            Assert.Equal(pair.Second.Location.GetLineSpan().StartLinePosition.Line + 3, pair.First.Location.GetLineSpan().StartLinePosition.Line));
        foreach (GeneratorRunResult result in second.Results)
        {
            Assert.All(SourceOutputs(result).SelectMany(r => r.Outputs), output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
        }
        Assert.Contains(second.Results.SelectMany(DiagnosticOutputs).SelectMany(r => r.Outputs), output => output.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void SomeScenario_ReportsAGeneratorDiagnostic_SoMovingOneIsTested()
    {
        Assert.Contains(GeneratorScenarios.All.Keys, name => !GeneratorScenarios.Run(name).GeneratorDiagnostics.IsEmpty);
    }

    private static GeneratorDriverRunResult Rerun(GeneratorRun first, Func<string, string> edit)
    {
        SyntaxTree tree = first.Input.SyntaxTrees.Single();
        SyntaxTree changed = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edit(tree.ToString())));
        return first.Driver.RunGenerators(first.Input.ReplaceSyntaxTree(tree, changed)).GetRunResult();
    }

    // The source outputs read the spec steps; the diagnostics outputs read the models through an untracked Select.
    private static IEnumerable<IncrementalGeneratorRunStep> SourceOutputs(GeneratorRunResult result) =>
        result.TrackedOutputSteps.SelectMany(s => s.Value).Where(ReadsSpecs);

    private static IEnumerable<IncrementalGeneratorRunStep> DiagnosticOutputs(GeneratorRunResult result) =>
        result.TrackedOutputSteps.SelectMany(s => s.Value).Where(step => !ReadsSpecs(step));

    private static bool ReadsSpecs(IncrementalGeneratorRunStep step) =>
        step.Inputs.Any(input => input.Source.Name is TrackingNames.SchemaSpecs or TrackingNames.PipelineSpecs);

    private static object[] SpecsOf(GeneratorDriverRunResult result) =>
        result.Results
            .SelectMany(r => r.TrackedSteps.Where(s => s.Key is TrackingNames.SchemaSpecs or TrackingNames.PipelineSpecs).SelectMany(s => s.Value))
            .SelectMany(r => r.Outputs)
            .Select(o => o.Value)
            .ToArray();

    [Fact]
    public void RelevantEdit_MarksThePipelineModified()
    {
        GeneratorRun first = GeneratorHarness.Run(TestSources.FraudFeatures);
        SyntaxTree tree = first.Input.SyntaxTrees.Single();
        SyntaxTree changed = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            tree.ToString().Replace("t.Amount >= 0", "t.Amount > 0", StringComparison.Ordinal)));
        GeneratorDriverRunResult second = first.Driver.RunGenerators(first.Input.ReplaceSyntaxTree(tree, changed)).GetRunResult();

        IncrementalStepRunReason reason = second.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(TrackingNames.PipelineSpecs, out var runs) ? runs : [])
            .SelectMany(r => r.Outputs)
            .Single().Reason;
        Assert.Equal(IncrementalStepRunReason.Modified, reason);
    }

    [Theory]
    [MemberData(nameof(GeneratorScenarios.Names), MemberType = typeof(GeneratorScenarios))]
    public void SameSource_GivesEqualModelsAndHashCodes(string scenario)
    {
        object[] first = Models(GeneratorScenarios.Run(scenario));
        object[] second = Models(GeneratorScenarios.Run(scenario));
        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i], second[i]);
            Assert.Equal(first[i].GetHashCode(), second[i].GetHashCode());
        }
    }

    [Theory]
    [MemberData(nameof(GeneratorScenarios.Names), MemberType = typeof(GeneratorScenarios))]
    public void Models_HoldNoSymbolsSyntaxOrCompilations(string scenario)
    {
        foreach (object spec in Models(GeneratorScenarios.Run(scenario)))
        {
            Walk(spec, new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    private static object[] Specs(GeneratorRun run) => SpecsOf(run.Result);

    private static object[] Models(GeneratorRun run) =>
        run.Result.Results
            .SelectMany(r => r.TrackedSteps.Where(s => s.Key is TrackingNames.SchemaModels or TrackingNames.PipelineModels).SelectMany(s => s.Value))
            .SelectMany(r => r.Outputs)
            .Select(o => o.Value)
            .ToArray();

    private static void Walk(object? value, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }
        Type type = value.GetType();
        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location, $"A spec holds a {type.Name}.");
        if (type.Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true)
        {
            Assert.True(type.IsValueType, $"A spec holds the Roslyn reference type {type.FullName}.");
        }
        if (value is IEnumerable sequence)
        {
            foreach (object? item in sequence)
            {
                Walk(item, seen);
            }
        }
        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Walk(field.GetValue(value), seen);
        }
    }
}
