using System.Collections.Immutable;
using Dsl.Generators.Pipelines;
using Dsl.Generators.Schemas;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>What running the generators over a snippet produced.</summary>
internal sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    GeneratorDriverRunResult Result,
    GeneratorDriver Driver)
{
    /// <summary>
    /// The generators' errors and warnings other than the performance warnings (DSL4xxx: a stage calls its method
    /// per row, a segment gets no vector block), which say how fast the kernels run, not whether they are right.
    /// </summary>
    public IEnumerable<Diagnostic> GeneratorProblems => GeneratorDiagnostics
        .Where(d => d.Severity > DiagnosticSeverity.Info && d.Descriptor.Category != "Dsl.Performance");

    /// <summary>Errors and warnings of the compilation including generated sources.</summary>
    public ImmutableArray<Diagnostic> CompilationProblems => Output.GetDiagnostics()
        .Where(d => d.Severity >= DiagnosticSeverity.Warning)
        .ToImmutableArray();

    /// <summary>
    /// The generated file whose hint name ends with <paramref name="hintNameSuffix"/>; for a suffix
    /// <c>X.Pipeline.g.cs</c>, every file of pipeline class <c>X</c> (its plan, then its kernels in segment order)
    /// joined, so a test can look for code without knowing which file of the pipeline holds it.
    /// </summary>
    public string GeneratedSource(string hintNameSuffix)
    {
        var sources = Result.Results.SelectMany(r => r.GeneratedSources).ToList();
        const string pipeline = ".Pipeline.g.cs";
        if (!hintNameSuffix.EndsWith(pipeline, StringComparison.Ordinal))
        {
            return sources.Single(s => s.HintName.EndsWith(hintNameSuffix, StringComparison.Ordinal)).SourceText.ToString();
        }
        string prefix = hintNameSuffix[..^pipeline.Length];
        GeneratedSourceResult plan = sources.Single(s => s.HintName.EndsWith(prefix + ".Plan.g.cs", StringComparison.Ordinal));
        string planPrefix = plan.HintName[..^".Plan.g.cs".Length];
        return string.Join("\n", new[] { plan }
            .Concat(sources.Where(s => s.HintName.StartsWith(planPrefix + ".Kernel", StringComparison.Ordinal)))
            .Select(s => s.SourceText.ToString()));
    }
}

/// <summary>Runs the Dsl generators over in-memory C# with our own helpers over <see cref="CSharpGeneratorDriver"/>.</summary>
internal static class GeneratorHarness
{
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() => LoadReferences(withGpu: false));
    private static int s_gpuSnippets;
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_gpuReferences = new(() => LoadReferences(withGpu: true));

    /// <summary>The references of a snippet: the framework and the Dsl runtime, without Dsl.Gpu (so no GPU kernels are generated).</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    /// <summary>The references of a snippet with GPU kernels: <see cref="References"/> and Dsl.Gpu with ILGPU.</summary>
    public static ImmutableArray<MetadataReference> GpuReferences => s_gpuReferences.Value;

    public static CSharpCompilation CreateCompilation(string source, bool checkOverflow = false, string assemblyName = "Snippet", bool withGpu = false) =>
        CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Snippet.cs")],
            withGpu ? GpuReferences : References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                checkOverflow: checkOverflow,
                optimizationLevel: OptimizationLevel.Release));

    /// <summary>A driver whose builds get <paramref name="files"/> (path, text) as additional files, <see cref="TestModels.Default"/> when null.</summary>
    public static GeneratorDriver CreateDriver(IReadOnlyList<(string Path, string Text)>? files = null) =>
        CSharpGeneratorDriver.Create(
            [new SchemaGenerator().AsSourceGenerator(), new PipelineGenerator().AsSourceGenerator()],
            additionalTexts: (files ?? TestModels.Default).Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)),
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generators over <paramref name="source"/>, with <paramref name="files"/> (path, text) as the build's additional files (<see cref="TestModels.Default"/> when null).</summary>
    public static GeneratorRun Run(string source, bool checkOverflow = false, IReadOnlyList<(string Path, string Text)>? files = null, bool withGpu = false)
    {
        // ILGPU's CPU accelerator finds a kernel's types by assembly name: each GPU snippet needs its own.
        string name = withGpu ? "GpuSnippet" + Interlocked.Increment(ref s_gpuSnippets).ToString(System.Globalization.CultureInfo.InvariantCulture) : "Snippet";
        CSharpCompilation input = CreateCompilation(source, checkOverflow, name, withGpu);
        GeneratorDriver driver = CreateDriver(files)
            .RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(input, output, diagnostics, driver.GetRunResult(), driver);
    }

    private static ImmutableArray<MetadataReference> LoadReferences(bool withGpu)
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .ToList();
        paths.Add(typeof(RecordBatch).Assembly.Location);
        static bool IsGpu(string file) => file.StartsWith("Dsl.Gpu", StringComparison.Ordinal) || file.StartsWith("ILGPU", StringComparison.Ordinal);
        return paths
            .Where(p => !Path.GetFileName(p).StartsWith("Dsl.Generators", StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Where(p => withGpu || !IsGpu(Path.GetFileName(p)))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))
            .ToImmutableArray();
    }
}

/// <summary>An additional file of a test build (a model file of a score stage).</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override Microsoft.CodeAnalysis.Text.SourceText GetText(CancellationToken cancellationToken = default) =>
        Microsoft.CodeAnalysis.Text.SourceText.From(text, System.Text.Encoding.UTF8);
}
