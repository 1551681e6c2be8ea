using System.Text.Json;
using Dsl.Hosting;
using Dsl.Runtime.Tests.Execution;
using Dsl.Testing;
using Dsl.Validation;

namespace Dsl.Runtime.Tests.Validation;

/// <summary>The <c>validate</c> command: the report, the rule table, the exit code, and no output folder touched.</summary>
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
}
