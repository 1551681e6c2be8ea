using System.Text.Json;

namespace Dsl.Execution.Commit;

/// <summary>
/// A finished part file: where it is now, its size and SHA-256, its rows, and where it goes in the output: its sink,
/// its partition folder inside the sink's folder and its number among the task's files in that folder. The file's
/// name is given at the job commit from the task's partition index (<see cref="RelativePath"/>), so a reused task's
/// files are named for where its partition now stands.
/// </summary>
internal sealed record PartFile(string Path, long Bytes, string Sha256, long Rows)
{
    /// <summary>The sink it belongs to (index into the plan's sinks).</summary>
    public int Sink { get; init; }

    /// <summary>Its partition folder, <c>/</c>-separated escaped <c>column=value</c> segments; empty when unpartitioned.</summary>
    public string Folder { get; init; } = "";

    /// <summary>0 for the task's first file in <see cref="Folder"/>, then 1, 2, ... (the <c>-k</c> suffix).</summary>
    public int Sequence { get; init; }

    /// <summary>Its partition values as a JSON object (for the manifest); null when unpartitioned.</summary>
    public string? Partition { get; init; }

    /// <summary>The file name's extension: <c>parquet</c>, or <c>hashes</c> for a unique rule's sorted key hashes.</summary>
    public string Extension { get; init; } = "parquet";

    /// <summary>Its path inside the sink's folder: <c>[folder/]part-NNNNN[-k].parquet</c>.</summary>
    public string RelativePath(int partition)
    {
        string name = Sequence == 0 ? $"part-{partition:D5}.{Extension}" : $"part-{partition:D5}-{Sequence}.{Extension}";
        return Folder.Length == 0 ? name : Folder + "/" + name;
    }
}

/// <summary>A committed task: the parts it wrote, in sink order and, within a sink, in the order they were started.</summary>
internal sealed record TaskOutput(string Key, IReadOnlyList<PartFile> Parts)
{
    /// <summary>What the row rules found in the task's partition (committed with it), or null when the record has none.</summary>
    public Validation.PartitionValidation? Validation { get; init; }
}

/// <summary>
/// The commit protocol of one output folder (docs/commit-protocol.md). Everything that is not the published output
/// lives in a hidden sibling work folder, <c>.&lt;output&gt;.dsl/</c>, so no glob of the output ever sees it:
/// <list type="bullet">
/// <item><c>lock</c>, <c>owner.json</c>: the <see cref="JobLock"/> that makes a second writer fail at once.</item>
/// <item><c>attempts/&lt;task&gt;.a&lt;n&gt;.&lt;id&gt;/</c>: one task attempt's files while it runs.</item>
/// <item><c>tasks/&lt;task&gt;/</c>: committed tasks; an attempt commits by renaming its folder here, so the first
/// of two twins wins and a rerun after a crash finds what was already done (the key is the task's fingerprint).</item>
/// <item><c>next/</c>: the new output, assembled from hard links to task files, manifest and <c>_SUCCESS</c> flushed,
/// then swapped with the output folder in one <c>renameat2(RENAME_EXCHANGE)</c>.</item>
/// </list>
/// A reader of the output therefore sees the whole previous output until the swap and the whole new one after it.
/// </summary>
internal sealed class OutputCommitter : IDisposable
{
    private readonly JobLock _lock;
    private readonly FaultPlan _faults;

    private OutputCommitter(string output, string work, JobLock jobLock, FaultPlan faults)
    {
        Output = output;
        Work = work;
        _lock = jobLock;
        _faults = faults;
    }

    /// <summary>The output folder (full path).</summary>
    public string Output { get; }

    /// <summary>The hidden sibling folder holding staging, committed tasks and the lock.</summary>
    public string Work { get; }

    private string Attempts => Path.Combine(Work, "attempts");

    private string Tasks => Path.Combine(Work, "tasks");

    private string Next => Path.Combine(Work, "next");

    private string Previous => Path.Combine(Work, "previous");

