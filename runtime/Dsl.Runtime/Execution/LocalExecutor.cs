using System.Diagnostics;
using Dsl.Execution.Commit;
using Dsl.Execution.Flow;
using Dsl.Execution.Inputs;
using Dsl.Fitting;
using Dsl.Parquet;
using Dsl.Validation;

namespace Dsl.Execution;

/// <summary>
/// Runs a <see cref="CompiledPipeline"/> on this machine. Partitions run in parallel up to the core count; each
/// attempt writes into a hidden work folder beside the output and commits by an atomic rename; the job publishes
/// every part, the manifest and <c>_SUCCESS</c> with one atomic folder swap, so a reader of the output sees the whole
/// previous output or the whole new one, never a mix and never a partial file. One run at a time may write an output
/// (a second fails at once). A rerun reuses partitions whose input, code and settings are unchanged, and does no work
/// at all when nothing changed. The protocol and its invariants are in docs/commit-protocol.md.
/// </summary>
public sealed partial class LocalExecutor
{
    /// <summary>The marker file written last; readers should ignore an output folder without it.</summary>
    public const string SuccessMarker = "_SUCCESS";

    /// <summary>The run manifest, written just before <see cref="SuccessMarker"/>.</summary>
    public const string ManifestFile = "_manifest.json";

    private readonly ExecutionOptions _options;

