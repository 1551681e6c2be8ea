using System.Text.Json;
using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Testing;
using Dsl.Validation;
using Dsl.Validation.Statistics;

namespace Dsl.Runtime.Tests.Validation;

/// <summary>
/// Dataset gates and drift checks inside real runs: the statistics are gathered in the same pass, committed with each
/// task and merged; the measured values equal what DuckDB computes over the same input; a failing gate commits
/// nothing and leaves the previous output byte for byte; a warn gate commits and reports; bounds can change without
/// recomputing a partition; a profile of one input passes the drift check on the same data and fails it on shifted data.
/// </summary>
public sealed class GateRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-gates-").FullName;
    private readonly string _input;
    private readonly string _output;

    public GateRunTests()
    {
        _input = Path.Combine(_root, "in");
        _output = Path.Combine(_root, "out");
        RulePipelines.WriteInput(_input);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Input => DuckDb.Literal(Path.Combine(_input, "*.parquet"));

    private static ExecutionOptions Options(params GatePlan[] gates) => new() { TargetPartitionRows = 2000, MaxParallelism = 2, Gates = gates };

    private static GatePlan Gate(GateMetric metric, string? column, double? min, double? max, GateSeverity severity = GateSeverity.Fail, string? rule = null, string schema = "T") =>
        new(metric.ToString() + (column is null ? "" : $"({column})"), metric, schema, column is null ? [] : [column], min, max, severity, "test") { Rule = rule };

    [Fact]
    public void MeasuredValues_EqualDuckDbs_AndAreInTheReport()
    {
        GatePlan[] gates =
        [
            Gate(GateMetric.RowCount, null, 8000, 8000),
            Gate(GateMetric.NullRate, "Country", 0, 0.5),
            Gate(GateMetric.Mean, "Id", 0, 1e9),
            Gate(GateMetric.StdDev, "Id", 0, 1e9),
            Gate(GateMetric.Min, "Id", 0, 0),
            Gate(GateMetric.Max, "Id", 0, 1e9),
            Gate(GateMetric.DistinctCount, "Country", 5, 5),
            Gate(GateMetric.QuarantineRate, null, 0, 1),
            Gate(GateMetric.QuarantineRate, null, 0, 1, rule: RulePipelines.RangeRule) with { Id = "range-rate" },
        ];

        JobResult result = new LocalExecutor(Options(gates)).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);

        using var duck = DuckDb.Open();
        double Sql(string expression) => duck.QueryScalarDouble($"SELECT {expression} FROM read_parquet({Input})")!.Value;
        long quarantined = duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE NOT (Amount BETWEEN 0 AND 100) OR isnan(Amount) OR Amount = 14");
        long range = duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE NOT (Amount BETWEEN 0 AND 100) OR isnan(Amount)");
        double[] expected = [8000, Sql("avg(CASE WHEN Country IS NULL THEN 1.0 ELSE 0.0 END)"), Sql("avg(Id)"), Sql("stddev_pop(Id)"), 0, Sql("max(Id)"), 5, quarantined / 8000.0, range / 8000.0];
        JsonElement[] reported = [.. Report(_output).GetProperty("gates").EnumerateArray()];
        Assert.Equal(gates.Length, reported.Length);
        for (int g = 0; g < gates.Length; g++)
        {
            Assert.Equal(gates[g].Id, reported[g].GetProperty("id").GetString());
            Assert.True(reported[g].GetProperty("passed").GetBoolean(), reported[g].GetProperty("message").GetString());
            Assert.Equal(expected[g], reported[g].GetProperty("measured").GetDouble(), Math.Abs(expected[g]) * 1e-12);
        }
        Assert.Equal(gates.Length, result.Validation!.GateResults.Count);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void FailingGate_CommitsNothing_AndLeavesThePreviousOutputByteForByte()
    {
        new LocalExecutor(Options()).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);
        Dictionary<string, byte[]> before = Snapshot(_output);
        Assert.Contains(before.Keys, k => k.StartsWith("_quarantine", StringComparison.Ordinal));
        File.Delete(Path.Combine(_input, "b.parquet")); // a new input, whose quarantine would differ
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet(RulePipelines.SelectInput(4000, 200_000), Path.Combine(_input, "c.parquet"), "ROW_GROUP_SIZE 2048");
        }
        GatePlan nulls = Gate(GateMetric.NullRate, "Country", null, 0.1);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options(nulls)).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output));

        Assert.StartsWith($"gate NullRate(Country) declared by test failed: {StatisticText.Percent(1287 / 9000.0)} of 9,000 rows are null, above the maximum 10%", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was committed", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(_output), new BytesComparer());
        // The refused run's report is where the message says, with the gate's measured value.
        string rejected = Path.Combine(Path.GetDirectoryName(_output)!, ".out.dsl", LocalExecutor.RejectedReport);
        Assert.Contains(rejected, error.Message, StringComparison.Ordinal);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllBytes(rejected));
        JsonElement gate = report.RootElement.GetProperty("gates")[0];
        Assert.False(gate.GetProperty("passed").GetBoolean());
        using (var duck = DuckDb.Open())
        {
            Assert.Equal(duck.QueryScalarDouble($"SELECT avg(CASE WHEN Country IS NULL THEN 1.0 ELSE 0.0 END) FROM read_parquet({Input})")!.Value, gate.GetProperty("measured").GetDouble(), 1e-12);
        }

        // The next run that passes removes the refusal's report and reuses the refused run's committed tasks.
        JobResult passed = new LocalExecutor(Options(nulls with { Max = 0.2 })).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);
        Assert.False(File.Exists(rejected));
        Assert.Equal(passed.Partitions, passed.PartitionsReused);
    }

    [Fact]
    public void WarnGate_Commits_AndReportsTheBreach()
    {
        GatePlan rows = Gate(GateMetric.RowCount, null, 10_000, null, GateSeverity.Warn);

        JobResult result = new LocalExecutor(Options(rows)).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);

        Assert.True(File.Exists(Path.Combine(_output, LocalExecutor.SuccessMarker)));
        string warning = Assert.Single(result.Warnings);
        Assert.StartsWith("gate RowCount declared by test failed: the run has 8,000 rows of T, below the minimum 10,000", warning, StringComparison.Ordinal);
        JsonElement gate = Report(_output).GetProperty("gates")[0];
        Assert.Equal(("warn", false), (gate.GetProperty("severity").GetString(), gate.GetProperty("passed").GetBoolean()));
    }

    [Fact]
    public void ChangedBounds_ReuseEveryPartition_AndAreEvaluatedAgain()
    {
        GatePlan mean = Gate(GateMetric.Mean, "Id", 0, 1e9);
        JobResult first = new LocalExecutor(Options(mean)).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);
        Assert.True(new LocalExecutor(Options(mean)).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output).UpToDate);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options(mean with { Max = 10 })).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output));
        Assert.Contains("above the maximum 10", error.Message, StringComparison.Ordinal);

        // Gathering another statistic is another task: every partition is computed again.
        JobResult other = new LocalExecutor(Options(mean, Gate(GateMetric.DistinctCount, "Id", 1, null))).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);
        Assert.Equal(0, other.PartitionsReused);
        Assert.Equal(first.Validation!.GateResults[0].Measured, other.Validation!.GateResults[0].Measured);
        Assert.Equal(8000, other.Validation.GateResults[1].Measured);
    }

    [Fact]
    public void UniqueGate_CountsKeysRepeatedAcrossPartitions_AsDuckDbDoes()
    {
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet(RulePipelines.SelectInput(1000, 100_500), Path.Combine(_input, "c.parquet"), "ROW_GROUP_SIZE 2048"); // Ids also in b.parquet
        }
        GatePlan unique = new("unique(Id)", GateMetric.Unique, "T", ["Id"], null, null, GateSeverity.Fail, "test");

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options(unique)).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output));

        using var db = DuckDb.Open();
        long repeats = db.QueryScalarInt64($"SELECT count(*) - count(DISTINCT Id) FROM read_parquet({Input})");
        Assert.Equal(1000, repeats);
        Assert.StartsWith("gate unique(Id) declared by test failed: 1,000", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public void PlanGates_AndASinkSchema_AreMeasuredOnTheRowsWritten()
    {
        // Copy writes schema U: the rows that stayed, Twice = 2 * Amount. The plan's own gate measures what it writes.
        var u = new BatchSchema(new ColumnField("Id", ColumnType.Int64, false), new ColumnField("Twice", ColumnType.Double, false));
        CompiledPipeline rules = RulePipelines.Pipeline(RuleAction.Quarantine, rowErrors: true);
        SegmentKernel copy = rules.Kernels[0];
        PipelinePlan plan = rules.Plan with
        {
            Schemas = new Dictionary<string, BatchSchema> { ["T"] = RulePipelines.T, ["U"] = u },
            Stages = [rules.Plan.Stages[0] with { OutputSchema = "U" }],
            Segments = [rules.Plan.Segments[0] with { OutputSchema = "U" }],
            Gates = [new GatePlan("rows(U)", GateMetric.RowCount, "U", [], null, 100, GateSeverity.Fail, "[Gate] on rules"), new GatePlan("max(U.Twice)", GateMetric.Max, "U", ["Twice"], null, 200, GateSeverity.Fail, "[Gate] on rules")],
        };
        var pipeline = new CompiledPipeline(plan, [(input, violations) =>
        {
            using RecordBatch kept = copy(input, violations);
            ReadOnlySpan<double> amount = kept.GetPrimitive<double>("Amount", ColumnType.Double).Values;
            var twice = new ColumnBuilder<double>(ColumnType.Double, kept.RowCount, nullable: false);
            for (int i = 0; i < kept.RowCount; i++)
            {
                twice.Values[i] = 2 * amount[i];
            }
            return new RecordBatch(u, [ColumnGather.Gather(kept.GetPrimitive<long>("Id", ColumnType.Int64), [.. Enumerable.Range(0, kept.RowCount)]), twice.Build(kept.RowCount)], kept.RowCount);
        }]);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options()).Run(pipeline, _input, _output));

        using var duck = DuckDb.Open();
        long kept = duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE Amount BETWEEN 0 AND 100 AND Amount <> 14");
        Assert.StartsWith($"gate rows(U) declared by [Gate] on rules failed: the run has {kept.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} rows of U, above the maximum 100", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("max(U.Twice)", error.Message, StringComparison.Ordinal); // 2 * 100 = 200, on its bound
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public void UniqueRuleGate_CountsOnlyTheRepeatsTheOutputStillHolds()
    {
        // d.parquet, one partition: Ids 300,000..300,499 twice each. The rule quarantines the second rows, so the
        // output's keys are unique and the [Unique] gate passes; a repeat across files stays in the output and fails it.
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet("SELECT (300000 + range % 500)::BIGINT AS Id, 1.0::DOUBLE AS Amount, 'C1' AS Country FROM range(1000)", Path.Combine(_input, "d.parquet"), "ROW_GROUP_SIZE 2048");
        }
        CompiledPipeline rules = RulePipelines.Pipeline(RuleAction.Quarantine, unique: RuleAction.Quarantine, acrossDataset: true);
        var gate = new GatePlan("unique(Id)", GateMetric.Unique, "T", ["Id"], null, null, GateSeverity.Fail, "[Unique] on T.Id");
        CompiledPipeline pipeline = rules.WithPlan(rules.Plan with { Gates = [gate] });

        JobResult passed = new LocalExecutor(Options()).Run(pipeline, _input, _output);

        Assert.Equal(500, passed.Validation!.Rules.Single(r => r.Rule.Id == RulePipelines.UniqueRule).Broken);
        Assert.Equal(0, passed.Validation.GateResults.Single().Measured);

        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet("SELECT 300007::BIGINT AS Id, 1.0::DOUBLE AS Amount, 'C1' AS Country", Path.Combine(_input, "e.parquet"), "");
        }
        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options()).Run(pipeline, _input, _output));
        Assert.StartsWith("gate unique(Id) declared by [Unique] on T.Id failed: 1 of ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedStatisticsOfACommittedTask_AreComputedAgain()
    {
        GatePlan mean = Gate(GateMetric.Mean, "Id", 0, 1e9);
        // A first run that a gate refuses leaves its committed tasks, statistics included, in the work folder.
        Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options(mean with { Max = 10 })).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output));
        string tasks = Path.Combine(_root, ".out.dsl", "tasks");
        string record = Directory.EnumerateFiles(tasks, "task.json", SearchOption.AllDirectories).First();
        File.WriteAllText(record, File.ReadAllText(record).Replace("\"format\":\"dsl-stats/1\"", "\"format\":\"dsl-stats/9\"", StringComparison.Ordinal));

        JobResult result = new LocalExecutor(Options(mean)).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);

        Assert.Equal(result.Partitions - 1, result.PartitionsReused);
        using var duck = DuckDb.Open();
        Assert.Equal(duck.QueryScalarDouble($"SELECT avg(Id) FROM read_parquet({Input})")!.Value, result.Validation!.GateResults[0].Measured, 1e-6);
    }

    [Fact]
    public void InputRulesInTwoSegments_AreRefusedBeforeAnyWork()
    {
        CompiledPipeline rules = RulePipelines.Pipeline(RuleAction.Quarantine);
        PipelinePlan plan = rules.Plan with
        {
            Stages = [rules.Plan.Stages[0], rules.Plan.Stages[0] with { Name = "Again" }],
            Segments = [rules.Plan.Segments[0], rules.Plan.Segments[0] with { Index = 1, Stages = ["Again"] }],
            Rules = [rules.Plan.Rules[0], rules.Plan.Rules[0] with { Index = 1, Segment = 1 }],
        };
        var pipeline = new CompiledPipeline(plan, [rules.Kernels[0], rules.Kernels[0]]);

        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor(Options()).Run(pipeline, _input, _output));

        Assert.StartsWith("Pipeline 'rules' checks the rules of its input schema 'T' in 2 segments, which start at stages 'Copy' and 'Again' that each read the input", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public void GateOnASchemaTheRunDoesNotMeasure_IsRefusedBeforeAnyWork()
    {
        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor(Options(Gate(GateMetric.RowCount, null, 1, null, schema: "Elsewhere"))).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output));

        Assert.StartsWith("Gate 'RowCount' (test) measures schema 'Elsewhere', which pipeline 'rules' neither reads as its input nor writes to a sink", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_output));
        var key = new GatePlan("key", GateMetric.Unique, "U", ["Id"], null, null, GateSeverity.Fail, "test");
        CompiledPipeline pipeline = RulePipelines.Pipeline(RuleAction.Quarantine);
        PipelinePlan plan = pipeline.Plan with { Schemas = new Dictionary<string, BatchSchema>(pipeline.Plan.Schemas) { ["U"] = RulePipelines.T }, Segments = [pipeline.Plan.Segments[0] with { OutputSchema = "U" }] };
        var keyError = Assert.Throws<ArgumentException>(() => new LocalExecutor(Options(key)).Run(pipeline.WithPlan(plan), _input, _output));
        Assert.Equal("Gate 'key' (test) checks a key of schema 'U'; keys are checked on the pipeline's input, 'T', as the rows are read.", keyError.Message);
    }

    [Theory]
    [InlineData(RuleAction.Warn)]
    [InlineData(RuleAction.Drop)]
    public void QuarantineRateGateOnARuleThatQuarantinesNothing_IsRefusedBeforeAnyWork(RuleAction action)
    {
        GatePlan gate = Gate(GateMetric.QuarantineRate, null, null, 0.01, rule: RulePipelines.RangeRule);
        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor(Options(gate)).Run(RulePipelines.Pipeline(action), _input, _output));
        Assert.Contains($"rule '{RulePipelines.RangeRule}', whose action is {action}", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public void Drift_PassesOnTheProfiledData_AndFailsOnShiftedData()
    {
        string profile = Path.Combine(_root, "reference.json");
        ValidationReport profiled = new LocalExecutor(Options()).Validate(RulePipelines.Pipeline(RuleAction.Warn), _input, profile: true);
        profiled.Profile!.Write(profile);
        var drift = new DriftOptions(profile, MaxPsi: 0.1, MaxKs: 0.05, MinPValue: 0.01, Columns: ["Id", "Country"], Severity: GateSeverity.Fail);

        JobResult same = new LocalExecutor(Options() with { Drift = drift }).Run(RulePipelines.Pipeline(RuleAction.Warn), _input, _output);
        Assert.All(same.Validation!.DriftResults, d => Assert.True(d.Passed, d.Message));
        Assert.Equal(["T.Id", "T.Country"], same.Validation.DriftResults.Select(d => $"{d.Schema}.{d.Column}"));
        Assert.Equal(0, same.Validation.DriftResults[0].Psi!.Value, 1e-12);

        // Ids shifted by 50,000 and one country's share doubled: both columns drift.
        string shifted = Path.Combine(_root, "shifted");
        Directory.CreateDirectory(shifted);
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet($"SELECT Id + 50000 AS Id, Amount, CASE WHEN Id % 3 = 0 THEN 'C1' ELSE Country END AS Country FROM read_parquet({Input})", Path.Combine(shifted, "s.parquet"), "ROW_GROUP_SIZE 2048");
        }
        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options() with { Drift = drift }).Run(RulePipelines.Pipeline(RuleAction.Warn), shifted, Path.Combine(_root, "out2")));
        Assert.Contains("drift: T.Id:", error.Message, StringComparison.Ordinal);
        Assert.Contains("drift: T.Country: chi-square", error.Message, StringComparison.Ordinal);

        // Severity warn: the same drift is reported and the run commits.
        JobResult warned = new LocalExecutor(Options() with { Drift = drift with { Severity = GateSeverity.Warn } }).Run(RulePipelines.Pipeline(RuleAction.Warn), shifted, Path.Combine(_root, "out2"));
        Assert.Equal(2, warned.Warnings.Count(w => w.StartsWith("drift: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Drift_DamagedReference_StopsBeforeAnyWork_NamingTheFile()
    {
        string profile = Path.Combine(_root, "reference.json");
        File.WriteAllText(profile, "{\"format\": \"dsl-profile/9\"}");

        var error = Assert.ThrowsAny<Exception>(() => new LocalExecutor(Options() with { Drift = new DriftOptions(profile, 0.1, null, null, [], GateSeverity.Fail) }).Run(RulePipelines.Pipeline(RuleAction.Warn), _input, _output));

        Assert.Contains(profile, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public void ValidateCommand_WritesTheHtmlPage_AndFailsOnAFailingYamlGate()
    {
        string config = Path.Combine(_root, "pipeline.yaml");
        File.WriteAllText(config, "pipeline: rules\ngates:\n  - metric: nullRate\n    column: Country\n    max: 0.1\n");
        string report = Path.Combine(_root, "report.json");
        string html = Path.Combine(_root, "report.html");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = PipelineHost.Run(RulePipelines.Pipeline(RuleAction.Quarantine), ["validate", "--input", _input, "--config", config, "--report", report, "--html", html], stdout: stdout, stderr: stderr);

        Assert.Equal(PipelineHost.FailRuleExitCode, code);
        Assert.Contains($"error: gate nullRate(Country) declared by pipeline.yaml gates[0] failed: {StatisticText.Percent(1144 / 8000.0)} of 8,000 rows are null", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("Gates:", stdout.ToString(), StringComparison.Ordinal);
        string page = File.ReadAllText(html);
        Assert.Contains("nullRate(Country)", page, StringComparison.Ordinal);
        Assert.Contains("<svg", page, StringComparison.Ordinal); // the input columns' histograms
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public void ProfileCommand_IgnoresTheConfigurationsDriftCheck_WhoseReferenceItMayWrite()
    {
        string profile = Path.Combine(_root, "p.json");
        string config = Path.Combine(_root, "pipeline.yaml");
        File.WriteAllText(config, $"pipeline: rules\ndrift:\n  reference: {profile}\n  maxPsi: 0.1\n");

        int code = PipelineHost.Run(RulePipelines.Pipeline(RuleAction.Warn), ["profile", "--input", _input, "--config", config, "--profile", profile], stdout: new StringWriter(), stderr: new StringWriter());

        Assert.Equal(0, code);
        Assert.True(File.Exists(profile));
    }

    [Fact]
    public void ProfileCommand_WithoutAnInput_SaysSo()
    {
        var stderr = new StringWriter();
        string config = Path.Combine(_root, "pipeline.yaml");
        File.WriteAllText(config, "pipeline: rules\n");

        int code = PipelineHost.Run(RulePipelines.Pipeline(RuleAction.Warn), ["profile", "--profile", Path.Combine(_root, "p.json"), "--config", config], stdout: new StringWriter(), stderr: stderr);

        Assert.Equal(2, code);
        Assert.Contains("error: profile needs an input: pass --input or set 'input' in the configuration file.", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ProfileCommand_WritesAProfileOfEveryInputColumn()
    {
        string profile = Path.Combine(_root, "p.json");
        var stdout = new StringWriter();

        int code = PipelineHost.Run(RulePipelines.Pipeline(RuleAction.Warn), ["profile", "--input", _input, "--profile", profile], stdout: stdout, stderr: new StringWriter());

        Assert.Equal(0, code);
        Assert.Contains("profiled 8,000 rows, 3 column(s) of T", stdout.ToString(), StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(profile));
        Assert.Equal("dsl-profile/1", doc.RootElement.GetProperty("format").GetString());
        Assert.Equal(["Id", "Amount", "Country"], doc.RootElement.GetProperty("schemas")[0].GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    private static JsonElement Report(string output)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, ValidationReport.FileName)));
        return doc.RootElement.Clone();
    }

    private static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    private sealed class BytesComparer : IEqualityComparer<Dictionary<string, byte[]>>
    {
        public bool Equals(Dictionary<string, byte[]>? x, Dictionary<string, byte[]>? y) =>
            x!.Count == y!.Count && x.All(kv => y.TryGetValue(kv.Key, out byte[]? other) && kv.Value.AsSpan().SequenceEqual(other));

        public int GetHashCode(Dictionary<string, byte[]> obj) => obj.Count;
    }
}
