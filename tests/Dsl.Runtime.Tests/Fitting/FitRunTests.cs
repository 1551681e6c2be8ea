using System.Text.Json;
using Dsl.Execution;
using Dsl.Fitting;
using Dsl.Parquet;
using static Dsl.Runtime.Tests.Fitting.FitPipelines;

namespace Dsl.Runtime.Tests.Fitting;

/// <summary>
/// Runs of a pipeline with a fit stage through <see cref="LocalExecutor"/>: the first pass, the second pass bound with
/// the fitted values, the fitted state in the output and the manifest, loading a saved state instead of fitting, and
/// reruns that reuse the cached state.
/// </summary>
public sealed class FitRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-fitrun-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ExecutionOptions Options => new() { TargetPartitionRows = 1_500, MaxParallelism = 2 };

    private string Input(out Row[] rows, int files = 3)
    {
        string input = Path.Combine(_root, "in");
        rows = WriteInput(input, files, rowsPerFile: 4_000, rowGroupRows: 1_000);
        return input;
    }

    [Fact]
    public void Run_WithAFitStage_FitsFirstThenScoresEveryKeptRowWithTheFittedValues()
    {
        string input = Input(out Row[] rows);
        var calls = new Calls();
        string output = Path.Combine(_root, "out");

        JobResult result = new LocalExecutor(Options).Run(Pipeline(calls), input, output);

        Assert.NotNull(result.Fit);
        Assert.Equal(FitSource.Computed, result.Fit.Source);
        Assert.Equal(12, result.Fit.Partitions);
        Assert.Equal(12_000, result.Fit.RowsRead);
        Assert.True(calls.FirstPass > 0);
        FittedState state = FittedState.Load(Path.Combine(output, FittedState.FileName));
        Assert.Equal(result.Fit.Hash, state.Hash);
        double mean = (double)state.Values.Single(v => v.Member == "Mean").Value;
        double std = (double)state.Values.Single(v => v.Member == "Std").Value;
        double[] kept = rows.Where(r => Keeps(r.Id) && r.Amount is double a && !double.IsNaN(a)).Select(r => r.Amount!.Value).ToArray();
        Assert.Equal(kept.Average(), mean, 1e-9);
        Assert.Equal(rows.Count(r => Keeps(r.Id)), state.Fits[0].Rows);
        // The statistics are the second pass's: the first-pass segment, which it does not run, is not listed at 0 rows.
        SegmentStatistics scored = Assert.Single(result.Segments);
        Assert.Equal(("Keep+Score", 12_000L), (scored.Segment, scored.RowsIn));

        // The second pass read the fitted values: every kept row's Z is (Amount - mean) / std.
        var z = new Dictionary<long, double?>();
        foreach (string file in Directory.GetFiles(output, "part-*.parquet"))
        {
            using var reader = new ParquetFileReader(file);
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                using RecordBatch batch = reader.ReadRowGroup(rg, ["Id", "Z"]);
                PrimitiveColumn<double> values = batch.GetPrimitive<double>("Z", ColumnType.Double);
                ReadOnlySpan<long> ids = batch.GetPrimitive<long>("Id", ColumnType.Int64).Values;
                for (int i = 0; i < batch.RowCount; i++)
                {
                    z[ids[i]] = values.IsNull(i) ? null : values[i];
                }
            }
        }
        Row[] expected = rows.Where(r => Keeps(r.Id)).ToArray();
        Assert.Equal(expected.Length, z.Count);
        foreach (Row row in expected)
        {
            Assert.Equal(row.Amount is double a ? (a - mean) / std : null, z[row.Id]);
        }

        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, LocalExecutor.ManifestFile)));
        JsonElement fitted = manifest.RootElement.GetProperty("fitted");
        Assert.Equal(state.Hash, fitted.GetProperty("sha256").GetString());
        Assert.Equal("computed", fitted.GetProperty("source").GetString());
        Assert.Equal(["Keep+Score"], manifest.RootElement.GetProperty("segments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.False(fitted.GetProperty("loaded").GetBoolean());
        Assert.Equal(FittedState.FileName, fitted.GetProperty("file").GetString());
    }

    // Every part file of an output, by path inside it, with its bytes.
    private static Dictionary<string, byte[]> Parts(string output) =>
        Directory.GetFiles(output, "part-*.parquet", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(output, f), File.ReadAllBytes);

    [Fact]
    public void Run_WithTheSavedState_SkipsTheFirstPass_AndWritesTheSameBytes()
    {
        string input = Input(out _);
        string fitted = Path.Combine(_root, "out-fitted");
        new LocalExecutor(Options).Run(Pipeline(), input, fitted);
        string saved = Path.Combine(_root, "models", "amount.json");
        Directory.CreateDirectory(Path.GetDirectoryName(saved)!);
        File.Copy(Path.Combine(fitted, FittedState.FileName), saved);

        var calls = new Calls();
        string loaded = Path.Combine(_root, "out-loaded");
        JobResult result = new LocalExecutor(Options with { Fitted = saved }).Run(Pipeline(calls), input, loaded);

        Assert.Equal(0, calls.FirstPass);
        Assert.Equal(FitSource.Loaded, result.Fit!.Source);
        Assert.Equal(saved, result.Fit.File);
        Assert.Equal(FittedState.Load(saved).Hash, result.Fit.Hash);
        Dictionary<string, byte[]> expected = Parts(fitted);
        Dictionary<string, byte[]> actual = Parts(loaded);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.All(expected, kv => Assert.Equal(kv.Value, actual[kv.Key]));
        Assert.Equal(File.ReadAllBytes(saved), File.ReadAllBytes(Path.Combine(loaded, FittedState.FileName)));
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(loaded, LocalExecutor.ManifestFile)));
        JsonElement record = manifest.RootElement.GetProperty("fitted");
        Assert.Equal("loaded", record.GetProperty("source").GetString());
        Assert.True(record.GetProperty("loaded").GetBoolean());
        Assert.Equal(saved, record.GetProperty("loadedFrom").GetString());
        Assert.Equal(result.Fit.Hash, record.GetProperty("sha256").GetString());
    }

    [Fact]
    public void Rerun_WithNothingChanged_DoesNoWork_NotEvenTheFirstPass()
    {
        string input = Input(out _);
        string output = Path.Combine(_root, "out");
        JobResult first = new LocalExecutor(Options).Run(Pipeline(), input, output);

        var calls = new Calls();
        JobResult again = new LocalExecutor(Options).Run(Pipeline(calls), input, output);

        Assert.True(again.UpToDate);
        Assert.Equal(["Keep+Score"], again.Segments.Select(s => s.Segment));
        Assert.Equal(0, calls.FirstPass);
        Assert.Equal(0, calls.Score);
        Assert.Equal(FitSource.Cached, again.Fit!.Source);
        Assert.Equal(first.Fit!.Hash, again.Fit.Hash);

        // --force fits again (and recomputes every partition) with the same result.
        var forced = new Calls();
        JobResult force = new LocalExecutor(Options with { Force = true }).Run(Pipeline(forced), input, output);
        Assert.False(force.UpToDate);
        Assert.True(forced.FirstPass > 0);
        Assert.Equal(FitSource.Computed, force.Fit!.Source);
        Assert.Equal(first.Fit.Hash, force.Fit.Hash);
    }

    [Fact]
    public void Rerun_AfterTheInputChanged_FitsAgain_AndRecomputesEveryPartition()
    {
        string input = Input(out _);
        string output = Path.Combine(_root, "out");
        JobResult first = new LocalExecutor(Options).Run(Pipeline(), input, output);
        Write(Path.Combine(input, "part-1.parquet"), Rows(4_000, 4_000, seed: 99), 1_000);

        var calls = new Calls();
        JobResult again = new LocalExecutor(Options).Run(Pipeline(calls), input, output);

        Assert.True(calls.FirstPass > 0);
        Assert.Equal(FitSource.Computed, again.Fit!.Source);
        Assert.NotEqual(first.Fit!.Hash, again.Fit.Hash);
        // New fitted values change every partition's output, unchanged files included.
        Assert.Equal(0, again.PartitionsReused);
        Assert.Equal(again.Fit.Hash, FittedState.Load(Path.Combine(output, FittedState.FileName)).Hash);
    }

    [Fact]
    public void Rerun_WithADamagedCachedState_FitsAgain()
    {
        string input = Input(out _);
        string output = Path.Combine(_root, "out");
        new LocalExecutor(Options).Run(Pipeline(), input, output);
        string cached = Assert.Single(Directory.GetFiles(Path.Combine(_root, ".out.dsl", "fitted")));
        File.WriteAllText(cached, "{ not json");

        var calls = new Calls();
        JobResult again = new LocalExecutor(Options).Run(Pipeline(calls), input, output);

        Assert.True(calls.FirstPass > 0);
        Assert.True(again.UpToDate); // the same values: the output itself was still current
        Assert.Equal(FitSource.Computed, again.Fit!.Source);
    }

    [Fact]
    public void AScoringPipelineWithoutFits_LoadsTheSavedStateOfTheTrainingPipeline()
    {
        string input = Input(out _);
        string training = Path.Combine(_root, "train");
        new LocalExecutor(Options).Run(Pipeline(), input, training);
        string saved = Path.Combine(training, FittedState.FileName);

        string scoring = Path.Combine(_root, "score");
        JobResult result = new LocalExecutor(Options with { Fitted = saved }).Run(Scoring().WithGivenParameters(new StageParameterValues()), input, scoring);

        Assert.Equal(FitSource.Loaded, result.Fit!.Source);
        Assert.Equal(Parts(training), Parts(scoring), new BytesComparer());
    }

    [Fact]
    public void ASavedStateThatDoesNotFitThePlan_IsRefusedBeforeAnythingIsRead()
    {
        string input = Input(out _);
        string training = Path.Combine(_root, "train");
        new LocalExecutor(Options).Run(Pipeline(), input, training);
        // Rewritten through the API so the hash is right, and only the shape is wrong.
        string Save(string name, Func<FittedValue, FittedValue?> change)
        {
            FittedState state = FittedState.Load(Path.Combine(training, FittedState.FileName));
            string path = Path.Combine(_root, name);
            File.WriteAllBytes(path, Rewrite(state, change));
            return path;
        }

        string noStd = Save("no-std.json", v => v.Member == "Std" ? null : v);
        var missing = Assert.Throws<ArgumentException>(() => new LocalExecutor(Options with { Fitted = noStd }).Run(Pipeline(), input, Path.Combine(_root, "o1")));
        Assert.Equal($"The fitted-state file '{noStd}' (fitted by pipeline 'fit-stats') has no value for 'AmountStats.Std', which pipeline 'fit-stats' needs; its 'AmountStats' has Edges, Mean, Vocab. Was it fitted by another version of the pipeline? Fit again.", missing.Message);

        string wrongType = Save("wrong-type.json", v => v.Member == "Mean" ? v with { Type = ParameterType.DoubleArray, Value = new[] { 1.0 } } : v);
        Assert.Contains("holds 'AmountStats.Mean' as a double[], but pipeline 'fit-stats' declares it a double", Assert.Throws<ArgumentException>(() => new LocalExecutor(Options with { Fitted = wrongType }).Run(Pipeline(), input, Path.Combine(_root, "o2"))).Message);

        string otherType = Save("other-type.json", v => v with { TypeName = "Scaling" });
        Assert.Contains("has no values for parameter type 'AmountStats', which fit stage 'FitStats' of pipeline 'fit-stats' computes; it holds 'Scaling'", Assert.Throws<ArgumentException>(() => new LocalExecutor(Options with { Fitted = otherType }).Run(Pipeline(), input, Path.Combine(_root, "o3"))).Message);

        Assert.False(Directory.Exists(Path.Combine(_root, "o1")));
    }

    [Fact]
    public void ValuesGivenForAFittedType_AreRefused()
    {
        string input = Input(out _);
        var given = new StageParameterValues().Set(ParametersType, "Mean", 1.0);
        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor(Options).Run(Pipeline().WithParameters(given), input, Path.Combine(_root, "out")));
        Assert.Equal("Stage parameter 'AmountStats.Mean' was given a value, but fit stage 'FitStats' of pipeline 'fit-stats' computes 'AmountStats' in the first pass. Leave it out, or load a saved fitted state with --fitted FILE (ExecutionOptions.Fitted).", error.Message);
    }

    [Fact]
    public void AnExactDistinctCountThatOutgrowsTheBudget_StopsTheRun_NamingStageAndColumn()
    {
        // 400,000 distinct Ids need about 16 MiB of exact keys, past a 4 MiB budget.
        string input = Path.Combine(_root, "in");
        Write(Path.Combine(input, "a.parquet"), Rows(400_000, 0, seed: 3), 100_000);
        var options = new ExecutionOptions { MemoryBudget = 4L << 20, MaxParallelism = 1 };

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(options).Run(Pipeline(extra: [Request(FitStatistic.Distinct, "Id")]), input, Path.Combine(_root, "out")));

        Assert.StartsWith("Fit stage 'FitStats' cannot keep the exact set of its distinct values (Distinct) of column 'Id' within the memory budget", error.Message);
        Assert.Contains("Ask for ApproxDistinct (a 16 KiB HyperLogLog sketch) instead of Distinct, or raise the budget (--memory-budget", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public void Validate_FitsFirst_SoItsChecksSeeTheRowsARunWouldWrite()
    {
        string input = Input(out _);
        var calls = new Calls();

        Dsl.Validation.ValidationReport report = new LocalExecutor(Options).Validate(Pipeline(calls), input);

        Assert.True(calls.FirstPass > 0);
        Assert.True(calls.Score > 0);
        Assert.Equal(12_000, report.InputRows);
    }

    // The bytes of a state with its values changed by change (null drops one), hashed anew as the runtime would.
    private static byte[] Rewrite(FittedState state, Func<FittedValue, FittedValue?> change) =>
        FittedState.From(state.Pipeline, state.Values.Select(change).OfType<FittedValue>().ToArray(), state.Fits).ToJson();

    private sealed class BytesComparer : IEqualityComparer<Dictionary<string, byte[]>>
    {
        public bool Equals(Dictionary<string, byte[]>? x, Dictionary<string, byte[]>? y) =>
            x!.Count == y!.Count && x.All(kv => y.TryGetValue(kv.Key, out byte[]? other) && kv.Value.AsSpan().SequenceEqual(other));

        public int GetHashCode(Dictionary<string, byte[]> obj) => obj.Count;
    }

    [Fact]
    public void AFitOverCsvInput_AnswersAsOverTheSameRowsInParquet()
    {
        Row[] rows = Rows(5_000, 0, seed: 21);
        string csv = Path.Combine(_root, "csv");
        Directory.CreateDirectory(csv);
        string F(double? v) => v is double d ? (double.IsNaN(d) ? "NaN" : d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)) : "";
        File.WriteAllLines(Path.Combine(csv, "a.csv"), rows.Select(r => $"{r.Id},{F(r.Amount)},{r.Count},{r.Country},{(r.Flag is bool b ? (b ? "true" : "false") : "")}").Prepend("Id,Amount,Count,Country,Flag"));
        string parquet = Path.Combine(_root, "parquet");
        Write(Path.Combine(parquet, "a.parquet"), rows, 1_000);
        FitRequest[] extra = [Request(FitStatistic.Count, ""), Request(FitStatistic.NullCount, "Country"), Request(FitStatistic.Distinct, "Count"), Request(FitStatistic.Mean, "Flag")];

        // Several text partitions (by bytes) against one row group a partition.
        FittedState fromCsv = new LocalExecutor(Options with { TargetPartitionBytes = 20_000 }).Fit(Pipeline(extra: extra), csv);
        FittedState fromParquet = new LocalExecutor(Options).Fit(Pipeline(extra: extra), parquet);

        Assert.Equal(fromParquet.Hash, fromCsv.Hash);
        Assert.Equal((long)rows.Count(r => Keeps(r.Id)), (long)Answer(fromCsv, extra[0]));
    }

    [Fact]
    public void TheFirstPass_PrunesRowGroupsByItsOwnSegments_ButNotForAFitOfTheRawInput()
    {
        // Ids 0..11,999 in row groups of 1,000; Keep requires Id >= 9,000, so 9 of 12 row groups cannot hold a kept row.
        string input = Input(out Row[] rows);
        JobResult filtered = new LocalExecutor(Options).Run(Pipeline(minId: 9_000, extra: [Request(FitStatistic.Count, "")]), input, Path.Combine(_root, "a"));
        JobResult raw = new LocalExecutor(Options).Run(Pipeline(raw: true, minId: 9_000, extra: [Request(FitStatistic.Count, "")]), input, Path.Combine(_root, "b"));

        Assert.Equal(3_000, filtered.Fit!.RowsRead);
        Assert.Equal((long)rows.Count(r => Keeps(r.Id, 9_000)), (long)Answer(FittedState.Load(Path.Combine(_root, "a", FittedState.FileName)), Request(FitStatistic.Count, "")));
        Assert.Equal(12_000, raw.Fit!.RowsRead);
        Assert.Equal(12_000L, (long)Answer(FittedState.Load(Path.Combine(_root, "b", FittedState.FileName)), Request(FitStatistic.Count, "")));
        // The second pass prunes by its own segments either way.
        Assert.Equal(9, filtered.RowGroupsSkipped);
        Assert.Equal(9, raw.RowGroupsSkipped);
    }

    [Fact]
    public void ATransientReadErrorInTheFirstPass_IsRetried()
    {
        string input = Input(out _);
        var options = Options with { Faults = Dsl.Execution.Commit.FaultPlan.Parse("read:1"), RetryBackoff = TimeSpan.FromMilliseconds(1) };

        // Fit runs only the first pass: the first partition's first read fails, its retry succeeds.
        FittedState retried = new LocalExecutor(options).Fit(Pipeline(), input);

        Assert.Equal(new LocalExecutor(Options).Fit(Pipeline(), input).Hash, retried.Hash);
        var failing = Options with { Faults = Dsl.Execution.Commit.FaultPlan.Parse("read:3"), RetryBackoff = TimeSpan.FromMilliseconds(1), MaxParallelism = 1 };
        Assert.Contains("failed 3 times with an I/O error while fitting", Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(failing).Fit(Pipeline(), input)).Message);
    }

    [Fact]
    public void AStateWithTheSameValuesButOtherAnswers_IsANewOutput_WhosePartsAreReused()
    {
        string input = Input(out _);
        string output = Path.Combine(_root, "out");
        new LocalExecutor(Options).Run(Pipeline(), input, output);
        FittedState state = FittedState.Load(Path.Combine(output, FittedState.FileName));
        string other = Path.Combine(_root, "other.json");
        File.WriteAllBytes(other, FittedState.From(state.Pipeline, state.Values, [state.Fits[0] with { Rows = 1 }]).ToJson());

        JobResult rerun = new LocalExecutor(Options with { Fitted = other }).Run(Pipeline(), input, output);

        Assert.False(rerun.UpToDate);
        Assert.Equal(rerun.Partitions, rerun.PartitionsReused); // the same parameter values: every part is still right
        Assert.Equal(FittedState.Load(other).Hash, FittedState.Load(Path.Combine(output, FittedState.FileName)).Hash);
    }
}
