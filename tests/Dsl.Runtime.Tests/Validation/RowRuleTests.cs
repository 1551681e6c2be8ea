using System.Text.Json;
using Dsl.Execution;
using Dsl.Runtime.Tests.Execution;
using Dsl.Testing;
using Dsl.Validation;

namespace Dsl.Runtime.Tests.Validation;

/// <summary>
/// Row rules at run time with hand-written kernels over real Parquet files: each action's counts, the quarantine's
/// rows and columns as DuckDB reads them against what DuckDB SQL computes over the same input, Fail and row-error
/// messages, reuse, unique keys and the validation report.
/// </summary>
public sealed class RowRuleTests : IDisposable
{
    // DuckDB's own answer to "which rows break Amount in [0, 100]" (NaN included), and which rows are row errors.
    private const string Broken = "NOT (Amount BETWEEN 0 AND 100) OR isnan(Amount)";
    private const string RowErrors = "Amount = 14";

    private readonly string _root = Directory.CreateTempSubdirectory("dsl-rules-").FullName;
    private readonly string _input;
    private readonly string _output;

    public RowRuleTests()
    {
        _input = Path.Combine(_root, "in");
        _output = Path.Combine(_root, "out");
        RulePipelines.WriteInput(_input);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Input => DuckDb.Literal(Path.Combine(_input, "*.parquet"));

    private string Quarantine => DuckDb.Literal(Path.Combine(_output, "_quarantine", "T", "*.parquet"));

    private string Main => DuckDb.Literal(Path.Combine(_output, "*.parquet"));

    private ExecutionOptions Options => new() { TargetPartitionRows = 2000, MaxParallelism = 2 };

    [Fact]
    public void Quarantine_HoldsExactlyTheRowsDuckDbFindsBroken_WithTheirProvenance()
    {
        JobResult result = new LocalExecutor(Options).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);

        using var duck = DuckDb.Open();
        long broken = duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE {Broken}");
        long rowErrors = duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE {RowErrors}");
        Assert.True(broken > 500 && rowErrors > 10);
        RuleResult range = result.Validation!.Rules[0];
        Assert.Equal(broken, range.Broken);
        Assert.Equal(rowErrors, result.Validation.Rules[1].Broken);
        Assert.Equal(8000, result.Validation.InputRows);
        Assert.Equal(broken / 8000.0, range.Rate);
        // The quarantine's rows are the broken input rows, with every column of their own.
        Assert.Equal(broken, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Quarantine}) WHERE _rule = '{RulePipelines.RangeRule}'"));
        Assert.Equal(rowErrors, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Quarantine}) WHERE _rule = '{RulePipelines.RowErrorRule}'"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM ((SELECT Id, Amount, Country FROM read_parquet({Input}) WHERE {Broken} OR {RowErrors}) EXCEPT (SELECT Id, Amount, Country FROM read_parquet({Quarantine})))"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM ((SELECT Id, Amount, Country FROM read_parquet({Quarantine})) EXCEPT (SELECT Id, Amount, Country FROM read_parquet({Input}) WHERE {Broken} OR {RowErrors}))"));
        // Provenance: the file, its row group (2,048 rows each) and the row's index in the file (Id - the file's first Id).
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Quarantine}) WHERE _row <> Id % 100000 OR _row_group <> (Id % 100000) // 2048 OR _line IS NOT NULL OR _stage <> CASE WHEN _rule = '{RulePipelines.RowErrorRule}' THEN 'Copy' ELSE 'T' END"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Quarantine}) WHERE _file <> {DuckDb.Literal(Path.Combine(_input, "a.parquet"))} AND _file <> {DuckDb.Literal(Path.Combine(_input, "b.parquet"))} OR (Id < 100000) <> _file LIKE '%a.parquet'"));
        // Reasons, exact.
        Assert.Equal("Amount = -3.5 is below the minimum 0", duck.QueryScalarString($"SELECT _reason FROM read_parquet({Quarantine}) WHERE Id = 3"));
        Assert.Equal("Amount is NaN", duck.QueryScalarString($"SELECT _reason FROM read_parquet({Quarantine}) WHERE Id = 17"));
        Assert.Equal("Amount = 100.5 is above the maximum 100", duck.QueryScalarString($"SELECT _reason FROM read_parquet({Quarantine}) WHERE Id = 29"));
        Assert.Equal("Amount = ∞ is above the maximum 100", duck.QueryScalarString($"SELECT _reason FROM read_parquet({Quarantine}) WHERE Id = 31"));
        Assert.Equal("DivideByZeroException: Attempted to divide by zero.", duck.QueryScalarString($"SELECT _reason FROM read_parquet({Quarantine}) WHERE Id = 14"));
        // The main output's glob holds the rows that stayed and no quarantine row.
        Assert.Equal(8000 - broken - rowErrors, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Main})"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Main}) WHERE {Broken} OR {RowErrors}"));
        // DuckDB's ** does not skip _quarantine (docs/validation.md says so).
        Assert.Equal(8000, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({DuckDb.Literal(Path.Combine(_output, "**", "*.parquet"))}, union_by_name = true)"));
        // Samples: at most 10 per rule and partition , each naming file, row group and row.
        Assert.Equal(10 * result.Partitions, range.Samples.Count);
        Assert.Contains(range.Samples, s => s.File.EndsWith("a.parquet", StringComparison.Ordinal) && s.RowGroup == 0 && s.Row == 3 && s.RowInRowGroup == 3 && s.Reason == "Amount = -3.5 is below the minimum 0");
    }

    [Fact]
    public void ValidationReportAndManifest_ListTheRulesAndTheQuarantine()
    {
        JobResult result = new LocalExecutor(Options).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);

        using JsonDocument report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_output, ValidationReport.FileName)));
        JsonElement root = report.RootElement;
        Assert.Equal(ValidationReport.FormatVersion, root.GetProperty("formatVersion").GetInt32());
        JsonElement range = root.GetProperty("rules")[0];
        Assert.Equal(RulePipelines.RangeRule, range.GetProperty("id").GetString());
        Assert.Equal("Quarantine", range.GetProperty("action").GetString());
        Assert.Equal(result.Validation!.Rules[0].Broken, range.GetProperty("counts").GetProperty("quarantined").GetInt64());
        Assert.Equal(0, range.GetProperty("counts").GetProperty("dropped").GetInt64());
        Assert.Equal(0, root.GetProperty("gates").GetArrayLength());
        Assert.Equal(0, root.GetProperty("drift").GetArrayLength());
        JsonElement quarantine = root.GetProperty("quarantine")[0];
        Assert.Equal("_quarantine/T", quarantine.GetProperty("folder").GetString());
        long quarantined = result.Validation.Rules[0].Broken + result.Validation.Rules[1].Broken;
        Assert.Equal(quarantined, quarantine.GetProperty("rows").GetInt64());

        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_output, LocalExecutor.ManifestFile)));
        JsonElement listed = manifest.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("kind").GetString() == "quarantine");
        Assert.Equal(quarantined, listed.GetProperty("rows").GetInt64());
        Assert.All(listed.GetProperty("files").EnumerateArray(), f => Assert.True(File.Exists(Path.Combine(_output, "_quarantine", "T", f.GetProperty("path").GetString()!))));
        Assert.Equal(result.Validation.Rules[0].Broken, manifest.RootElement.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("validation").GetProperty("rules")[0].GetProperty("broken").GetInt64()));
    }

    [Fact]
    public void Drop_CountsTheRowsAndWritesNoQuarantineForThem()
    {
        JobResult result = new LocalExecutor(Options).Run(RulePipelines.Pipeline(RuleAction.Drop), _input, _output);

        using var duck = DuckDb.Open();
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE {Broken}"), result.Validation!.Rules[0].Broken);
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Quarantine}) WHERE _rule = '{RulePipelines.RangeRule}'"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Main}) WHERE {Broken}"));
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE NOT ({Broken}) AND NOT ({RowErrors})"), duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Main})"));
    }

    [Fact]
    public void Warn_CountsTheRowsAndKeepsThem()
    {
        JobResult result = new LocalExecutor(Options).Run(RulePipelines.Pipeline(RuleAction.Warn, rowErrors: true), _input, _output);

        using var duck = DuckDb.Open();
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE {Broken}"), result.Validation!.Rules[0].Broken);
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE {Broken}"), duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Main}) WHERE {Broken}"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Quarantine}) WHERE _rule = '{RulePipelines.RangeRule}'"));
    }

    [Fact]
    public void Fail_StopsNamingFileRowGroupRowValueAndRule_AndLeavesThePreviousOutputIntact()
    {
        new LocalExecutor(Options).Run(RulePipelines.Pipeline(RuleAction.Warn), _input, _output);
        Dictionary<string, byte[]> before = TestPipelines.Snapshot(_output);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options with { MaxParallelism = 1 }).Run(RulePipelines.Pipeline(RuleAction.Fail), _input, _output));

        Assert.Equal(
            $"Rule '{RulePipelines.RangeRule}' (Amount in [0, 100]) of pipeline 'rules' failed for row 0 of row group 0 (row 0 of the file) of file '{Path.Combine(_input, "a.parquet")}': Amount is NaN. The rule's action is Fail, so the run stopped before writing this batch and committed nothing; the previous output, if any, is unchanged.",
            error.Message);
        Assert.Equal(before.Keys.Order(), TestPipelines.Snapshot(_output).Keys.Order());
        Assert.All(TestPipelines.Snapshot(_output), f => Assert.Equal(before[f.Key], f.Value));
    }

    [Fact]
    public void Fail_OnALaterRow_NamesItsIndexInTheRowGroupAndInTheFile()
    {
        // Without the broken rows of the first row group, the first broken row is in the second.
        string only = Path.Combine(_root, "b-only");
        Directory.CreateDirectory(only);
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet($"SELECT * FROM read_parquet({DuckDb.Literal(Path.Combine(_input, "b.parquet"))}) WHERE Id >= 100000 AND (Id < 102048 AND NOT ({Broken}) OR Id >= 102048) ORDER BY Id", Path.Combine(only, "b.parquet"), "ROW_GROUP_SIZE 2048");
        }
        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options).Run(RulePipelines.Pipeline(RuleAction.Fail, rowErrors: true), only, _output));

        Assert.Contains("Amount = ", error.Message, StringComparison.Ordinal);
        Assert.Contains("of row group ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"of file '{Path.Combine(only, "b.parquet")}'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public void StageRowError_NamesTheStageTheRowAndTheValuesItRead()
    {
        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options with { MaxParallelism = 1 }).Run(RulePipelines.Pipeline(RuleAction.Drop, rowErrors: false), _input, _output));

        Assert.Equal(
            $"Stage 'Copy' of pipeline 'rules' threw DivideByZeroException (Attempted to divide by zero.) for row 14 of row group 0 (row 14 of the file) of file '{Path.Combine(_input, "a.parquet")}'; the row's values: Id = 14, Amount = 14, Country = null. Set OnRowError = RowErrorAction.Quarantine on the stage to send such rows to the quarantine instead of stopping the run.",
            error.Message);
    }

    [Fact]
    public void Rerun_ReusesPartitionsWithTheirCountsAndQuarantineParts()
    {
        CompiledPipeline pipeline = RulePipelines.Pipeline(RuleAction.Quarantine);
        JobResult first = new LocalExecutor(Options).Run(pipeline, _input, _output);
        string[] quarantineParts = Directory.GetFiles(Path.Combine(_output, "_quarantine", "T")).Select(Path.GetFileName).Order().ToArray()!;

        JobResult upToDate = new LocalExecutor(Options).Run(pipeline, _input, _output);
        Assert.True(upToDate.UpToDate);
        Assert.Equal(first.Validation!.Rules.Select(r => r.Broken), upToDate.Validation!.Rules.Select(r => r.Broken));

        // A new file: the other partitions are reused from the previous output, with their counts and quarantine parts.
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet(RulePipelines.SelectInput(1000, 200_000), Path.Combine(_input, "c.parquet"));
        }
        JobResult second = new LocalExecutor(Options).Run(pipeline, _input, _output);
        Assert.Equal(first.Partitions, second.PartitionsReused);
        using var check = DuckDb.Open();
        Assert.Equal(check.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE {Broken}"), second.Validation!.Rules[0].Broken);
        Assert.Equal(check.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE {Broken} OR {RowErrors}"), check.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Quarantine})"));
        Assert.Subset(Directory.GetFiles(Path.Combine(_output, "_quarantine", "T")).Select(Path.GetFileName).ToHashSet()!, quarantineParts.ToHashSet());
    }

    [Fact]
    public void FaultDuringTheJobCommit_KeepsThePreviousOutputAndQuarantine()
    {
        new LocalExecutor(Options).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output);
        Dictionary<string, byte[]> before = TestPipelines.Snapshot(_output);

        // The manifest write of the new output fails (the parts and the quarantine are linked by then).
        var options = Options with { Force = true, MaxAttempts = 1, Faults = Dsl.Execution.Commit.FaultPlan.Parse("write@6:1000:enospc") };
        Assert.ThrowsAny<Exception>(() => new LocalExecutor(options).Run(RulePipelines.Pipeline(RuleAction.Quarantine), _input, _output));

        Assert.Equal(before.Keys.Order(), TestPipelines.Snapshot(_output).Keys.Order());
        Assert.All(TestPipelines.Snapshot(_output), f => Assert.Equal(before[f.Key], f.Value));
    }

    [Fact]
    public void Unique_WithinAPartition_QuarantinesTheRepeats_AndAcrossTheDatasetCountsSharedKeys()
    {
        // Ids repeat within each file (Id % 1500 twice per 3000 rows) and between the files (both start at 0).
        Directory.Delete(_input, recursive: true);
        Directory.CreateDirectory(_input);
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet("SELECT (range % 1500)::BIGINT AS Id, 1.0::DOUBLE AS Amount, NULL::VARCHAR AS Country FROM range(3000)", Path.Combine(_input, "a.parquet"));
            duck.CopyToParquet("SELECT (range % 1000)::BIGINT AS Id, 1.0::DOUBLE AS Amount, 'x' AS Country FROM range(1000)", Path.Combine(_input, "b.parquet"));
        }
        JobResult result = new LocalExecutor(Options with { TargetPartitionRows = 1_000_000 }).Run(RulePipelines.Pipeline(RuleAction.Quarantine, unique: RuleAction.Quarantine, acrossDataset: true), _input, _output);

        RuleResult unique = result.Validation!.Rules.Single(r => r.Rule.Id == RulePipelines.UniqueRule);
        Assert.Equal(1500, unique.Broken); // the second 1,500 rows of a.parquet
        using var check = DuckDb.Open();
        // Every row beyond the first of its Id in the whole input, as DuckDB counts them.
        Assert.Equal(check.QueryScalarInt64($"SELECT count(*) - count(DISTINCT Id) FROM read_parquet({Input})"), unique.DuplicateKeys);
        Assert.Equal(1500, check.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Quarantine}) WHERE _rule = '{RulePipelines.UniqueRule}' AND _row >= 1500 AND _reason = 'Id = ' || Id::VARCHAR || ' repeats the value of an earlier row of the partition'"));
        Assert.Equal(2500, check.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Main})"));
    }

    [Fact]
    public void Validate_CountsEveryRuleWithoutWritingAnything()
    {
        ValidationReport report = new LocalExecutor(Options).Validate(RulePipelines.Pipeline(RuleAction.Fail), _input);

        using var duck = DuckDb.Open();
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Input}) WHERE {Broken}"), report.Rules[0].Broken);
        Assert.True(report.FailRuleBroken);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public void KeyHash_MatchesMurmurHash3X64_128()
    {
        // The reference value of MurmurHash3_x64_128 for this text with seed 0: bytes 6c1b07bc7bbc4be3 47939ac4a93c437a.
        UInt128 hash = KeyHash.Hash("The quick brown fox jumps over the lazy dog"u8);
        Assert.Equal(0xe34bbc7bbc071b6cUL, (ulong)hash);
        Assert.Equal(0x7a433ca9c49a9347UL, (ulong)(hash >> 64));
        Assert.Equal(UInt128.Zero, KeyHash.Hash([]));
    }
}
