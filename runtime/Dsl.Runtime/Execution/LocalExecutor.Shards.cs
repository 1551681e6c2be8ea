using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dsl.Execution.Commit;
using Dsl.Execution.Flow;
using Dsl.Fitting;
using Dsl.Validation;

namespace Dsl.Execution;

public sealed partial class LocalExecutor
{
    /// <summary>The shard manifest, written last (atomically, by a rename) in a shard attempt's staging folder.</summary>
    public const string ShardManifestFile = "shard.json";

    /// <summary>The format name in <see cref="ShardManifestFile"/>.</summary>
    public const string ShardManifestFormat = "dsl-shard/1";

    /// <summary>
    /// Runs one shard of a job that <see cref="ShardSpec.Count"/> processes run together (docs/sharding.md): the
    /// planned partitions <paramref name="shard"/> owns are computed as a local run computes them, into the staging
    /// folder <c>.&lt;output&gt;.dsl/shards/shard-I-of-N/attempt-K/</c>, never into the output, and a shard manifest
    /// is written there last. <see cref="CommitShards"/> publishes the shards together. A shard whose complete attempt
    /// for the same input, code and settings is already there does nothing; parts of the published output and tasks an
    /// earlier attempt committed are taken over, not computed again.
    /// </summary>
    /// <param name="pipeline">The pipeline; one with fit stages needs <see cref="ExecutionOptions.Fitted"/>.</param>
    /// <param name="input">The whole input, as every shard and the commit see it (at the same path).</param>
    /// <param name="output">The output folder the commit publishes.</param>
    /// <param name="shard">Which shard this is.</param>
    /// <param name="attempt">The attempt number, from 1: a retry that may run while an earlier attempt still does takes a new one.</param>
    /// <param name="cancellationToken">Stops the shard; its committed tasks stay for the next attempt.</param>
    /// <exception cref="ArgumentException">The plan cannot be sharded (a fit without a saved state, an aggregate, a shuffle join, a stratified split), or the shard or attempt is out of range.</exception>
    public ShardResult RunShard(CompiledPipeline pipeline, string input, string output, ShardSpec shard, int attempt = 1, CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable(FailShardVariable) is { } injected && InjectedFailure(injected, shard, attempt))
        {
            // A test of an engine's retries (the Dask tests): this shard's attempt fails as a crashed task would.
            throw new PipelineExecutionException($"shard {shard} attempt {attempt.ToString(CultureInfo.InvariantCulture)}: failed on purpose ({FailShardVariable}={injected})");
        }
        var clock = Stopwatch.StartNew();
        CheckShard(shard);
        if (attempt < 1)
        {
            throw new ArgumentException($"--attempt {attempt.ToString(CultureInfo.InvariantCulture)}: attempts are numbered from 1.");
        }
        output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        CheckOutputNotInsideInput(Path.GetFullPath(input), output);
        FitOutcome? fit = ShardFit(pipeline, input, "run --shard", cancellationToken);
        using JobSetup setup = Prepare(fit?.Pipeline ?? pipeline, input, output, fit, cancellationToken);
        CheckShardable(setup, "run --shard");
        int[] mine = Enumerable.Range(0, setup.InputPartitions).Where(shard.Owns).ToArray();
        int rules = setup.Plan.Rules.Count;

        // Done already: an attempt of this shard (this one or another) completed for this very job.
        if (!_options.Force && AcceptedAttempt(setup, shard, []) is { } complete)
        {
            return new ShardResult(setup.Plan.Name, output, shard, attempt, complete.Folder, mine.Length, 0, mine.Length, complete.Rows, clock.Elapsed)
            {
                UpToDate = true,
                CompleteAttempt = complete.Attempt,
            };
        }

