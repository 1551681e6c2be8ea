using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dsl.Execution;
using Dsl.Execution.Commit;
using Dsl.Execution.Inputs;
using Dsl.Validation;

namespace Dsl.Fitting;

/// <summary>Where a run's fitted state came from.</summary>
public enum FitSource
{
    /// <summary>This run's first pass computed it.</summary>
    Computed,

    /// <summary>Reused from the output's work folder: an earlier run fitted the same input with the same code and plan, so no first pass ran.</summary>
    Cached,

    /// <summary>Loaded from a fitted-state file (<see cref="ExecutionOptions.Fitted"/>, <c>--fitted FILE</c>).</summary>
    Loaded,
}

/// <summary>The fitted state a run bound its second pass with.</summary>
/// <param name="Hash">The state's <see cref="FittedState.Hash"/>.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="File">The file it was loaded from (<see cref="FitSource.Loaded"/>), else null.</param>
/// <param name="RowsRead">Input rows the first pass read (0 when none ran).</param>
/// <param name="Partitions">Partitions the first pass read (0 when none ran).</param>
/// <param name="Elapsed">Time spent fitting, or loading.</param>
public sealed record FitSummary(string Hash, FitSource Source, string? File, long RowsRead, int Partitions, TimeSpan Elapsed);

/// <summary>A pipeline bound with fitted values, the state they came from, and how it was obtained.</summary>
internal sealed record FitOutcome(CompiledPipeline Pipeline, FittedState State, FitSummary Summary);

/// <summary>
/// The first pass of a plan with fit stages: every partition runs through only the <see cref="SegmentPlan.FitOnly"/>
/// segments (their kernels bound by <see cref="CompiledPipeline.ForFitPass"/>), each fit observes its segment's output
/// (or the input as read) into a per-partition <see cref="FitState"/>, whose row violations are discarded; partitions
/// run in parallel and their states merge in partition order, so the answers do not depend on which finished first.
/// The fit methods (<see cref="CompiledPipeline.Fitter"/>) then run once on the merged answers, and their values join
/// the given ones to bind the second pass. A saved state (<see cref="ExecutionOptions.Fitted"/>) replaces all of this,
/// and a run's output keeps its last state in its work folder, keyed by the input, code and plan, so a rerun of an
/// unchanged input does not fit again.
/// </summary>
internal static class FitPass
{
    private const string CacheFolder = "fitted";

    /// <summary>Whether a run of <paramref name="plan"/> binds fitted values: it has fits, or a saved state is given.</summary>
    public static bool Applies(PipelinePlan plan, ExecutionOptions options) => plan.Fits.Count > 0 || options.Fitted is not null;

    /// <summary>
    /// <paramref name="pipeline"/> (holding the given parameter values) bound with its fitted values: loaded from
    /// <see cref="ExecutionOptions.Fitted"/>, reused from <paramref name="workFolder"/>'s cache, or fitted now.
    /// </summary>
    /// <param name="pipeline">The pipeline, unbound where the fitted values are missing.</param>
    /// <param name="input">The input.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="workFolder">The output's work folder (its cache of the last fitted state), or null for none.</param>
    /// <param name="cancellationToken">Stops the first pass.</param>
    public static FitOutcome Resolve(CompiledPipeline pipeline, string input, ExecutionOptions options, string? workFolder, CancellationToken cancellationToken)
    {
        PipelinePlan plan = pipeline.Plan;
        FitLayout.CheckSegments(plan);
        CheckNoValuesForFittedTypes(plan, pipeline.Parameters);
        var clock = Stopwatch.StartNew();
        if (options.Fitted is { } path)
        {
            string full = Path.GetFullPath(path);
            FittedState loaded = FittedState.Load(full);
            CompiledPipeline bound = Bind(pipeline, loaded, full);
            return new FitOutcome(bound, loaded, new FitSummary(loaded.Hash, FitSource.Loaded, full, 0, 0, clock.Elapsed));
        }
        (FittedState state, FitSource source, long rows, int partitions) = Fit(pipeline, input, options, workFolder, cancellationToken);
        return new FitOutcome(Bind(pipeline, state, null), state, new FitSummary(state.Hash, source, null, rows, partitions, clock.Elapsed));
    }