    /// <summary>The work folder of <paramref name="output"/>: <c>&lt;parent&gt;/.&lt;name&gt;.dsl</c>.</summary>
    public static string WorkFolderOf(string output)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || Path.GetFileName(full).Length == 0)
        {
            throw new ArgumentException($"The output '{output}' is a file system root; choose a folder inside it.");
        }
        return Path.Combine(parent, "." + Path.GetFileName(full) + ".dsl");
    }

    /// <summary>
    /// Takes the output's lock, repairs what a dead run left (restores an output caught between two renames, removes
    /// its staging), and checks that the output folder, if it exists, is one this protocol wrote.
    /// </summary>
    public static OutputCommitter Open(string output, FaultPlan faults)
    {
        output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        if (File.Exists(output))
        {
            throw new ArgumentException($"The output '{output}' is a file; the output must be a folder (it is replaced as a whole by each run).");
        }
        if (NativeFileSystem.IsMountPoint(output))
        {
            throw new ArgumentException($"The output folder '{output}' is a mount point. A run publishes by swapping a new folder into the output's place, which a mount point cannot take part in: write to a folder inside it, such as '{Path.Combine(output, "out")}'.");
        }
        string work = WorkFolderOf(output);
        JobLock jobLock = JobLock.Acquire(work, output);
        var committer = new OutputCommitter(output, work, jobLock, faults);
        try
        {
            committer.Recover();
            committer.CheckOutputIsOurs();
            return committer;
        }
        catch
        {
            jobLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The committer of one shard attempt's staging folder (<c>.&lt;output&gt;.dsl/shards/shard-I-of-N/attempt-K/</c>):
    /// its own lock, so two processes never run the same attempt while different shards run at once, and its own
    /// <c>attempts/</c> and <c>tasks/</c>. It is never published; the shard commit links its tasks into the output.
    /// </summary>
    public static OutputCommitter OpenStaging(string folder, FaultPlan faults)
    {
        JobLock jobLock = JobLock.Acquire(folder, folder);
        var committer = new OutputCommitter(folder, folder, jobLock, faults);
        try
        {
            DeleteTree(committer.Attempts); // a dead attempt's unfinished tasks; its committed ones stay for reuse
            return committer;
        }
        catch
        {
            jobLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Commits <paramref name="source"/>'s parts again as task <paramref name="key"/> of this committer: hard links
    /// (copies where there are none) in a new attempt folder, committed like a computed attempt. A shard takes parts
    /// of the published output or of another attempt of itself this way, so its staging holds all its tasks.
    /// </summary>
    public TaskOutput AdoptTask(string key, TaskOutput source)
    {
        string attemptDir = CreateAttemptFolder(key, 0);
        try
        {
            var parts = new List<PartFile>();
            for (int i = 0; i < source.Parts.Count; i++)
            {
                PartFile part = source.Parts[i];
                // Flat names: the parts of a hive-partitioned sink share file names across their folders.
                string target = Path.Combine(attemptDir, $"adopted-{i}.{part.Extension}");
                LinkOrCopy(part.Path, target);
                parts.Add(part with { Path = target });
            }
            return CommitTask(attemptDir, key, parts, source.Validation).Output;
        }
        finally
        {
            DeleteAttempt(attemptDir);
        }
    }

    /// <summary>Removes committed tasks that this run does not need (a dead run's tasks of other inputs or code).</summary>
    public void KeepOnlyTasks(IReadOnlySet<string> keys)
    {
        if (!Directory.Exists(Tasks))
        {
            return;
        }
        foreach (string task in Directory.EnumerateDirectories(Tasks))
        {
            if (!keys.Contains(Path.GetFileName(task)))
            {
                DeleteTree(task);
            }
        }
        if (!Directory.EnumerateFileSystemEntries(Tasks).Any())
        {
            Directory.Delete(Tasks);
        }
    }

    /// <summary>A new, empty folder for one attempt of task <paramref name="key"/>.</summary>
    public string CreateAttemptFolder(string key, int attempt)
    {
        string dir = Path.Combine(Attempts, $"{key}.a{attempt}.{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// Task commit: records the attempt's parts (already flushed by <see cref="DurableFile.Complete"/>), flushes the
    /// folder and renames it to <c>tasks/&lt;key&gt;</c>. When a valid commit of the same task is already there (a
    /// speculative twin was first, or an earlier attempt of this one renamed its folder and then failed), that one is
    /// returned and this attempt's folder removed: both hold the same rows. A folder there that is not a valid commit
    /// (a damaged record, a deletion cut short by a crash) is replaced.
    /// </summary>
    /// <returns>The committed output, and whether this attempt's files are the ones committed.</returns>
    public (TaskOutput Output, bool Won) CommitTask(string attemptDir, string key, IReadOnlyList<PartFile> parts, Validation.PartitionValidation? validation = null)
    {
        using (var stream = new MemoryStream())
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteString("task", key);
                json.WriteStartArray("parts");
                foreach (PartFile part in parts)
                {
                    json.WriteStartObject();
                    json.WriteNumber("sink", part.Sink);
                    json.WriteString("file", Path.GetFileName(part.Path));
                    json.WriteString("folder", part.Folder);
                    json.WriteNumber("sequence", part.Sequence);
                    if (part.Partition is not null)
                    {
                        json.WritePropertyName("partition");
                        json.WriteRawValue(part.Partition);
                    }
                    json.WriteNumber("bytes", part.Bytes);
                    json.WriteString("sha256", part.Sha256);
                    json.WriteNumber("rows", part.Rows);
                    if (part.Extension != "parquet")
                    {
                        json.WriteString("extension", part.Extension);
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                if (validation is not null)
                {
                    json.WritePropertyName("validation");
                    validation.Write(json);
                }
                json.WriteEndObject();
            }
            DurableFile.WriteAll(Path.Combine(attemptDir, "task.json"), stream.ToArray(), _faults);
        }
        Fsync(attemptDir);
        Directory.CreateDirectory(Tasks);
        string target = Path.Combine(Tasks, key);
        for (int tries = 0; ; tries++)
        {
            if (CommittedTask(key, validation?.Broken.Length ?? 0) is { } existing)
            {
                DeleteTree(attemptDir);
                return (existing, false);
            }
            DeleteTree(target);
            try
            {
                _faults.Check(StorageOperation.Rename, attemptDir);
                Directory.Move(attemptDir, target);
                break;
            }
            catch (IOException) when (tries == 0 && Directory.Exists(target))
            {
                // A twin renamed its folder between the check and ours: look again.
            }
        }
        Fsync(Tasks);
        _faults.Step("task-committed");
        return (new TaskOutput(key, parts.Select(p => p with { Path = Path.Combine(target, Path.GetFileName(p.Path)) }).ToArray()) { Validation = validation }, true);
    }

    /// <summary>The committed output of task <paramref name="key"/>, if a run (this one or a dead one) committed it and its files are intact.</summary>
    public TaskOutput? CommittedTask(string key, int rules = 0) => ReadCommittedTask(Tasks, key, rules);

    /// <summary>The committed output of task <paramref name="key"/> in the committed-tasks folder <paramref name="tasks"/>, if it is there and intact.</summary>
    public static TaskOutput? ReadCommittedTask(string tasks, string key, int rules = 0)
    {
        string dir = Path.Combine(tasks, key);
        string record = Path.Combine(dir, "task.json");
        if (!File.Exists(record))
        {
            return null;
        }
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(record));
            var parts = new List<PartFile>();
            foreach (JsonElement part in doc.RootElement.GetProperty("parts").EnumerateArray())
            {
                string file = part.GetProperty("file").GetString()!;
                string folder = part.GetProperty("folder").GetString()!;
                string path = Path.Combine(dir, file);
                long bytes = part.GetProperty("bytes").GetInt64();
                if (Path.GetFileName(file) != file || (folder.Length > 0 && !HivePartitioning.IsContained(folder)) || !File.Exists(path) || new FileInfo(path).Length != bytes)
                {
                    return null;
                }
                parts.Add(new PartFile(path, bytes, part.GetProperty("sha256").GetString()!, part.GetProperty("rows").GetInt64())
                {
                    Sink = part.GetProperty("sink").GetInt32(),
                    Folder = folder,
                    Sequence = part.GetProperty("sequence").GetInt32(),
                    Partition = part.TryGetProperty("partition", out JsonElement values) ? values.GetRawText() : null,
                    Extension = part.TryGetProperty("extension", out JsonElement extension) ? extension.GetString()! : "parquet",
                });
            }
            return new TaskOutput(key, parts) { Validation = ReadValidation(doc.RootElement, rules) };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null; // A damaged record is recomputed, never trusted.
        }
    }

    /// <summary>The validation state a task record or a manifest's partition holds, when it fits a plan with <paramref name="rules"/> rules.</summary>
    internal static Validation.PartitionValidation? ReadValidation(JsonElement record, int rules) =>
        record.TryGetProperty("validation", out JsonElement validation) ? Dsl.Validation.PartitionValidation.Read(validation, rules) : null;

    /// <summary>Removes an attempt's folder (failed, cancelled or beaten by its twin).</summary>
    public static void DeleteAttempt(string attemptDir) => DeleteTree(attemptDir);

    /// <summary>
    /// Job commit. Builds <c>next/</c> (each sink folder's parts as hard links to committed task files or to parts of
    /// the previous output that this run reuses, then the manifest, then <c>_SUCCESS</c>, each flushed), and swaps
    /// it with the output folder atomically. <paramref name="cancellationToken"/> is honoured up to the swap and not
    /// after it. Returns warnings about leftovers that could not be removed (the output is committed regardless).
    /// The validation report and the fitted state, when given, are written before the manifest.
    /// </summary>
    public IReadOnlyList<string> Publish(IReadOnlyList<(string Folder, IReadOnlyList<(string Name, PartFile Source)> Parts)> sinks, Func<byte[]> manifest, CancellationToken cancellationToken, Func<byte[]>? validation = null, Func<byte[]>? fitted = null)
    {
        DeleteTree(Next);
        try
        {
            AssembleNext(sinks, manifest, validation, fitted, cancellationToken);
        }
        catch
        {
            // Cancelled or failed before the swap: the output is untouched; the unpublished copy goes (its tasks stay).
            TryDeleteTree(Next, out _);
            throw;
        }
        return Swap();
    }

    private void AssembleNext(IReadOnlyList<(string Folder, IReadOnlyList<(string Name, PartFile Source)> Parts)> sinks, Func<byte[]> manifest, Func<byte[]>? validation, Func<byte[]>? fitted, CancellationToken cancellationToken)
    {
        foreach ((string folder, IReadOnlyList<(string Name, PartFile Source)> parts) in sinks)
        {
            CheckPartitionFoldersAreDistinct(folder, parts.Select(p => p.Source.Folder));
        }
        Directory.CreateDirectory(Next);
        foreach ((string folder, IReadOnlyList<(string Name, PartFile Source)> parts) in sinks)
        {
            string dir = Path.Combine(Next, folder);
            Directory.CreateDirectory(dir);
            var partitionFolders = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string name, PartFile source) in parts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Escaping keeps every partition value inside its folder; this makes sure of it before anything is linked.
                if (!HivePartitioning.IsContained(name))
                {
                    throw new InvalidOperationException($"The part path '{name}' of output folder '{folder}' would leave that folder; nothing was published.");
                }
                string target = Path.Combine(dir, name);
                for (string? parent = Path.GetDirectoryName(target); parent is not null && parent.Length > dir.Length && partitionFolders.Add(parent); parent = Path.GetDirectoryName(parent))
                {
                    Directory.CreateDirectory(parent);
                }
                LinkOrCopy(source.Path, target);
            }
            // Partition folders deepest first (or their file system at once, when there are many), then the sink's own:
            // each folder's entries are on disk before its parent's.
            DurableFile.FlushAll(partitionFolders.OrderByDescending(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).ToArray(), Next, folders: true, _faults);
            Fsync(dir);
        }
        // Folders between next/ and a nested sink folder (_quarantine/ above _quarantine/<Schema>/) hold its entry.
        foreach (string between in sinks.SelectMany(s => Parents(s.Folder)).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length))
        {
            Fsync(Path.Combine(Next, between));
        }
        _faults.Step("next-assembled");
        if (validation is not null)
        {
            DurableFile.WriteAll(Path.Combine(Next, Dsl.Validation.ValidationReport.FileName), validation(), _faults);
        }
        if (fitted is not null)
        {
            DurableFile.WriteAll(Path.Combine(Next, Fitting.FittedState.FileName), fitted(), _faults);
        }
        DurableFile.WriteAll(Path.Combine(Next, LocalExecutor.ManifestFile), manifest(), _faults);
        DurableFile.WriteAll(Path.Combine(Next, LocalExecutor.SuccessMarker), [], _faults);
        Fsync(Next);
        _faults.Step("next-durable");

        // The last moment a cancellation is honoured: from here on the run completes.
        cancellationToken.ThrowIfCancellationRequested();
        _faults.Check(StorageOperation.Rename, Output);
    }

    private IReadOnlyList<string> Swap()
    {
        string parent = Path.GetDirectoryName(Output)!;
        Directory.CreateDirectory(parent);
        string old;
        if (!Directory.Exists(Output))
        {
            Directory.Move(Next, Output);
            old = Next;
        }
        else if (!_faults.NoExchange && NativeFileSystem.TryExchange(Next, Output))
        {
            old = Next; // next/ now holds the previous output
        }
        else
        {
            // No atomic exchange here (not Linux, or a file system without it): two renames, with a window in which
            // the output folder is absent. A crash inside it is repaired by Recover (previous/ is moved back).
            DeleteTree(Previous);
            Directory.Move(Output, Previous);
            _faults.Step("output-moved-aside");
            try
            {
                Directory.Move(Next, Output);
            }
            catch
            {
                Directory.Move(Previous, Output); // put the previous output back at once
                throw;
            }
            old = Previous;
        }
        _faults.Step("swapped");

        // The swap is done and visible: what follows cannot undo it, so its failures are warnings, not a failed run.
        var warnings = new List<string>();
        foreach (string folder in new[] { parent, Work })
        {
            try
            {
                Fsync(folder);
            }
            catch (IOException e)
            {
                warnings.Add($"the output is committed but flushing '{folder}' to disk failed ({e.Message}); a power loss now could undo the swap.");
            }
        }
        foreach (string leftover in new[] { old, Tasks, Attempts })
        {
            if (!TryDeleteTree(leftover, out string? why))
            {
                warnings.Add($"could not remove '{leftover}' ({why}); the output is committed and the next run removes it.");
            }
        }
        _faults.Step("cleaned");
        return warnings;
    }

    /// <summary>Removes this run's staging and releases the lock.</summary>
    public void Dispose()
    {
        TryDeleteTree(Attempts, out _);
        try
        {
            File.Delete(Path.Combine(Work, "owner.json"));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        _lock.Dispose();
    }

    // A dead run can leave: attempts/ (always removed), next/ (removed: before the swap it is an unpublished output
    // whose tasks are still in tasks/; after the swap it is the old output), and, only on the two-rename fallback,
    // previous/ with no output folder (moved back: the old output is restored, the new run's tasks stay for reuse).
    private void Recover()
    {
        if (!Directory.Exists(Output) && Directory.Exists(Previous))
        {
            Directory.Move(Previous, Output);
            Fsync(Path.GetDirectoryName(Output)!);
        }
        DeleteTree(Previous);
        DeleteTree(Next);
        DeleteTree(Attempts);
    }

    private static IEnumerable<string> Parents(string folder)
    {
        for (int i = folder.LastIndexOf('/'); i > 0; i = folder.LastIndexOf('/', i - 1))
        {
            yield return folder[..i];
        }
    }

    private void CheckOutputIsOurs()
    {
        if (!Directory.Exists(Output) || !Directory.EnumerateFileSystemEntries(Output).Any())
        {
            return;
        }
        if (!File.Exists(Path.Combine(Output, LocalExecutor.ManifestFile)))
        {
            throw new ArgumentException($"The output folder '{Output}' already holds files and no {LocalExecutor.ManifestFile}, so a Dsl run did not write it. A run replaces its output folder as a whole: choose a new or empty folder, or delete this one yourself.");
        }
    }

    /// <summary>
    /// Whether this output's file system takes names differing only in letter case for one name (macOS and Windows by
    /// default, a casefolded ext4 folder): probed on the lock file, or forced by the test hook.
    /// </summary>
    public bool FoldsCase => _faults.FoldCase || File.Exists(Path.Combine(Work, "LOCK"));

    // Partition folders whose names differ only in case would be one folder on such a file system, their files mixed
    // and read back under one value: refused before anything is assembled, with both values named.
    private void CheckPartitionFoldersAreDistinct(string sinkFolder, IEnumerable<string> partitionFolders)
    {
        if (!FoldsCase)
        {
            return;
        }
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string folder in partitionFolders.Distinct(StringComparer.Ordinal))
        {
            foreach (string prefix in Prefixes(folder))
            {
                if (seen.TryGetValue(prefix, out string? other) && other != prefix)
                {
                    string where = sinkFolder.Length == 0 ? "the output folder" : $"output folder '{sinkFolder}'";
                    throw new PipelineExecutionException($"The partition folders '{other}' and '{prefix}' of {where} differ only in letter case, and the file system of '{Output}' does not tell such names apart, so their files would mix under one value. Write the output to a case-sensitive file system, or give the values one case in a Map stage (for example ToUpperInvariant()).");
                }
                seen.TryAdd(prefix, prefix);
            }
        }

        static IEnumerable<string> Prefixes(string folder)
        {
            for (int i = folder.IndexOf('/'); i >= 0; i = folder.IndexOf('/', i + 1))
            {
                yield return folder[..i];
            }
            yield return folder;
        }
    }

    private void LinkOrCopy(string source, string target)
    {
        _faults.Check(StorageOperation.Write, target);
        if (!NativeFileSystem.TryHardLink(source, target))
        {
            File.Copy(source, target);
            using var copy = new FileStream(target, FileMode.Open, FileAccess.ReadWrite);
            copy.Flush(flushToDisk: true);
        }
    }

    private void Fsync(string directory)
    {
        _faults.Check(StorageOperation.Fsync, directory);
        NativeFileSystem.FsyncDirectory(directory);
    }

    private static void DeleteTree(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static bool TryDeleteTree(string path, out string? why)
    {
        try
        {
            DeleteTree(path);
            why = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = e.Message;
            return false;
        }
    }
}
