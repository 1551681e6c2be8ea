using Dsl.Execution;
using Dsl.Runtime.Tests.Execution;
using Dsl.Hosting;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary>
/// <c>--compression</c> and <c>compression:</c> offer exactly the codecs the writer can produce, by the same names:
/// a new user's <c>--compression Lz4</c> (listed by help once, then a 40-line stack trace) gets one line instead.
/// </summary>
public sealed class CompressionOptionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-codec-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void RunHelp_ListsOnlyWritableCodecs()
    {
        var stdout = new StringWriter();
        PipelineHost.Run(TestPipelines.Pipeline(TestPipelines.Doubling()), ["run", "--help"], null, stdout, new StringWriter());

        string line = stdout.ToString().Split('\n').Single(l => l.Contains("--compression", StringComparison.Ordinal));
        Assert.Contains("uncompressed|snappy|gzip|zstd|lz4_raw|brotli", line);
        Assert.DoesNotContain("Lzo", line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Lz4|", line);
    }

    [Theory]
    [InlineData("Lz4")]
    [InlineData("lzo")]
    [InlineData("rar")]
    public void Run_UnwritableCodec_OneLineNamingTheChoices(string codec)
    {
        var stderr = new StringWriter();
        int exit = PipelineHost.Run(TestPipelines.Pipeline(TestPipelines.Doubling()), ["run", "--input", _root, "--compression", codec], null, new StringWriter(), stderr);

        Assert.NotEqual(0, exit);
        Assert.Contains($"--compression must be one of uncompressed, snappy, gzip, zstd, lz4_raw or brotli, not '{codec}'.", stderr.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
    }

    [Theory]
    [InlineData("zstd", CompressionCodec.Zstd)]
    [InlineData("ZSTD", CompressionCodec.Zstd)]
    [InlineData("lz4_raw", CompressionCodec.Lz4Raw)]
    [InlineData("brotli", CompressionCodec.Brotli)]
    [InlineData("Snappy", CompressionCodec.Snappy)]
    public void Run_EachWritableCodec_FromTheCommandLineAndFromPipelineYaml(string name, CompressionCodec expected)
    {
        string input = Path.Combine(_root, "in");
        TestPipelines.WriteFile(Path.Combine(input, "a.parquet"), 1, 100, 0);
        foreach (bool fromConfig in new[] { false, true })
        {
            string output = Path.Combine(_root, $"out-{fromConfig}");
            string config = Path.Combine(_root, "pipeline.yaml");
            File.WriteAllText(config, fromConfig ? $"compression: {name}\n" : "");
            string[] args = fromConfig
                ? ["run", "--input", input, "--output", output, "--config", config, "--force"]
                : ["run", "--input", input, "--output", output, "--config", config, "--compression", name, "--force"];
            var stderr = new StringWriter();

            int exit = PipelineHost.Run(TestPipelines.Pipeline(TestPipelines.Doubling()), args, null, new StringWriter(), stderr);

            Assert.True(exit == 0, stderr.ToString());
            string part = Directory.GetFiles(output, "*.parquet").Single();
            using var reader = new ParquetFileReader(part);
            Assert.Equal(expected, reader.Footer.RowGroups[0].Columns[0].MetaData!.Codec);
        }
    }
}
