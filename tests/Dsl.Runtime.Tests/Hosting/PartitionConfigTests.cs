using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Runtime.Tests.Execution;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary>
/// <c>partitionBy</c>, <c>maxRowsPerFile</c>, <c>maxBytesPerFile</c> and <c>maxOpenFiles</c> in pipeline.yaml (checked
/// as DSL5005 by the build and <c>check-config</c>) and their command-line twins.
/// </summary>
public sealed class PartitionConfigTests : IDisposable
{
    private static readonly BatchSchema Scores = new(
        new ColumnField("Country", ColumnType.String, false),
        new ColumnField("Year", ColumnType.Int32, false),
        new ColumnField("Amount", ColumnType.Double, false),
        new ColumnField("At", ColumnType.Timestamp, false),
        new ColumnField("Tags", ColumnType.List, true) { Children = [new ColumnField("element", ColumnType.Int64, false)] });

    // Filter 'Keep' feeds two sinks, 'Score' and 'Audit'.
    private static readonly PipelinePlan Plan = new(
        "scores",
        "N",
        new Dictionary<string, BatchSchema> { ["N"] = TestPipelines.Numbers, ["S"] = Scores },
        [
            new StagePlan("Keep", StageKind.Filter, "N", "N", null, true, null),
            new StagePlan("Score", StageKind.Map, "N", "S", "Keep", true, null),
            new StagePlan("Audit", StageKind.Map, "N", "N", "Keep", true, null),
        ],
        [
            new SegmentPlan(0, ["Keep"], null, "N", "N", false, ["x"]),
            new SegmentPlan(1, ["Score"], 0, "N", "S", true, ["x"]),
            new SegmentPlan(2, ["Audit"], 0, "N", "N", true, ["x"]),
        ]);

    private readonly string _root = Directory.CreateTempSubdirectory("dsl-partcfg-").FullName;

    private string ConfigPath => Path.Combine(_root, "pipeline.yaml");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Read_ListAndCommaShapes_AndTheFileLimits()
    {
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = ReadAndCheck("""
            partitionBy:
              Score: [Country, Year]
              Audit: x
            maxRowsPerFile: 1_000_000
            maxBytesPerFile: 256MB
            maxOpenFiles: 16
            """, plan: null);

        Assert.Empty(problems);
        Assert.Equal(["Country", "Year"], config.PartitionBy["Score"]);
        Assert.Equal(["x"], config.PartitionBy["Audit"]);
        Assert.Equal(1_000_000, config.MaxRowsPerFile);
        Assert.Equal(256L << 20, config.MaxBytesPerFile);
        Assert.Equal(16, config.MaxOpenFiles);

        (PipelineConfig comma, IReadOnlyList<ConfigProblem> none) = ReadAndCheck("partitionBy:\n  Score: Country, Year\n", plan: null);
        Assert.Empty(none);
        Assert.Equal(["Country", "Year"], comma.PartitionBy["Score"]);
    }

