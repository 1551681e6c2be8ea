using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Dsl.Generators.Tests.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Emitting;

/// <summary>
/// The generated code a user opens in the IDE: one file for the plan and one per kernel, no line over
/// <see cref="SourceWriter.MaxLineLength"/> characters, <c>global::</c> only where a simple name could bind to
/// something of the user's, and every vector block saying what it implements.
/// </summary>
public sealed class ReadableCodeTests
{
    /// <summary>A clickstream-style quality filter whose vector mask was one line of over a thousand characters.</summary>
    public const string Clickstream = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record Click(long UserId, long SessionId, DateTime Ts, string Country, string Url, int Status, double DwellSeconds,
            double? ScrollDepth, double LatencyMs, int Device, bool IsBot);

        [Pipeline("clicks")]
        public static partial class Clicks
        {
            [Filter]
            static bool Engaged(Click c) =>
                !c.IsBot && c.Status >= 200 && c.Status < 300 && c.DwellSeconds > 1.5 && c.DwellSeconds < 3600
                && c.LatencyMs >= 0 && c.LatencyMs < 10000 && c.ScrollDepth is not null && c.SessionId > 0 && c.UserId != 0
                && c.Device >= 1 && c.Device <= 3 && c.Ts.Year >= 2020 && c.Ts.Hour >= 6 && c.Ts.Hour < 23
                && (c.Country == "FR" || c.Country == "DE" || c.Country == "US" || c.Country == "GB") && c.Url.Length > 0;
        }
        """;

    /// <summary>
    /// A user namespace declaring types named like the ones generated code uses (<c>Math</c> is a decoy whose
    /// <c>Log</c> gives another answer), a type named <c>Dsl</c>, and a schema member named like a runtime helper.
    /// </summary>
    public const string Shadowing = """
        using Dsl;

        namespace S;

        public static class Math
        {
            public static double Log(double x) => -1;
        }

        public struct Vector256
        {
        }

        public sealed class RecordBatch
        {
        }

        public static class Dsl
        {
        }

        [Schema]
        public partial record Reading(long Id, double Amount, System.DateTime Ts, long Timestamps);

        [Schema]
        public partial record Logged(long Id, double LogAmount, int Hour, long Timestamps);

        [Pipeline("shadowing")]
        public static partial class Shadowed
        {
            [Filter]
            static bool Positive(Reading r) => r.Amount > 0 && r.Id != 3;

