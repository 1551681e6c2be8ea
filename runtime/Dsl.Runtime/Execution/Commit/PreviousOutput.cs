using System.Text.Json;

namespace Dsl.Execution.Commit;

/// <summary>
/// What the committed output's <c>_manifest.json</c> says about it: the job's fingerprint and, per task key, the part
/// files it holds. A rerun reuses those parts (hard links into the new output) instead of recomputing them.
/// </summary>
internal sealed class PreviousOutput
{
    private readonly Dictionary<string, PartFile[]> _byTask;
    private readonly Dictionary<string, Validation.PartitionValidation?> _validation;

    private PreviousOutput(string fingerprint, Dictionary<string, PartFile[]> byTask, Dictionary<string, Validation.PartitionValidation?> validation, IReadOnlyList<PreviousSink> sinks)
    {
        Fingerprint = fingerprint;
        _byTask = byTask;
        _validation = validation;
        Sinks = sinks;
    }

    /// <summary>The job fingerprint it was committed with.</summary>
    public string Fingerprint { get; }

    /// <summary>Its outputs as the manifest lists them.</summary>
    public IReadOnlyList<PreviousSink> Sinks { get; }

    /// <summary>
    /// Reads the manifest of <paramref name="output"/> (its first <paramref name="sinkCount"/> outputs: sinks, then
    /// quarantine and key hashes; partitions' rule counts for a plan of <paramref name="rules"/> rules); null when there
    /// is none or it predates fingerprints or is damaged.
    /// </summary>
    public static PreviousOutput? Read(string output, int sinkCount, int rules = 0)
    {
        string path = Path.Combine(output, LocalExecutor.ManifestFile);
        if (!File.Exists(Path.Combine(output, LocalExecutor.SuccessMarker)) || !File.Exists(path))
        {
            return null;
        }
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = doc.RootElement;
            if (!root.TryGetProperty("fingerprint", out JsonElement fingerprint))
            {
                return null;
            }
            // Every task the output holds, even one that wrote no file (a partitioned sink's task without rows).
            var parts = new Dictionary<string, List<PartFile>>(StringComparer.Ordinal);
            var validation = new Dictionary<string, Validation.PartitionValidation?>(StringComparer.Ordinal);
            foreach (JsonElement partition in root.GetProperty("partitions").EnumerateArray())
            {
                string task = partition.GetProperty("task").GetString()!;
                parts.TryAdd(task, []);
                validation.TryAdd(task, OutputCommitter.ReadValidation(partition, rules));
            }
            var sinks = new List<PreviousSink>();
            int s = 0;
            foreach (JsonElement sink in root.GetProperty("outputs").EnumerateArray())
            {
                string folder = Path.Combine(output, sink.GetProperty("folder").GetString()!);
                var files = new List<PartFile>();
                foreach (JsonElement file in sink.GetProperty("files").EnumerateArray())
                {
                    string relative = file.GetProperty("path").GetString()!;
                    if (!HivePartitioning.IsContained(relative))
                    {
                        return null; // not a path this runtime writes: the manifest is not trusted
                    }
                    var part = new PartFile(
                        Path.Combine(folder, relative),
                        file.GetProperty("bytes").GetInt64(),
                        file.GetProperty("sha256").GetString()!,
                        file.GetProperty("rows").GetInt64())
                    {
                        Sink = s,
                        Folder = file.TryGetProperty("partitionPath", out JsonElement partitionPath) ? partitionPath.GetString()! : "",
                        Sequence = file.TryGetProperty("sequence", out JsonElement sequence) ? sequence.GetInt32() : 0,
                        Partition = file.TryGetProperty("partition", out JsonElement values) ? values.GetRawText() : null,
                        Extension = Path.GetExtension(relative).TrimStart('.'),
                    };
                    files.Add(part);
                    string task = file.GetProperty("task").GetString()!;
                    if (s < sinkCount && parts.TryGetValue(task, out List<PartFile>? taskParts))
                    {
                        taskParts.Add(part);
                    }
                }
                string kind = sink.TryGetProperty("kind", out JsonElement k) ? k.GetString()! : PreviousSink.SinkKind;
                string name = sink.TryGetProperty("segment", out JsonElement segment) ? segment.GetString()! : sink.GetProperty("folder").GetString()!;
                sinks.Add(new PreviousSink(name, folder, sink.GetProperty("rows").GetInt64(), files) { Kind = kind });
                s++;
            }
            return new PreviousOutput(fingerprint.GetString()!, parts.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal), validation, sinks);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
        {
            return null; // A manifest we cannot read is not trusted for reuse: everything is recomputed.
        }
    }

    /// <summary>Whether every file the manifest lists is present with its recorded size, and the output holds nothing else.</summary>
    public bool IsIntact(string output)
    {
        var listed = new HashSet<string>(Sinks.SelectMany(s => s.Files).Select(f => f.Path), StringComparer.Ordinal)
        {
            Path.Combine(output, LocalExecutor.ManifestFile),
            Path.Combine(output, LocalExecutor.SuccessMarker),
            Path.Combine(output, Validation.ValidationReport.FileName),
            Path.Combine(output, Fitting.FittedState.FileName),
        };
        return Sinks.All(s => s.Files.All(f => File.Exists(f.Path) && new FileInfo(f.Path).Length == f.Bytes))
            && Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).All(listed.Contains);
    }

    /// <summary>The parts task <paramref name="key"/> wrote into the previous output, if all are still there unchanged in size.</summary>
    public TaskOutput? Task(string key) =>
        _byTask.TryGetValue(key, out PartFile[]? parts) && parts.All(p => File.Exists(p.Path) && new FileInfo(p.Path).Length == p.Bytes)
            ? new TaskOutput(key, parts) { Validation = _validation.GetValueOrDefault(key) }
            : null;
}

/// <summary>One output of a committed run, as its manifest lists it.</summary>
internal sealed record PreviousSink(string Segment, string Directory, long Rows, IReadOnlyList<PartFile> Files)
{
    /// <summary>The <see cref="Kind"/> of a pipeline sink (others: <c>quarantine</c>, <c>uniqueKeys</c>).</summary>
    public const string SinkKind = "sink";

    /// <summary>What the output holds, as the manifest's <c>kind</c> says (manifests before quarantine outputs: a sink).</summary>
    public string Kind { get; init; } = SinkKind;
}
