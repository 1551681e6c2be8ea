using System.CommandLine;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dsl.Execution;
using Dsl.Fitting;
using Dsl.Models;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;
using Dsl.Validation;
using Dsl.Validation.Reports;

namespace Dsl.Hosting;

/// <summary>
/// The command line every pipeline gets: <c>run</c> (and <c>run --shard I/N</c>), <c>commit</c>, <c>fit</c>, <c>validate</c>, <c>profile</c>, <c>explain</c>,
/// <c>check-config</c> and <c>generate-sample</c>. Call it from <c>Main</c>: <c>return PipelineHost.Run(MyPipeline.Compiled, args, Sample.Write);</c>
/// </summary>
public static class PipelineHost
{
    /// <summary>Parses <paramref name="args"/> and runs the chosen command; returns the process exit code.</summary>
    /// <param name="pipeline">The generated <c>Compiled</c> property of a <see cref="PipelineAttribute"/> class.</param>
    /// <param name="args">The process arguments.</param>
    /// <param name="sample">
    /// Writes sample input for <c>generate-sample</c> and for <c>run</c> without <c>--input</c>; without it, synthetic rows
    /// of the pipeline's input schema (<see cref="SyntheticSample"/>).
    /// </param>
    /// <param name="stdout">Where normal output goes (the console by default).</param>
    /// <param name="stderr">Where errors go (the console by default).</param>
    public static int Run(CompiledPipeline pipeline, string[] args, SampleDataWriter? sample = null, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        PipelinePlan plan = pipeline.Plan;
        // Without a writer of its own, a pipeline gets synthetic rows of its input schema.
        sample ??= SyntheticSample.For(plan.Schemas[plan.InputSchema]);
        var root = new RootCommand($"Pipeline '{plan.Name}', compiled by Dsl.");

        var input = new Option<string?>("--input", "-i") { Description = "A Parquet, CSV (.csv, .csv.gz) or JSON Lines (.jsonl, .ndjson) file, or a folder of them (hive key=value sub-folders fill columns named like their keys). Without it (here or in the configuration file), sample data is generated first." };
        var output = new Option<string?>("--output", "-o") { Description = $"The output folder; parts, _manifest.json and _SUCCESS are published there. Default: out/{plan.Name}." };
        var parallelism = new Option<int?>("--parallelism", "-p") { Description = "Partitions processed at once. Default: the core count." };
        var compression = new Option<string?>("--compression") { Description = "Codec of the output files. Default: snappy.", HelpName = string.Join("|", OutputCodecs.Names) };
        compression.Validators.Add(result =>
        {
            if (OutputCodecs.Parse(result.GetValueOrDefault<string?>()) is null)
            {
                result.AddError($"--compression must be one of {OutputCodecs.NameList}, not '{result.GetValueOrDefault<string?>()}'.");
            }
        });
        var config = new Option<string?>("--config", "-c") { Description = $"A pipeline configuration file. Default: {ConfigFileName} in the current folder, else beside the program." };
        var param = new Option<string[]>("--param") { Description = "A stage parameter value, Type.Member=value (e.g. AmountScaling.Mean=120.5); repeat for several. Overrides the configuration file's 'parameters'." };
        var allowEmpty = new Option<bool>("--allow-empty") { Description = "Let an input without rows replace the output with an empty one (by default that is an error)." };
        var memoryBudget = new Option<string?>("--memory-budget") { Description = $"Bytes running tasks may hold in decoded data at once, e.g. 512MB or 2GiB (tasks wait for room). Default: half of the memory available, now {FormatBytes(MemoryBudget.DefaultBytes)}." };
        var force = new Option<bool>("--force") { Description = "Recompute every partition, even those whose input, code and settings are unchanged since the output was written." };
        var partitionBy = new Option<string?>("--partition-by") { Description = "Write the output as hive folders named by these columns' values, in order, e.g. Country,Year (Country=FR/Year=2024/part-00000.parquet); the columns leave the files. For a pipeline with one sink; with several, use 'partitionBy' in the configuration file. \"\" turns the file's setting off.", HelpName = "COLUMNS" };
        var maxRowsPerFile = new Option<long?>("--max-rows-per-file") { Description = "Start a new part file (part-NNNNN-1.parquet, ...) once one holds this many rows. Default: no limit." };
        var maxBytesPerFile = new Option<string?>("--max-bytes-per-file") { Description = "Start a new part file once one holds about this many bytes, e.g. 256MB. Default: no limit." };
        var maxOpenFiles = new Option<int?>("--max-open-files") { Description = $"Part files one task keeps open at once; a partitioned output finishes the least recently written file when a new value would pass it. Default: {new ExecutionOptions().MaxOpenFiles}." };
        var fitted = new Option<string?>("--fitted") { Description = $"Load this saved fitted state (a run's {FittedState.FileName}, or what 'fit --fitted-out' wrote) instead of fitting: a pipeline with fit stages skips its first pass, and any pipeline takes from it the parameter values it needs. Overrides the configuration file's 'fitted'.", HelpName = "FILE" };
        var table = new Option<string[]>("--table") { Description = "The files of a table a join stage reads: NAME=PATH, a Parquet file or folder (repeat for several). Adds to or replaces the configuration file's 'tables'.", HelpName = "NAME=PATH", AllowMultipleArgumentsPerToken = false };
        var model = ModelOption();
        var device = new Option<string>("--device") { Description = "Where the segment kernels run: auto (CUDA where there is one, for the segments whose cost estimate prefers it; else SIMD), cuda, cpu-emulator (ILGPU's CPU accelerator: every segment with a GPU kernel, slowly; for tests) or simd (the CPU kernels). GPU kernels exist when the project references Dsl.Gpu; explain shows each segment's choice.", HelpName = "auto|cuda|cpu-emulator|simd", DefaultValueFactory = _ => "auto" };
        var shard = new Option<string?>("--shard") { Description = "Run one shard of a job that N processes run together: I/N, I counted from 0 (e.g. --shard $JOB_COMPLETION_INDEX/8), or auto (from DSL_SHARD_INDEX, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX with DSL_SHARD_COUNT, or SageMaker's resourceconfig.json). The shard computes the partitions whose index modulo N is I into staging beside the output; 'commit --shards N' publishes them all (docs/sharding.md).", HelpName = "I/N|auto" };
        var attempt = new Option<int?>("--attempt") { Description = "With --shard: this attempt's number, from 1 (default 1). A retry that may overlap a still-running attempt takes another number; the commit accepts the lowest-numbered complete attempt of each shard.", HelpName = "K" };
        var engine = new Option<string>("--engine") { Description = "local (this process) or dask: one task per planned partition on a Dask distributed cluster (--scheduler), each this program's 'run --shard I/N' on a worker, then the commit here (docs/dask.md). Input and output must be on storage every worker sees.", HelpName = "local|dask", DefaultValueFactory = _ => "local" };
        engine.AcceptOnlyFromAmong("local", "dask");
        var scheduler = new Option<string?>("--scheduler") { Description = "With --engine dask: the Dask scheduler's address, e.g. tcp://10.0.0.5:8786 (runtime/Dsl.Runtime/Dask/dask-cluster.sh starts a local cluster).", HelpName = "ADDRESS" };
        var tasks = new Option<int?>("--tasks") { Description = "With --engine dask: the number of tasks (shards). Default: one per planned partition.", HelpName = "N" };
        var workerTimeout = new Option<int>("--worker-timeout") { Description = "With --engine dask: seconds the cluster may have no worker before the job fails (exit code 4).", HelpName = "SECONDS", DefaultValueFactory = _ => 120 };
        var taskAttempts = new Option<int>("--task-attempts") { Description = "With --engine dask: the tries of a failing task, each with the next --attempt number (a task whose worker is lost is rerun by Dask and does not count).", HelpName = "K", DefaultValueFactory = _ => 3 };
        var run = new Command("run", "Run the pipeline over the input and publish the output atomically; unchanged partitions are reused. A pipeline with fit stages first fits them (a first pass over the input), unless --fitted loads a saved state. With --shard I/N, compute one shard into staging for a later 'commit'.") { input, output, parallelism, compression, config, param, allowEmpty, force, memoryBudget, partitionBy, maxRowsPerFile, maxBytesPerFile, maxOpenFiles, fitted, table, model, device, shard, attempt, engine, scheduler, tasks, taskAttempts, workerTimeout };
        var shards = new Option<int>("--shards") { Description = "The number of shards N the shards ran with ('run --shard I/N').", Required = true, HelpName = "N" };
        var commit = new Command("commit", "Publish the output of a job run as N shards ('run --shard I/N'): checks that every shard has a complete attempt for this input, code and settings, evaluates the rules and gates over all of them and publishes atomically, or publishes nothing and names the shards that are missing. Give it the same input and options as the shards.") { input, output, parallelism, compression, config, param, allowEmpty, memoryBudget, partitionBy, maxRowsPerFile, maxBytesPerFile, maxOpenFiles, fitted, table, model, shards };
        Func<ParseResult, bool, int> runOrCommit = (parse, committing) => Guard(stderr, () =>
        {
            bool onDask = !committing && parse.GetValue(engine) == "dask";
            if (onDask && (parse.GetValue(shard) is not null || parse.GetValue(attempt) is not null))
            {
                stderr.WriteLine("error: --engine dask runs the shards itself; leave out --shard and --attempt.");
                return 2;
            }
            if (onDask && string.IsNullOrWhiteSpace(parse.GetValue(scheduler)))
            {
                stderr.WriteLine("error: --engine dask needs --scheduler tcp://HOST:PORT, the Dask scheduler's address (runtime/Dsl.Runtime/Dask/dask-cluster.sh start prints one).");
                return 2;
            }
            if (!onDask && (parse.GetValue(scheduler) is not null || parse.GetValue(tasks) is not null))
            {
                stderr.WriteLine("error: --scheduler and --tasks are for --engine dask.");
                return 2;
            }
            if (onDask && parse.GetValue(tasks) is < 1 or > ShardSpec.MaxCount)
            {
                stderr.WriteLine($"error: --tasks {parse.GetValue(tasks)}: the number of tasks must be between 1 and {ShardSpec.MaxCount}.");
                return 2;
            }
            ShardSpec? shardSpec = null;
            if (!committing && parse.GetValue(shard) is { } shardText)
            {
                try
                {
                    shardSpec = shardText == "auto" ? ShardSpec.FromEnvironment(Environment.GetEnvironmentVariable) : ShardSpec.Parse(shardText);
                }
                catch (ArgumentException e)
                {
                    stderr.WriteLine($"error: {e.Message}");
                    return 2;
                }
            }
            if (!committing && shardSpec is null && parse.GetValue(attempt) is not null)
            {
                stderr.WriteLine("error: --attempt numbers the attempts of a shard; give --shard I/N with it.");
                return 2;
            }
            if (!committing && parse.GetValue(attempt) is < 1)
            {
                stderr.WriteLine($"error: --attempt {parse.GetValue(attempt)}: attempts are numbered from 1.");
                return 2;
            }
            if (committing && parse.GetValue(shards) is < 1 or > ShardSpec.MaxCount)
            {
                stderr.WriteLine($"error: --shards {parse.GetValue(shards)}: the number of shards must be between 1 and {ShardSpec.MaxCount}, the N the shards ran with.");
                return 2;
            }
            (IReadOnlyDictionary<string, object> overrides, IReadOnlyList<string> overrideProblems) = ParameterOverrides.Parse(parse.GetValue(param) ?? [], plan);
            if (overrideProblems.Count > 0)
            {
                foreach (string problem in overrideProblems)
                {
                    stderr.WriteLine($"error: {problem}");
                }
                return 2;
            }
            // A --fitted file is verified before anything else is read; its members need no value in the configuration.
            string? fittedPath = parse.GetValue(fitted) is { } fittedOption ? Path.GetFullPath(fittedOption) : null;
            FittedState? fittedState = fittedPath is null ? null : FittedState.Load(fittedPath);
            PipelineConfig? settings = null;
            if (FindConfig(parse.GetValue(config)) is { } configPath)
            {
                (settings, IReadOnlyList<ConfigProblem> problems) = PipelineConfig.ReadAndCheck(configPath, plan, overrides.Keys.ToList(), fittedState);
                if (problems.Count > 0)
                {
                    foreach (ConfigProblem problem in problems)
                    {
                        stderr.WriteLine(problem);
                    }
                    return 2;
                }
                stdout.WriteLine($"Using settings from {Path.GetFullPath(configPath)}");
            }
            IReadOnlyDictionary<string, IReadOnlyList<string>> partitions = settings?.PartitionBy ?? new Dictionary<string, IReadOnlyList<string>>();
            if (parse.GetValue(partitionBy) is { } partitionColumns)
            {
                if (PartitionByOption(plan, partitionColumns, out IReadOnlyList<string> partitionProblems) is not { } single)
                {
                    foreach (string problem in partitionProblems)
                    {
                        stderr.WriteLine($"error: {problem}");
                    }
                    return 2;
                }
                partitions = single;
            }
            // Every parameter value is known and checked before anything is read or written.
            StageParameterValues parameters = ParameterOverrides.Apply(settings?.ParameterValues(plan) ?? new StageParameterValues(), overrides);
            fittedPath ??= settings?.Fitted is { } fromFile ? Path.GetFullPath(fromFile) : null;
            if (ModelsOption(plan, settings, parse.GetValue(model) ?? [], stderr) is not { } models)
            {
                return 2;
            }
            // The device is resolved before anything is read: --device cuda without one fails here. A Dask driver plans on
            // the CPU and passes --device on: each worker resolves its own.
            CompiledPipeline bound = Given(pipeline, parameters, fittedPath, models).OnDevice(committing || onDask ? "simd" : parse.GetValue(device)!, warning => stderr.WriteLine(warning));
            if (bound.Device != "simd")
            {
                stdout.WriteLine(DeviceLine(bound));
            }

            string? inputPath = parse.GetValue(input) ?? settings?.Input;
            if (inputPath is null && (committing || shardSpec is not null))
            {
                // Every shard and the commit must plan the same input; sample data written by each would race.
                stderr.WriteLine($"error: {(committing ? "commit" : "--shard")} needs --input (or 'input:' in the configuration file): every shard and the commit must read the same input, at the same path.");
                return 2;
            }
            if (inputPath is null)
            {
                inputPath = Path.Combine("data", plan.Name + "-sample");
                IReadOnlyList<string> files = WriteSample(sample, inputPath, SampleDefaults.Rows, SampleDefaults.Files, SampleDefaults.Seed);
                stdout.WriteLine($"No --input given: wrote {SampleDefaults.Rows.ToString("N0", CultureInfo.InvariantCulture)} sample rows in {files.Count} files to {Path.GetFullPath(inputPath)}");
            }
            if (TablesOption(plan, settings, parse.GetValue(table) ?? [], out IReadOnlyList<string> tableProblems) is not { } tables)
            {
                foreach (string problem in tableProblems)
                {
                    stderr.WriteLine($"error: {problem}");
                }
                return 2;
            }
            var defaults = new ExecutionOptions();
            var options = new ExecutionOptions
            {
                Tables = tables,
                BroadcastThresholdBytes = settings?.BroadcastThreshold ?? defaults.BroadcastThresholdBytes,
                ShuffleBuckets = settings?.ShuffleBuckets ?? defaults.ShuffleBuckets,
                MaxParallelism = parse.GetValue(parallelism) ?? settings?.Parallelism ?? defaults.MaxParallelism,
                TargetPartitionRows = settings?.TargetPartitionRows ?? defaults.TargetPartitionRows,
                TargetPartitionBytes = settings?.TargetPartitionBytes ?? defaults.TargetPartitionBytes,
                MaxRecordBytes = settings?.MaxRecordBytes ?? defaults.MaxRecordBytes,
                OutputFolders = settings?.Outputs ?? defaults.OutputFolders,
                PartitionBy = partitions,
                MaxRowsPerFile = parse.GetValue(maxRowsPerFile) ?? settings?.MaxRowsPerFile ?? defaults.MaxRowsPerFile,
                MaxBytesPerFile = parse.GetValue(maxBytesPerFile) is { } maxBytes ? ParseBytes(maxBytes, "--max-bytes-per-file") : settings?.MaxBytesPerFile ?? defaults.MaxBytesPerFile,
                MaxOpenFiles = parse.GetValue(maxOpenFiles) ?? settings?.MaxOpenFiles ?? defaults.MaxOpenFiles,
                Write = new ParquetWriteOptions
                {
                    Compression = OutputCodecs.Parse(parse.GetValue(compression)) ?? settings?.Compression ?? CompressionCodec.Snappy,
                    RowGroupRows = settings?.RowGroupRows ?? new ParquetWriteOptions().RowGroupRows,
                },
                AllowEmptyInput = parse.GetValue(allowEmpty),
                Gates = settings?.Gates(plan) ?? [],
                Drift = DriftOf(settings),
                MemoryBudget = parse.GetValue(memoryBudget) is { } budget ? ParseBytes(budget) : settings?.MemoryBudget ?? defaults.MemoryBudget,
                Force = parse.GetValue(force),
                Fitted = fittedPath,
            };
            OutputCodecs.CheckAvailable(options.Write.Compression);
            string outputPath = parse.GetValue(output) ?? settings?.Output ?? Path.Combine("out", plan.Name);
            // Telemetry export starts before the run and sends what is left when it ends, whatever the outcome.
            using OtlpExporter? telemetry = OtlpExporter.Start(OtlpSettings.Resolve(Environment.GetEnvironmentVariable, settings?.OtlpEndpoint, plan.Name), stderr);
            using var stop = new StopSignals(stderr);
            var progress = new ProgressPrinter(stderr, ProgressPrinter.IsTerminal(stderr));
            try
            {
                var executor = new LocalExecutor(options with { Progress = progress });
                if (onDask)
                {
                    // One task per planned partition unless --tasks says otherwise; each is this program's 'run --shard I/N'.
                    int count = parse.GetValue(tasks) ?? Math.Max(1, executor.PlannedPartitions(bound, inputPath, outputPath, stop.Token));
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    stdout.WriteLine($"Dask: {count.ToString(CultureInfo.InvariantCulture)} task(s) on {parse.GetValue(scheduler)}");
                    int bridge = Dask.DaskEngine.RunTasks(parse.GetValue(scheduler)!, count, parse.GetValue(taskAttempts), parse.GetValue(workerTimeout), DaskTaskArguments(args, inputPath, outputPath), stderr, stop.Token);
                    if (bridge != 0)
                    {
                        // The bridge's code: 1 a task failed, 2 no scheduler, 3 the scheduler lost, 4 no workers (docs/dask.md).
                        progress.Finish();
                        return bridge;
                    }
                    stdout.WriteLine($"Dask: every task done in {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s; committing");
                    JobResult published = executor.CommitShards(bound, inputPath, outputPath, count, stop.Token);
                    progress.Finish();
                    PrintSummary(stdout, stderr, published);
                    return 0;
                }
                if (shardSpec is { } one)
                {
                    ShardResult staged = executor.RunShard(bound, inputPath, outputPath, one, parse.GetValue(attempt) ?? 1, stop.Token);
                    progress.Finish();
                    PrintShard(stdout, staged);
                    return 0;
                }
                JobResult result = committing
                    ? executor.CommitShards(bound, inputPath, outputPath, parse.GetValue(shards), stop.Token)
                    : executor.Run(bound, inputPath, outputPath, stop.Token);
                progress.Finish();
                PrintSummary(stdout, stderr, result);
                return 0;
            }
            catch (OperationCanceledException) when (stop.ExitCode is int code)
            {
                progress.Finish();
                stderr.WriteLine($"Cancelled by {(code == 143 ? "SIGTERM" : "SIGINT")}: nothing was published; the previous output, if any, is unchanged.");
                return code;
            }
        });
        run.SetAction(parse => runOrCommit(parse, false));
        root.Subcommands.Add(run);
        commit.SetAction(parse => runOrCommit(parse, true));
        root.Subcommands.Add(commit);

        var fitInput = new Option<string?>("--input", "-i") { Description = "The input to fit on, as for run. Default: the configuration file's input." };
        var fitOut = new Option<string>("--fitted-out") { Description = $"Where to write the fitted state (JSON, format {FittedState.FormatName}), replaced atomically; 'run --fitted FILE' loads it.", Required = true, HelpName = "FILE" };
        var fitConfig = new Option<string?>("--config", "-c") { Description = $"A pipeline configuration file. Default: {ConfigFileName} in the current folder, else beside the program." };
        var fitParam = new Option<string[]>("--param") { Description = "A stage parameter value, Type.Member=value; repeat for several." };
        var fitParallelism = new Option<int?>("--parallelism", "-p") { Description = "Partitions read at once. Default: the core count." };
        var fitModel = ModelOption();
        var fit = new Command("fit", "Run only the first pass of a pipeline with fit stages and write the fitted state to --fitted-out, so training fits once and later runs (or a scoring pipeline) load it with --fitted. Writes no output.") { fitInput, fitOut, fitConfig, fitParam, fitParallelism, fitModel };
        fit.SetAction(parse => Guard(stderr, () =>
        {
            if (plan.Fits.Count == 0)
            {
                stderr.WriteLine($"error: Pipeline '{plan.Name}' has no fit stages, so there is nothing to fit.");
                return 2;
            }
            if (PrepareCheck(pipeline, "fit", parse.GetValue(fitConfig), parse.GetValue(fitParam), parse.GetValue(fitInput), parse.GetValue(fitParallelism), parse.GetValue(fitModel), stderr) is not { } check)
            {
                return 2;
            }
            using var stop = new StopSignals(stderr);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            FittedState state = new LocalExecutor(check.Options).Fit(check.Pipeline, check.Input, stop.Token);
            string path = Path.GetFullPath(parse.GetValue(fitOut)!);
            state.Save(path);
            stdout.WriteLine($"Pipeline '{plan.Name}': fitted {state.Fits.Count} fit stage(s) ({string.Join(", ", state.Fits.Select(f => $"{f.Stage} on {f.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows"))}) in {clock.Elapsed.TotalSeconds:0.00} s; wrote {path} (sha256 {state.Hash}).");
            return 0;
        }));
        root.Subcommands.Add(fit);

        var validateInput = new Option<string?>("--input", "-i") { Description = "The input to check, as for run. Default: the configuration file's input." };
        var validateConfig = new Option<string?>("--config", "-c") { Description = $"A pipeline configuration file. Default: {ConfigFileName} in the current folder, else beside the program." };
        var validateParam = new Option<string[]>("--param") { Description = "A stage parameter value, Type.Member=value; repeat for several." };
        var validateParallelism = new Option<int?>("--parallelism", "-p") { Description = "Partitions checked at once. Default: the core count." };
        var report = new Option<string>("--report") { Description = $"Where to write the report. Default: {ValidationReport.FileName} in the current folder.", DefaultValueFactory = _ => ValidationReport.FileName };
        var html = new Option<string?>("--html") { Description = "Also write a one-page HTML report (rules, gates, drift, a histogram per input column) to this file." };
        var validateModel = ModelOption();
        var validate = new Command("validate", $"Run the pipeline's row rules, gates and drift check over the input without writing any output or quarantine; write the report to --report and print the results. Exit code {FailRuleExitCode} when a rule whose action is Fail was broken or a gate or drift check of severity fail failed.") { validateInput, validateConfig, validateParam, validateParallelism, report, html, validateModel };
        validate.SetAction(parse => Guard(stderr, () =>
        {
            if (PrepareCheck(pipeline, "validate", parse.GetValue(validateConfig), parse.GetValue(validateParam), parse.GetValue(validateInput), parse.GetValue(validateParallelism), parse.GetValue(validateModel), stderr) is not { } check)
            {
                return 2;
            }
            string? htmlPath = parse.GetValue(html);
            // The page draws each input column's histogram, so it needs the input's profile.
            ValidationReport result = new LocalExecutor(check.Options).Validate(check.Pipeline, check.Input, profile: htmlPath is not null);
            string reportPath = Path.GetFullPath(parse.GetValue(report)!);
            File.WriteAllBytes(reportPath, result.ToJson());
            stdout.WriteLine($"Pipeline '{plan.Name}': checked {result.InputRows.ToString("N0", CultureInfo.InvariantCulture)} rows against {result.Rules.Count} rule(s) and {result.GateResults.Count} gate(s); nothing was written but the report, {reportPath}");
            if (htmlPath is not null)
            {
                File.WriteAllText(Path.GetFullPath(htmlPath), HtmlReport.Render(ReportPages.From(result, DateTime.UtcNow)));
                stdout.WriteLine($"HTML report: {Path.GetFullPath(htmlPath)}");
            }
            PrintValidation(stdout, result);
            foreach (string warning in result.Warnings)
            {
                stderr.WriteLine($"warning: {warning}");
            }
            int exit = 0;
            if (result.FailRuleBroken)
            {
                stderr.WriteLine($"error: rule(s) {string.Join(", ", result.Rules.Where(r => r.Rule.Action == RuleAction.Fail && (r.Broken > 0 || r.DuplicateKeys > 0)).Select(r => $"'{r.Rule.Id}'"))} with action Fail were broken; a run would stop.");
                exit = FailRuleExitCode;
            }
            foreach (string blocker in result.CommitBlockers)
            {
                stderr.WriteLine($"error: {blocker}");
                exit = FailRuleExitCode;
            }
            return exit;
        }));
        root.Subcommands.Add(validate);

        var profileInput = new Option<string?>("--input", "-i") { Description = "The input to profile, as for run. Default: the configuration file's input." };
        var profileConfig = new Option<string?>("--config", "-c") { Description = $"A pipeline configuration file. Default: {ConfigFileName} in the current folder, else beside the program." };
        var profileFile = new Option<string>("--profile") { Description = "Where to write the profile (JSON, format dsl-profile/1).", Required = true };
        var profileParallelism = new Option<int?>("--parallelism", "-p") { Description = "Partitions read at once. Default: the core count." };
        var profileParam = new Option<string[]>("--param") { Description = "A stage parameter value, Type.Member=value; repeat for several." };
        var profileModel = ModelOption();
        var profile = new Command("profile", "Profile every column of the pipeline's input (counts, nulls, min/max, mean/variance, quantiles, top values) into a file that a later run's drift check (drift: in pipeline.yaml) compares with. Writes nothing else.") { profileInput, profileConfig, profileFile, profileParallelism, profileParam, profileModel };
        profile.SetAction(parse => Guard(stderr, () =>
        {
            if (PrepareCheck(pipeline, "profile", parse.GetValue(profileConfig), parse.GetValue(profileParam), parse.GetValue(profileInput), parse.GetValue(profileParallelism), parse.GetValue(profileModel), stderr) is not { } check)
            {
                return 2;
            }
            // The rules run too (a profile describes the rows as the pipeline reads them), so the stages need their
            // parameters. The file's drift check is left out: its reference may be the profile this writes.
            ValidationReport result = new LocalExecutor(check.Options with { Gates = [], Drift = null }).Validate(check.Pipeline, check.Input, profile: true);
            string path = Path.GetFullPath(parse.GetValue(profileFile)!);
            result.Profile!.Write(path);
            stdout.WriteLine($"Pipeline '{plan.Name}': profiled {result.InputRows.ToString("N0", CultureInfo.InvariantCulture)} rows, {plan.Schemas[plan.InputSchema].Count} column(s) of {plan.InputSchema}, into {path}");
            return 0;
        }));
        root.Subcommands.Add(profile);

        var configFile = new Argument<string>("file") { Description = "The configuration file to check." };
        var checkConfig = new Command("check-config", "Check a pipeline configuration file against this compiled pipeline; problems print as file(line,col): error DSL5005: ...") { configFile };
        checkConfig.SetAction(parse =>
        {
            string path = parse.GetValue(configFile)!;
            if (!File.Exists(path))
            {
                stderr.WriteLine($"error: The configuration file '{path}' does not exist.");
                return 1;
            }
            (_, IReadOnlyList<ConfigProblem> problems) = PipelineConfig.ReadAndCheck(path, plan);
            foreach (ConfigProblem problem in problems)
            {
                // Standard output: MSBuild's Exec turns canonical lines into build errors with file and line.
                stdout.WriteLine(problem);
            }
            return problems.Count == 0 ? 0 : 1;
        });
        root.Subcommands.Add(checkConfig);

        var format = new Option<string>("--format") { Description = "text; json for the machine-readable plan; mermaid for a flowchart.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "mermaid");
        var explainConfig = new Option<string?>("--config", "-c") { Description = $"The configuration file whose stage parameter values to show. Default: {ConfigFileName} in the current folder, else beside the program." };
        var explainParam = new Option<string[]>("--param") { Description = "A stage parameter value to show instead of the configuration file's, Type.Member=value; repeat for several." };
        var explainTable = new Option<string[]>("--table") { Description = "A join's table, NAME=PATH, to show the strategy a run would choose from its size now (repeat for several); adds to the configuration file's 'tables'.", HelpName = "NAME=PATH" };
        var explainModel = ModelOption();
        var explain = new Command("explain", "Print the compiled plan: stages with their parameter values, wiring, fused segments and the columns each reads; with the tables of join stages known, the strategy each join would take; with the files of run-time models known, each model's format and hash.") { format, explainConfig, explainParam, explainTable, explainModel };
        explain.SetAction(parse => Guard(stderr, () =>
        {
            StageParameterValues parameters = ExplainParameters(plan, parse.GetValue(explainConfig), parse.GetValue(explainParam) ?? [], stderr, out PipelineConfig? settings);
            if (ModelsOption(plan, settings, parse.GetValue(explainModel) ?? [], stderr, requireAll: false) is not { } modelFiles)
            {
                return 2;
            }
            foreach ((string name, ModelSource file) in modelFiles.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                // Loaded to show what a run would score with (format, counts, hash); one that cannot be loaded is shown
                // as not given, with why on stderr, since explain describes the plan whatever the files are.
                try
                {
                    parameters = ModelCatalog.Load(pipeline, new Dictionary<string, ModelSource> { [name] = file }, parameters);
                    (s_loaded ??= []).Add(parameters.FindModel(name)!.Scorer);
                }
                catch (Exception e) when (e is ArgumentException or IOException)
                {
                    stderr.WriteLine($"warning: {OneLine(e.Message)}");
                }
            }
            stdout.Write(parse.GetValue(format) switch
            {
                "json" => PlanJson.ToJson(plan, parameters) + Environment.NewLine,
                "mermaid" => PlanPrinter.ToMermaid(plan),
                _ => PlanPrinter.ToText(plan, parameters) + PlanPrinter.Devices(pipeline) + JoinStrategies(plan, settings, parse.GetValue(explainTable) ?? [], stderr) + $"Memory budget: {FormatBytes(MemoryBudget.DefaultBytes)} (half of the memory available; run --memory-budget to change it)" + Environment.NewLine,
            });
            return 0;
        }));
        root.Subcommands.Add(explain);

        var sampleRows = new Option<long>("--rows") { Description = "Rows to generate in all.", DefaultValueFactory = _ => SampleDefaults.Rows };
        var sampleFiles = new Option<int>("--files") { Description = "Files to spread them over.", DefaultValueFactory = _ => SampleDefaults.Files };
        var sampleSeed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same data.", DefaultValueFactory = _ => SampleDefaults.Seed };
        var sampleOutput = new Option<string>("--output", "-o") { Description = "Folder to write the files to.", Required = true };
        var generate = new Command("generate-sample", "Write deterministic sample input data.") { sampleRows, sampleFiles, sampleSeed, sampleOutput };
        generate.SetAction(parse => Guard(stderr, () =>
        {
            IReadOnlyList<string> written = WriteSample(sample, parse.GetValue(sampleOutput)!, parse.GetValue(sampleRows), parse.GetValue(sampleFiles), parse.GetValue(sampleSeed));
            stdout.WriteLine($"Wrote {parse.GetValue(sampleRows).ToString("N0", CultureInfo.InvariantCulture)} rows in {written.Count} files to {Path.GetFullPath(parse.GetValue(sampleOutput)!)}");
            return 0;
        }));
        root.Subcommands.Add(generate);

        ParseResult parsed = root.Parse(args);
        // The run command handles SIGINT/SIGTERM itself (StopSignals); System.CommandLine's handler would end the
        // process after a timeout, possibly in the middle of cleaning up.
        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, ProcessTerminationTimeout = null });
    }

