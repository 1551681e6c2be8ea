using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Parquet.Metadata;

namespace Dsl.Runtime.Tests.Hosting;

public sealed class PipelineConfigTests : IDisposable
{
    private static readonly BatchSchema Numbers = new(new ColumnField("x", ColumnType.Int64, false));

    // Filter 'Keep' feeds two sinks, 'Double' and 'Negate'.
    private static readonly PipelinePlan Plan = new(
        "branches",
        "N",
        new Dictionary<string, BatchSchema> { ["N"] = Numbers },
        [
            new StagePlan("Keep", StageKind.Filter, "N", "N", null, true, null),
            new StagePlan("Double", StageKind.Map, "N", "N", "Keep", true, null),
            new StagePlan("Negate", StageKind.Map, "N", "N", "Keep", true, null),
        ],
        [
            new SegmentPlan(0, ["Keep"], null, "N", "N", false, ["x"]),
            new SegmentPlan(1, ["Double"], 0, "N", "N", true, ["x"]),
            new SegmentPlan(2, ["Negate"], 0, "N", "N", true, ["x"]),
        ]);

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dsl-config-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Read_EverySetting_ParsesValues()
    {
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = Read("""
            pipeline: branches
            input: data/in
            output: out/here
            parallelism: 3
            compression: gzip
            rowGroupRows: 10_000
            targetPartitionRows: 2000000
            memoryBudget: 1.5GiB
            otlpEndpoint: http://collector:4318
            outputs:
              Double: doubled
              Negate: negated
            """);

        Assert.Empty(problems);
        Assert.Equal(3L << 29, config.MemoryBudget);
        Assert.Equal("http://collector:4318", config.OtlpEndpoint);
        Assert.Equal("branches", config.Pipeline);
        Assert.Equal("data/in", config.Input);
        Assert.Equal("out/here", config.Output);
        Assert.Equal(3, config.Parallelism);
        Assert.Equal(CompressionCodec.Gzip, config.Compression);
        Assert.Equal(10_000, config.RowGroupRows);
        Assert.Equal(2_000_000, config.TargetPartitionRows);
        Assert.Equal("doubled", config.Outputs["Double"]);
        Assert.Empty(config.Check(Plan));
    }

    [Fact]
    public void Read_EmptyFile_HasNoSettingsAndNoProblems()
    {
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = Read("# nothing set\n");

        Assert.Empty(problems);
        Assert.Null(config.Input);
        Assert.Empty(config.Outputs);
    }

    [Fact]
    public void Read_UnknownKeyAndBadValues_ReportEachWithLineAndColumn()
    {
        (_, IReadOnlyList<ConfigProblem> problems) = Read("""
            pipeline: branches
            parallelism: many
            compression: lzo
              # indentation below is fine
            colour: red
            """);

        Assert.Collection(
            problems,
            p => Assert.Equal((2, 14, "Setting 'parallelism' must be a whole number from 1 to 4096."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((3, 14, "Setting 'compression' must be one of uncompressed, snappy, gzip, zstd, lz4_raw or brotli."), (p.Line, p.Column, p.Message)),
            p => Assert.StartsWith("Unknown setting 'colour'.", p.Message));
        Assert.Equal($"{_path}(2,14): error DSL5005: Setting 'parallelism' must be a whole number from 1 to 4096.", problems[0].ToString());
    }

    [Fact]
    public void Read_BadMemoryBudgetAndOtlpEndpoint_ReportEachWithLineAndColumn()
    {
        (_, IReadOnlyList<ConfigProblem> problems) = Read("""
            memoryBudget: lots
            otlpEndpoint: collector:4317
            """);

        Assert.Collection(
            problems,
            p => Assert.Equal((1, 15, "Setting 'memoryBudget' must be a size of at least 1MB, such as 512MB, 2GiB or 1000000 (bytes)."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((2, 15, "Setting 'otlpEndpoint' must be an http:// or https:// URL, such as http://localhost:4318."), (p.Line, p.Column, p.Message)));
    }

    [Fact]
    public void Read_TextInputSizes_ParsedAndBounded()
    {
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = Read("""
            targetPartitionBytes: 64MB
            maxRecordBytes: 32MB
            """);
        Assert.Empty(problems);
        Assert.Equal(64L << 20, config.TargetPartitionBytes);
        Assert.Equal(32 << 20, config.MaxRecordBytes);

        (_, problems) = Read("""
            maxRecordBytes: 2GiB
            """);
        Assert.Equal((1, 17, "Setting 'maxRecordBytes' must be at most 1GiB: a record is held whole while it is parsed."), (problems.Single().Line, problems.Single().Column, problems.Single().Message));
    }

    [Fact]
    public void Read_InvalidYaml_ReportsWhereTheParserStopped()
    {
        (_, IReadOnlyList<ConfigProblem> problems) = Read("pipeline: [unclosed\noutput: x\n");

        ConfigProblem problem = Assert.Single(problems);
        Assert.StartsWith("The file is not valid YAML", problem.Message);
        Assert.True(problem.Line >= 1);
    }

    [Fact]
    public void Check_WrongPipelineAndNonSinkOutputs_NameTheSinks()
    {
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = Read("""
            pipeline: other
            outputs:
              Keep: kept
              Dubble: doubled
            """);
        Assert.Empty(problems);

        IReadOnlyList<ConfigProblem> found = config.Check(Plan);

        Assert.Collection(
            found,
            p => Assert.Equal((1, 1, "The file is for pipeline 'other' but this program runs pipeline 'branches'. Correct the name or use the file with its own pipeline."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((3, 3, "Output 'Keep' is not a sink: stage 'Keep' feeds other stages, so it writes no output. Sinks are 'Double', 'Negate'."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((4, 3, "Output 'Dubble' is not a sink: pipeline 'branches' has no stage 'Dubble'. Sinks are 'Double', 'Negate'."), (p.Line, p.Column, p.Message)));
    }

    [Theory]
    [InlineData("Double: same\n  Negate: same", 3, "Sinks 'Double' and 'Negate' are both mapped to the output folder 'same'")]
    [InlineData("Double: same/\n  Negate: /same", 3, "Sinks 'Double' and 'Negate' are both mapped to the output folder 'same'")]
    [InlineData("Negate: Double", 2, "Sinks 'Double' and 'Negate' are both mapped to the output folder 'Double'")]
    [InlineData("Double: a\n  Negate: a/b", 3, "The output folder 'a/b' of sink 'Negate' lies inside 'a', the folder of sink 'Double'")]
    public void Check_TwoSinksInOneFolder_IsAProblemAtTheMapping(string outputs, int line, string message)
    {
        // A user's `outputs: { Score: same, CashNoTip: same }` passed the check, then every partition failed at run time.
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = Read("outputs:\n  " + outputs + "\n");
        Assert.Empty(problems);

        ConfigProblem problem = Assert.Single(config.Check(Plan));

        Assert.Equal(line, problem.Line);
        Assert.StartsWith(message, problem.Message);
        Assert.Contains("error DSL5005", problem.ToString());
    }

    [Fact]
    public void Check_SinksInFoldersSideBySide_IsFine()
    {
        (PipelineConfig config, _) = Read("outputs:\n  Double: a/doubled\n  Negate: a/negated\n");

        Assert.Empty(config.Check(Plan));
    }

    private (PipelineConfig, IReadOnlyList<ConfigProblem>) Read(string yaml)
    {
        File.WriteAllText(_path, yaml);
        return PipelineConfig.Read(_path);
    }
}
