using System.Globalization;
using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Parquet;
using Dsl.Pipeline1;
using Dsl.Testing;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// The template's sample pipeline run as a user runs it (through its command line), checked three ways: against the
/// user's own stage methods called row by row, against DuckDB reading our output, and against the commit protocol.
/// </summary>
public sealed class SamplePipelineTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-e2e");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Run_SampleData_OutputEqualsStagesAppliedRowByRow()
    {
        string input = GenerateSample(rows: 30_000, files: 3);
        string output = Path.Combine(_temp.Path, "out");

        (int exit, string stdout, string stderr) = Host("run", "--input", input, "--output", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains("Valid+Featurize", stdout);
        Assert.True(File.Exists(Path.Combine(output, LocalExecutor.SuccessMarker)));
        Assert.True(File.Exists(Path.Combine(output, LocalExecutor.ManifestFile)));
        List<Features> expected = OutputRows.Read<Transaction>(input).Where(FraudFeatures.Valid).Select(FraudFeatures.Featurize).ToList();
        List<Features> actual = OutputRows.Read<Features>(output);
        Assert.True(expected.Count > 25_000, $"only {expected.Count} rows passed the filter");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void GenerateSample_SameSeed_SameRowsInEveryProcess()
    {
        // Pinned values: a per-process random seed (such as HashCode's) anywhere in the generator would change them.
        List<Transaction> rows = OutputRows.Read<Transaction>(GenerateSample(rows: 1_000, files: 2));

        Assert.Equal(1_000, rows.Count);
        Assert.Equal(PinnedUserIdSum, rows.Sum(r => r.UserId));
        Assert.Equal(PinnedNullSessions, rows.Count(r => r.SessionSeconds is null));
    }

    private const long PinnedUserIdSum = 501307545;
    private const int PinnedNullSessions = 45;

    [Fact]
    public void Run_SampleData_DuckDbReadsTheSameRowsAndSums()
    {
        string input = GenerateSample(rows: 20_000, files: 2);
        string output = Path.Combine(_temp.Path, "out");
        Assert.Equal(0, Host("run", "--input", input, "--output", output).Exit);
        List<Features> ours = OutputRows.Read<Features>(output);

        using var duck = DuckDb.Open();
        string glob = Path.Combine(output, "*.parquet").Replace("'", "''", StringComparison.Ordinal);
        IReadOnlyList<string?> row = duck.QueryRows(
            $"SELECT count(*), sum(UserId), sum(Hour), sum(CountryBucket), count_if(IsWeekend), count_if(IsHighValue), count_if(Label), sum(LogAmount), sum(SessionMinutes) FROM read_parquet('{glob}')")[0];

        Assert.Equal(ours.Count, long.Parse(row[0]!, CultureInfo.InvariantCulture));
        Assert.Equal(ours.Sum(f => f.UserId), long.Parse(row[1]!, CultureInfo.InvariantCulture));
        Assert.Equal(ours.Sum(f => (long)f.Hour), long.Parse(row[2]!, CultureInfo.InvariantCulture));
        Assert.Equal(ours.Sum(f => (long)f.CountryBucket), long.Parse(row[3]!, CultureInfo.InvariantCulture));
        Assert.Equal(ours.Count(f => f.IsWeekend), long.Parse(row[4]!, CultureInfo.InvariantCulture));
        Assert.Equal(ours.Count(f => f.IsHighValue), long.Parse(row[5]!, CultureInfo.InvariantCulture));
        Assert.Equal(ours.Count(f => f.Label), long.Parse(row[6]!, CultureInfo.InvariantCulture));
        // Floating sums depend on summation order, which differs between engines: compare to 1e-9 relative.
        AssertClose(ours.Sum(f => f.LogAmount), double.Parse(row[7]!, CultureInfo.InvariantCulture));
        AssertClose(ours.Sum(f => f.SessionMinutes), double.Parse(row[8]!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Run_Twice_ReplacesOutputWithoutDuplicatesOrStaleParts()
    {
        string input = GenerateSample(rows: 5_000, files: 2);
        string output = Path.Combine(_temp.Path, "out");
        Assert.Equal(0, Host("run", "--input", input, "--output", output).Exit);
        int firstRows = OutputRows.Read<Features>(output).Count;
        // A part left behind by an older run with more partitions must not survive the next commit.
        File.Copy(Directory.GetFiles(output, "part-*.parquet")[0], Path.Combine(output, "part-09999.parquet"));

        Assert.Equal(0, Host("run", "--input", input, "--output", output).Exit);

        Assert.Equal(firstRows, OutputRows.Read<Features>(output).Count);
        Assert.Equal(2, Directory.GetFiles(output, "part-*.parquet").Length);
        Assert.False(Directory.Exists(Path.Combine(output, "_temporary")));
    }

    [Fact]
    public void Run_NullInNonNullableColumn_FailsNamingFileAndColumnAndKeepsPreviousOutput()
    {
        string input = GenerateSample(rows: 3_000, files: 1);
        string output = Path.Combine(_temp.Path, "out");
        Assert.Equal(0, Host("run", "--input", input, "--output", output).Exit);
        int previousRows = OutputRows.Read<Features>(output).Count;

        string bad = Path.Combine(_temp.Path, "bad");
        Directory.CreateDirectory(bad);
        string badFile = Path.Combine(bad, "tx.parquet");
        var schema = new BatchSchema(Transaction.BatchSchema.Fields.Select(f => f.Name == "Amount" ? f with { Nullable = true } : f));
        using (RecordBatch good = Transaction.ToBatch([new Transaction(1, new DateTime(2026, 5, 1), "US", 10, 5, false), new Transaction(2, new DateTime(2026, 5, 2), "GB", 20, 6, true)]))
        {
            var amount = new ColumnBuilder<double>(ColumnType.Double, 2, nullable: true);
            amount.Values[0] = 10;
            amount.Validity!.Set(1, false);
            Column[] columns = good.Columns.Select((c, i) => schema[i].Name == "Amount" ? amount.Build(2) : c).ToArray();
            using var writer = new ParquetFileWriter(badFile, schema, new ParquetWriteOptions());
            writer.WriteBatch(new RecordBatch(schema, columns, 2));
        }

        (int exit, _, string stderr) = Host("run", "--input", bad, "--output", output);

        Assert.Equal(1, exit);
        Assert.Contains("'Amount'", stderr);
        Assert.Contains(badFile, stderr);
        Assert.True(File.Exists(Path.Combine(output, LocalExecutor.SuccessMarker)));
        Assert.Equal(previousRows, OutputRows.Read<Features>(output).Count);
    }

    [Fact]
    public void Run_MissingInput_FailsWithClearMessage()
    {
        (int exit, _, string stderr) = Host("run", "--input", Path.Combine(_temp.Path, "nowhere"), "--output", Path.Combine(_temp.Path, "out"));

        Assert.Equal(1, exit);
        Assert.Contains("neither a file nor a folder", stderr);
    }

    [Fact]
    public void Run_WithConfigFile_TakesInputOutputCodecAndSinkFolderFromIt()
    {
        string input = GenerateSample(rows: 4_000, files: 1);
        string output = Path.Combine(_temp.Path, "configured");
        string config = Path.Combine(_temp.Path, "job.yaml");
        File.WriteAllText(config, $"""
            pipeline: fraud-features
            input: {input}
            output: {output}
            compression: gzip
            outputs:
              Featurize: features
            """);

        (int exit, string stdout, string stderr) = Host("run", "--config", config);

        Assert.True(exit == 0, stderr);
        Assert.Contains($"Using settings from {config}", stdout);
        string part = Assert.Single(Directory.GetFiles(Path.Combine(output, "features"), "part-*.parquet"));
        using var reader = new ParquetFileReader(part);
        Assert.Equal(Dsl.Parquet.Metadata.CompressionCodec.Gzip, reader.Metadata.RowGroups[0].Columns[0].MetaData!.Codec);
        Assert.True(File.Exists(Path.Combine(output, LocalExecutor.SuccessMarker)));
    }

    [Fact]
    public void Run_ConfigWithProblems_PrintsEachWithFileAndLineAndRunsNothing()
    {
        string config = Path.Combine(_temp.Path, "bad.yaml");
        File.WriteAllText(config, "pipeline: fraud-features\noutputs:\n  Featurise: features\nthreads: 4\n");

        (int exit, _, string stderr) = Host("run", "--config", config, "--output", Path.Combine(_temp.Path, "never"));

        Assert.Equal(2, exit);
        Assert.Contains($"{config}(3,3): error DSL5005: Output 'Featurise' is not a sink: pipeline 'fraud-features' has no stage 'Featurise'. Sinks are 'Featurize'.", stderr);
        Assert.Contains($"{config}(4,1): error DSL5005: Unknown setting 'threads'.", stderr);
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "never")));
    }

    [Fact]
    public void CheckConfig_ValidAndInvalidFiles_ExitCodeAndCanonicalLines()
    {
        string good = Path.Combine(_temp.Path, "good.yaml");
        File.WriteAllText(good, "pipeline: fraud-features\noutputs:\n  Featurize: features\n");
        string bad = Path.Combine(_temp.Path, "bad.yaml");
        File.WriteAllText(bad, "pipeline: fraud-featurs\n");

        (int goodExit, string goodOut, _) = Host("check-config", good);
        (int badExit, string badOut, _) = Host("check-config", bad);

        Assert.Equal(0, goodExit);
        Assert.Equal("", goodOut);
        Assert.Equal(1, badExit);
        Assert.Contains($"{bad}(1,1): error DSL5005: The file is for pipeline 'fraud-featurs' but this program runs pipeline 'fraud-features'.", badOut);
    }

    [Fact]
    public void Explain_PrintsStagesAndFusedSegment()
    {
        (int exit, string stdout, _) = Host("explain");

        Assert.Equal(0, exit);
        Assert.Contains("Pipeline 'fraud-features'", stdout);
        Assert.Contains("#0 Valid+Featurize: Transaction -> Features", stdout);
        Assert.Contains("Featurize  Map", stdout);
        Assert.Contains("      writes columns: UserId, ", stdout);
        Assert.Contains("      scan predicates (row-group pruning): Amount >= 0 && SessionSeconds is not null", stdout);
        Assert.Contains("Barriers: none", stdout);
        Assert.DoesNotContain("materialized:", stdout);
    }

    [Fact]
    public void ExplainJson_DescribesTheSegmentAndItsColumns()
    {
        (int exit, string stdout, _) = Host("explain", "--format", "json");

        Assert.Equal(0, exit);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        var segment = doc.RootElement.GetProperty("segments")[0];
        Assert.Equal("Valid+Featurize", segment.GetProperty("name").GetString());
        Assert.True(segment.GetProperty("isSink").GetBoolean());
        Assert.Contains("Amount", segment.GetProperty("readColumns").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("LogAmount", segment.GetProperty("writtenColumns").EnumerateArray().Select(c => c.GetString()));
        Assert.False(segment.GetProperty("materialized").GetBoolean());
        var predicates = segment.GetProperty("scanPredicates").EnumerateArray().ToList();
        Assert.Equal(2, predicates.Count);
        Assert.Equal("Amount", predicates[0].GetProperty("column").GetString());
        Assert.Equal("GreaterThanOrEqual", predicates[0].GetProperty("operator").GetString());
        Assert.Equal(0, predicates[0].GetProperty("value").GetDouble());
        Assert.Equal("IsNotNull", predicates[1].GetProperty("operator").GetString());
    }

    [Fact]
    public void ExplainMermaid_DrawsInputStagesAndOutput()
    {
        (int exit, string stdout, _) = Host("explain", "--format", "mermaid");

        Assert.Equal(0, exit);
        Assert.StartsWith("flowchart LR", stdout);
        Assert.Contains("input -->|Transaction| stage_Valid", stdout);
        Assert.Contains("stage_Valid -->|Transaction| stage_Featurize", stdout);
        Assert.Contains("stage_Featurize -->|Features| out0", stdout);
        Assert.Contains("input -.-|\"scan: Amount >= 0 and SessionSeconds is not null\"| seg0", stdout);
        Assert.Contains("<br/>writes: UserId, ", stdout);
    }

    private string GenerateSample(long rows, int files)
    {
        string dir = Path.Combine(_temp.Path, "in");
        (int exit, _, string stderr) = Host("generate-sample", "--rows", rows.ToString(CultureInfo.InvariantCulture), "--files", files.ToString(CultureInfo.InvariantCulture), "--output", dir);
        Assert.True(exit == 0, stderr);
        return dir;
    }

    private static (int Exit, string Stdout, string Stderr) Host(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = PipelineHost.Run(FraudFeatures.Compiled, args, SampleData.Write, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, DuckDB gave {actual:R}");
}