    [Theory]
    [InlineData("partitionBy:\n  Score: [Contry]\n", 2, 3, "Sink 'Score' has no column 'Contry' to partition by. Its columns are Country (String), Year (Int32), Amount (Double), At (Timestamp), Tags (List<element: Int64>).")]
    [InlineData("partitionBy:\n  Score: [Amount]\n", 2, 3, "Sink 'Score' cannot be partitioned by column 'Amount' (Double): floating-point values do not name folders exactly (their text is rounded, and NaN and -0.0 make equal values unclear). Partition by an int, long, bool, string or DateOnly column, e.g. one a Map stage derives from it.")]
    [InlineData("partitionBy:\n  Score: [At]\n", 2, 3, "Sink 'Score' cannot be partitioned by column 'At' (Timestamp): a time has many spellings in a folder name")]
    [InlineData("partitionBy:\n  Score: [Tags]\n", 2, 3, "Sink 'Score' cannot be partitioned by column 'Tags' (List<element: Int64>): a nested value cannot name a folder.")]
    [InlineData("partitionBy:\n  Score: [Year, Year]\n", 2, 3, "Sink 'Score' lists column 'Year' twice under 'partitionBy'.")]
    [InlineData("partitionBy:\n  Audit: [x]\n", 2, 3, "Sink 'Audit' is partitioned by all of its columns (x (Int64)), so its files would hold no column.")]
    [InlineData("partitionBy:\n  Score: []\n", 2, 3, "Sink 'Score' has an empty 'partitionBy' list.")]
    [InlineData("partitionBy:\n  Keep: [x]\n", 2, 3, "'partitionBy' names 'Keep', which is not a sink: stage 'Keep' feeds other stages, so it writes no output. Sinks are 'Score', 'Audit'.")]
    [InlineData("partitionBy:\n  Scor: [Year]\n", 2, 3, "'partitionBy' names 'Scor', which is not a sink: pipeline 'scores' has no stage 'Scor'.")]
    [InlineData("partitionBy: Year\n", 1, 14, "Setting 'partitionBy' must map sink stage names to their partition columns")]
    [InlineData("partitionBy:\n  Score: {a: b}\n", 2, 10, "Setting 'partitionBy.Score' must be a list of column names")]
    [InlineData("outputs: features\n", 1, 10, "Setting 'outputs' must map sink stage names to folders, one 'Stage: folder' line each.")]
    [InlineData("tables: users.parquet\n", 1, 9, "Setting 'tables' must map table names to paths, one 'name: path' line each.")]
    [InlineData("tables:\n  users: x.parquet\n", 2, 3, "Table 'users' is read by no join stage: pipeline 'scores' has no join stage.")]
    [InlineData("broadcastThreshold: lots\n", 1, 21, "Setting 'broadcastThreshold' must be a size of at least 1MB")]
    [InlineData("shuffleBuckets: 0\n", 1, 17, "Setting 'shuffleBuckets' must be a whole number from 1 to 65536.")]
    [InlineData("maxRowsPerFile: 0\n", 1, 17, "Setting 'maxRowsPerFile' must be a whole number from 1 to")]
    [InlineData("maxBytesPerFile: huge\n", 1, 18, "Setting 'maxBytesPerFile' must be a size of at least 1MB")]
    [InlineData("maxOpenFiles: 0\n", 1, 15, "Setting 'maxOpenFiles' must be a whole number from 1 to 100000.")]
    public void Check_BadPartitionSettings_DSL5005WithLineAndColumn(string yaml, int line, int column, string message)
    {
        (_, IReadOnlyList<ConfigProblem> problems) = ReadAndCheck(yaml, Plan);

        ConfigProblem problem = Assert.Single(problems);
        Assert.Equal((line, column), (problem.Line, problem.Column));
        Assert.StartsWith(message, problem.Message);
        Assert.Contains("error DSL5005: ", problem.ToString());
    }

    [Fact]
    public void CheckConfig_BadPartitionColumn_PrintsTheCanonicalErrorAndExits1()
    {
        File.WriteAllText(ConfigPath, "partitionBy:\n  Tag: [Nope]\n");
        var stdout = new StringWriter();

        int exit = PipelineHost.Run(PartitionedPipelines.Typed6(), ["check-config", ConfigPath], null, stdout, new StringWriter());

        Assert.Equal(1, exit);
        Assert.Equal($"{ConfigPath}(2,3): error DSL5005: Sink 'Tag' has no column 'Nope' to partition by. Its columns are Country (String), Year (Int32), x (Int64), Day (Date), Flag (Boolean), Score (Double).{Environment.NewLine}", stdout.ToString());
    }

