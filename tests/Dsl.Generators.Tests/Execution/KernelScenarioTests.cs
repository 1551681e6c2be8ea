using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Execution;

/// <summary>Each scenario's kernels must give exactly what calling the stage methods row by row gives.</summary>
public sealed class KernelScenarioTests
{
    [Fact]
    public void FilterOnly_GathersEveryColumnOfSurvivingRows()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.FilterOnly);
        DifferentialRunner.Verify(snippet, "S.OnlyFilters", "S.Transaction");
        SegmentPlan segment = Assert.Single(snippet.Pipeline("S.OnlyFilters").Plan.Segments);
        Assert.Equal(["Big", "Recent"], segment.Stages);
        Assert.Equal(6, segment.ReadColumns.Count);
    }

    [Fact]
    public void MapFilterMapChain_FusesWithoutIntermediateColumns()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.MapChain);
        DifferentialRunner.Verify(snippet, "S.Chain", "S.Transaction");
        SegmentPlan segment = Assert.Single(snippet.Pipeline("S.Chain").Plan.Segments);
        Assert.Equal(["Scale", "Daytime", "Score"], segment.Stages);
        Assert.Equal(["UserId", "Ts", "Country", "Amount"], segment.ReadColumns);
        string source = snippet.Run.GeneratedSource("S.Chain.Pipeline.g.cs");
        Assert.DoesNotContain("outScaled", source, StringComparison.Ordinal);
        Assert.Contains("GatherFrom(inCountryColumn", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Branches_MaterializeTheSharedStageOnce()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.Branches);
        DifferentialRunner.Verify(snippet, "S.Branching", "S.Transaction");
        PipelinePlan plan = snippet.Pipeline("S.Branching").Plan;
        Assert.Equal(3, plan.Segments.Count);
        Assert.Equal(["Valid"], plan.Segments[0].Stages);
        Assert.False(plan.Segments[0].IsSink);
        Assert.Equal(["ToDoubled", "Positive"], plan.Segments[1].Stages);
        Assert.Equal(["ToLabelled"], plan.Segments[2].Stages);
        Assert.All(plan.Segments.Skip(1), s => Assert.Equal(0, s.InputSegment));
        Assert.All(plan.Segments.Skip(1), s => Assert.True(s.IsSink));
    }

    [Fact]
    public void NullableMembers_LiftLikeTheStageMethod()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.Nullable);
        DifferentialRunner.Verify(snippet, "S.Lifting", "S.Sparse", seeds: 8);
    }

    [Fact]
    public void CheckedArithmetic_ThrowsTheSameOverflow()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.CheckedOverflow);
        DifferentialRunner.Verify(snippet, "S.Overflowing", "S.Numbers", seeds: 8);
        Type numbers = snippet.Type("S.Numbers");
        object overflowing = Activator.CreateInstance(numbers, long.MaxValue, 1, 0.0)!;
        RowErrorAssert.Throws(typeof(OverflowException), "Compute", 0, () => Run(snippet, "S.Overflowing", numbers, overflowing));
        object fine = Activator.CreateInstance(numbers, 5L, 1, double.NaN)!;
        using RecordBatch result = Run(snippet, "S.Overflowing", numbers, fine);
        Assert.Equal(15L, result.GetPrimitive<long>("Product", ColumnType.Int64)[0]);
    }

    [Fact]
    public void CheckedCompilation_KeepsUncheckedRegionsUnchecked()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.CheckedByDefault, checkOverflow: true);
        DifferentialRunner.Verify(snippet, "S.CheckedProject", "S.Numbers", seeds: 8);
        string source = snippet.Run.GeneratedSource("S.CheckedProject.Pipeline.g.cs");
        Assert.Contains("unchecked(in_A * 31)", source, StringComparison.Ordinal);
    }

    [Fact]
    public void IntegerDivision_ThrowsDivideByZeroLikeTheStageMethod()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.DivideByZero);
        DifferentialRunner.Verify(snippet, "S.Dividing", "S.Numbers", seeds: 8);
    }

    [Fact]
    public void Strings_PassThroughGathersAndComputedStringsAppend()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.Strings);
        DifferentialRunner.Verify(snippet, "S.Texting", "S.Person", seeds: 6);
        string source = snippet.Run.GeneratedSource("S.Texting.Pipeline.g.cs");
        Assert.Contains("GatherFrom(inNameColumn", source, StringComparison.Ordinal);
        Assert.Contains("GatherFrom(inNickColumn", source, StringComparison.Ordinal);
        Assert.Contains("outUpper.Append(", source, StringComparison.Ordinal);
        Assert.Contains("in_Nick?.Trim().Length", source, StringComparison.Ordinal);
        Assert.All(snippet.Pipeline("S.Texting").Plan.Stages, s => Assert.True(s.Vectorized, s.FallbackReason));
    }

    [Fact]
    public void DateTimeParts_MatchTheStageMethod()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.DateParts);
        DifferentialRunner.Verify(snippet, "S.Dates", "S.Event", seeds: 6);
    }

    [Fact]
    public void UnsupportedConstructs_FallBackToCallingTheMethodPerRow()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.Fallback);
        DifferentialRunner.Verify(snippet, "S.Falling", "S.Order", seeds: 6);
        PipelinePlan plan = snippet.Pipeline("S.Falling").Plan;
        Assert.False(plan.Stages.Single(s => s.Name == "Keep").Vectorized);
        Assert.False(plan.Stages.Single(s => s.Name == "Weigh").Vectorized);
        Assert.True(plan.Stages.Single(s => s.Name == "Positive").Vectorized);
        Assert.Equal(["Keep", "Weigh"], snippet.Run.GeneratorDiagnostics.Where(d => d.Id == "DSL4001").Select(d => d.GetMessage().Split('\'')[1]).OrderBy(s => s, StringComparer.Ordinal));
        Assert.All(snippet.Run.GeneratorDiagnostics.Where(d => d.Id == "DSL4001"), d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        SegmentPlan keep = plan.Segments.Single(s => s.Stages.Contains("Keep"));
        Assert.Equal(SegmentExecution.MethodPerRow, keep.Execution);
        Assert.Equal("Keep", keep.NoVectorBlock?.Stage);
    }

    [Fact]
    public void RenamedColumnsAndNestedTypes_UseColumnNamesInBatches()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.RenamedAndNested);
        DifferentialRunner.Verify(snippet, "S.Outer+Renaming", "S.Outer+Raw");
        PipelinePlan plan = snippet.Pipeline("S.Outer+Renaming").Plan;
        Assert.Equal(["user_id", "amount_usd", "Tag"], plan.Schemas["Raw"].Fields.Select(f => f.Name));
        Assert.Equal(["user", "Cents", "Tag"], plan.Schemas["Clean"].Fields.Select(f => f.Name));
        Assert.Equal(["user_id", "amount_usd", "Tag"], plan.Segments[0].ReadColumns);
        Assert.Contains(snippet.Run.Result.Results.SelectMany(r => r.GeneratedSources), s => s.HintName == "S.Outer.Renaming.Plan.g.cs");
    }

    [Fact]
    public void NumericOperatorsAndMath_MatchTheStageMethodIncludingExceptions()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.Numeric);
        DifferentialRunner.Verify(snippet, "S.Numbers", "S.Measures", seeds: 10);
    }

    [Fact]
    public void StaticHelpersExtensionsNamedAndDefaultArguments_AreCalledLikeTheStageMethod()
    {
        using var snippet = LoadedSnippet.Compile(ScenarioSources.Helpers);
        DifferentialRunner.Verify(snippet, "S.Helping", "S.Transaction");
        Assert.All(snippet.Pipeline("S.Helping").Plan.Stages, s => Assert.True(s.Vectorized, s.FallbackReason));
        // The helpers are pure and expression-bodied: inlined (named and default arguments bound to their parameters),
        // so no call is left and the segment has a vector block.
        string source = snippet.Run.GeneratedSource("S.Helping.Pipeline.g.cs");
        Assert.DoesNotContain("DoubleExtensions.Half(", source, StringComparison.Ordinal);
        Assert.DoesNotContain("Helping.Clip(", source, StringComparison.Ordinal);
        Assert.DoesNotContain("Helping.Weight(", source, StringComparison.Ordinal);
        Assert.DoesNotContain("// No vector block", source, StringComparison.Ordinal);
    }

    private static RecordBatch Run(LoadedSnippet snippet, string pipeline, Type schema, params object[] rows)
    {
        using RecordBatch input = LoadedSnippet.ToBatch(schema, rows);
        return snippet.Pipeline(pipeline).Kernels[0](input);
    }
}