    /// <summary>Runs the first pass of <paramref name="pipeline"/> over <paramref name="input"/> (or reuses the cached state of <paramref name="workFolder"/>).</summary>
    public static (FittedState State, FitSource Source, long RowsRead, int Partitions) Fit(CompiledPipeline pipeline, string input, ExecutionOptions options, string? workFolder, CancellationToken cancellationToken)
    {
        PipelinePlan plan = pipeline.Plan;
        if (plan.Fits.Count == 0)
        {
            throw new ArgumentException($"Pipeline '{plan.Name}' has no fit stages, so there is nothing to fit.");
        }
        if (pipeline.Fitter is null)
        {
            throw new ArgumentException($"Pipeline '{plan.Name}' has fit stages but was compiled without their fit methods (CompiledPipeline.Fitter is null).");
        }
        FitLayout layout = FitLayout.For(plan);
        CompiledPipeline fitPass = pipeline.ForFitPass();
        string[] readColumns = [.. layout.ReadColumns(plan)];
        var pruner = new RowGroupPruner(plan, s => s.FitOnly, keepsEveryRow: plan.Fits.Any(f => f.Segment is null));
        var fingerprints = new Dictionary<string, FileFingerprint>(StringComparer.Ordinal);
        IReadOnlyList<InputFile> files = InputPlanner.ListFiles(input, []);
        (List<Partition> partitions, _) = InputPlanner.Plan(plan, files, readColumns, options, pruner, fingerprints);

        string? cache = workFolder is null ? null : Path.Combine(workFolder, CacheFolder, CacheKey(fitPass, partitions, fingerprints) + ".json");
        if (cache is not null && !options.Force && ReadCache(cache) is { } cached)
        {
            return (cached, FitSource.Cached, 0, 0);
        }

        using Activity? activity = ExecutionTelemetry.Source.StartActivity("dsl.fit");
        activity?.SetTag("dsl.pipeline", plan.Name);
        activity?.SetTag("dsl.partitions", partitions.Count);
        var clock = Stopwatch.StartNew();
        var budget = new MemoryBudget(options.MemoryBudget);
        var total = new SegmentCounters(plan.Segments.Count);
        ValidationLayout validation = ValidationLayout.For(plan, 0);
        long[] firstRows = LocalExecutor.FirstRowsInFile(partitions);
        var pending = new FitState?[partitions.Count];
        int next = 0;
        object gate = new();
        int done = 0;
        long rowsDone = 0;
        long bytesDone = 0;
        long rowsToRead = partitions.Sum(p => p.Rows);
        long bytesToRead = partitions.Sum(p => p.Bytes);
        options.Progress?.Report(new RunProgress(0, partitions.Count, 0, rowsToRead, clock.Elapsed, 0, bytesToRead));
        using var merged = new FitState(layout, budget);
        try
        {
            AttemptScheduler.Run(
                partitions.Count,
                options.MaxParallelism,
                options.Speculation with { Enabled = false }, // a twin's state would hold budget bytes no one gives back
                (item, _, token) =>
                {
                    var counters = new SegmentCounters(plan.Segments.Count);
                    FitState state = Observe(fitPass, layout, partitions[item], readColumns, pruner, validation, options, budget, counters, firstRows[item], token);
                    // Merged in partition order as soon as a prefix is complete: float sums and sketches then round
                    // the same way every run, and finished states are not all held to the end.
                    lock (gate)
                    {
                        pending[item] = state;
                        while (next < pending.Length && pending[next] is { } ready)
                        {
                            pending[next++] = null;
                            merged.MergeAndDispose(ready);
                        }
                    }
                    return counters;
                },
                (item, counters) =>
                {
                    total.Add(counters);
                    _ = Interlocked.Add(ref rowsDone, partitions[item].Rows);
                    _ = Interlocked.Add(ref bytesDone, partitions[item].Bytes);
                    options.Progress?.Report(new RunProgress(++done, partitions.Count, rowsDone, rowsToRead, clock.Elapsed, bytesDone, bytesToRead));
                },
                cancellationToken);
        }
        finally
        {
            foreach (FitState? left in pending)
            {
                left?.Dispose();
            }
        }

        var fitted = new StageParameterValues();
        pipeline.Fitter(merged.Results(), fitted);
        CheckFitted(plan, fitted);
        FittedState fittedState = FittedState.Create(plan, fitted, merged);
        if (cache is not null)
        {
            WriteCache(cache, fittedState);
        }
        return (fittedState, FitSource.Computed, rowsToRead - total.RowsSkipped, partitions.Count);
    }

