using System.Reflection;

namespace Dsl.Parquet.Tests;

/// <summary>Dsl.Parquet stands on its own: batches and the format without the pipeline host's dependencies.</summary>
public sealed class AssemblyTests
{
    private static readonly Assembly ParquetAssembly = typeof(ParquetFileReader).Assembly;

    [Fact]
    public void BatchesColumnsAndTheFormat_LiveInDslParquet()
    {
        Assert.Equal("Dsl.Parquet", ParquetAssembly.GetName().Name);
        Assert.Same(ParquetAssembly, typeof(RecordBatch).Assembly);
        Assert.Same(ParquetAssembly, typeof(PrimitiveColumn<int>).Assembly);
        Assert.Same(ParquetAssembly, typeof(ParquetFileWriter).Assembly);
    }

    [Fact]
    public void DslParquet_ReferencesNeitherTheRuntimeNorTheHostsLibraries()
    {
        string[] referenced = ParquetAssembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.Contains("Snappier", referenced);
        foreach (string name in new[] { "Dsl.Runtime", "System.CommandLine", "YamlDotNet", "Sep" })
        {
            Assert.DoesNotContain(name, referenced);
        }
    }
}
