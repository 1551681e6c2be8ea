using Dsl.Hosting;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary>The sizes <c>--memory-budget</c> accepts, and the one-line error for those it does not.</summary>
public sealed class MemoryBudgetOptionTests
{
    [Theory]
    [InlineData("512MB", 512L << 20)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1.5 g", 3L << 29)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("64m", 64L << 20)]
    public void ParseBytes_NumberWithUnit(string text, long bytes) => Assert.Equal(bytes, PipelineHost.ParseBytes(text));

    [Theory]
    [InlineData("lots")]
    [InlineData("12 parsecs")]
    [InlineData("100KB")]
    [InlineData("-5MB")]
    public void ParseBytes_NotASizeOfAtLeast1MB_NamesTheValue(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => PipelineHost.ParseBytes(text));

        Assert.Contains($"--memory-budget '{text}'", error.Message);
    }

    [Fact]
    public void Run_BadBudget_OneErrorLineAndExitCode1()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var pipeline = Execution.TestPipelines.Pipeline(Execution.TestPipelines.Doubling());

        int exit = PipelineHost.Run(pipeline, ["run", "--input", "/nonexistent", "--memory-budget", "lots"], null, stdout, stderr);

        Assert.Equal(1, exit);
        Assert.Equal($"error: --memory-budget 'lots' is not a size: write a number with an optional unit B, KB, MB, GB or TB (powers of 1024), e.g. 512MB.{Environment.NewLine}", stderr.ToString());
    }
}