    // One partition through the first-pass segments; transient I/O errors are retried like the second pass's.
    private static FitState Observe(
        CompiledPipeline fitPass, FitLayout layout, Partition partition, string[] readColumns, RowGroupPruner pruner, ValidationLayout validation, ExecutionOptions options,
        MemoryBudget budget, SegmentCounters counters, long firstRowInFile, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var state = new FitState(layout, budget);
            try
            {
                var attemptCounters = new SegmentCounters(fitPass.Plan.Segments.Count);
                new PartitionTask(fitPass, partition, readColumns, [], [], "", options.Write, attemptCounters, pruner, options.Faults, budget, options.MaxRecordBytes, validation, firstRowInFile, observe: state)
                    .Run(cancellationToken);
                counters.Add(attemptCounters);
                return state;
            }
            catch (Exception e) when (LocalExecutor.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                state.Dispose();
                if (attempt >= options.MaxAttempts)
                {
                    throw new PipelineExecutionException($"Partition {partition.Index} ({partition.Describe()}) failed {attempt} times with an I/O error while fitting; giving up: {e.GetBaseException().Message}", e);
                }
                cancellationToken.WaitHandle.WaitOne(options.RetryBackoff * (1 << (attempt - 1)));
            }
            catch
            {
                state.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// <paramref name="pipeline"/> bound with its given values and those of <paramref name="state"/>: every parameter
    /// type the plan's fits compute must be in the state, and every type the plan takes that the state holds is taken
    /// from it whole (each member present, with the plan's type, and not also given).
    /// </summary>
    /// <param name="pipeline">The pipeline holding the given values.</param>
    /// <param name="state">The fitted state.</param>
    /// <param name="file">The file it was loaded from, for messages; null when this run fitted it.</param>
    /// <exception cref="ArgumentException">The state does not fit the plan.</exception>
    internal static CompiledPipeline Bind(CompiledPipeline pipeline, FittedState state, string? file)
    {
        PipelinePlan plan = pipeline.Plan;
        string source = file is null ? $"the fitted state of pipeline '{state.Pipeline}'" : $"the fitted-state file '{file}' (fitted by pipeline '{state.Pipeline}')";
        var byType = state.Values.GroupBy(v => v.TypeName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToDictionary(v => v.Member, StringComparer.Ordinal), StringComparer.Ordinal);
        string held = byType.Count == 0 ? "it holds no values" : $"it holds {string.Join(", ", byType.Keys.Select(k => $"'{k}'"))}";
        foreach (FitPlan fit in plan.Fits.Where(f => !byType.ContainsKey(f.ParametersType)))
        {
            throw new ArgumentException($"{Capitalized(source)} has no values for parameter type '{fit.ParametersType}', which fit stage '{fit.Stage}' of pipeline '{plan.Name}' computes; {held}.");
        }
        StageParameterValues values = pipeline.Parameters.Copy();
        foreach (StageParametersPlan type in plan.ParameterTypes())
        {
            if (!byType.TryGetValue(type.TypeName, out Dictionary<string, FittedValue>? members))
            {
                continue;
            }
            foreach (StageParameterMember member in type.Members)
            {
                if (!members.TryGetValue(member.Name, out FittedValue? value))
                {
                    throw new ArgumentException($"{Capitalized(source)} has no value for '{type.TypeName}.{member.Name}', which pipeline '{plan.Name}' needs; its '{type.TypeName}' has {string.Join(", ", members.Keys)}. Was it fitted by another version of the pipeline? Fit again.");
                }
                if (value.Type != member.Type)
                {
                    throw new ArgumentException($"{Capitalized(source)} holds '{type.TypeName}.{member.Name}' as {StageParameterValues.CSharpNameWithArticle(value.Type)}, but pipeline '{plan.Name}' declares it {StageParameterValues.CSharpNameWithArticle(member.Type)}. Fit again with this version of the pipeline.");
                }
                if (pipeline.Parameters.TryGet(type.TypeName, member.Name, out _))
                {
                    throw new ArgumentException($"Stage parameter '{type.TypeName}.{member.Name}' has a value from pipeline.yaml or --param and another from {source}; give it once.");
                }
                values.Set(type.TypeName, member.Name, value.Value);
            }
        }
        IReadOnlyList<string> missing = values.Missing(plan);
        if (missing.Count > 0)
        {
            throw new ArgumentException($"Pipeline '{plan.Name}' needs values for stage parameters {string.Join(", ", missing)}, which neither pipeline.yaml, --param nor {source} gives.");
        }
        return pipeline.WithGivenParameters(values);
    }

    // The types a fit computes take no values from the caller: the first pass (or a saved state) gives them.
    private static void CheckNoValuesForFittedTypes(PipelinePlan plan, StageParameterValues given)
    {
        foreach ((string type, string member, _) in given.Entries())
        {
            if (plan.Fits.FirstOrDefault(f => f.ParametersType == type) is { } fit)
            {
                throw new ArgumentException($"Stage parameter '{type}.{member}' was given a value, but fit stage '{fit.Stage}' of pipeline '{plan.Name}' computes '{type}' in the first pass. Leave it out, or load a saved fitted state with --fitted FILE (ExecutionOptions.Fitted).");
            }
        }
    }

    // What the fit methods returned: every member of each fitted type the stages take, of its declared type, and
    // nothing for types no fit computes.
    private static void CheckFitted(PipelinePlan plan, StageParameterValues fitted)
    {
        IReadOnlySet<string> types = FitLayout.FittedTypes(plan);
        foreach ((string type, string member, object value) in fitted.Entries())
        {
            if (!types.Contains(type))
            {
                throw new InvalidOperationException($"The fit methods of pipeline '{plan.Name}' set '{type}.{member}', a type no fit stage returns.");
            }
            if (FittedState.TypeOf(value) is null)
            {
                throw new InvalidOperationException($"The fit methods of pipeline '{plan.Name}' set '{type}.{member}' to a {value.GetType().Name}, which is not a stage parameter type.");
            }
        }
        foreach (StageParametersPlan type in plan.ParameterTypes().Where(t => types.Contains(t.TypeName)))
        {
            foreach (StageParameterMember member in type.Members)
            {
                if (!fitted.TryGet(type.TypeName, member.Name, out object? value))
                {
                    throw new InvalidOperationException($"The fit methods of pipeline '{plan.Name}' returned no value for '{type.TypeName}.{member.Name}'.");
                }
                if (FittedState.TypeOf(value) != member.Type)
                {
                    throw new InvalidOperationException($"The fit methods of pipeline '{plan.Name}' set '{type.TypeName}.{member.Name}' to a {value.GetType().Name}, but it is {StageParameterValues.CSharpNameWithArticle(member.Type)}.");
                }
            }
        }
    }

    /// <summary>
    /// The key of a first pass's result: the code, the plan with its given values, the fits and first-pass segments,
    /// and each partition's input (path, size, modification time, footer or content hash, the rows it covers).
    /// </summary>
    private static string CacheKey(CompiledPipeline fitPass, IReadOnlyList<Partition> partitions, IReadOnlyDictionary<string, FileFingerprint> fingerprints)
    {
        PipelinePlan plan = fitPass.Plan;
        var text = new StringBuilder()
            .Append("dsl-fit-cache/1\n")
            .Append(typeof(FitPass).Assembly.GetName().Version).Append('\n')
            .Append(Fingerprints.Code(fitPass)).Append('\n')
            .Append(PlanJson.ToJson(plan, fitPass.Parameters)).Append('\n');
        foreach (SegmentPlan segment in plan.Segments.Where(s => s.FitOnly))
        {
            text.Append("fitOnly:").Append(segment.Index).Append('\n');
        }
        foreach (FitPlan fit in plan.Fits)
        {
            text.Append("fit:").Append(fit.Stage).Append('|').Append(fit.InputSchema).Append('|').Append(fit.From).Append('|').Append(fit.Segment).Append('|').Append(fit.ParametersType).Append('\n');
            foreach (FitRequest request in fit.Requests)
            {
                text.Append(request.Statistic).Append('|').Append(request.Column).Append('|').Append(request.Expression).Append('|')
                    .AppendJoin(',', request.Arguments.Select(a => a.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
            }
        }
        foreach (Partition partition in partitions)
        {
            text.Append(Fingerprints.Task("fit", fingerprints[partition.File], partition)).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    // A damaged or missing cache entry is fitted again, never trusted.
    private static FittedState? ReadCache(string path)
    {
        try
        {
            return File.Exists(path) ? FittedState.Load(path) : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // The latest state only: an entry for other input or code will not be asked for again.
    private static void WriteCache(string path, FittedState state)
    {
        string folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        foreach (string old in Directory.EnumerateFiles(folder))
        {
            if (old != path)
            {
                File.Delete(old);
            }
        }
        state.Save(path);
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