            [Map(From = nameof(Positive))]
            static Logged Project(Reading r) => new(r.Id, System.Math.Log(1 + r.Amount), r.Ts.Hour, r.Timestamps * 2);
        }
        """;

    public static TheoryData<string> Sources
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string source in GeneratorScenarios.All.Values)
            {
                data.Add(source);
            }
            data.Add(Clickstream);
            data.Add(Shadowing);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void GeneratedSources_HaveNoLineOverTheLimit(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.True(run.CompilationProblems.IsEmpty, string.Join(Environment.NewLine, run.CompilationProblems));
        foreach (GeneratedSourceResult file in run.Result.Results.SelectMany(r => r.GeneratedSources))
        {
            string[] lines = file.SourceText.ToString().Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                Assert.True(lines[i].Length <= SourceWriter.MaxLineLength, $"{file.HintName}:{i + 1} has {lines[i].Length} characters: {lines[i]}");
            }
        }
    }

    [Fact]
    public void Clickstream_LongFilterMaskIsWrapped_AndGivesTheSameRows()
    {
        using var snippet = LoadedSnippet.Compile(Clickstream);
        DifferentialRunner.Verify(snippet, "S.Clicks", "S.Click");
        string kernel = snippet.Run.GeneratedSource("S.Clicks.Kernel_Engaged.g.cs");
        string block = VectorBlock(kernel);
        string[] lines = block.Split('\n');
        int mask = Array.FindIndex(lines, l => l.TrimStart().StartsWith("keep &= ", StringComparison.Ordinal));
        Assert.True(mask >= 0, block);
        int end = Array.FindIndex(lines, mask, l => l.TrimEnd().EndsWith(");", StringComparison.Ordinal));
        // One statement, continued over several lines each deeper than the statement.
        Assert.True(end - mask >= 3, block);
        int indent = lines[mask].Length - lines[mask].TrimStart().Length;
        Assert.All(lines[(mask + 1)..(end + 1)], l => Assert.True(l.Length - l.TrimStart().Length > indent, l));
    }

    [Fact]
    public void Pipeline_HasOnePlanFile_AndOneFilePerKernel()
    {
        GeneratorRun run = GeneratorHarness.Run(ScenarioSources.Branches);
        string[] names = run.Result.Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName)
            .Where(n => n.StartsWith("S.Branching.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
            ["S.Branching.Plan.g.cs", "S.Branching.Kernel_Valid.g.cs", "S.Branching.Kernel_ToDoubled_Positive.g.cs", "S.Branching.Kernel_ToLabelled.g.cs"],
            names);
        Assert.Contains("CompiledPipeline Compiled", run.GeneratedSource("S.Branching.Plan.g.cs"), StringComparison.Ordinal);
        Assert.DoesNotContain("Kernel_ToLabelled(RecordBatch", run.GeneratedSource("S.Branching.Plan.g.cs"), StringComparison.Ordinal);
        Assert.Contains("private static RecordBatch Kernel_ToLabelled(RecordBatch input, RowViolations? violations)", run.GeneratedSource("S.Branching.Kernel_ToLabelled.g.cs"), StringComparison.Ordinal);
        Assert.DoesNotContain("Kernel_ToDoubled_Positive(RecordBatch", run.GeneratedSource("S.Branching.Kernel_ToLabelled.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WritesOneNamedArgumentPerLine()
    {
        GeneratorRun run = GeneratorHarness.Run(TestSources.FraudFeatures);
        string plan = run.GeneratedSource("Sample.FraudFeatures.Plan.g.cs");
        string[] lines = plan.Split('\n').Select(l => l.Trim()).ToArray();
        Assert.Contains("new StagePlan(", lines);
        Assert.Contains("Name: \"Valid\",", lines);
        Assert.Contains("Vectorized: true,", lines);
        Assert.Contains("FallbackReason: null,", lines);
        Assert.Contains("Kind: StageKind.Filter,", lines);
        Assert.Contains("From: \"Valid\",", lines);
        Assert.Contains("TypeName: \"AmountScaling\",", lines);
        Assert.Contains("Index: 0,", lines);
        Assert.Contains("IsSink: true,", lines);
        Assert.Contains("ReadColumns: new string[] { \"UserId\", \"Ts\", \"Country\", \"Amount\", \"SessionSeconds\" },", lines);
        Assert.Contains("Execution: SegmentExecution.VectorBlocks),", lines);
        // No line carries two named arguments of a plan record.
        Assert.DoesNotContain(lines, l => System.Text.RegularExpressions.Regex.Matches(l, @"\b[A-Z]\w*: ").Count > 1);
    }

    [Theory]
    [MemberData(nameof(NamespacedSources))]
    public void NamespacedPipelines_UseNoGlobalQualifier(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.True(run.CompilationProblems.IsEmpty, string.Join(Environment.NewLine, run.CompilationProblems));
        foreach (GeneratedSourceResult file in run.Result.Results.SelectMany(r => r.GeneratedSources))
        {
            string text = file.SourceText.ToString();
            Assert.True(!text.Contains("global::", StringComparison.Ordinal), file.HintName + ":\n" + text);
            // Dsl's types by their simple names: every file imports the Dsl namespaces it uses (a model class only Dsl.Kernels).
            Assert.Matches(@"\nusing Dsl(\.Kernels)?;\n", text);
        }
    }

    public static TheoryData<string> NamespacedSources
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string source in GeneratorScenarios.All.Values)
            {
                data.Add(source);
            }
            return data;
        }
    }

    [Fact]
    public void UserTypesNamedLikeGeneratedNames_KeepGlobal_AndGiveTheSameRows()
    {
        using var snippet = LoadedSnippet.Compile(Shadowing);
        DifferentialRunner.Verify(snippet, "S.Shadowed", "S.Reading");
        string pipeline = snippet.Run.GeneratedSource("S.Shadowed.Pipeline.g.cs");
        string schema = snippet.Run.GeneratedSource("S.Reading.Schema.g.cs");
        foreach (string text in new[] { pipeline, schema })
        {
            // A type named Dsl in S would take the using directive's name: it is imported from the global namespace.
            Assert.Contains("\nusing global::Dsl;\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\nusing Dsl;\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain(" RecordBatch ", text.Replace("global::Dsl.RecordBatch ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }
        Assert.Contains("global::System.Math.Log(", pipeline, StringComparison.Ordinal);
        Assert.Contains("global::System.Runtime.Intrinsics.Vector256.", pipeline, StringComparison.Ordinal);
        Assert.DoesNotContain(" Vector256.", pipeline, StringComparison.Ordinal);
        // The schema member Timestamps would hide the runtime's Timestamps helper inside the record.
        Assert.Contains("global::Dsl.Timestamps.ToMicros(", schema, StringComparison.Ordinal);
        // Names nothing of the user's takes stay simple.
        Assert.Contains("Vector128.", pipeline, StringComparison.Ordinal);
        Assert.Contains("ColumnType.Double", schema, StringComparison.Ordinal);
    }

    [Fact]
    public void GlobalNamespacePipeline_KeepsQualifiedNames_AndCompiles()
    {
        string source = TestSources.Usings + TestSources.TransactionSchema + """
            [Pipeline("top")]
            public static partial class Top
            {
                [Filter]
                static bool Big(Transaction t) => t.Amount > 100;
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.True(run.CompilationProblems.IsEmpty, string.Join(Environment.NewLine, run.CompilationProblems));
        string plan = run.GeneratedSource("Top.Plan.g.cs");
        Assert.DoesNotContain("\nusing ", plan, StringComparison.Ordinal);
        Assert.Contains("global::Dsl.Execution.CompiledPipeline", plan, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void EveryVectorBlock_NamesTheStageColumnAndExpressionItImplements(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        foreach (PipelineSpec pipeline in Pipelines(run))
        {
            string prefix = (pipeline.Namespace.Length > 0 ? pipeline.Namespace + "." : string.Empty)
                + string.Concat(pipeline.ContainingTypes.Select(t => t[(t.LastIndexOf(' ') + 1)..] + ".")) + pipeline.ClassName;
            foreach (SegmentSpec segment in pipeline.Segments)
            {
                string kernel = run.GeneratedSource(prefix + "." + segment.KernelName + ".g.cs");
                if (!kernel.Contains("for (; i < vectorEnd; i += 4)", StringComparison.Ordinal))
                {
                    continue;
                }
                string block = Unwrapped(VectorBlock(kernel));
                foreach (StageSpec stage in segment.Stages.Select(pipeline.Stage))
                {
                    if (stage.Kind == StageKindSpec.Filter)
                    {
                        Assert.Matches(@"// " + stage.Name + @" \(filter\): \S", block);
                        continue;
                    }
                    foreach (KernelOutput output in stage.Kernel.Outputs)
                    {
                        Assert.Matches(@"// " + stage.Name + @"\." + output.Member + @" = \S", block);
                    }
                }
            }
        }
    }

    [Fact]
    public void VectorBlockComments_ShowTheSourceExpression()
    {
        GeneratorRun run = GeneratorHarness.Run(TestSources.FraudFeatures);
        string block = Unwrapped(VectorBlock(run.GeneratedSource("Sample.FraudFeatures.Kernel_Valid_Featurize.g.cs")));
        Assert.Contains("// Valid (filter): (Amount >= 0) && (SessionSeconds is not null)", block, StringComparison.Ordinal);
        Assert.Contains("// Featurize.LogAmount = Math.Log(1 + Amount)", block, StringComparison.Ordinal);
        Assert.Contains("// Featurize.AmountZ = (Amount - AmountScaling.Mean) / AmountScaling.Std", block, StringComparison.Ordinal);
        Assert.Contains("// Featurize.IsWeekend = Ts.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday", block, StringComparison.Ordinal);
    }

    [Fact]
    public void DeclaringANameTheGeneratedCodeUses_RerunsTheOutputs_AndKeepsGlobal()
    {
        GeneratorRun first = GeneratorHarness.Run(TestSources.FraudFeatures);
        Assert.DoesNotContain("global::", first.GeneratedSource("Sample.FraudFeatures.Pipeline.g.cs"), StringComparison.Ordinal);
        Compilation edited = first.Input.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
            "namespace Other; public static class Hashing { }", GeneratorHarness.ParseOptions, path: "Hashing.cs"));
        GeneratorDriver driver = first.Driver.RunGeneratorsAndUpdateCompilation(edited, out Compilation output, out _);
        GeneratorDriverRunResult second = driver.GetRunResult();

