using Dsl.Execution;
using static Dsl.Runtime.Tests.Execution.TestPipelines;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>Which files of an input folder are read: each data file exactly once, or a clear error.</summary>
public sealed class InputDiscoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-inputs-").FullName;

    private string Input => Path.Combine(_root, "in");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ExtensionInAnyCase_IsData_HiddenAndUnderscoreEntriesAreSkipped_OtherFilesAreNamed()
    {
        WriteFile(Path.Combine(Input, "a.parquet"), 1, 10, 0);
        WriteFile(Path.Combine(Input, "B.PARQUET"), 1, 10, 10);
        WriteFile(Path.Combine(Input, "_staging.parquet"), 1, 10, 100);
        WriteFile(Path.Combine(Input, ".hidden.parquet"), 1, 10, 200);
        WriteFile(Path.Combine(Input, "_temporary", "x.parquet"), 1, 10, 300);
        File.WriteAllText(Path.Combine(Input, "notes.csv"), "a,b");

        JobResult result = new LocalExecutor().Run(Pipeline(Doubling()), Input, Path.Combine(_root, "out"));

        Assert.Equal(2, result.InputFiles);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 2L * i).Order(), ReadLongs(Path.Combine(_root, "out")).Order());
        Assert.Contains(result.Warnings, w => w.Contains("notes.csv"));
        JobResult again = new LocalExecutor().Run(Pipeline(Doubling()), Input, Path.Combine(_root, "out"));
        Assert.True(again.UpToDate);
        Assert.Contains(again.Warnings, w => w.Contains("notes.csv"));
    }

    [Fact]
    public void CopyInASubFolder_IsAnErrorNotRowsReadTwice()
    {
        WriteFile(Path.Combine(Input, "a.parquet"), 1, 10, 0);
        File.Copy(Path.Combine(Input, "a.parquet"), Path.Combine(Directory.CreateDirectory(Path.Combine(Input, "backup")).FullName, "a.parquet"));

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(Pipeline(Doubling()), Input, Path.Combine(_root, "out")));

        Assert.Contains("both at its top level", error.Message);
        Assert.Contains(Path.Combine("backup", "a.parquet"), error.Message);
    }

    [Fact]
    public void NonHiveSubFolder_IsAnError()
    {
        WriteFile(Path.Combine(Input, "2026", "a.parquet"), 1, 10, 0);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(Pipeline(Doubling()), Input, Path.Combine(_root, "out")));

        Assert.Contains("'2026'", error.Message);
        Assert.Contains("not a hive partition folder", error.Message);
    }

    [Fact]
    public void HivePartitions_EachFileReadOnce_MixedLayoutsRefused()
    {
        WriteFile(Path.Combine(Input, "day=1", "a.parquet"), 1, 10, 0);
        WriteFile(Path.Combine(Input, "day=2", "a.parquet"), 1, 10, 10);

        JobResult result = new LocalExecutor().Run(Pipeline(Doubling()), Input, Path.Combine(_root, "out"));
        Assert.Equal(2, result.InputFiles);
        Assert.Equal(20, result.Sinks[0].Rows);

        WriteFile(Path.Combine(Input, "day=3", "hour=1", "a.parquet"), 1, 10, 20);
        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(Pipeline(Doubling()), Input, Path.Combine(_root, "out")));
        Assert.Contains("mixes hive partition layouts", error.Message);
    }

    [Fact]
    public void InputInsideOutput_IsRefused()
    {
        string output = Path.Combine(_root, "out");
        WriteFile(Path.Combine(output, "in", "a.parquet"), 1, 10, 0);

        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor().Run(Pipeline(Doubling()), Path.Combine(output, "in"), output));

        Assert.Contains("inside the output folder", error.Message);
    }
}