    /// <summary>Creates an executor.</summary>
    public LocalExecutor(ExecutionOptions? options = null)
    {
        _options = options ?? new ExecutionOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxParallelism, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxAttempts, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxRowsPerFile, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxBytesPerFile, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxOpenFiles, 1, nameof(options));
    }

    /// <summary>
    /// Runs <paramref name="pipeline"/> over <paramref name="input"/> (a Parquet, CSV or JSON Lines file, or a folder of
    /// them, see docs/inputs.md) into <paramref name="output"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled before the output was swapped in: nothing was published, the
    /// previous output is unchanged, and this run's staging is removed (committed tasks stay for the next run to reuse).
    /// </exception>
    public JobResult Run(CompiledPipeline pipeline, string input, string output, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (!FitPass.Applies(pipeline.Plan, _options))
        {
            return Run(pipeline, input, output, null, null, clock, cancellationToken);
        }
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        CheckOutputNotInsideInput(Path.GetFullPath(input), full);
        // The first pass runs under the output's lock: the output's work folder caches its state for reruns.
        using OutputCommitter committer = OutputCommitter.Open(full, _options.Faults);
        FitOutcome fit = FitPass.Resolve(pipeline, input, _options, committer.Work, cancellationToken);
        return Run(fit.Pipeline, input, full, committer, fit, clock, cancellationToken);
    }

    /// <summary>
    /// Runs only the first pass of <paramref name="pipeline"/> (a plan with fit stages) over <paramref name="input"/>
    /// and returns the fitted state, touching no output (the <c>fit</c> command saves it with
    /// <see cref="FittedState.Save"/>, for later runs to load through <see cref="ExecutionOptions.Fitted"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The plan has no fit stages, or values were given for a type a fit computes.</exception>
    public FittedState Fit(CompiledPipeline pipeline, string input, CancellationToken cancellationToken = default) =>
        FitPass.Fit(pipeline, input, _options, null, cancellationToken).State;

    // The second pass (the only one without fits): committer and fit are set when a first pass ran under the lock.
    private JobResult Run(CompiledPipeline pipeline, string input, string output, OutputCommitter? held, FitOutcome? fit, Stopwatch clock, CancellationToken cancellationToken)
    {
        using JobSetup setup = Prepare(pipeline, input, output, fit, cancellationToken);
        pipeline = setup.Pipeline;
        output = setup.Output;
        (PipelinePlan plan, DatasetChecks checks, List<string> ignored, IReadOnlyList<InputFile> files, List<Partition> partitions, int filesSkipped) = (setup.Plan, setup.Checks, setup.Ignored, setup.Files, setup.Partitions, setup.FilesSkipped);
        (string[] readColumns, RowGroupPruner pruner, SinkNode[] sinks, ValidationLayout validation, BarrierSetup barriers) = (setup.ReadColumns, setup.Pruner, setup.Sinks, setup.Validation, setup.Barriers);
        (string[] sinkFolders, ParquetWriteOptions write, SinkLayout[] layouts, long[] firstRows, string[] keys, int[] waveOf) = (setup.SinkFolders, setup.Write, setup.Layouts, setup.FirstRows, setup.Keys, setup.WaveOf);
        (int inputPartitions, string jobFingerprint, bool keepsState) = (setup.InputPartitions, setup.JobFingerprint, setup.KeepsState);

        using Activity? job = ExecutionTelemetry.Source.StartActivity("dsl.job");
        job?.SetTag("dsl.pipeline", plan.Name);
        job?.SetTag("dsl.output", output);
        job?.SetTag("dsl.partitions", partitions.Count);
        OutputCommitter committer = held ?? OutputCommitter.Open(output, _options.Faults);
        using OutputCommitter? owned = held is null ? committer : null;
        File.Delete(Path.Combine(committer.Work, RejectedReport)); // an earlier run's refusal no longer applies
        PreviousOutput? previous = _options.Force ? null : PreviousOutput.Read(output, sinkFolders.Length, plan.Rules.Count);
        if (UpToDate(setup, previous, fit, clock) is { } upToDate)
        {
            // A dead run may have swapped this output in and died before removing its committed tasks.
            committer.KeepOnlyTasks(new HashSet<string>());
            return upToDate;
        }
        committer.KeepOnlyTasks(_options.Force ? new HashSet<string>() : keys.ToHashSet(StringComparer.Ordinal));

        // Reuse what is already done: parts of the previous output, then tasks a dead run committed.
        var outputs = new TaskOutput?[partitions.Count];
        for (int i = 0; i < partitions.Count; i++)
        {
            // A task whose rows feed a cut is reused only with its spill files, which the committed tasks of a run that
            // died keep and a published output does not.
            TaskOutput? inPrevious = barriers.FeedsCut(waveOf[i]) ? null : previous?.Task(keys[i]);
            outputs[i] = _options.Force ? null : inPrevious ?? committer.CommittedTask(keys[i], plan.Rules.Count);
            if (outputs[i] is { } reused && !HasState(reused, keepsState, checks))
            {
                outputs[i] = null; // its rule counts or statistics are unknown: computed again, so the report stays exact
            }
        }
        int[] toRun = Enumerable.Range(0, partitions.Count).Where(i => outputs[i] is null).ToArray();
        job?.SetTag("dsl.partitions_reused", partitions.Count - toRun.Length);
        int done = partitions.Count - toRun.Length;
        long rowsDone = 0;
        long bytesDone = 0;
        long rowsToRead = toRun.Sum(i => partitions[i].Rows);
        long bytesToRead = toRun.Sum(i => partitions[i].Bytes);
        _options.Progress?.Report(new RunProgress(done, partitions.Count, 0, rowsToRead, clock.Elapsed, 0, bytesToRead));

        var stats = new SegmentCounters(plan.Segments.Count);
        var budget = new MemoryBudget(_options.MemoryBudget);
        FlowRun flow = barriers.Flow(budget, _options.Faults);
        // Wave by wave: a cut's buckets are read once every task feeding it has committed its spill files.
        for (int wave = 0; wave <= barriers.Waves; wave++)
        {
            if (wave > 0)
            {
                barriers.BeginWave(wave, partitions, outputs!, cancellationToken);
            }
            int[] inWave = toRun.Where(i => waveOf[i] == wave).ToArray();
            AttemptResult[] computed = AttemptScheduler.Run(
                inWave.Length,
                _options.MaxParallelism,
                _options.Speculation,
                (item, attempt, token) => RunWithRetries(pipeline, partitions[inWave[item]], keys[inWave[item]], attempt, readColumns, sinks, layouts, write, committer, pruner, budget, validation, firstRows.ElementAtOrDefault(inWave[item]), flow, token),
                (item, accepted) =>
                {
                    // Only the accepted attempt of a partition counts: a twin's or a retry's rows are not added twice.
                    stats.Add(accepted.Stats);
                    Partition partition = partitions[inWave[item]];
                    _options.Progress?.Report(new RunProgress(++done, partitions.Count, rowsDone += partition.Rows, rowsToRead, clock.Elapsed, bytesDone += partition.Bytes, bytesToRead));
                },
                cancellationToken);
            for (int j = 0; j < inWave.Length; j++)
            {
                outputs[inWave[j]] = computed[j].Output;
            }
        }

        return Publish(setup, outputs, toRun, stats, budget, committer, fit, clock, cancellationToken);
    }

    // The result of a job whose output is already published and intact: the same fingerprint, every task there.
    private JobResult? UpToDate(JobSetup setup, PreviousOutput? previous, FitOutcome? fit, Stopwatch clock)
    {
        if (previous is not null && previous.Fingerprint == setup.JobFingerprint && previous.IsIntact(setup.Output)
            && setup.Keys.Select(previous.Task).ToArray() is var kept && kept.All(t => t is not null && HasState(t, setup.KeepsState, setup.Checks)))
        {
            return UpToDateResult(setup.Plan, setup.Output, setup.Files.Count, setup.InputPartitions, previous, clock.Elapsed) with
            {
                Warnings = InputWarnings(setup.Ignored),
                FilesSkipped = setup.FilesSkipped,
                Validation = setup.KeepsState ? Evaluate(setup.Plan, setup.Checks, setup.Validation, kept!) : null,
                Fit = fit?.Summary,
            };
        }
        return null;
    }

    // The job commit of a run or of a shard commit: every task's parts, the report and its gates, the manifest, the swap.
    private JobResult Publish(JobSetup setup, TaskOutput?[] outputs, int[] toRun, SegmentCounters stats, MemoryBudget budget, OutputCommitter committer, FitOutcome? fit, Stopwatch clock, CancellationToken cancellationToken)
    {
        (CompiledPipeline pipeline, PipelinePlan plan, string output, DatasetChecks checks, List<string> ignored, IReadOnlyList<InputFile> files) = (setup.Pipeline, setup.Plan, setup.Output, setup.Checks, setup.Ignored, setup.Files);
        (List<Partition> partitions, int filesSkipped, SinkNode[] sinks, ValidationLayout validation, BarrierSetup barriers, string[] sinkFolders) = (setup.Partitions, setup.FilesSkipped, setup.Sinks, setup.Validation, setup.Barriers, setup.SinkFolders);
        (SinkLayout[] layouts, string[] keys, int inputPartitions, string jobFingerprint, bool keepsState) = (setup.Layouts, setup.Keys, setup.InputPartitions, setup.JobFingerprint, setup.KeepsState);
        Dictionary<string, FileFingerprint> fingerprints = setup.Fingerprints;
        var published = new List<(string Folder, IReadOnlyList<(string Name, PartFile Source)> Parts)>();
        var sinkResults = new List<SinkResult>();
        for (int s = 0; s < sinkFolders.Length; s++)
        {
            int sink = s;
            var parts = partitions
                .SelectMany(p => outputs[p.Index]!.Parts.Where(part => part.Sink == sink).Select(part => (Name: part.RelativePath(p.Index), Source: part)))
                .ToArray();
            if (s >= sinks.Length && parts.Length == 0)
            {
                continue; // a quarantine that no row reached has no folder
            }
            published.Add((sinkFolders[s], parts));
            string dir = Path.Combine(output, sinkFolders[s]);
            if (s < sinks.Length)
            {
                sinkResults.Add(new SinkResult(sinks[s].Name, dir, parts.Sum(p => p.Source.Rows), parts.Select(p => Path.Combine(dir, p.Name)).ToArray()));
            }
        }
        ValidationReport? report = keepsState ? Evaluate(plan, checks, validation, outputs!) : null;
        if (report?.CommitBlockers is { Count: > 0 } blockers)
        {
            // Nothing is published: the previous output stays whole. The report goes where the message says.
            string rejected = Path.Combine(committer.Work, RejectedReport);
            DurableFile.WriteAll(rejected, report.ToJson(), _options.Faults);
            throw new PipelineExecutionException($"{string.Join(Environment.NewLine, blockers)}{Environment.NewLine}Nothing was committed: the previous output of '{output}', if any, is unchanged. The full report is '{rejected}'.");
        }
        var result = new JobResult(
            plan.Name,
            output,
            files.Count,
            inputPartitions,
            toRun.Where(i => i < inputPartitions).Sum(i => partitions[i].Rows) - stats.RowsSkipped,
            stats.RowGroupsSkipped,
            stats.RowsSkipped,
            sinkResults,
            stats.ToStatistics(plan),
            clock.Elapsed)
        {
            PartitionsReused = inputPartitions - toRun.Count(i => i < inputPartitions),
            BucketTasks = partitions.Count - inputPartitions,
            BucketTasksReused = partitions.Count - inputPartitions - toRun.Count(i => i >= inputPartitions),
            FilesSkipped = filesSkipped,
            MemoryBudget = budget.Bytes,
            MemoryBudgetPeak = budget.PeakInUse,
            PeakOpenFiles = stats.PeakOpenFiles,
            PeakWriterBytes = stats.PeakWriterBytes,
            Validation = report,
            Fit = fit?.Summary,
            Barriers = barriers.Report(partitions, outputs!),
        };
        long publishing = Stopwatch.GetTimestamp();
        using Activity? commit = ExecutionTelemetry.Source.StartActivity("dsl.commit");
        var manifest = new RunManifest(plan, pipeline.Parameters, jobFingerprint, fingerprints.Values.ToArray(), partitions, keys, toRun, sinkFolders, layouts, outputs!, _options, validation) { Fit = fit?.Summary };
        IReadOnlyList<string> warnings = committer.Publish(
            published,
            () => manifest.ToJson(result with { Elapsed = clock.Elapsed, PeakRssBytes = ProcessMemory.PeakRssBytes(), Profile = stats.ToProfile(Stopwatch.GetElapsedTime(publishing)) }),
            cancellationToken,
            report is null ? null : report.ToJson,
            fit is null ? null : fit.State.ToJson);
        return result with { Elapsed = clock.Elapsed, Warnings = [.. InputWarnings(ignored), .. report?.Warnings ?? [], .. warnings], PeakRssBytes = ProcessMemory.PeakRssBytes(), Profile = stats.ToProfile(Stopwatch.GetElapsedTime(publishing)) };
    }

    // What a run, a shard run and a shard commit plan alike: the bound plan, the partitions, their task keys and the
    // job's fingerprint, so that all three agree on every key.
    private JobSetup Prepare(CompiledPipeline pipeline, string input, string output, FitOutcome? fit, CancellationToken cancellationToken)
    {
        DatasetChecks checks = DatasetChecks.For(pipeline.Plan, _options.Gates, _options.Drift, profile: false);
        pipeline = pipeline.WithPlan(checks.WithKeyRules(pipeline.Plan));
        PipelinePlan plan = pipeline.Plan;
        if (!pipeline.IsBound)
        {
            throw new ArgumentException(pipeline.UnboundMessage() + " (The command line reads them from pipeline.yaml, --param and --model.)", nameof(pipeline));
        }
        output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        CheckOutputNotInsideInput(Path.GetFullPath(input), output);

        var ignored = new List<string>();
        IReadOnlyList<InputFile> files = InputPlanner.ListFiles(input, ignored);
        string[] readColumns = plan.Segments.Where(s => s.ReadsInput && !s.FitOnly).SelectMany(s => s.ReadColumns).Concat(checks.InputColumns(plan)).Concat(BarrierSetup.InputColumns(plan)).Distinct(StringComparer.Ordinal).ToArray();
        var fingerprints = new Dictionary<string, FileFingerprint>(StringComparer.Ordinal);
        var pruner = new RowGroupPruner(plan);
        (List<Partition> partitions, int filesSkipped) = InputPlanner.Plan(plan, files, readColumns, _options, pruner, fingerprints);
        // Files skipped by their folder values hold rows the filters would drop: the input is not empty then.
        if (!_options.AllowEmptyInput && filesSkipped == 0 && partitions.Sum(p => p.Rows) == 0)
        {
            throw new PipelineExecutionException($"The input '{input}' ({files.Count} file(s)) holds no rows, so the run would replace '{output}' with an empty output. If an empty input is expected, pass --allow-empty.");
        }

        SinkNode[] sinks = [.. plan.SinkNodes()];
        ValidationLayout validation = ValidationLayout.For(plan, sinks.Length) with { Checks = checks };
        ValidationLayout.CheckColumns(plan, readColumns);
        ValidationLayout.CheckInputRulesRunOnce(plan);
        // Aggregates and joins: the tables read, each join's strategy, the waves and their bucket tasks.
        BarrierSetup barriers = BarrierSetup.Prepare(plan, _options, partitions.Sum(p => p.Bytes), OutputCommitter.WorkFolderOf(output), cancellationToken);
        try
        {
            // Quarantine outputs and unique rules' key hashes are committed as outputs numbered after the sinks.
            string[] sinkFolders = [.. SinkFolders(sinks), .. Enumerable.Range(sinks.Length, validation.Count).Select(validation.Folder)];
            ParquetWriteOptions write = _options.Write.WithRowGroupBytes(WriterRowGroupBytes(_options, sinks.Length));
            SinkLayout[] layouts = Layouts(plan, sinks, write);
            // The rules and their actions decide which rows each output holds: a change recomputes every partition.
            string rules = string.Join(";", plan.Rules.Select(r => $"{r.Id}|{r.Kind}|{r.Action}|{r.Stage}|{r.Segment}|{r.Description}|{r.AcrossDataset}"));
            // So do the statistics the gates gather; the gates' bounds only decide whether the job commits.
            string run = Fingerprints.Run(Fingerprints.Code(pipeline), PlanJson.ToJson(plan, pipeline.Parameters) + rules + "|" + checks.Fingerprint + barriers.Fingerprint, WriteSettings(write) + LayoutSettings(layouts), sinkFolders);
            long[] firstRows = FirstRowsInFile(partitions);
            int inputPartitions = partitions.Count;
            List<string> keyList = partitions.Select(p => Fingerprints.Task(run, fingerprints[p.File], p)).ToList();
            // Each cut's buckets are tasks too, numbered after the input's partitions; a bucket's key covers every task
            // whose rows reach it, so it is reused exactly when they all are.
            barriers.AddBucketTasks(partitions, keyList);
            string[] keys = [.. keyList];
            int[] waveOf = partitions.Select(p => p.Bucket?.Wave ?? 0).ToArray();
            // The fitted state is in the output (_fitted.json): a state with equal values but other answers is a change.
            IEnumerable<string> jobParts = keys.Prepend(run).Append(GateSettings(checks));
            string jobFingerprint = Fingerprints.Job(fit is null ? jobParts : jobParts.Append("fitted:" + fit.State.Hash));
            bool keepsState = plan.Rules.Count > 0 || checks.Gathers; // tasks carry rule counts or statistics
            return new JobSetup
            {
                Pipeline = pipeline,
                Plan = plan,
                Output = output,
                Checks = checks,
                Ignored = ignored,
                Files = files,
                ReadColumns = readColumns,
                Fingerprints = fingerprints,
                Pruner = pruner,
                Partitions = partitions,
                FilesSkipped = filesSkipped,
                Sinks = sinks,
                Validation = validation,
                Barriers = barriers,
                SinkFolders = sinkFolders,
                Write = write,
                Layouts = layouts,
                FirstRows = firstRows,
                InputPartitions = inputPartitions,
                Keys = keys,
                WaveOf = waveOf,
                JobFingerprint = jobFingerprint,
                KeepsState = keepsState,
            };
        }
        catch
        {
            barriers.Dispose();
            throw;
        }
    }

    /// <summary>The report of a run whose gates refused the commit, in the output's work folder (removed by the next run).</summary>
    internal const string RejectedReport = "rejected-validation.json";

    // Rule counts, then gates and drift on the partitions' merged statistics.
    private static ValidationReport Evaluate(PipelinePlan plan, DatasetChecks checks, ValidationLayout layout, IReadOnlyList<TaskOutput> tasks)
    {
        ValidationReport report = ValidationSummary.Build(plan, layout, tasks);
        Validation.Statistics.StatisticsSet? merged = checks.NewStatistics(plan);
        foreach (TaskOutput task in tasks)
        {
            merged?.Merge(task.Validation!.Statistics!);
        }
        return checks.Evaluate(plan, report, merged, DateTime.UtcNow);
    }

    // Whether a reused task carries what this run's report needs.
    private static bool HasState(TaskOutput task, bool keepsState, DatasetChecks checks) =>
        !keepsState || (task.Validation is not null && (!checks.Gathers || task.Validation.Statistics is not null));

    // The gates and drift thresholds decide whether a job commits, not what a task writes: in the job's fingerprint only.
    private static string GateSettings(DatasetChecks checks) =>
        string.Join(";", checks.Gates.Select(g => $"{g.Id}|{g.Metric}|{g.Schema}|{string.Join(',', g.Columns)}|{g.Min}|{g.Max}|{g.Severity}|{g.Rule}"))
        + (checks.Drift is { } d ? $"|drift:{Path.GetFullPath(d.ReferenceProfile)}|{(File.Exists(d.ReferenceProfile) ? File.GetLastWriteTimeUtc(d.ReferenceProfile).Ticks : 0)}|{d.MaxPsi}|{d.MaxKs}|{d.MinPValue}|{string.Join(',', d.Columns)}|{d.Severity}" : "");

    /// <summary>
    /// Runs <paramref name="pipeline"/>'s row rules over <paramref name="input"/> without writing any output or
    /// quarantine and without touching any output folder (the <c>validate</c> command): every partition's kernels
    /// run, broken rows are counted and sampled, and a broken <see cref="RuleAction.Fail"/> rule is counted instead of
    /// stopping, so the report shows them all. Unique rules' key hashes go to a temporary folder, removed at the end.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="input">Its input.</param>
    /// <param name="profile">Whether to profile every input column (the <c>profile</c> command): the report's profile.</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    public ValidationReport Validate(CompiledPipeline pipeline, string input, bool profile = false, CancellationToken cancellationToken = default)
    {
        if (FitPass.Applies(pipeline.Plan, _options))
        {
            // The checks run on the rows a run would write, so the second pass needs the fitted values.
            pipeline = FitPass.Resolve(pipeline, input, _options, workFolder: null, cancellationToken).Pipeline;
        }
        DatasetChecks checks = DatasetChecks.For(pipeline.Plan, _options.Gates, _options.Drift, profile);
        pipeline = pipeline.WithPlan(checks.WithKeyRules(pipeline.Plan));
        PipelinePlan plan = pipeline.Plan;
        if (!pipeline.IsBound)
        {
            throw new ArgumentException(pipeline.UnboundMessage(), nameof(pipeline));
        }
        IReadOnlyList<InputFile> files = InputPlanner.ListFiles(input, []);
        string[] readColumns = plan.Segments.Where(s => s.ReadsInput && !s.FitOnly).SelectMany(s => s.ReadColumns).Concat(checks.InputColumns(plan)).Distinct(StringComparer.Ordinal).ToArray();
        var pruner = new RowGroupPruner(plan);
        (List<Partition> partitions, _) = InputPlanner.Plan(plan, files, readColumns, _options, pruner, new Dictionary<string, FileFingerprint>(StringComparer.Ordinal));
        SinkNode[] sinks = [.. plan.SinkNodes()];
        ValidationLayout validation = ValidationLayout.For(plan, sinks.Length) with { Checks = checks };
        ValidationLayout.CheckColumns(plan, readColumns);
        ValidationLayout.CheckInputRulesRunOnce(plan);
        long[] firstRows = FirstRowsInFile(partitions);
        string scratch = Path.Combine(Path.GetTempPath(), $"dsl-validate-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        try
        {
            var budget = new MemoryBudget(_options.MemoryBudget);
            TaskOutput[] tasks = AttemptScheduler.Run(
                partitions.Count,
                _options.MaxParallelism,
                _options.Speculation with { Enabled = false },
                (item, _, token) =>
                {
                    Partition partition = partitions[item];
                    string dir = Directory.CreateDirectory(Path.Combine(scratch, partition.Index.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
                    PartitionTask.TaskRun run = new PartitionTask(
                        pipeline, partition, readColumns, sinks, [], dir, _options.Write, new SegmentCounters(plan.Segments.Count), pruner, _options.Faults, budget,
                        _options.MaxRecordBytes, validation, firstRows[item], validateOnly: true, flow: BarrierSetup.ValidateFlow(plan)).Run(token);
                    return new TaskOutput(partition.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), run.Parts) { Validation = run.Validation };
                },
                (_, _) => { },
                cancellationToken);
            return Evaluate(plan, checks, validation, tasks);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // What a task attempt returns: its committed output (or the equal one a twin committed first) and its counters.
    private sealed record AttemptResult(TaskOutput Output, SegmentCounters Stats);

    private AttemptResult RunWithRetries(
        CompiledPipeline pipeline, Partition partition, string key, int twin, string[] readColumns, SinkNode[] sinks, SinkLayout[] layouts, ParquetWriteOptions write,
        OutputCommitter committer, RowGroupPruner pruner, MemoryBudget budget, ValidationLayout validation, long firstRowInFile, FlowRun flow, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int number = ((twin - 1) * _options.MaxAttempts) + attempt;
            string attemptDir = committer.CreateAttemptFolder(key, number);
            using Activity? activity = ExecutionTelemetry.Source.StartActivity("dsl.task");
            activity?.SetTag("dsl.partition", partition.Index);
            activity?.SetTag("dsl.attempt", number);
            activity?.SetTag("dsl.file", partition.File);
            long started = Stopwatch.GetTimestamp();
            string outcome = "failed";
            try
            {
                var attemptStats = new SegmentCounters(pipeline.Plan.Segments.Count);
                PartitionTask.TaskRun run =
                    new PartitionTask(pipeline, partition, readColumns, sinks, layouts, attemptDir, write, attemptStats, pruner, _options.Faults, budget, _options.MaxRecordBytes, validation, firstRowInFile, flow: flow).Run(cancellationToken);
                IReadOnlyList<PartFile> parts = run.Parts;
                cancellationToken.ThrowIfCancellationRequested();
                long committing = Stopwatch.GetTimestamp();
                (TaskOutput output, bool won) = committer.CommitTask(attemptDir, key, parts, run.Validation);
                attemptStats.RecordCommit(Stopwatch.GetTimestamp() - committing);
                outcome = won ? "committed" : "lost"; // lost: a twin (or an earlier attempt) committed the same rows first
                if (won)
                {
                    RecordTask(pipeline.Plan, attemptStats, parts, Stopwatch.GetElapsedTime(started));
                }
                return new AttemptResult(output, attemptStats);
            }
            catch (OperationCanceledException)
            {
                outcome = "cancelled";
                throw;
            }
            catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                outcome = attempt >= _options.MaxAttempts ? "failed" : "retried";
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                // Transient storage errors (a full disk freed, a flaky network mount) deserve another try; format
                // errors and ordinary kernel exceptions are not I/O errors and fail the job at once.
                if (attempt >= _options.MaxAttempts)
                {
                    throw new PipelineExecutionException(
                        $"Partition {partition.Index} ({partition.Describe()}) failed {attempt} times with an I/O error; giving up: {e.GetBaseException().Message}",
                        e);
                }
                cancellationToken.WaitHandle.WaitOne(_options.RetryBackoff * (1 << (attempt - 1)));
            }
            finally
            {
                OutputCommitter.DeleteAttempt(attemptDir);
                activity?.SetTag("dsl.outcome", outcome);
                ExecutionTelemetry.Attempts.Add(1, new KeyValuePair<string, object?>("dsl.outcome", outcome));
            }
        }
    }

    // A text partition's first record's index in its file: the records of the file's partitions before it.
    internal static long[] FirstRowsInFile(IReadOnlyList<Partition> partitions)
    {
        var first = new long[partitions.Count];
        var byFile = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Partition p in partitions.Where(p => p.Format != InputFormat.Parquet).OrderBy(p => p.ByteStart))
        {
            first[p.Index] = byFile.GetValueOrDefault(p.File);
            byFile[p.File] = first[p.Index] + p.Rows;
        }
        return first;
    }

    private static void RecordTask(PipelinePlan plan, SegmentCounters counters, IReadOnlyList<PartFile> parts, TimeSpan elapsed)
    {
        ExecutionTelemetry.TaskSeconds.Record(elapsed.TotalSeconds);
        ExecutionTelemetry.BytesWritten.Add(parts.Sum(p => p.Bytes));
        foreach (SegmentStatistics segment in counters.ToStatistics(plan))
        {
            var tag = new KeyValuePair<string, object?>("dsl.segment", segment.Segment);
            ExecutionTelemetry.RowsIn.Add(segment.RowsIn, tag);
            ExecutionTelemetry.RowsOut.Add(segment.RowsOut, tag);
        }
    }

    /// <summary>
    /// Each sink's writer holds a row group's compressed pages until the row group is written, so output row groups
    /// are cut once a writer holds 8 MiB (about 240,000 rows of the sample's output, whose random doubles hardly
    /// compress), or less when the memory budget's share per writer is smaller, or at
    /// <see cref="ParquetWriteOptions.RowGroupRows"/> rows, whichever comes first.
    /// </summary>
    internal static long WriterRowGroupBytes(ExecutionOptions options, int sinks) =>
        Math.Clamp(options.MemoryBudget / (4L * options.MaxParallelism * Math.Max(1, sinks)), 1L << 20, Math.Min(8L << 20, options.Write.RowGroupBytes));

    private static IReadOnlyList<string> InputWarnings(List<string> ignored) => ignored.Count == 0
        ? []
        : [$"skipped {ignored.Count} file(s) in the input that are not read as data (a folder with .parquet files is read as Parquet only; otherwise its {InputPlanner.DataNames} files are read): {string.Join(", ", ignored.Take(5))}{(ignored.Count > 5 ? ", ..." : "")}"];

    // A missing file or folder will still be missing on the next attempt; other I/O errors may pass.
    internal static bool IsTransient(Exception e) =>
        e.GetBaseException() is IOException io && io is not (FileNotFoundException or DirectoryNotFoundException);

    private static JobResult UpToDateResult(PipelinePlan plan, string output, int files, int partitions, PreviousOutput previous, TimeSpan elapsed) =>
        new(
            plan.Name,
            output,
            files,
            partitions,
            0,
            0,
            0,
            previous.Sinks.Where(s => s.Kind == PreviousSink.SinkKind).Select(s => new SinkResult(s.Segment, s.Directory, s.Rows, s.Files.Select(f => f.Path).ToArray())).ToArray(),
            plan.Segments.Where(s => !s.FitOnly).Select(s => new SegmentStatistics(s.Name, 0, 0, TimeSpan.Zero)).ToArray(),
            elapsed)
        {
            PartitionsReused = partitions,
            UpToDate = true,
        };

    // Every setting that changes the bytes of an output part; a change recomputes every partition.
    private static string WriteSettings(ParquetWriteOptions w) =>
        $"{w.Compression}|{w.RowGroupRows}|{w.RowGroupBytes}|{w.DataPageSize}|{w.DataPageRows}|{w.EnableDictionary}|{w.DictionaryPageSizeLimit}|{w.MaxStatisticsValueLength}|{w.DataPageVersion}|{w.WritePageChecksums}|{w.IntegerEncoding}|{w.FloatingPointEncoding}|{string.Join(';', w.KeyValueMetadata.Select(kv => kv.Key + "=" + kv.Value))}";

    private string[] SinkFolders(SinkNode[] sinks)
    {
        string[] folders = sinks.Select(s => OutputFolder(s, sinks.Length)).ToArray();
        if (FolderConflict(sinks.Select(s => s.Name).ToArray(), folders) is { } conflict)
        {
            throw new ArgumentException(conflict);
        }
        return folders;
    }

    /// <summary>
    /// Why two sinks' output folders clash (the same folder, or one inside the other, so a reader of one would read
    /// the other's parts too), or null. The configuration check (<c>check-config</c>, the build) asks the same.
    /// </summary>
    internal static string? FolderConflict(IReadOnlyList<string> sinks, IReadOnlyList<string> folders)
    {
        for (int a = 0; a < folders.Count; a++)
        {
            for (int b = 0; b < folders.Count; b++)
            {
                if (a == b)
                {
                    continue;
                }
                if (a < b && string.Equals(folders[a], folders[b], StringComparison.Ordinal))
                {
                    return $"Sinks '{sinks[a]}' and '{sinks[b]}' are both mapped to the output folder '{folders[a]}'; their parts would overwrite each other. Give each sink its own folder under 'outputs:'.";
                }
                if (folders[b].StartsWith(folders[a].Length == 0 ? "" : folders[a] + "/", StringComparison.Ordinal) && folders[a] != folders[b])
                {
                    string outer = folders[a].Length == 0 ? "the output folder itself" : $"'{folders[a]}'";
                    return $"The output folder '{folders[b]}' of sink '{sinks[b]}' lies inside {outer}, the folder of sink '{sinks[a]}'; a reader of '{sinks[a]}' would read both. Give each sink a folder of its own, side by side, under 'outputs:'.";
                }
            }
        }
        return null;
    }

    // One sink writes straight into the output folder, several into one sub-folder each; both can be overridden.
    private string OutputFolder(SinkNode sink, int sinkCount)
    {
        string stage = sink.Name;
        if (_options.OutputFolders.TryGetValue(stage, out string? folder))
        {
            if (Path.IsPathRooted(folder) || folder.Split('/', '\\').Any(part => part is ".." || part.StartsWith('_') || part.StartsWith('.')))
            {
                throw new ArgumentException($"The output folder '{folder}' for sink '{stage}' must be a relative path inside the output folder, without '..' or parts starting with '_' or '.'.");
            }
            return folder.Trim('/', '\\');
        }
        return sinkCount == 1 ? "" : stage;
    }

    /// <summary>
    /// Each sink's layout: its partition columns (checked as the configuration check checks them), the file limits,
    /// its share of the open files a task may hold (sinks that are not partitioned keep one each), and what a
    /// partitioned sink's open files may hold together: four times one writer's row group bytes, leased from the
    /// memory budget like an unpartitioned writer's.
    /// </summary>
    private SinkLayout[] Layouts(PipelinePlan plan, SinkNode[] sinks, ParquetWriteOptions write)
    {
        string[] names = sinks.Select(s => s.Name).ToArray();
        foreach (string stage in _options.PartitionBy.Keys.Where(k => !names.Contains(k, StringComparer.Ordinal)))
        {
            throw new ArgumentException($"Partition columns are given for '{stage}', which is not a sink of pipeline '{plan.Name}'. Sinks are {string.Join(", ", names.Select(n => $"'{n}'"))}.");
        }
        var problems = new List<string>();
        IReadOnlyList<string>[] columns = names.Select(n => _options.PartitionBy.TryGetValue(n, out IReadOnlyList<string>? c) ? c : []).ToArray();
        for (int s = 0; s < sinks.Length; s++)
        {
            if (_options.PartitionBy.ContainsKey(names[s]))
            {
                problems.AddRange(HivePartitioning.Problems(names[s], plan.Schemas[sinks[s].OutputSchema], columns[s]));
            }
            if (plan.Splits.FirstOrDefault(p => p.Sink == names[s]) is { } split)
            {
                // A split sink's subsets are its outermost folders: split=train/, then any partition columns given.
                problems.AddRange(Barriers.Splits.SplitPlanValidation.Problems(split, plan.Schemas[sinks[s].OutputSchema]));
                columns[s] = [Barriers.Splits.SplitPlanValidation.FolderColumn, .. columns[s]];
            }
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
        int partitioned = columns.Count(c => c.Count > 0);
        int openPerSink = partitioned == 0 ? 1 : Math.Max(1, (_options.MaxOpenFiles - (sinks.Length - partitioned)) / partitioned);
        return columns
            .Select(c => new SinkLayout(c, _options.MaxRowsPerFile, _options.MaxBytesPerFile, c.Count > 0 ? openPerSink : 1, 4 * write.RowGroupBytes))
            .ToArray();
    }

    // The layout settings that change which files a task writes or what is in them; a change recomputes every partition.
    private static string LayoutSettings(SinkLayout[] layouts) =>
        "|" + string.Join(';', layouts.Select(l => $"{string.Join(',', l.PartitionBy)}/{l.MaxRowsPerFile}/{l.MaxBytesPerFile}/{l.MaxOpenFiles}/{l.HeldBytes}"));

    private static void CheckOutputNotInsideInput(string input, string output)
    {
        // A single input file cannot contain the output; a folder can, and a re-run would then read its own output.
        if (!Directory.Exists(input))
        {
            return;
        }
        string relative = Path.GetRelativePath(input, output);
        if (relative == "." || !(relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)))
        {
            throw new ArgumentException($"The output folder '{output}' is inside the input folder '{input}'; a re-run would read its own output. Choose an output folder outside the input.");
        }
        string relativeBack = Path.GetRelativePath(output, input);
        if (relativeBack == "." || !(relativeBack.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relativeBack)))
        {
            throw new ArgumentException($"The input folder '{input}' is inside the output folder '{output}'; a run replaces its output folder as a whole. Choose an output folder outside the input.");
        }
    }
}
