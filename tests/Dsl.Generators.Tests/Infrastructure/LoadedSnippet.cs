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

    public static LoadedSnippet Compile(string source, bool checkOverflow = false, IReadOnlyList<(string Path, string Text)>? files = null)
    {
        GeneratorRun run = GeneratorHarness.Run(source, checkOverflow, files);
        Assert.Empty(run.GeneratorProblems);
        Assert.Empty(run.CompilationProblems);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        stream.Position = 0;
        var context = new AssemblyLoadContext("snippet-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return new LoadedSnippet(context, context.LoadFromStream(stream), run, files ?? []);
    }

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

    public void Dispose() => _context.Unload();
}