        string staging = AttemptFolder(output, shard, attempt);
        OutputCommitter committer;
        try
        {
            committer = OutputCommitter.OpenStaging(staging, _options.Faults);
        }
        catch (OutputLockedException e)
        {
            throw new PipelineExecutionException($"Shard {shard} attempt {attempt.ToString(CultureInfo.InvariantCulture)} of '{output}' is being run by another process ({e.Holder}). Wait for it, or run the retry with another --attempt.", e);
        }
        using OutputCommitter owned = committer;
        // An older manifest here is for another job (a complete one for this job was accepted above): it goes first,
        // so that a kill from here on leaves the attempt incomplete, never complete with old tasks.
        File.Delete(Path.Combine(staging, ShardManifestFile));
        committer.KeepOnlyTasks(_options.Force ? new HashSet<string>() : mine.Select(i => setup.Keys[i]).ToHashSet(StringComparer.Ordinal));

        PreviousOutput? previous = _options.Force ? null : PreviousOutput.Read(output, setup.SinkFolders.Length, rules);
        string[] otherAttempts = [.. AttemptFolders(output, shard).Where(a => a.Folder != staging).Select(a => a.Folder)];
        var outputs = new TaskOutput?[setup.Partitions.Count];
        foreach (int i in _options.Force ? [] : mine)
        {
            string key = setup.Keys[i];
            outputs[i] = Usable(committer.CommittedTask(key, rules), setup);
            // Parts of the published output, or tasks another attempt of this shard committed: the same rows, linked.
            foreach (Func<TaskOutput?> source in otherAttempts.Select(a => (Func<TaskOutput?>)(() => OutputCommitter.ReadCommittedTask(Path.Combine(a, "tasks"), key, rules))).Prepend(() => previous?.Task(key)))
            {
                if (outputs[i] is not null)
                {
                    break;
                }
                if (Usable(source(), setup) is { } found)
                {
                    outputs[i] = Adopt(committer, key, found);
                }
            }
        }
        int[] toRun = mine.Where(i => outputs[i] is null).ToArray();
        var stats = new SegmentCounters(setup.Plan.Segments.Count);
        var budget = new MemoryBudget(_options.MemoryBudget);
        FlowRun flow = setup.Barriers.Flow(budget, _options.Faults);
        int done = mine.Length - toRun.Length;
        long rowsDone = 0;
        long bytesDone = 0;
        long rowsToRead = toRun.Sum(i => setup.Partitions[i].Rows);
        long bytesToRead = toRun.Sum(i => setup.Partitions[i].Bytes);
        _options.Progress?.Report(new RunProgress(done, mine.Length, 0, rowsToRead, clock.Elapsed, 0, bytesToRead));
        AttemptResult[] computed = AttemptScheduler.Run(
            toRun.Length,
            _options.MaxParallelism,
            _options.Speculation,
            (item, twin, token) => RunWithRetries(setup.Pipeline, setup.Partitions[toRun[item]], setup.Keys[toRun[item]], twin, setup.ReadColumns, setup.Sinks, setup.Layouts, setup.Write, committer, setup.Pruner, budget, setup.Validation, setup.FirstRows.ElementAtOrDefault(toRun[item]), flow, token),
            (item, accepted) =>
            {
                stats.Add(accepted.Stats);
                Partition partition = setup.Partitions[toRun[item]];
                _options.Progress?.Report(new RunProgress(++done, mine.Length, rowsDone += partition.Rows, rowsToRead, clock.Elapsed, bytesDone += partition.Bytes, bytesToRead));
            },
            cancellationToken);
        for (int j = 0; j < toRun.Length; j++)
        {
            outputs[toRun[j]] = computed[j].Output;
        }
        cancellationToken.ThrowIfCancellationRequested();
        long rowsRead = toRun.Sum(i => setup.Partitions[i].Rows) - stats.RowsSkipped;
        WriteShardManifest(staging, setup, shard, attempt, mine, outputs!, toRun.ToHashSet(), stats, rowsRead);
        return new ShardResult(setup.Plan.Name, output, shard, attempt, staging, mine.Length, toRun.Length, mine.Length - toRun.Length, mine.Sum(i => outputs[i]!.Parts.Where(p => p.Sink < setup.Sinks.Length).Sum(p => p.Rows)), clock.Elapsed)
        {
            RowsRead = rowsRead,
        };
    }

    /// <summary>
    /// The environment variable that makes shard attempts fail, for tests of an engine's retries: <c>I/K</c> fails
    /// attempt K of shard I, <c>I/*</c> every attempt of shard I.
    /// </summary>
    public const string FailShardVariable = "DSL_TEST_FAIL_SHARD";

    private static bool InjectedFailure(string value, ShardSpec shard, int attempt)
    {
        string[] parts = value.Split('/');
        return parts.Length == 2 && parts[0] == shard.Index.ToString(CultureInfo.InvariantCulture)
            && (parts[1] == "*" || parts[1] == attempt.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// How many partitions this job plans over <paramref name="input"/>: the most shards that each get work, and the
    /// tasks <c>run --engine dask</c> makes (one per partition). Refuses what cannot be sharded, as a shard would.
    /// </summary>
    /// <exception cref="ArgumentException">The plan cannot be sharded (see <see cref="RunShard"/>).</exception>
    public int PlannedPartitions(CompiledPipeline pipeline, string input, string output, CancellationToken cancellationToken = default)
    {
        output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        FitOutcome? fit = ShardFit(pipeline, input, "run --engine dask", cancellationToken);
        using JobSetup setup = Prepare(fit?.Pipeline ?? pipeline, input, output, fit, cancellationToken);
        CheckShardable(setup, "run --engine dask");
        return setup.InputPartitions;
    }

    /// <summary>
    /// Publishes the output of a job run as <paramref name="shards"/> shards (<see cref="RunShard"/>), under the
    /// output's lock: every shard must have a complete attempt for this input, code and settings (one per shard is
    /// accepted, the lowest-numbered), or nothing is published and the error names each shard that is missing or
    /// incomplete. The accepted attempts' parts are published with the commit protocol's atomic swap, after the
    /// row rules, gates and drift check are evaluated over all of them as a local run evaluates them (a gate that
    /// fails commits nothing). An output that already holds this job is left as it is.
    /// </summary>
    /// <exception cref="PipelineExecutionException">A shard is missing or incomplete, or a gate failed; the previous output is unchanged.</exception>
    public JobResult CommitShards(CompiledPipeline pipeline, string input, string output, int shards, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (shards < 1 || shards > ShardSpec.MaxCount)
        {
            throw new ArgumentException($"--shards {shards.ToString(CultureInfo.InvariantCulture)}: the number of shards must be between 1 and {ShardSpec.MaxCount.ToString(CultureInfo.InvariantCulture)}, the N the shards ran with.");
        }
        output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        CheckOutputNotInsideInput(Path.GetFullPath(input), output);
        FitOutcome? fit = ShardFit(pipeline, input, "commit", cancellationToken);
        using OutputCommitter committer = OutputCommitter.Open(output, _options.Faults);
        using JobSetup setup = Prepare(fit?.Pipeline ?? pipeline, input, output, fit, cancellationToken);
        CheckShardable(setup, "commit");
        File.Delete(Path.Combine(committer.Work, RejectedReport));
        PreviousOutput? previous = PreviousOutput.Read(output, setup.SinkFolders.Length, setup.Plan.Rules.Count);
        if (UpToDate(setup, previous, fit, clock) is { } upToDate)
        {
            // A commit that is run again (a retried final step) after it succeeded has nothing to do.
            return upToDate with { Warnings = [.. upToDate.Warnings, .. RemoveShardStaging(committer)] };
        }

        var outputs = new TaskOutput?[setup.Partitions.Count];
        var computed = new List<int>();
        var stats = new SegmentCounters(setup.Plan.Segments.Count);
        var problems = new List<string>();
        for (int s = 0; s < shards; s++)
        {
            var shard = new ShardSpec(s, shards);
            var reasons = new List<string>();
            if (AcceptedAttempt(setup, shard, reasons) is not { } accepted)
            {
                problems.Add($"shard {shard}: {(reasons.Count == 0 ? "never ran (no staging folder)" : string.Join("; ", reasons))}");
                continue;
            }
            foreach ((int index, TaskOutput task) in accepted.Tasks)
            {
                outputs[index] = task;
            }
            computed.AddRange(accepted.Computed);
            accepted.AddTo(stats);
        }
        if (problems.Count > 0)
        {
            string other = string.Join(", ", ShardCounts(output).Where(n => n != shards).Select(n => n.ToString(CultureInfo.InvariantCulture)));
            throw new PipelineExecutionException(
                $"Cannot commit '{output}': {problems.Count.ToString(CultureInfo.InvariantCulture)} of {shards.ToString(CultureInfo.InvariantCulture)} shard(s) have no complete attempt for this input, code and settings: {string.Join("; ", problems)}. "
                + (other.Length > 0 ? $"(Staging exists for --shards {other}.) " : "")
                + $"Nothing was published; the previous output of '{output}', if any, is unchanged. Run the missing shards with 'run --shard I/{shards.ToString(CultureInfo.InvariantCulture)}' and the same options, then commit again.");
        }
        var budget = new MemoryBudget(_options.MemoryBudget);
        JobResult result = Publish(setup, outputs, [.. computed.Order()], stats, budget, committer, fit, clock, cancellationToken);
        return result with { Warnings = [.. result.Warnings, .. RemoveShardStaging(committer)] };
    }

    // The fitted values of a sharded job: only a saved state, since a fit needs the statistics of every shard's rows.
    private FitOutcome? ShardFit(CompiledPipeline pipeline, string input, string command, CancellationToken cancellationToken)
    {
        if (!FitPass.Applies(pipeline.Plan, _options))
        {
            return null;
        }
        if (_options.Fitted is null)
        {
            throw new ArgumentException(
                $"Pipeline '{pipeline.Plan.Name}' cannot be sharded as it is: its fit stage(s) {string.Join(", ", pipeline.Plan.Fits.Select(f => $"'{f.Stage}'"))} need the statistics of every shard's rows, which no shard sees, so '{command}' cannot fit. "
                + "Fit once ('fit --input IN --fitted-out fitted.json') and give every shard and the commit '--fitted fitted.json'.");
        }
        return FitPass.Resolve(pipeline, input, _options, workFolder: null, cancellationToken);
    }

    // Aggregates, shuffle joins and stratified splits move rows between tasks, so a shard alone cannot compute them.
    private static void CheckShardable(JobSetup setup, string command)
    {
        if (setup.Barriers.Graph.Cuts.Count > 0)
        {
            string stages = string.Join(", ", setup.Barriers.Graph.Cuts.Select(c => $"{c.Kind.ToString().ToLowerInvariant()} '{c.Name}'"));
            throw new ArgumentException(
                $"Pipeline '{setup.Plan.Name}' cannot be sharded: {stages} need(s) the rows of every partition with the same key in one task (a shuffle between the waves of one run), which separate shard processes do not share, so '{command}' would give wrong results. "
                + "Run it with a plain 'run' (one process, all partitions); a join whose table is under the broadcast threshold does not shuffle and can be sharded.");
        }
    }

    private static void CheckShard(ShardSpec shard)
    {
        if (shard.Count < 1 || shard.Count > ShardSpec.MaxCount || shard.Index < 0 || shard.Index >= shard.Count)
        {
            throw new ArgumentException($"--shard {shard}: the shard must be I/N with 0 <= I < N <= {ShardSpec.MaxCount.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    // Where one shard attempt stages its tasks: in the output's hidden work folder, which no glob of the output sees.
    private static string ShardFolder(string output, ShardSpec shard) =>
        Path.Combine(OutputCommitter.WorkFolderOf(output), "shards", string.Create(CultureInfo.InvariantCulture, $"shard-{shard.Index}-of-{shard.Count}"));

    private static string AttemptFolder(string output, ShardSpec shard, int attempt) =>
        Path.Combine(ShardFolder(output, shard), string.Create(CultureInfo.InvariantCulture, $"attempt-{attempt}"));

    private static IEnumerable<(int Attempt, string Folder)> AttemptFolders(string output, ShardSpec shard)
    {
        string folder = ShardFolder(output, shard);
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return Directory.EnumerateDirectories(folder, "attempt-*")
            .Select(d => (Ok: int.TryParse(Path.GetFileName(d).AsSpan("attempt-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n), Attempt: n, Folder: d))
            .Where(a => a.Ok && a.Attempt >= 1)
            .OrderBy(a => a.Attempt)
            .Select(a => (a.Attempt, a.Folder))
            .ToArray();
    }

    // The shard counts that have staging under the output (to name them when a commit's count finds none).
    private static IEnumerable<int> ShardCounts(string output)
    {
        string shards = Path.Combine(OutputCommitter.WorkFolderOf(output), "shards");
        return !Directory.Exists(shards)
            ? []
            : Directory.EnumerateDirectories(shards, "shard-*-of-*")
                .Select(d => int.TryParse(Path.GetFileName(d).AsSpan(Path.GetFileName(d).LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0)
                .Where(n => n > 0)
                .Distinct()
                .Order();
    }

    private static IReadOnlyList<string> RemoveShardStaging(OutputCommitter committer)
    {
        string shards = Path.Combine(committer.Work, "shards");
        try
        {
            if (Directory.Exists(shards))
            {
                Directory.Delete(shards, recursive: true);
            }
            return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [$"could not remove the shards' staging '{shards}' ({e.Message}); the output is committed and a later commit removes it."];
        }
    }

    private TaskOutput? Usable(TaskOutput? task, JobSetup setup) =>
        task is not null && HasState(task, setup.KeepsState, setup.Checks) ? task : null;

    // A reused task's parts linked into this attempt; null when they vanished meanwhile (a commit replaced the output).
    private static TaskOutput? Adopt(OutputCommitter committer, string key, TaskOutput source)
    {
        try
        {
            return committer.AdoptTask(key, source);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    // What a shard's accepted attempt hands the commit: its tasks, which of them it computed, and its counters.
    private sealed record AcceptedShard(int Attempt, string Folder, long Rows, IReadOnlyList<(int Index, TaskOutput Task)> Tasks, IReadOnlyList<int> Computed)
    {
        public required (int Index, long RowsIn, long RowsOut, long Ticks)[] Segments { get; init; }

        public required (long RowGroups, long Rows) Skipped { get; init; }

        public void AddTo(SegmentCounters stats)
        {
            foreach ((int index, long rowsIn, long rowsOut, long ticks) in Segments)
            {
                stats.Record(index, rowsIn, rowsOut, ticks);
            }
            stats.RecordSkipped(Skipped.RowGroups, Skipped.Rows);
        }
    }

    // The lowest-numbered attempt of the shard whose manifest is complete for this job and whose parts are all intact;
    // why each other attempt is not goes to reasons.
    private AcceptedShard? AcceptedAttempt(JobSetup setup, ShardSpec shard, List<string> reasons)
    {
        int[] mine = Enumerable.Range(0, setup.InputPartitions).Where(shard.Owns).ToArray();
        foreach ((int attempt, string folder) in AttemptFolders(setup.Output, shard))
        {
            string why = ReadAttempt(setup, shard, attempt, folder, mine, out AcceptedShard? accepted);
            if (accepted is not null)
            {
                return accepted;
            }
            reasons.Add($"attempt {attempt.ToString(CultureInfo.InvariantCulture)} {why}");
        }
        return null;
    }

    private string ReadAttempt(JobSetup setup, ShardSpec shard, int attempt, string folder, int[] mine, out AcceptedShard? accepted)
    {
        accepted = null;
        string path = Path.Combine(folder, ShardManifestFile);
        if (!File.Exists(path))
        {
            return "has no shard manifest (it is still running, or stopped before it finished)";
        }
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = doc.RootElement;
            if (root.GetProperty("format").GetString() != ShardManifestFormat
                || root.GetProperty("shard").GetInt32() != shard.Index || root.GetProperty("shards").GetInt32() != shard.Count)
            {
                return "has a shard manifest of another format or shard";
            }
            if (root.GetProperty("job").GetString() != setup.JobFingerprint)
            {
                return "was computed for other input, code or settings (its job fingerprint differs: give every shard and the commit the same input path, configuration and options)";
            }
            JsonElement[] partitions = [.. root.GetProperty("partitions").EnumerateArray()];
            if (!partitions.Select(p => p.GetProperty("index").GetInt32()).SequenceEqual(mine)
                || partitions.Any(p => p.GetProperty("task").GetString() != setup.Keys[p.GetProperty("index").GetInt32()]))
            {
                return "lists other partitions than this job assigns to the shard";
            }
            var tasks = new List<(int, TaskOutput)>();
            var computed = new List<int>();
            string tasksFolder = Path.Combine(folder, "tasks");
            foreach (JsonElement p in partitions)
            {
                int index = p.GetProperty("index").GetInt32();
                string key = setup.Keys[index];
                TaskOutput? task = Usable(OutputCommitter.ReadCommittedTask(tasksFolder, key, setup.Plan.Rules.Count), setup);
                string[] hashes = [.. p.GetProperty("sha256").EnumerateArray().Select(h => h.GetString()!)];
                if (task is null || !task.Parts.Select(x => x.Sha256).SequenceEqual(hashes))
                {
                    return $"is damaged: the parts of partition {index.ToString(CultureInfo.InvariantCulture)} are missing or changed";
                }
                tasks.Add((index, task));
                if (p.GetProperty("computed").GetBoolean())
                {
                    computed.Add(index);
                }
            }
            JsonElement counters = root.GetProperty("counters");
            accepted = new AcceptedShard(attempt, folder, root.GetProperty("rows").GetInt64(), tasks, computed)
            {
                Segments = [.. counters.GetProperty("segments").EnumerateArray().Select(g => (g.GetProperty("index").GetInt32(), g.GetProperty("rowsIn").GetInt64(), g.GetProperty("rowsOut").GetInt64(), g.GetProperty("kernelTicks").GetInt64()))],
                Skipped = (counters.GetProperty("rowGroupsSkipped").GetInt64(), counters.GetProperty("rowsSkipped").GetInt64()),
            };
            return "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return $"has a damaged shard manifest ({e.Message})";
        }
    }

    // The shard manifest: written to a temporary name, flushed, renamed into place and the folder flushed, so it is
    // there whole or not at all; its presence is what makes the attempt complete.
    private void WriteShardManifest(string staging, JobSetup setup, ShardSpec shard, int attempt, int[] mine, TaskOutput[] outputs, HashSet<int> computed, SegmentCounters stats, long rowsRead)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", ShardManifestFormat);
            json.WriteString("pipeline", setup.Plan.Name);
            json.WriteNumber("shard", shard.Index);
            json.WriteNumber("shards", shard.Count);
            json.WriteNumber("attempt", attempt);
            json.WriteString("assignment", "partition index modulo shards");
            json.WriteString("job", setup.JobFingerprint);
            json.WriteString("host", Environment.MachineName);
            json.WriteNumber("pid", Environment.ProcessId);
            json.WriteString("finishedUtc", DateTime.UtcNow);
            json.WriteNumber("partitionsComputed", computed.Count);
            json.WriteNumber("partitionsReused", mine.Length - computed.Count);
            json.WriteNumber("rowsRead", rowsRead);
            json.WriteNumber("rows", mine.Sum(i => outputs[i].Parts.Where(p => p.Sink < setup.Sinks.Length).Sum(p => p.Rows)));
            json.WriteNumber("files", mine.Sum(i => outputs[i].Parts.Count));
            json.WriteStartArray("brokenRows");
            for (int r = 0; r < setup.Plan.Rules.Count; r++)
            {
                json.WriteNumberValue(mine.Sum(i => outputs[i].Validation?.Broken.ElementAtOrDefault(r) ?? 0));
            }
            json.WriteEndArray();
            json.WriteStartObject("counters");
            json.WriteStartArray("segments");
            foreach ((SegmentStatistics segment, int index) in stats.ToStatistics(setup.Plan).Zip(setup.Plan.Segments.Where(s => !s.FitOnly).Select(s => s.Index)))
            {
                json.WriteStartObject();
                json.WriteNumber("index", index);
                json.WriteString("name", segment.Segment);
                json.WriteNumber("rowsIn", segment.RowsIn);
                json.WriteNumber("rowsOut", segment.RowsOut);
                json.WriteNumber("kernelTicks", segment.KernelTime.Ticks);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("rowGroupsSkipped", stats.RowGroupsSkipped);
            json.WriteNumber("rowsSkipped", stats.RowsSkipped);
            json.WriteEndObject();
            json.WriteStartArray("partitions");
            foreach (int i in mine)
            {
                Partition partition = setup.Partitions[i];
                json.WriteStartObject();
                json.WriteNumber("index", i);
                json.WriteString("task", setup.Keys[i]);
                json.WriteString("file", partition.File);
                json.WriteString("range", partition.Describe());
                json.WriteBoolean("computed", computed.Contains(i));
                json.WriteNumber("rows", outputs[i].Parts.Where(p => p.Sink < setup.Sinks.Length).Sum(p => p.Rows));
                json.WriteStartArray("sha256");
                foreach (PartFile part in outputs[i].Parts)
                {
                    json.WriteStringValue(part.Sha256);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        string final = Path.Combine(staging, ShardManifestFile);
        string temp = final + ".tmp";
        File.Delete(temp);
        DurableFile.WriteAll(temp, stream.ToArray(), _options.Faults);
        _options.Faults.Check(StorageOperation.Rename, final);
        File.Move(temp, final, overwrite: true);
        _options.Faults.Check(StorageOperation.Fsync, staging);
        NativeFileSystem.FsyncDirectory(staging);
        _options.Faults.Step("shard-committed");
    }
}

/// <summary>What one shard run did (<see cref="LocalExecutor.RunShard"/>).</summary>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="OutputDirectory">The output folder the commit publishes.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Attempt">This run's attempt number.</param>
/// <param name="Staging">The complete attempt's staging folder.</param>
/// <param name="Partitions">The planned partitions the shard owns.</param>
/// <param name="PartitionsComputed">Those this run computed.</param>
/// <param name="PartitionsReused">Those taken from the published output or an earlier attempt (all of them when up to date).</param>
/// <param name="Rows">The rows the shard's sinks hold.</param>
/// <param name="Elapsed">The wall-clock time of the run.</param>
public sealed record ShardResult(string Pipeline, string OutputDirectory, ShardSpec Shard, int Attempt, string Staging, int Partitions, int PartitionsComputed, int PartitionsReused, long Rows, TimeSpan Elapsed)
{
    /// <summary>The input rows this run read.</summary>
    public long RowsRead { get; init; }

    /// <summary>Whether a complete attempt for this job was already there, so nothing was done.</summary>
    public bool UpToDate { get; init; }

    /// <summary>That complete attempt's number, when <see cref="UpToDate"/>.</summary>
    public int CompleteAttempt { get; init; }
}
