using System.Diagnostics;
using Dsl.Parquet;

namespace Dsl.Execution;

/// <summary>
/// Runs a <see cref="CompiledPipeline"/> on this machine: partitions run in parallel up to the core count, each
/// attempt writes under a private staging folder, a finished attempt is committed with an atomic rename (the first
/// commit of a partition wins), and the job publishes its parts, a manifest and <c>_SUCCESS</c> only after every
/// partition committed. A failed job leaves the previous output untouched.
/// </summary>
public sealed class LocalExecutor
{
    /// <summary>The marker file written last; readers should ignore an output folder without it.</summary>
    public const string SuccessMarker = "_SUCCESS";

    /// <summary>The run manifest written just before <see cref="SuccessMarker"/>.</summary>
    public const string ManifestFile = "_manifest.json";

    private const string StagingFolder = "_temporary";

    private readonly ExecutionOptions _options;

    /// <summary>Creates an executor.</summary>
    public LocalExecutor(ExecutionOptions? options = null)
    {
        _options = options ?? new ExecutionOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxParallelism, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxAttempts, 1, nameof(options));
    }

    /// <summary>Runs <paramref name="pipeline"/> over <paramref name="input"/> (a Parquet file or a folder of them) into <paramref name="output"/>.</summary>
    public JobResult Run(CompiledPipeline pipeline, string input, string output, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        PipelinePlan plan = pipeline.Plan;
        if (!pipeline.IsBound)
        {
            throw new ArgumentException($"Pipeline '{plan.Name}' has stages that take parameters ({string.Join(", ", plan.ParameterTypes().Select(p => p.TypeName))}) and no values were bound: call WithParameters first (the command line reads them from pipeline.yaml and --param).", nameof(pipeline));
        }
        output = Path.GetFullPath(output);
        CheckOutputNotInsideInput(Path.GetFullPath(input), output);

        IReadOnlyList<string> files = InputPlanner.ListFiles(input);
        string[] readColumns = plan.Segments.Where(s => s.InputSegment is null).SelectMany(s => s.ReadColumns).Distinct(StringComparer.Ordinal).ToArray();
        List<Partition> partitions = InputPlanner.Plan(plan, files, readColumns, _options.TargetPartitionRows);

        SegmentPlan[] sinks = plan.Sinks.ToArray();
        string[] sinkFolders = sinks.Select(s => OutputFolder(s, sinks.Length)).ToArray();

        string staging = Path.Combine(output, StagingFolder, $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        string committed = Path.Combine(staging, "committed");
        Directory.CreateDirectory(committed);

        var stats = new SegmentCounters(plan.Segments.Count);
        var pruner = new RowGroupPruner(plan);
        long[] sinkRows = new long[sinks.Length];
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelism, CancellationToken = cancellationToken };
            Parallel.ForEach(partitions, parallel, partition =>
            {
                long[] rows = RunWithRetries(pipeline, partition, readColumns, sinks, sinkFolders, staging, committed, stats, pruner, cancellationToken);
                for (int s = 0; s < rows.Length; s++)
                {
                    Interlocked.Add(ref sinkRows[s], rows[s]);
                }
            });

            IReadOnlyList<SinkResult> sinkResults = Publish(output, committed, sinks, sinkFolders, partitions, sinkRows);
            var result = new JobResult(
                plan.Name,
                output,
                files.Count,
                partitions.Count,
                partitions.Sum(p => p.Rows) - stats.RowsSkipped,
                stats.RowGroupsSkipped,
                stats.RowsSkipped,
                sinkResults,
                stats.ToStatistics(plan),
                clock.Elapsed);
            RunManifest.Write(Path.Combine(output, ManifestFile), plan, pipeline.Parameters, files, partitions, result);
            File.WriteAllText(Path.Combine(output, SuccessMarker), "");
            return result with { Elapsed = clock.Elapsed };
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            throw e.InnerExceptions[0];
        }
        finally
        {
            TryDelete(staging);
            string stagingRoot = Path.Combine(output, StagingFolder);
            if (Directory.Exists(stagingRoot) && !Directory.EnumerateFileSystemEntries(stagingRoot).Any())
            {
                TryDelete(stagingRoot);
            }
        }
    }

    private long[] RunWithRetries(
        CompiledPipeline pipeline, Partition partition, string[] readColumns, SegmentPlan[] sinks, string[] sinkFolders,
        string staging, string committed, SegmentCounters stats, RowGroupPruner pruner, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            string attemptDir = Path.Combine(staging, $"attempt-{partition.Index:D5}-{attempt}");
            try
            {
                var attemptStats = new SegmentCounters(pipeline.Plan.Segments.Count);
                long[] rows = new PartitionTask(pipeline, partition, readColumns, sinks, sinkFolders, attemptDir, _options.Write, attemptStats, pruner).Run(cancellationToken);
                Commit(attemptDir, committed, sinkFolders, partition);
                stats.Add(attemptStats);
                return rows;
            }
            catch (Exception e) when (IsTransient(e))
            {
                // Transient storage errors (a full disk freed, a flaky network mount) deserve another try; format
                // errors and ordinary kernel exceptions are not I/O errors and fail the job at once.
                if (attempt >= _options.MaxAttempts)
                {
                    throw new PipelineExecutionException(
                        $"Partition {partition.Index} (file '{partition.File}', row groups {partition.FirstRowGroup}-{partition.FirstRowGroup + partition.RowGroupCount - 1}) failed {attempt} times with an I/O error; giving up: {e.GetBaseException().Message}",
                        e);
                }
                Thread.Sleep(_options.RetryBackoff * (1 << (attempt - 1)));
            }
            finally
            {
                TryDelete(attemptDir);
            }
        }
    }

    // A missing file or folder will still be missing on the next attempt; other I/O errors may pass.
    private static bool IsTransient(Exception e) =>
        e.GetBaseException() is IOException io && io is not (FileNotFoundException or DirectoryNotFoundException);

    // Task commit: an atomic rename of each finished part into the job's committed folder. If a twin attempt got there
    // first, ours is dropped: both computed the same rows from the same input.
    private static void Commit(string attemptDir, string committed, string[] sinkFolders, Partition partition)
    {
        foreach (string folder in sinkFolders)
        {
            string part = PartName(partition.Index);
            string target = Path.Combine(committed, folder, part);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try
            {
                File.Move(Path.Combine(attemptDir, folder, part), target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
            }
        }
    }

    // Job commit: the old _SUCCESS goes first so a reader never sees a mix of old and new parts marked complete.
    private static IReadOnlyList<SinkResult> Publish(string output, string committed, SegmentPlan[] sinks, string[] sinkFolders, List<Partition> partitions, long[] sinkRows)
    {
        File.Delete(Path.Combine(output, SuccessMarker));
        File.Delete(Path.Combine(output, ManifestFile));
        var results = new List<SinkResult>();
        for (int s = 0; s < sinks.Length; s++)
        {
            string dir = Path.Combine(output, sinkFolders[s]);
            Directory.CreateDirectory(dir);
            foreach (string stale in Directory.EnumerateFiles(dir, "part-*.parquet"))
            {
                File.Delete(stale);
            }
            var filesWritten = new List<string>(partitions.Count);
            foreach (Partition partition in partitions)
            {
                string target = Path.Combine(dir, PartName(partition.Index));
                File.Move(Path.Combine(committed, sinkFolders[s], PartName(partition.Index)), target);
                filesWritten.Add(target);
            }
            results.Add(new SinkResult(sinks[s].Name, dir, sinkRows[s], filesWritten));
        }
        return results;
    }

    // One sink writes straight into the output folder, several into one sub-folder each; both can be overridden.
    private string OutputFolder(SegmentPlan sink, int sinkCount)
    {
        string stage = sink.Stages[^1];
        if (_options.OutputFolders.TryGetValue(stage, out string? folder))
        {
            if (Path.IsPathRooted(folder) || folder.Split('/', '\\').Any(part => part is ".." || part.StartsWith('_')))
            {
                throw new ArgumentException($"The output folder '{folder}' for sink '{stage}' must be a relative path inside the output folder, without '..' or parts starting with '_'.");
            }
            return folder;
        }
        return sinkCount == 1 ? "" : stage;
    }

    private static string PartName(int partition) => $"part-{partition:D5}.parquet";

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
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Staging leftovers are harmless: the next run uses a fresh staging folder and never reads old ones.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