    [Fact]
    public void Run_PartitionByOnTheCommandLine_OverridesTheFile_WithTheFileLimits()
    {
        string input = TestPipelines.WriteFile(Path.Combine(_root, "in", "f.parquet"), 1, 30, 0);
        string output = Path.Combine(_root, "out");
        File.WriteAllText(ConfigPath, "partitionBy:\n  Tag: [Year]\nmaxRowsPerFile: 4\nmaxOpenFiles: 2\n");
        var stderr = new StringWriter();

        int exit = PipelineHost.Run(PartitionedPipelines.Typed6(), ["run", "--input", input, "--output", output, "--config", ConfigPath, "--partition-by", "Country, Flag", "--max-bytes-per-file", "1MB"], null, new StringWriter(), stderr);

        Assert.True(exit == 0, stderr.ToString());
        string[] files = PartitionedPipelines.Files(output);
        Assert.All(files, f => Assert.Matches(@"^Country=(FR|DE|US)/Flag=(true|false)/part-00000(-\d+)?\.parquet$", f));
        Assert.Contains("Country=FR/Flag=true/part-00000-1.parquet", files); // 5 rows there, 4 a file
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, LocalExecutor.ManifestFile)));
        System.Text.Json.JsonElement settings = manifest.RootElement.GetProperty("settings");
        Assert.Equal((4, 1L << 20, 2), (settings.GetProperty("maxRowsPerFile").GetInt64(), settings.GetProperty("maxBytesPerFile").GetInt64(), settings.GetProperty("maxOpenFiles").GetInt32()));
    }

    [Fact]
    public void Run_EmptyPartitionByOption_TurnsTheFilesSettingOff()
    {
        string input = TestPipelines.WriteFile(Path.Combine(_root, "in", "f.parquet"), 1, 30, 0);
        string output = Path.Combine(_root, "out");
        File.WriteAllText(ConfigPath, "partitionBy:\n  Tag: [Year]\n");

        int exit = PipelineHost.Run(PartitionedPipelines.Typed6(), ["run", "--input", input, "--output", output, "--config", ConfigPath, "--partition-by", ""], null, new StringWriter(), new StringWriter());

        Assert.Equal(0, exit);
        Assert.Equal(["part-00000.parquet"], PartitionedPipelines.Files(output));
    }

    [Theory]
    [InlineData("Contry", "error: --partition-by: Sink 'Tag' has no column 'Contry' to partition by. Its columns are Country (String), Year (Int32), x (Int64), Day (Date), Flag (Boolean), Score (Double).")]
    [InlineData("Score", "error: --partition-by: Sink 'Tag' cannot be partitioned by column 'Score' (Double): floating-point values")]
    public void Run_BadPartitionByOption_OneLineExit2_NothingRead(string columns, string message)
    {
        var stderr = new StringWriter();

        int exit = PipelineHost.Run(PartitionedPipelines.Typed6(), ["run", "--input", "/nonexistent", "--output", Path.Combine(_root, "out"), "--partition-by", columns], null, new StringWriter(), stderr);

        Assert.Equal(2, exit);
        Assert.StartsWith(message, stderr.ToString());
        Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Run_PartitionByOptionWithSeveralSinks_PointsToTheConfigurationFile()
    {
        var stderr = new StringWriter();
        var pipeline = new CompiledPipeline(Plan, [(b, _) => b, (b, _) => b, (b, _) => b]);

        int exit = PipelineHost.Run(pipeline, ["run", "--input", "/nonexistent", "--partition-by", "Year"], null, new StringWriter(), stderr);

        Assert.Equal(2, exit);
        Assert.Equal($"error: --partition-by needs a pipeline with one sink, and pipeline 'scores' has 2 ('Score', 'Audit'). Give each sink its columns under 'partitionBy:' in the configuration file.{Environment.NewLine}", stderr.ToString());
    }

    [Fact]
    public void Run_BadMaxBytesPerFile_OneLineNamingTheOption()
    {
        var stderr = new StringWriter();

        int exit = PipelineHost.Run(PartitionedPipelines.Typed6(), ["run", "--input", "/nonexistent", "--max-bytes-per-file", "12 parsecs"], null, new StringWriter(), stderr);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: --max-bytes-per-file '12 parsecs' is not a size", stderr.ToString());
    }

    private (PipelineConfig, IReadOnlyList<ConfigProblem>) ReadAndCheck(string yaml, PipelinePlan? plan)
    {
        File.WriteAllText(ConfigPath, yaml);
        return plan is null ? PipelineConfig.Read(ConfigPath) : PipelineConfig.ReadAndCheck(ConfigPath, plan);
    }
}
