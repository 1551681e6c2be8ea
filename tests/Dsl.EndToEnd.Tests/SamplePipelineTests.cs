using System.Globalization;
using Dsl.Execution;
using Dsl.Fitting;
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

    /// <summary>The template's pipeline.yaml: a run without --config uses the copy beside the program.</summary>
    private static string TemplateConfig => Path.Combine(RepoPaths.RepoRoot, "templates", "Dsl.Templates", "content", "dsl-pipeline", PipelineHost.ConfigFileName);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TemplateConfig_GivesNoAmountScalingValues_TheFitStageComputesThem()
    {
        PipelinePlan plan = FraudFeatures.Compiled.Plan;
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = PipelineConfig.ReadAndCheck(TemplateConfig, plan);

        Assert.Empty(problems);
        Assert.Empty(config.ParameterValues(plan).Entries());
        Assert.Null(config.Fitted);
        FitPlan fit = Assert.Single(plan.Fits);
        Assert.Equal((nameof(FraudFeatures.FitAmount), nameof(FraudFeatures.Valid), nameof(AmountScaling)), (fit.Stage, fit.From, fit.ParametersType));
        // Beside the program, where a run without --config finds it.
        Assert.Equal(File.ReadAllText(TemplateConfig), File.ReadAllText(Path.Combine(AppContext.BaseDirectory, PipelineHost.ConfigFileName)));
    }

    [Fact]
    public void Run_SampleData_OutputEqualsStagesAppliedRowByRow()
    {
        string input = GenerateSample(rows: 30_000, files: 3);
        string output = Path.Combine(_temp.Path, "out");

        (int exit, string stdout, string stderr) = Host("run", "--input", input, "--output", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains($"Using settings from {Path.Combine(AppContext.BaseDirectory, PipelineHost.ConfigFileName)}", stdout);
        Assert.Contains("Valid+Featurize", stdout);
        Assert.Contains("Profile (task times summed): read+decode ", stdout);
        Assert.Contains("Memory: peak resident ", stdout);
        Assert.Contains($"Program: JIT, .NET {Environment.Version}", stdout);
        Assert.True(File.Exists(Path.Combine(output, LocalExecutor.SuccessMarker)));
        Assert.True(File.Exists(Path.Combine(output, LocalExecutor.ManifestFile)));
        List<Transaction> rows = OutputRows.Read<Transaction>(input);
        List<Transaction> valid = rows.Where(SampleRules.Pass).Where(FraudFeatures.Valid).ToList();
        Assert.True(valid.Count > 25_000, $"only {valid.Count} rows passed the filter");
        // The first pass fitted AmountScaling on exactly the rows that pass the rules and Valid, and the second pass
        // wrote the stages' own results with those values, bit for bit.
        AmountScaling fitted = FittedAmountScaling.Read(output, expectedSource: "computed", expectedRows: valid.Count);
        FittedAmountScaling.AssertIsMeanAndPopulationStd(valid.Select(t => t.Amount).ToList(), fitted);
        Assert.Contains($"  first pass: fitted on {rows.Count.ToString("N0", CultureInfo.InvariantCulture)} rows in ", stdout);
        Assert.DoesNotContain("segment Valid:", stdout);
        List<Features> actual = OutputRows.Read<Features>(output);
        Assert.Equal(valid.Select(t => FraudFeatures.Featurize(t, fitted)).ToList(), actual);
        // Fitted on the very rows it standardizes, the amount has mean 0 and population deviation 1 up to rounding.
        double meanZ = actual.Average(f => f.AmountZ);
        double stdZ = Math.Sqrt(actual.Average(f => (f.AmountZ - meanZ) * (f.AmountZ - meanZ)));
        Assert.InRange(meanZ, -1e-9, 1e-9);
        Assert.InRange(stdZ, 1 - 1e-9, 1 + 1e-9);

        // One row in a thousand has an unknown country: those rows, and only those, are in the quarantine.
        List<Transaction> unknown = rows.Where(t => !SampleRules.Pass(t)).ToList();
        Assert.Equal(30, unknown.Count);
        Assert.All(unknown, t => Assert.Equal(SampleData.UnknownCountry, t.Country));
        Assert.Equal(unknown, OutputRows.Read<Transaction>(Path.Combine(output, "_quarantine", nameof(Transaction))));
        Assert.Contains("  Transaction.Country.OneOf         Quarantine           30         0.1", stdout);
        Assert.Contains("Quarantine of Transaction: 30 rows in 3 file(s) at _quarantine/Transaction", stdout);
        Assert.Contains("ok  quarantineRate            0.1%      ≤ 1%", stdout);
        Assert.True(File.Exists(Path.Combine(output, Dsl.Validation.ValidationReport.FileName)));
    }

    [Fact]
    public void Run_TooManyUnknownCountries_TheQuarantineRateGateFails_AndThePreviousOutputStays()
    {
        string input = GenerateSample(rows: 3_000, files: 1);
        string output = Path.Combine(_temp.Path, "out");
        Assert.Equal(0, Host("run", "--input", input, "--output", output).Exit);
        Dictionary<string, byte[]> before = Directory.GetFiles(output, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

        // A second file in which one row in fifty has a country code the rules do not know: 63 of 6,000 rows in all.
        string more = Path.Combine(input, "more.parquet");
        using (var writer = new ParquetFileWriter(more, Transaction.BatchSchema, new ParquetWriteOptions()))
        using (RecordBatch batch = Transaction.ToBatch(Enumerable.Range(0, 3_000).Select(i => new Transaction(i, new DateTime(2026, 5, 1), i % 50 == 0 ? "XX" : "FR", 10, 60, false)).ToList()))
        {
            writer.WriteBatch(batch);
        }

        (int exit, _, string stderr) = Host("run", "--input", input, "--output", output);

        Assert.NotEqual(0, exit);
        Assert.Contains("quarantineRate", stderr);
        Assert.Contains("1.05%", stderr);
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(output, "*", SearchOption.AllDirectories).Order());
        Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));
    }

    [Fact]
    public void Run_ParamForTheFittedType_IsRefusedNamingTheFitStageAndRunsNothing()
    {
        string input = GenerateSample(rows: 3_000, files: 1);
        string output = Path.Combine(_temp.Path, "out");

        (int exit, _, string stderr) = Host("run", "--input", input, "--output", output, "--param", "AmountScaling.Std=2");

        Assert.Equal(2, exit);
        Assert.Contains("error: --param 'AmountScaling.Std=2': fit stage 'FitAmount' computes 'AmountScaling' in the first pass, so it takes no value on the command line. To use saved values instead of fitting, pass --fitted FILE.", stderr);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Run_ConfigWithoutParameterValues_FitsAndRuns()
    {
        string input = GenerateSample(rows: 4_000, files: 2);
        string config = Path.Combine(_temp.Path, "no-parameters.yaml");
        File.WriteAllText(config, "pipeline: fraud-features\n");
        string output = Path.Combine(_temp.Path, "out");

        (int exit, string stdout, string stderr) = Host("run", "--config", config, "--input", input, "--output", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains($"Using settings from {config}", stdout);
        Assert.Contains("  first pass: fitted on 4,000 rows in ", stdout);
        List<Transaction> valid = OutputRows.Read<Transaction>(input).Where(SampleRules.Pass).Where(FraudFeatures.Valid).ToList();
        AmountScaling fitted = FittedAmountScaling.Read(output, expectedSource: "computed", expectedRows: valid.Count);
        FittedAmountScaling.AssertIsMeanAndPopulationStd(valid.Select(t => t.Amount).ToList(), fitted);
        Assert.Equal(valid.Select(t => FraudFeatures.Featurize(t, fitted)).ToList(), OutputRows.Read<Features>(output));
    }

    [Fact]
    public void ConfigWithAmountScalingValues_IsAProblemAtItsLine()
    {
        string config = Path.Combine(_temp.Path, "hand-typed.yaml");
        File.WriteAllText(config, "pipeline: fraud-features\nparameters:\n  AmountScaling:\n    Mean: 371.5\n    Std: 645.5\n");

        (int exit, string stdout, _) = Host("check-config", config);

        Assert.Equal(1, exit);
        Assert.Contains($"{config}(3,3): error DSL5005: Parameters 'AmountScaling' are computed by fit stage 'FitAmount' in the first pass of every run, so they take no values here.", stdout);
    }

    [Fact]
    public void FitThenRunWithFitted_WritesTheSameBytesAsAPlainRun_WithoutAFirstPass()
    {
        string input = GenerateSample(rows: 6_000, files: 2);
        string fittedFile = Path.Combine(_temp.Path, "models", "fitted.json");
        string plainOutput = Path.Combine(_temp.Path, "plain");
        string loadedOutput = Path.Combine(_temp.Path, "loaded");

        (int fitExit, string fitOut, string fitErr) = Host("fit", "--input", input, "--fitted-out", fittedFile);
        Assert.True(fitExit == 0, fitErr);
        int valid = OutputRows.Read<Transaction>(input).Where(SampleRules.Pass).Count(FraudFeatures.Valid);
        FittedState saved = FittedState.Load(fittedFile);
        Assert.Contains($"Pipeline 'fraud-features': fitted 1 fit stage(s) (FitAmount on {valid.ToString("N0", CultureInfo.InvariantCulture)} rows) in ", fitOut);
        Assert.Contains($"; wrote {fittedFile} (sha256 {saved.Hash}).", fitOut);
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "out")), "fit writes no output");

        (int plainExit, _, string plainErr) = Host("run", "--input", input, "--output", plainOutput);
        (int loadedExit, string loadedOut, string loadedErr) = Host("run", "--input", input, "--output", loadedOutput, "--fitted", fittedFile);

        Assert.True(plainExit == 0, plainErr);
        Assert.True(loadedExit == 0, loadedErr);
        Assert.Contains($"  loaded the fitted state {fittedFile} (sha256 {saved.Hash}); no first pass", loadedOut);
        Assert.DoesNotContain("first pass: fitted", loadedOut);
        // The same fitted values (the plain run's first pass computed what fit saved), so the same feature bytes.
        Assert.Equal(saved.Hash, FittedState.Load(Path.Combine(plainOutput, FittedState.FileName)).Hash);
        FittedAmountScaling.Read(loadedOutput, expectedSource: "loaded", expectedRows: valid);
        // Every part, the features' and the quarantine's, by its path inside the output.
        Dictionary<string, byte[]> plainParts = Parts(plainOutput);
        Dictionary<string, byte[]> loadedParts = Parts(loadedOutput);
        Assert.Contains(plainParts.Keys, k => !k.StartsWith("_quarantine", StringComparison.Ordinal));
        Assert.Equal(plainParts.Keys.Order(StringComparer.Ordinal), loadedParts.Keys.Order(StringComparer.Ordinal));
        Assert.All(plainParts, part => Assert.Equal(part.Value, loadedParts[part.Key]));
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
            $"SELECT count(*), sum(UserId), sum(Hour), sum(CountryBucket), count_if(IsWeekend), count_if(IsHighValue), count_if(Label), sum(LogAmount), sum(SessionMinutes), sum(AmountZ) FROM read_parquet('{glob}')")[0];

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
        Assert.True(Math.Abs(ours.Sum(f => f.AmountZ) - double.Parse(row[9]!, CultureInfo.InvariantCulture)) <= 1e-9 * ours.Count, $"ours {ours.Sum(f => f.AmountZ):R}, DuckDB {row[9]}");

        // DuckDB fitting the amount's mean and population deviation itself over the rows that pass the rules and
        // Valid, then standardizing with the values of our _fitted.json (read as doubles from their exact text).
        string inputGlob = Path.Combine(input, "*.parquet").Replace("'", "''", StringComparison.Ordinal);
        AmountScaling fitted = FittedAmountScaling.Read(output, expectedSource: "computed", expectedRows: ours.Count);
        string where = $"WHERE Amount >= 0 AND SessionSeconds IS NOT NULL AND Country <> '{SampleData.UnknownCountry}'";
        IReadOnlyList<string?> fit = duck.QueryRows($"SELECT count(*), avg(Amount), stddev_pop(Amount) FROM read_parquet('{inputGlob}') {where}")[0];
        Assert.Equal(ours.Count, long.Parse(fit[0]!, CultureInfo.InvariantCulture));
        AssertClose(double.Parse(fit[1]!, CultureInfo.InvariantCulture), fitted.Mean, 1e-12);
        AssertClose(double.Parse(fit[2]!, CultureInfo.InvariantCulture), fitted.Std, 1e-12);
        string mean = fitted.Mean.ToString("R", CultureInfo.InvariantCulture);
        string std = fitted.Std.ToString("R", CultureInfo.InvariantCulture);
        IReadOnlyList<string?> fromInput = duck.QueryRows(
            $"SELECT count(*), sum((Amount - CAST('{mean}' AS DOUBLE)) / CAST('{std}' AS DOUBLE)) FROM read_parquet('{inputGlob}') {where}")[0];
        Assert.Equal(ours.Count, long.Parse(fromInput[0]!, CultureInfo.InvariantCulture));
        // The standardized amounts sum to about 0, so compare them on the scale of the row count.
        Assert.True(Math.Abs(ours.Sum(f => f.AmountZ) - double.Parse(fromInput[1]!, CultureInfo.InvariantCulture)) <= 1e-9 * ours.Count, $"ours {ours.Sum(f => f.AmountZ):R}, DuckDB {fromInput[1]}");

        // The quarantine, as DuckDB reads it: the input's rows with an unknown country, each with its rule and reason.
        string quarantine = Path.Combine(output, "_quarantine", nameof(Transaction), "*.parquet").Replace("'", "''", StringComparison.Ordinal);
        IReadOnlyList<IReadOnlyList<string?>> reasons = duck.QueryRows($"SELECT DISTINCT _rule, _reason FROM read_parquet('{quarantine}')");
        Assert.Equal(["Transaction.Country.OneOf", "Country = \"ZZ\" is not one of \"US\", \"GB\", \"DE\", \"FR\", \"IN\", \"BR\", \"JP\", \"NG\", \"CA\", \"AU\", \"ES\", \"MX\""], Assert.Single(reasons));
        Assert.Equal(
            duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet('{inputGlob}') WHERE Country = '{SampleData.UnknownCountry}'"),
            duck.QueryScalarInt64($"SELECT count(*) FROM (SELECT UserId, Ts, Country, Amount, SessionSeconds, Label FROM read_parquet('{quarantine}') INTERSECT ALL SELECT * FROM read_parquet('{inputGlob}'))"));
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
        // The work folder keeps the lock and the cached fitted state (a rerun on unchanged input reuses it).
        Assert.Equal(["fitted", "lock"], Directory.GetFileSystemEntries(Path.Combine(_temp.Path, ".out.dsl")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
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
    public void Run_ExpectedErrorWithDslDebug_AddsTheStackTraceAfterTheOneLine()
    {
        string[] args = ["run", "--input", Path.Combine(_temp.Path, "nowhere"), "--output", Path.Combine(_temp.Path, "out")];

        (int exit, _, string plain) = PipelineProcess.Run(new Dictionary<string, string>(), args);
        (int debugExit, _, string debug) = PipelineProcess.Run(new Dictionary<string, string> { ["DSL_DEBUG"] = "1" }, args);

        Assert.Equal((1, 1), (exit, debugExit));
        Assert.DoesNotContain("   at ", plain);
        Assert.StartsWith(plain.Trim().Split('\n')[0], debug.Trim());
        Assert.Contains("   at Dsl.", debug);
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
        Assert.Equal(Dsl.Parquet.Metadata.CompressionCodec.Gzip, reader.Metadata.RowGroups[0].Columns[0]!.Codec);
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
        Assert.Contains("             parameters AmountScaling { Mean = (fitted by FitAmount), Std = (fitted by FitAmount) }, read once per batch", stdout);
        Assert.Contains("  FitAmount  Fit     Transaction -> AmountScaling  from Valid  [statistics gathered in pass 1]", stdout);
        Assert.Contains("Pass 1 (fit): reads the input and runs only the segments below, gathering the statistics the fits ask for:", stdout);
        Assert.Contains("  #1 Valid: Transaction -> Transaction, from the input scan  => fit FitAmount", stdout);
        Assert.Contains("  fit FitAmount: observes the rows of segment #1 (Valid), returns AmountScaling\n      Mean(Amount)\n      StdDev(Amount)\n", stdout.ReplaceLineEndings("\n"));
        Assert.Contains("Pass 2: runs every other segment, with AmountScaling bound from the fits.", stdout);
        Assert.True(stdout.IndexOf("Pass 1 (fit)", StringComparison.Ordinal) < stdout.IndexOf("Pass 2", StringComparison.Ordinal), "pass 1 is described first");
        Assert.Contains("      writes columns: UserId, ", stdout);
        Assert.Contains("      scan predicates: none, the rules on Transaction must see every row (no row-group pruning)", stdout);
        Assert.Contains("        #0 Transaction.Country.OneOf (Quarantine, on the input): Country is one of \"US\", \"GB\", ", stdout);
        Assert.Contains("        #1 Transaction.Amount.Range (Quarantine, on the input): Amount in [-10000, 10000]", stdout);
        Assert.Contains("        #2 Transaction.SessionSeconds.Range (Quarantine, on the input): SessionSeconds in [0, 3600]", stdout);
        Assert.Contains("  quarantineRate <= 0.01 (Fail, [Gate] on FraudFeatures)", stdout);
        Assert.Contains("  nullRate(SessionSeconds) <= 0.1 (Fail, [NullRate] on Transaction.SessionSeconds)", stdout);
        Assert.Contains("Barriers: fit FitAmount (its AmountScaling is computed between the passes)", stdout);
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
        Assert.Contains("AmountZ", segment.GetProperty("writtenColumns").EnumerateArray().Select(c => c.GetString()));
        Assert.False(segment.GetProperty("materialized").GetBoolean());
        // The input's rules must see every row, so no row group is pruned.
        Assert.Equal(0, segment.GetProperty("scanPredicates").GetArrayLength());
        Assert.Equal([0, 1, 2], segment.GetProperty("rules").EnumerateArray().Select(r => r.GetInt32()));
        Assert.Equal(
            ["Transaction.Country.OneOf", "Transaction.Amount.Range", "Transaction.SessionSeconds.Range"],
            doc.RootElement.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(
            [("quarantineRate", 0.01), ("nullRate(SessionSeconds)", 0.1)],
            doc.RootElement.GetProperty("gates").EnumerateArray().Select(g => (g.GetProperty("id").GetString(), g.GetProperty("max").GetDouble())));
        var parameters = doc.RootElement.GetProperty("stages")[1].GetProperty("parameters");
        Assert.Equal("AmountScaling", parameters.GetProperty("type").GetString());
        // The fit computes the values, so the plan has none to show.
        Assert.Equal(
            [("Mean", System.Text.Json.JsonValueKind.Null), ("Std", System.Text.Json.JsonValueKind.Null)],
            parameters.GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("name").GetString(), m.GetProperty("value").ValueKind)));
        var fit = doc.RootElement.GetProperty("fits").EnumerateArray().Single();
        Assert.Equal(("FitAmount", "Valid", "AmountScaling"), (fit.GetProperty("stage").GetString(), fit.GetProperty("from").GetString(), fit.GetProperty("parametersType").GetString()));
        Assert.Equal(
            [("Mean", "Amount"), ("StdDev", "Amount")],
            fit.GetProperty("requests").EnumerateArray().Select(r => (r.GetProperty("statistic").GetString(), r.GetProperty("column").GetString())));
        var fitSegment = doc.RootElement.GetProperty("segments")[fit.GetProperty("segment").GetInt32()];
        Assert.Equal("Valid", fitSegment.GetProperty("name").GetString());
        Assert.True(fitSegment.GetProperty("fitOnly").GetBoolean());
        Assert.False(segment.GetProperty("fitOnly").GetBoolean());
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
        // The fit observes Valid's rows and hands its AmountScaling to Featurize (dotted: between the passes).
        Assert.Contains("stage_FitAmount{{\"Fit: FitAmount\"}}", stdout);
        Assert.Contains("stage_Valid -.->|Transaction| stage_FitAmount", stdout);
        Assert.Contains("stage_FitAmount -.->|AmountScaling| stage_Featurize", stdout);
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

    private static void AssertClose(double expected, double actual, double relative = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, DuckDB gave {actual:R}");

    // Every part file of an output, by its path inside it, with its bytes.
    private static Dictionary<string, byte[]> Parts(string output) =>
        Directory.GetFiles(output, "part-*.parquet", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(output, f), File.ReadAllBytes);
}
