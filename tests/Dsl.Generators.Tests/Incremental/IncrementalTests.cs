using System.Collections;
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

    [Fact]
    public void SameSource_GivesEqualSpecsAndHashCodes()
    {
        object[] first = Specs(GeneratorHarness.Run(TestSources.FraudFeatures));
        object[] second = Specs(GeneratorHarness.Run(TestSources.FraudFeatures));
        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i], second[i]);
            Assert.Equal(first[i].GetHashCode(), second[i].GetHashCode());
        }
    }

    [Fact]
    public void Specs_HoldNoSymbolsSyntaxOrCompilations()
    {
        foreach (object spec in Specs(GeneratorHarness.Run(TestSources.FraudFeatures)))
        {
            Walk(spec, new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    private static object[] Specs(GeneratorRun run) =>
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
