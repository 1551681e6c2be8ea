using System.Security.Cryptography;
using System.Text.Json;
using Dsl.Execution;
using Dsl.Parquet;

namespace Dsl.Training;

/// <summary>One Parquet part of a committed output, as its manifest lists it.</summary>
/// <param name="Path">The part's full path.</param>
/// <param name="Rows">Its rows.</param>
/// <param name="Bytes">Its size in bytes.</param>
/// <param name="Sha256">Its SHA-256, as the run recorded it.</param>
public sealed record OutputPart(string Path, long Rows, long Bytes, string Sha256);

/// <summary>One row group of a committed output that holds rows.</summary>
/// <param name="Part">Its part's index in <see cref="CommittedOutput.Parts"/>.</param>
/// <param name="Path">Its part's full path.</param>
/// <param name="RowGroup">Its index in the part.</param>
/// <param name="FirstRow">The rows of all row groups before it, in the manifest's order.</param>
/// <param name="Rows">Its rows.</param>
public sealed record OutputRowGroup(int Part, string Path, int RowGroup, long FirstRow, long Rows);

/// <summary>
/// A committed Dsl output read through its <c>_manifest.json</c>: the parts of one sink, in the manifest's order, and
/// the manifest's own SHA-256, which names this exact state of the data (a rerun that changes any part writes a new
/// manifest). Readers of training data (the training feed, <c>Dsl.MLNet</c>'s data view) open outputs through it, so
/// they read only what a run committed: never staging files, never a folder a run is still writing.
/// </summary>
public sealed class CommittedOutput
{
    private CommittedOutput(string folder, string manifestPath, string manifestSha256, string sink, IReadOnlyList<OutputPart> parts)
    {
        Folder = folder;
        ManifestPath = manifestPath;
        ManifestSha256 = manifestSha256;
        Sink = sink;
        Parts = parts;
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <summary>Its <c>_manifest.json</c>.</summary>
    public string ManifestPath { get; }

    /// <summary>The SHA-256 of the manifest's bytes, in lowercase hex: changes whenever the committed data does.</summary>
    public string ManifestSha256 { get; }

    /// <summary>The sink read: the folder of its parts inside the output ("" for a pipeline's only sink).</summary>
    public string Sink { get; }

    /// <summary>The sink's parts, in the manifest's order.</summary>
    public IReadOnlyList<OutputPart> Parts { get; }

    /// <summary>The rows of all parts.</summary>
    public long Rows => Parts.Sum(p => p.Rows);

    /// <summary>
    /// Reads every part's footer, in the manifest's order, and lists the row groups that hold rows: the units the
    /// training feed shuffles and the data view's cursors split. <paramref name="checkPart"/> sees each part's reader
    /// (to check its columns against the first part's).
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// A part is damaged or not Parquet, or its footer's rows are not the manifest's; the message names the part.
    /// </exception>
    public IReadOnlyList<OutputRowGroup> ReadRowGroups(Action<OutputPart, ParquetFileReader>? checkPart = null)
    {
        var groups = new List<OutputRowGroup>();
        long firstRow = 0;
        for (int p = 0; p < Parts.Count; p++)
        {
            OutputPart part = Parts[p];
            ParquetFileReader reader;
            try
            {
                reader = new ParquetFileReader(part.Path);
            }
            catch (ParquetFormatException e)
            {
                throw new InvalidDataException($"{part.Path}: the part is damaged or not a Parquet file: {e.Problem ?? e.Message}", e);
            }
            using (reader)
            {
                if (reader.RowCount != part.Rows)
                {
                    throw new InvalidDataException($"{part.Path}: {reader.RowCount} rows, but {ManifestPath} lists {part.Rows}; the output was changed after its run committed it.");
                }
                checkPart?.Invoke(part, reader);
                IReadOnlyList<ParquetRowGroupMetadata> footer = reader.Metadata.RowGroups;
                for (int g = 0; g < footer.Count; g++)
                {
                    if (footer[g].NumRows > 0)
                    {
                        groups.Add(new OutputRowGroup(p, part.Path, g, firstRow, footer[g].NumRows));
                        firstRow += footer[g].NumRows;
                    }
                }
            }
        }
        return groups;
    }

    /// <summary>
    /// Opens the committed output at <paramref name="path"/>: an output folder or its <c>_manifest.json</c>. A pipeline
    /// with several sinks needs <paramref name="sink"/>: the sink's folder in the output (its last stage, or the name
    /// pipeline.yaml's <c>outputs:</c> gave it) or its segment's name.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// No committed output is there, its manifest is damaged, the sink is ambiguous or unknown, or a listed part is
    /// missing or has another size than the manifest says; the message names the file.
    /// </exception>
    public static CommittedOutput Open(string path, string? sink = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = System.IO.Path.GetFullPath(path);
        string folder, manifest;
        if (File.Exists(full))
        {
            manifest = full;
            folder = System.IO.Path.GetDirectoryName(full)!;
        }
        else
        {
            folder = full;
            manifest = System.IO.Path.Combine(full, LocalExecutor.ManifestFile);
        }
        if (!Directory.Exists(folder))
        {
            throw new InvalidDataException($"{path}: no such folder; expected the output folder of a Dsl run (or its {LocalExecutor.ManifestFile}).");
        }
        if (!File.Exists(manifest) || !File.Exists(System.IO.Path.Combine(folder, LocalExecutor.SuccessMarker)))
        {
            throw new InvalidDataException($"{folder}: no committed Dsl output here (expected {LocalExecutor.ManifestFile} and {LocalExecutor.SuccessMarker}, which a run writes when it commits).");
        }
        byte[] bytes = File.ReadAllBytes(manifest);
        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        try
        {
            using JsonDocument doc = JsonDocument.Parse(bytes);
            var sinks = new List<(string Folder, string Segment, JsonElement Files)>();
            foreach (JsonElement output in doc.RootElement.GetProperty("outputs").EnumerateArray())
            {
                if (output.TryGetProperty("kind", out JsonElement kind) && kind.GetString() != "sink")
                {
                    continue; // quarantine and key hashes are not training data
                }
                sinks.Add((output.GetProperty("folder").GetString()!, output.TryGetProperty("segment", out JsonElement s) ? s.GetString() ?? "" : "", output.GetProperty("files")));
            }
            (string Folder, string Segment, JsonElement Files) chosen = ChooseSink(manifest, sinks, sink);
            if (chosen.Folder.Length > 0 && !HivePartitioning.IsContained(chosen.Folder))
            {
                throw new InvalidDataException($"{manifest}: sink folder '{chosen.Folder}' leaves the output folder; the manifest is not one a Dsl run wrote.");
            }
            var parts = new List<OutputPart>();
            foreach (JsonElement file in chosen.Files.EnumerateArray())
            {
                string relative = file.GetProperty("path").GetString()!;
                if (!HivePartitioning.IsContained(relative))
                {
                    throw new InvalidDataException($"{manifest}: part path '{relative}' leaves the output folder; the manifest is not one a Dsl run wrote.");
                }
                string partPath = System.IO.Path.Combine(folder, chosen.Folder, relative);
                long size = file.GetProperty("bytes").GetInt64();
                var info = new FileInfo(partPath);
                if (!info.Exists)
                {
                    throw new InvalidDataException($"{partPath}: listed in {manifest} but missing; the output was changed after its run committed it.");
                }
                if (info.Length != size)
                {
                    throw new InvalidDataException($"{partPath}: {info.Length} bytes, but {manifest} lists {size}; the output was changed after its run committed it.");
                }
                parts.Add(new OutputPart(partPath, file.GetProperty("rows").GetInt64(), size, file.GetProperty("sha256").GetString()!));
            }
            return new CommittedOutput(folder, manifest, hash, chosen.Folder, parts);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{manifest}: not a Dsl run manifest ({e.Message}).", e);
        }
    }

    private static (string Folder, string Segment, JsonElement Files) ChooseSink(string manifest, List<(string Folder, string Segment, JsonElement Files)> sinks, string? sink)
    {
        string Names() => string.Join(", ", sinks.Select(s => s.Folder.Length > 0 ? s.Folder : "(the output folder)"));
        if (sinks.Count == 0)
        {
            throw new InvalidDataException($"{manifest}: the run wrote no sink output.");
        }
        if (sink is null)
        {
            return sinks.Count == 1
                ? sinks[0]
                : throw new InvalidDataException($"{manifest}: the run wrote {sinks.Count} sinks ({Names()}); name the one to read.");
        }
        foreach (var s in sinks)
        {
            if (string.Equals(s.Folder, sink, StringComparison.Ordinal) || string.Equals(s.Segment, sink, StringComparison.Ordinal))
            {
                return s;
            }
        }
        throw new InvalidDataException($"{manifest}: no sink '{sink}'; the run wrote {Names()}.");
    }
}
