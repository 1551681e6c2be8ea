using System.Text.Json;
using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Runtime.Tests.Execution;
using Dsl.Testing;
using Dsl.Validation;

namespace Dsl.Runtime.Tests.Validation;

/// <summary>The <c>validate</c> command: the report, the rule table, the exit code, the gates as a run measures them, and no output folder touched.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-validate-cmd-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(RuleAction.Fail, PipelineHost.FailRuleExitCode)]
    [InlineData(RuleAction.Warn, 0)]
    public void Validate_WritesTheReportPrintsTheRules_AndExitsByTheFailRules(RuleAction action, int exitCode)
    {
        string input = Path.Combine(_root, "in");
        Directory.CreateDirectory(input);
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet(RulePipelines.SelectInput(3000, 0), Path.Combine(input, "a.parquet"));
        }
        string output = Path.Combine(_root, "out");
        new Dsl.Execution.LocalExecutor().Run(RulePipelines.Pipeline(RuleAction.Warn), input, output);
        Dictionary<string, byte[]> before = TestPipelines.Snapshot(output);
        string report = Path.Combine(_root, "report.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = PipelineHost.Run(RulePipelines.Pipeline(action), ["validate", "--input", input, "--report", report], stdout: stdout, stderr: stderr);

        Assert.Equal(exitCode, code);
        using var check = DuckDb.Open();
        long broken = check.QueryScalarInt64($"SELECT count(*) FROM read_parquet({DuckDb.Literal(Path.Combine(input, "a.parquet"))}) WHERE NOT (Amount BETWEEN 0 AND 100) OR isnan(Amount)");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(report));
        Assert.Equal(broken, json.RootElement.GetProperty("rules")[0].GetProperty("counts").GetProperty("broken").GetInt64());
        Assert.Contains($"  {RulePipelines.RangeRule}  {action,-10}  {broken,11:N0}", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(exitCode != 0, stderr.ToString().Contains($"'{RulePipelines.RangeRule}'", StringComparison.Ordinal));
        Assert.Equal(before.Keys.Order(), TestPipelines.Snapshot(output).Keys.Order());
        Assert.All(TestPipelines.Snapshot(output), f => Assert.Equal(before[f.Key], f.Value));
    }
    [Fact]
    public void Validate_QuarantineRateGate_MeasuresTheRowsARunWouldQuarantine()
    {
        string input = Path.Combine(_root, "in");
        Directory.CreateDirectory(input);
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet(RulePipelines.SelectInput(5000, 0), Path.Combine(input, "a.parquet"), "ROW_GROUP_SIZE 2048");
        }
        GatePlan gate = new("quarantine", GateMetric.QuarantineRate, "T", [], 0, 0.01, GateSeverity.Fail, "test");
        var options = new ExecutionOptions { TargetPartitionRows = 2000, MaxParallelism = 2, Gates = [gate] };

        ValidationReport validated = new LocalExecutor(options).Validate(RulePipelines.Pipeline(RuleAction.Quarantine), input);
        var refused = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(options).Run(RulePipelines.Pipeline(RuleAction.Quarantine), input, Path.Combine(_root, "out")));

        using var check = DuckDb.Open();
        long quarantined = check.QueryScalarInt64($"SELECT count(*) FROM read_parquet({DuckDb.Literal(Path.Combine(input, "a.parquet"))}) WHERE NOT (Amount BETWEEN 0 AND 100) OR isnan(Amount) OR Amount = 14");
        Assert.Equal(quarantined, validated.QuarantinedRows);
        Assert.Equal(quarantined / 5000.0, validated.GateResults[0].Measured, 1e-12);
        Assert.False(validated.GateResults[0].Passed);
        Assert.Contains(validated.GateResults[0].Message, refused.Message, StringComparison.Ordinal);
    }
}