    // The configuration file's tables with --table NAME=PATH entries added over them.
    private static IReadOnlyDictionary<string, string>? TablesOption(PipelinePlan plan, PipelineConfig? settings, string[] given, out IReadOnlyList<string> problems)
    {
        var tables = new Dictionary<string, string>(settings?.Tables ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var found = new List<string>();
        foreach (string entry in given)
        {
            if (NameAndPath(entry) is not (string name, string path))
            {
                found.Add($"--table '{entry}' must be NAME=PATH, for example --table users=data/users.parquet.");
                continue;
            }
            if (!plan.Joins.Any(j => j.Table == name))
            {
                string joins = plan.Joins.Count == 0 ? $"pipeline '{plan.Name}' has no join stage" : $"its joins read {string.Join(", ", plan.Joins.Select(j => $"'{j.Table}'").Distinct())}";
                found.Add($"--table names '{name}', which no join stage reads: {joins}.");
                continue;
            }
            tables[name] = path;
        }
        problems = found;
        return found.Count > 0 ? null : tables;
    }

    // NAME=PATH of --table and --model, trimmed; null when either side is empty.
    private static (string Name, string Path)? NameAndPath(string entry)
    {
        int equals = entry.IndexOf('=', StringComparison.Ordinal);
        return equals <= 0 || equals == entry.Length - 1 ? null : (entry[..equals].Trim(), entry[(equals + 1)..].Trim());
    }

    // --partition-by names the columns of the single sink; "" means not partitioned. Problems are checked here, before
    // any input is read, with the same rules as the configuration file's 'partitionBy'.
    private static IReadOnlyDictionary<string, IReadOnlyList<string>>? PartitionByOption(PipelinePlan plan, string text, out IReadOnlyList<string> problems)
    {
        IReadOnlyList<string> columns = PipelineConfig.SplitColumns(text);
        SinkNode[] sinks = [.. plan.SinkNodes()];
        if (sinks.Length != 1)
        {
            problems = [$"--partition-by needs a pipeline with one sink, and pipeline '{plan.Name}' has {sinks.Length} ({string.Join(", ", sinks.Select(s => $"'{s.Name}'"))}). Give each sink its columns under 'partitionBy:' in the configuration file."];
            return null;
        }
        SinkNode sink = sinks[0];
        if (columns.Count == 0)
        {
            problems = [];
            return new Dictionary<string, IReadOnlyList<string>>();
        }
        problems = HivePartitioning.Problems(sink.Name, plan.Schemas[sink.OutputSchema], columns).Select(p => "--partition-by: " + p).ToArray();
        return problems.Count > 0 ? null : new Dictionary<string, IReadOnlyList<string>> { [sink.Name] = columns };
    }

    /// <summary>The exit code of <c>validate</c> when a rule whose action is Fail was broken.</summary>
    public const int FailRuleExitCode = 3;

    /// <summary>The configuration file name looked for when <c>--config</c> is not given.</summary>
    public const string ConfigFileName = "pipeline.yaml";

    // explain shows what a run would use; problems are reported on standard error and their values shown as not set,
    // so the plan prints even while the configuration is being written.
    // For each join whose table is known (tables: in the configuration, --table) and exists: the strategy a run would
    // take now, from the table's size, with its reason. A run decides again from the sizes it finds.
    private static string JoinStrategies(PipelinePlan plan, PipelineConfig? settings, string[] given, TextWriter stderr)
    {
        if (plan.Joins.Count == 0)
        {
            return "";
        }
        if (TablesOption(plan, settings, given, out IReadOnlyList<string> problems) is not { } tables)
        {
            foreach (string problem in problems)
            {
                stderr.WriteLine($"warning: {problem}");
            }
            return "";
        }
        long threshold = settings?.BroadcastThreshold ?? new ExecutionOptions().BroadcastThresholdBytes;
        var text = new System.Text.StringBuilder("Join strategies from the tables' sizes now (a run chooses again from the sizes it finds):").AppendLine();
        foreach (JoinPlan join in plan.Joins)
        {
            string choice = !tables.TryGetValue(join.Table, out string? path) ? $"table '{join.Table}' not given (--table {join.Table}=PATH or 'tables:')"
                : !File.Exists(path) && !Directory.Exists(path) ? $"table '{join.Table}' at '{path}' does not exist"
                : Barriers.Joins.JoinStrategy.Choose(Barriers.Joins.TableReader.SizeBytes(path), threshold, join.Table).Reason;
            text.Append("  ").Append(join.Stage).Append(": ").AppendLine(choice);
        }
        return text.ToString();
    }

    private static StageParameterValues ExplainParameters(PipelinePlan plan, string? configOption, string[] paramOption, TextWriter stderr, out PipelineConfig? settings)
    {
        settings = null;
        if (plan.ParameterTypes().Count == 0 && plan.Joins.Count == 0 && plan.RunTimeModelStages().Count == 0)
        {
            return StageParameterValues.Empty;
        }
        (IReadOnlyDictionary<string, object> overrides, IReadOnlyList<string> overrideProblems) = ParameterOverrides.Parse(paramOption, plan);
        foreach (string problem in overrideProblems)
        {
            stderr.WriteLine($"warning: {problem}");
        }
        var values = new StageParameterValues();
        if (FindConfig(configOption) is { } configPath)
        {
            (settings, IReadOnlyList<ConfigProblem> problems) = PipelineConfig.ReadAndCheck(configPath, plan, overrides.Keys.ToList());
            foreach (ConfigProblem problem in problems)
            {
                stderr.WriteLine(problem.ToString().Replace(": error ", ": warning ", StringComparison.Ordinal));
            }
            values = settings.ParameterValues(plan);
        }
        return ParameterOverrides.Apply(values, overrides);
    }

    private static string? FindConfig(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath) ? explicitPath : throw new FileNotFoundException($"The configuration file '{explicitPath}' given with --config does not exist.", explicitPath);
        }
        string[] candidates = [Path.Combine(Environment.CurrentDirectory, ConfigFileName), Path.Combine(AppContext.BaseDirectory, ConfigFileName)];
        return candidates.FirstOrDefault(File.Exists);
    }

    private static IReadOnlyList<string> WriteSample(SampleDataWriter sample, string directory, long rows, int files, int seed)
    {
        if (rows < 0 || files < 1)
        {
            throw new ArgumentException($"Sample data needs --rows >= 0 and --files >= 1 (got {rows} rows, {files} files).");
        }
        Directory.CreateDirectory(directory);
        foreach (string old in Directory.EnumerateFiles(directory, "*.parquet"))
        {
            File.Delete(old);
        }
        return sample(directory, rows, files, seed);
    }

    private static void PrintShard(TextWriter stdout, ShardResult result)
    {
        string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        if (result.UpToDate)
        {
            stdout.WriteLine($"Shard {result.Shard} of pipeline '{result.Pipeline}': already complete (attempt {result.CompleteAttempt}, {N(result.Rows)} rows staged at {result.Staging}) for the same input, code and settings; nothing to do.");
            return;
        }
        stdout.WriteLine($"Shard {result.Shard} of pipeline '{result.Pipeline}', attempt {result.Attempt}: computed {result.PartitionsComputed} of its {result.Partitions} partition(s), reused {result.PartitionsReused}, read {N(result.RowsRead)} rows in {result.Elapsed.TotalSeconds:0.00} s; {N(result.Rows)} rows staged at {result.Staging}.");
        stdout.WriteLine($"  nothing is published until 'commit --shards {result.Shard.Count}' runs with the same input and options.");
    }

    private static void PrintSummary(TextWriter stdout, TextWriter stderr, JobResult result)
    {
        string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        foreach (string warning in result.Warnings)
        {
            stderr.WriteLine($"warning: {warning}");
        }
        if (result.UpToDate)
        {
            stdout.WriteLine($"Pipeline '{result.Pipeline}': up to date, nothing to do: '{result.OutputDirectory}' already holds this run's output for the same {result.InputFiles} input file(s), code and settings (pass --force to recompute).");
            return;
        }
        stdout.WriteLine($"Pipeline '{result.Pipeline}': read {N(result.RowsRead)} rows from {result.InputFiles} file(s) in {result.Partitions} partition(s) in {result.Elapsed.TotalSeconds:0.00} s.");
        if (result.PartitionsReused > 0)
        {
            stdout.WriteLine($"  reused {N(result.PartitionsReused)} partition(s) whose input, code and settings are unchanged");
        }
        if (result.Fit is { } fitted)
        {
            stdout.WriteLine(fitted.Source switch
            {
                FitSource.Loaded => $"  loaded the fitted state {fitted.File} (sha256 {fitted.Hash}); no first pass",
                FitSource.Cached => $"  reused the fitted state of an earlier run on the same input and code (sha256 {fitted.Hash}); no first pass",
                _ => $"  first pass: fitted on {N(fitted.RowsRead)} rows in {fitted.Partitions} partition(s) in {fitted.Elapsed.TotalSeconds:0.00} s (sha256 {fitted.Hash})",
            });
        }
        if (result.FilesSkipped > 0)
        {
            stdout.WriteLine($"  skipped {N(result.FilesSkipped)} file(s) unopened, whose partition folder values rule out every row the filters keep");
        }
        if (result.RowGroupsSkipped > 0)
        {
            stdout.WriteLine($"  skipped {N(result.RowGroupsSkipped)} row group(s), {N(result.RowsSkipped)} rows, whose statistics rule out every row the filters keep");
        }
        foreach (SegmentStatistics segment in result.Segments)
        {
            stdout.WriteLine($"  segment {segment.Segment}: {N(segment.RowsIn)} rows in, {N(segment.RowsOut)} rows out, kernel time {segment.KernelTime.TotalMilliseconds:0} ms");
        }
        foreach (BarrierResult barrier in result.Barriers)
        {
            string buckets = barrier.Buckets > 0 ? $", {barrier.Buckets} buckets, {N(barrier.SpilledRows)} rows spilled ({barrier.SpilledBytes / 1048576.0:0.0} MiB)" : "";
            stdout.WriteLine($"  {barrier.Kind} {barrier.Stage}: {barrier.Strategy}{buckets}{(barrier.Reason is null ? "" : $" ({barrier.Reason})")}");
        }
        foreach (SinkResult sink in result.Sinks)
        {
            stdout.WriteLine($"Output of {sink.Segment}: {N(sink.Rows)} rows in {sink.Files.Count} file(s) at {sink.Directory}");
        }
        if (result.Validation is { } validation)
        {
            PrintValidation(stdout, validation);
        }
        RunProfile p = result.Profile;
        stdout.WriteLine($"Profile (task times summed): read+decode {p.ReadDecode.TotalSeconds:0.00} s, kernels {p.Kernels.TotalSeconds:0.00} s, encode+write {p.EncodeWrite.TotalSeconds:0.00} s, task commits {p.TaskCommits.TotalSeconds:0.00} s; job commit {p.JobCommit.TotalSeconds:0.00} s");
        stdout.WriteLine($"Memory: peak resident {FormatBytes(result.PeakRssBytes)}; tasks held at most {FormatBytes(result.MemoryBudgetPeak)} of the {FormatBytes(result.MemoryBudget)} budget.");
        // Whether this is the NativeAOT program (DslNativeAot, bundles) or one on the JIT: they differ in start-up and memory.
        stdout.WriteLine($"Program: {(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}, .NET {Environment.Version}");
        stdout.WriteLine($"Committed: {Path.Combine(result.OutputDirectory, LocalExecutor.SuccessMarker)}");
    }

    // What validate and profile run with: the configuration file (checked against the plan), --param values and the
    // input, read as run reads them. Null, after printing each problem, when one is missing or wrong.
    private static CheckSetup? PrepareCheck(CompiledPipeline pipeline, string command, string? config, string[]? parameters, string? input, int? parallelism, string[]? models, TextWriter stderr)
    {
        PipelinePlan plan = pipeline.Plan;
        (IReadOnlyDictionary<string, object> overrides, IReadOnlyList<string> overrideProblems) = ParameterOverrides.Parse(parameters ?? [], plan);
        PipelineConfig? settings = null;
        IReadOnlyList<ConfigProblem> problems = [];
        if (FindConfig(config) is { } configPath)
        {
            (settings, problems) = PipelineConfig.ReadAndCheck(configPath, plan, overrides.Keys.ToList(), useFitted: command != "fit");
        }
        foreach (string problem in overrideProblems)
        {
            stderr.WriteLine($"error: {problem}");
        }
        foreach (ConfigProblem problem in problems)
        {
            stderr.WriteLine(problem);
        }
        if (overrideProblems.Count > 0 || problems.Count > 0)
        {
            return null;
        }
        string? inputPath = input ?? settings?.Input;
        if (inputPath is null)
        {
            stderr.WriteLine($"error: {command} needs an input: pass --input or set 'input' in the configuration file.");
            return null;
        }
        // fit computes the state that 'fitted:' may name: it never loads one.
        string? fittedPath = command != "fit" && settings?.Fitted is { } fittedFile ? Path.GetFullPath(fittedFile) : null;
        if (ModelsOption(plan, settings, models ?? [], stderr) is not { } modelFiles)
        {
            return null;
        }
        CompiledPipeline bound = Given(pipeline, ParameterOverrides.Apply(settings?.ParameterValues(plan) ?? new StageParameterValues(), overrides), fittedPath, modelFiles);
        var defaults = new ExecutionOptions();
        var options = new ExecutionOptions
        {
            MaxParallelism = parallelism ?? settings?.Parallelism ?? defaults.MaxParallelism,
            TargetPartitionRows = settings?.TargetPartitionRows ?? defaults.TargetPartitionRows,
            TargetPartitionBytes = settings?.TargetPartitionBytes ?? defaults.TargetPartitionBytes,
            MaxRecordBytes = settings?.MaxRecordBytes ?? defaults.MaxRecordBytes,
            MemoryBudget = settings?.MemoryBudget ?? defaults.MemoryBudget,
            Gates = settings?.Gates(plan) ?? [],
            Drift = DriftOf(settings),
            Fitted = fittedPath,
        };
        return new CheckSetup(bound, inputPath, options);
    }

    // A Dask task's arguments: this run's own, without the engine's options and the command, with the input and the
    // output as absolute paths (a sample generated here, or the configuration's, is then what every task reads).
    private static List<string> DaskTaskArguments(string[] args, string inputPath, string outputPath)
    {
        string[] engineOptions = ["--engine", "--scheduler", "--tasks", "--task-attempts", "--worker-timeout", "--input", "-i", "--output", "-o"];
        string[] pathOptions = ["--config", "-c", "--fitted"];
        string[] namedPathOptions = ["--table", "--model"];
        var kept = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string token = args[i];
            if (i == Array.IndexOf(args, "run"))
            {
                continue;
            }
            if (engineOptions.Contains(token))
            {
                i++; // and its value
                continue;
            }
            // Paths as absolute ones, so a task finds them whatever its folder.
            if (pathOptions.Contains(token) && i + 1 < args.Length)
            {
                kept.AddRange([token, Path.GetFullPath(args[++i])]);
                continue;
            }
            if (namedPathOptions.Contains(token) && i + 1 < args.Length && args[i + 1].IndexOf('=') is int eq and > 0)
            {
                string entry = args[++i];
                kept.AddRange([token, entry[..(eq + 1)] + Path.GetFullPath(entry[(eq + 1)..])]);
                continue;
            }
            if (engineOptions.Any(o => token.StartsWith(o + "=", StringComparison.Ordinal) || token.StartsWith(o + ":", StringComparison.Ordinal)))
            {
                continue;
            }
            kept.Add(token);
        }
        kept.AddRange(["--input", Path.GetFullPath(inputPath), "--output", Path.GetFullPath(outputPath)]);
        return kept;
    }

    // Which segments a device run puts on the device, and why the others stay on SIMD.
    private static string DeviceLine(CompiledPipeline bound)
    {
        PipelinePlan plan = bound.Plan;
        var on = new List<string>();
        var off = new List<string>();
        foreach (DeviceSegmentPlan segment in bound.Devices!.Segments)
        {
            string name = plan.Segments[segment.Segment].Name;
            bool runs = segment.NotOnDevice is null && (bound.Device == "cpu-emulator" || (segment.Preferred && segment.InexactOnCuda is null));
            if (runs)
            {
                on.Add(name);
            }
            else
            {
                off.Add($"{name} ({segment.NotOnDevice ?? (segment.InexactOnCuda is { } inexact ? "CUDA may not be exact: " + inexact : "the cost estimate prefers SIMD")})");
            }
        }
        return $"Device {bound.Device}: {(on.Count == 0 ? "no segment" : "segment " + string.Join(", ", on))} on the device; {(off.Count == 0 ? "none" : string.Join("; ", off))} on SIMD.";
    }

    // The given values bound where they are all there is; held unbound while fitted values are still to come (the
    // first pass's, or a fitted-state file's), for the executor to add.
    private static CompiledPipeline Given(CompiledPipeline pipeline, StageParameterValues parameters, string? fittedPath, IReadOnlyDictionary<string, ModelSource> models)
    {
        if (models.Count > 0)
        {
            // Loaded once for the whole command; Guard disposes them when it ends.
            parameters = ModelCatalog.Load(pipeline, models, parameters);
            (s_loaded ??= []).AddRange(parameters.Models.Select(m => m.Scorer));
        }
        return pipeline.Plan.Fits.Count > 0 || fittedPath is not null ? pipeline.WithGivenParameters(parameters) : pipeline.WithParameters(parameters);
    }

    // The models the current command loaded (a command runs on the thread that parses it).
    [ThreadStatic]
    private static List<IBatchScorer>? s_loaded;

    private static Option<string[]> ModelOption() => new("--model")
    {
        Description = "The file of a model a score stage takes at run time ([Score(ModelName = ...)]): NAME=PATH, an XGBoost .json, LightGBM .txt, or a format a referenced package reads (Dsl.Onnx: .onnx; Dsl.Torch: .pt); repeat for several. Adds to or replaces the configuration file's 'models'.",
        HelpName = "NAME=PATH",
        AllowMultipleArgumentsPerToken = false,
    };

    // The configuration file's models with --model NAME=PATH entries added over them; every run-time model needs one
    // for a command that runs kernels (explain shows the ones given).
    private static IReadOnlyDictionary<string, ModelSource>? ModelsOption(PipelinePlan plan, PipelineConfig? settings, string[] given, TextWriter stderr, bool requireAll = true)
    {
        var models = new Dictionary<string, ModelSource>(settings?.Models ?? new Dictionary<string, ModelSource>(), StringComparer.Ordinal);
        string[] names = plan.RunTimeModelStages().Select(s => s.Model!.RunTimeName!).Distinct(StringComparer.Ordinal).ToArray();
        var problems = new List<string>();
        foreach (string entry in given)
        {
            if (NameAndPath(entry) is not (string name, string file))
            {
                problems.Add($"--model '{entry}' must be NAME=PATH, for example --model fraud=models/fraud.onnx.");
                continue;
            }
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                string takes = names.Length == 0 ? $"no score stage of pipeline '{plan.Name}' takes a model at run time" : $"its score stages take {string.Join(", ", names.Select(n => $"'{n}'"))}";
                problems.Add($"--model names '{name}', which no score stage takes: {takes}.");
                continue;
            }
            // A new file keeps the configuration's batchRows and concurrency for the model.
            models[name] = models.TryGetValue(name, out ModelSource? configured) ? configured with { Path = file } : new ModelSource(file);
        }
        foreach (string missing in names.Where(n => requireAll && !models.ContainsKey(n)))
        {
            problems.Add($"score stage {string.Join(", ", plan.RunTimeModelStages().Where(s => s.Model!.RunTimeName == missing).Select(s => $"'{s.Name}'"))} takes model '{missing}' at run time: pass --model {missing}=PATH or add it under 'models:' in the configuration file.");
        }
        foreach (string problem in problems)
        {
            stderr.WriteLine($"error: {problem}");
        }
        return problems.Count > 0 ? null : models;
    }

    private sealed record CheckSetup(CompiledPipeline Pipeline, string Input, ExecutionOptions Options);

    private static DriftOptions? DriftOf(PipelineConfig? settings) =>
        settings?.Drift is { } d ? new DriftOptions(d.Reference, d.MaxPsi, d.MaxKs, d.MinPValue, d.Columns, d.Severity) : null;

    // The rules, then the gates and the drift check, each as a table.
    private static void PrintValidation(TextWriter stdout, ValidationReport report)
    {
        PrintRules(stdout, report);
        if (report.GateResults.Count > 0)
        {
            stdout.WriteLine("Gates:");
            stdout.Write(ConsoleTables.Gates(report.GateResults));
        }
        if (report.DriftResults.Count > 0)
        {
            stdout.WriteLine("Drift:");
            stdout.Write(ConsoleTables.Drift(report.DriftResults));
        }
    }

    // One line per rule: id, action, broken rows and their share of the input rows; then the quarantine outputs.
    private static void PrintRules(TextWriter stdout, ValidationReport report)
    {
        if (report.Rules.Count == 0)
        {
            return;
        }
        string[][] rows =
        [
            ["rule", "action", "broken rows", "% of input"],
            .. report.Rules.Select(r => new[]
            {
                r.Rule.Id,
                r.Rule.Action.ToString(),
                (r.Rule.Kind == RuleKind.Unique ? r.DuplicateKeys : r.Broken).ToString("N0", CultureInfo.InvariantCulture),
                (100 * (r.Rule.Kind == RuleKind.Unique ? r.DuplicateKeys : r.Broken) / (double)Math.Max(1, report.InputRows)).ToString("0.###", CultureInfo.InvariantCulture),
            }),
        ];
        int[] widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        stdout.WriteLine("Rules:");
        foreach (string[] row in rows)
        {
            stdout.WriteLine($"  {row[0].PadRight(widths[0])}  {row[1].PadRight(widths[1])}  {row[2].PadLeft(widths[2])}  {row[3].PadLeft(widths[3])}");
        }
        foreach (QuarantineResult q in report.Quarantine.Where(q => q.Rows > 0))
        {
            stdout.WriteLine($"Quarantine of {q.Schema}: {q.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows in {q.Files} file(s) at {q.Folder}");
        }
    }

    // Every failure ends in one line. Expected ones (bad input, bad data, a failing stage, storage errors) print their
    // message; anything else also names its type. DSL_DEBUG=1 adds the stack trace to either, for a bug report.
    private static int Guard(TextWriter stderr, Func<int> action)
    {
        try
        {
            return GuardErrors(stderr, action);
        }
        finally
        {
            foreach (IBatchScorer scorer in s_loaded ?? [])
            {
                scorer.Dispose();
            }
            s_loaded = null;
        }
    }

    private static int GuardErrors(TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is PipelineExecutionException or ParquetFormatException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {OneLine(e.Message)}");
            PrintStackTraceIfAsked(stderr, e);
            return 1;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("Cancelled: nothing was published; the previous output, if any, is unchanged.");
            return 130;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: unexpected {e.GetType().Name}: {OneLine(e.Message)} (this is a bug in Dsl or in a stage; set DSL_DEBUG=1 to print the stack trace)");
            PrintStackTraceIfAsked(stderr, e);
            return 1;
        }
    }

    private static void PrintStackTraceIfAsked(TextWriter stderr, Exception e)
    {
        if (Environment.GetEnvironmentVariable("DSL_DEBUG") == "1")
        {
            stderr.WriteLine(e);
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Parses a size such as <c>512MB</c>, <c>2GiB</c> or <c>1000000</c> (bytes); units are powers of 1024.</summary>
    internal static long ParseBytes(string text, string option = "--memory-budget")
    {
        string t = text.Trim();
        int split = t.Length;
        while (split > 0 && !char.IsDigit(t[split - 1]))
        {
            split--;
        }
        long unit = t[split..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => throw new ArgumentException($"{option} '{text}' is not a size: write a number with an optional unit B, KB, MB, GB or TB (powers of 1024), e.g. 512MB."),
        };
        if (!double.TryParse(t[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || number <= 0 || number * unit < 1 << 20 || number * unit > long.MaxValue)
        {
            throw new ArgumentException($"{option} '{text}' must be at least 1MB.");
        }
        return (long)(number * unit);
    }

    internal static string FormatBytes(long bytes) => bytes >= 1L << 30
        ? $"{bytes / (double)(1L << 30):0.0} GiB"
        : $"{bytes / (double)(1L << 20):0} MiB";

    /// <summary>
    /// SIGINT and SIGTERM during a run: the first cancels it (the executor stops scheduling, cancels running tasks,
    /// removes its staging and keeps the previous output; the process then exits 130 or 143); a second one exits at
    /// once, which is still safe because the output is only ever replaced by one atomic swap.
    /// </summary>
    private sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly PosixSignalRegistration[] _registrations;
        private readonly TextWriter _stderr;
        private int _exitCode;

        public StopSignals(TextWriter stderr)
        {
            _stderr = stderr;
            _registrations =
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, 130)),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, 143)),
            ];
        }

        public CancellationToken Token => _cancel.Token;

        public int? ExitCode => _exitCode == 0 ? null : _exitCode;

        private void OnSignal(PosixSignalContext context, int exitCode)
        {
            context.Cancel = true; // the run decides when the process ends
            if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) != 0)
            {
                _stderr.WriteLine("Second stop signal: exiting now. The output folder holds the previous output or, if the swap was already done, this run's complete output, never a mix; the next run removes this run's staging.");
                _stderr.Flush();
                Environment.Exit(exitCode);
            }
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run already ended and is disposing the handlers.
            }
        }

        public void Dispose()
        {
            foreach (PosixSignalRegistration registration in _registrations)
            {
                registration.Dispose();
            }
            _cancel.Dispose();
        }
    }

    private static class SampleDefaults
    {
        public const long Rows = 1_000_000;
        public const int Files = 4;
        public const int Seed = 42;
    }
}
