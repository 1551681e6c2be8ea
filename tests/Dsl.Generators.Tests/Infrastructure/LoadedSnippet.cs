using System.Collections;
using System.Reflection;
using System.Runtime.Loader;
using Dsl.Execution;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>
/// A snippet compiled with the generators, emitted to memory and loaded into a collectible load context
/// (Dsl.Runtime resolves to the test's copy, so batches and plans are shared types).
/// </summary>
internal sealed class LoadedSnippet : IDisposable
{
    private readonly AssemblyLoadContext _context;

    private LoadedSnippet(AssemblyLoadContext context, Assembly assembly, GeneratorRun run, IReadOnlyList<(string Path, string Text)> files)
    {
        _context = context;
        Assembly = assembly;
        Run = run;
        Files = files;
    }

    /// <summary>The additional files the build was given (model files of score stages).</summary>
    public IReadOnlyList<(string Path, string Text)> Files { get; }

    public Assembly Assembly { get; }

    public GeneratorRun Run { get; }

    /// <summary>
    /// Compiles <paramref name="source"/> with the generators and loads it. <paramref name="withGpu"/> adds Dsl.Gpu to the
    /// references, so the generator writes GPU kernels too; such a snippet stays loaded for the process, in the default
    /// context, where ILGPU's CPU accelerator looks its types up by name.
    /// </summary>
    public static LoadedSnippet Compile(string source, bool checkOverflow = false, IReadOnlyList<(string Path, string Text)>? files = null, bool withGpu = false)
    {
        GeneratorRun run = GeneratorHarness.Run(source, checkOverflow, files, withGpu);
        Assert.Empty(run.GeneratorProblems);
        Assert.Empty(run.CompilationProblems);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        stream.Position = 0;
        // ILGPU's CPU accelerator resolves a kernel's types by name from the default context: GPU snippets load there.
        AssemblyLoadContext context = withGpu ? AssemblyLoadContext.Default : new AssemblyLoadContext("snippet-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return new LoadedSnippet(context, context.LoadFromStream(stream), run, files ?? []) { Source = source, CheckOverflow = checkOverflow, WithGpu = withGpu };
    }

    /// <summary>The snippet's source.</summary>
    public string Source { get; private init; } = "";

    /// <summary>Whether it was compiled in a checked context.</summary>
    public bool CheckOverflow { get; private init; }

    /// <summary>Whether it was compiled with Dsl.Gpu, so with GPU kernels.</summary>
    public bool WithGpu { get; private init; }

    private LoadedSnippet? _gpu;
    private readonly HashSet<string> _ptxChecked = [];

    /// <summary>
    /// Compiles each generated GPU kernel of <paramref name="pipelineType"/> (its <c>*_Device</c> methods) to PTX for
    /// CUDA, once per snippet: what the emulator runs must also compile for a GPU. Throws with ILGPU's error otherwise.
    /// </summary>
    public void CompileGpuKernelsToPtx(string pipelineType)
    {
        if (!_ptxChecked.Add(pipelineType))
        {
            return;
        }
        foreach (MethodInfo kernel in Type(pipelineType).GetMethods(BindingFlags.NonPublic | BindingFlags.Static).Where(m => m.Name.EndsWith("_Device", StringComparison.Ordinal)))
        {
            string ptx = Dsl.Gpu.PtxCompiler.Compile(kernel);
            Assert.Contains(".entry", ptx, StringComparison.Ordinal);
        }
    }

    /// <summary>The same source compiled with Dsl.Gpu (this snippet when it already is), compiled once.</summary>
    public LoadedSnippet WithGpuKernels() => WithGpu ? this : _gpu ??= Compile(Source, CheckOverflow, Files, withGpu: true);

    public Type Type(string fullName) => Assembly.GetType(fullName, throwOnError: true)!;

    public CompiledPipeline Pipeline(string typeName) =>
        (CompiledPipeline)Type(typeName).GetProperty("Compiled", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    public static BatchSchema SchemaOf(Type schemaType) =>
        (BatchSchema)schemaType.GetProperty("BatchSchema", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>Calls the generated <c>ToBatch</c> of <paramref name="schemaType"/>.</summary>
    public static RecordBatch ToBatch(Type schemaType, IEnumerable<object> rows)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(schemaType))!;
        foreach (object row in rows)
        {
            list.Add(row);
        }
        MethodInfo toBatch = schemaType.GetMethod("ToBatch", BindingFlags.Public | BindingFlags.Static)!;
        return (RecordBatch)toBatch.Invoke(null, [list])!;
    }

    /// <summary>Calls the generated <c>ReadRows</c> of <paramref name="schemaType"/>.</summary>
    public static List<object> ReadRows(Type schemaType, RecordBatch batch)
    {
        MethodInfo readRows = schemaType.GetMethod("ReadRows", BindingFlags.Public | BindingFlags.Static)!;
        return ((IEnumerable)readRows.Invoke(null, [batch])!).Cast<object>().ToList();
    }

    public void Dispose()
    {
        _gpu?.Dispose();
        if (_context.IsCollectible)
        {
            _context.Unload();
        }
    }
}