        // The specs did not change; only the name scope did, and with it the outputs.
        Assert.All(
            second.Results.SelectMany(r => r.TrackedSteps.TryGetValue(TrackingNames.PipelineSpecs, out var runs) ? runs : []).SelectMany(r => r.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.Contains(
            second.Results.SelectMany(r => r.TrackedSteps.TryGetValue(TrackingNames.NameScope, out var runs) ? runs : []).SelectMany(r => r.Outputs),
            o => o.Reason == IncrementalStepRunReason.Modified);
        string kernel = second.Results.SelectMany(r => r.GeneratedSources)
            .Single(s => s.HintName == "Sample.FraudFeatures.Kernel_Valid_Featurize.g.cs").SourceText.ToString();
        Assert.Contains("global::Dsl.Hashing.Bucket(", kernel, StringComparison.Ordinal);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    private static IEnumerable<PipelineSpec> Pipelines(GeneratorRun run) =>
        run.Result.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(TrackingNames.PipelineSpecs, out var runs) ? runs : [])
            .SelectMany(r => r.Outputs)
            .Select(o => (PipelineSpec)o.Value);

    /// <summary>The code of the vector loop: from its header to the per-row loop after it.</summary>
    private static string VectorBlock(string kernel)
    {
        int start = kernel.IndexOf("for (; i < vectorEnd; i += 4)", StringComparison.Ordinal);
        int end = kernel.IndexOf("int scalarEnd", start, StringComparison.Ordinal);
        return kernel[start..end];
    }

    /// <summary>Comments continued over several lines (<c>//   </c>) joined back into one.</summary>
    private static string Unwrapped(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"\n\s*//   ", " ");
}
