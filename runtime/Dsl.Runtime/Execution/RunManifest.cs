using System.Text.Json;
using Dsl.Execution.Commit;

namespace Dsl.Execution;

/// <summary>
/// The record of a committed run, <c>_manifest.json</c> in the output: the job fingerprint a rerun compares against,
/// the plan with its parameter values, the settings, every input file with its size, modification time and footer
/// hash (the whole file's hash for text input), the partitions with their task keys and whether each was computed or
/// reused, and every output part with its rows, size, SHA-256 and, for a partitioned sink, its partition folder and
/// values. Readers that trust only listed files can read the output from this alone. Quarantine outputs and unique
/// rules' key hashes are listed among the outputs with their <c>kind</c>, and each partition carries what the row
/// rules found in it (<c>validation</c>), so a rerun that reuses it reports the same counts.
/// </summary>
internal sealed class RunManifest(
    PipelinePlan plan,
    StageParameterValues parameters,
    string fingerprint,
    IReadOnlyList<FileFingerprint> inputs,
    IReadOnlyList<Partition> partitions,
    IReadOnlyList<string> taskKeys,
    IReadOnlyList<int> computed,
    IReadOnlyList<string> sinkFolders,
    IReadOnlyList<SinkLayout> layouts,
    IReadOnlyList<TaskOutput> outputs,
    ExecutionOptions options,
    Validation.ValidationLayout validation)
{
    /// <summary>The fitted state the run bound, written as <c>fitted</c> (its file in the output, hash and source); null for none.</summary>
    public Fitting.FitSummary? Fit { get; init; }

    public byte[] ToJson(JobResult result)
    {
        var computedSet = computed.ToHashSet();
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("pipeline", plan.Name);
            json.WriteString("runtimeVersion", typeof(RunManifest).Assembly.GetName().Version?.ToString());
            json.WriteString("fingerprint", fingerprint);
            json.WriteString("completedUtc", DateTime.UtcNow);
            json.WriteNumber("elapsedSeconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            json.WritePropertyName("plan");
            PlanJson.Write(json, plan, parameters);
            json.WriteStartObject("settings");
            json.WriteNumber("parallelism", options.MaxParallelism);
            json.WriteNumber("targetPartitionRows", options.TargetPartitionRows);
            json.WriteString("compression", options.Write.Compression.ToString());
            json.WriteNumber("rowGroupRows", options.Write.RowGroupRows);
            json.WriteNumber("rowGroupBytesLimit", LocalExecutor.WriterRowGroupBytes(options, result.Sinks.Count));
            json.WriteBoolean("pageChecksums", options.Write.WritePageChecksums);
            json.WriteNumber("maxRowsPerFile", options.MaxRowsPerFile);
            json.WriteNumber("maxBytesPerFile", options.MaxBytesPerFile);
            json.WriteNumber("maxOpenFiles", options.MaxOpenFiles);
            json.WriteNumber("memoryBudgetBytes", options.MemoryBudget);
            json.WriteEndObject();
            if (Fit is { } fit)
            {
                json.WriteStartObject("fitted");
                json.WriteString("file", Fitting.FittedState.FileName);
                json.WriteString("sha256", fit.Hash);
                // computed: this run's first pass; cached: an earlier run's, reused unchanged; loaded: --fitted FILE.
                json.WriteString("source", fit.Source.ToString().ToLowerInvariant());
                json.WriteBoolean("loaded", fit.Source == Fitting.FitSource.Loaded);
                if (fit.File is not null)
                {
                    json.WriteString("loadedFrom", fit.File);
                }
                json.WriteNumber("rowsRead", fit.RowsRead);
                json.WriteNumber("partitions", fit.Partitions);
                json.WriteNumber("elapsedSeconds", Math.Round(fit.Elapsed.TotalSeconds, 3));
                json.WriteEndObject();
            }
            json.WriteStartObject("memory");
            json.WriteNumber("budgetPeakBytes", result.MemoryBudgetPeak);
            json.WriteNumber("peakRssBytes", result.PeakRssBytes);
            json.WriteNumber("peakOpenFilesPerTask", result.PeakOpenFiles);
            json.WriteNumber("peakWriterBytesPerTask", result.PeakWriterBytes);
            json.WriteEndObject();
            json.WriteStartArray("inputs");
            foreach (FileFingerprint file in inputs)
            {
                json.WriteStartObject();
                json.WriteString("path", file.Path);
                json.WriteNumber("bytes", file.Bytes);
                json.WriteString("lastWriteUtc", file.LastWriteUtc);
                json.WriteString(file.WholeFile ? "contentSha256" : "footerSha256", file.FooterSha256);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("partitions");
            foreach (Partition p in partitions)
            {
                json.WriteStartObject();
                json.WriteNumber("index", p.Index);
                if (p.Bucket is { } bucket)
                {
                    // A bucket task of an aggregate or shuffle join: it reads that stage's spill files, not an input file.
                    json.WriteStartObject("bucket");
                    json.WriteString("stage", bucket.Barrier);
                    json.WriteNumber("bucket", bucket.Bucket);
                    json.WriteNumber("wave", bucket.Wave);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteString("file", p.File);
                }
                if (p.Bucket is null && p.Format == InputFormat.Parquet)
                {
                    json.WriteNumber("firstRowGroup", p.FirstRowGroup);
                    json.WriteNumber("rowGroups", p.RowGroupCount);
                }
                else if (p.Bucket is null)
                {
                    json.WriteString("format", p.Format == InputFormat.Csv ? "csv" : "jsonl");
                    json.WriteNumber("byteStart", p.ByteStart);
                    json.WriteNumber("byteEnd", p.ByteEnd);
                    json.WriteNumber("firstLine", p.FirstLine);
                }
                if (p.PartitionValues.Count > 0)
                {
                    json.WriteStartObject("partitionValues");
                    foreach (PartitionValue value in p.PartitionValues)
                    {
                        json.WriteString(value.Column, value.Value);
                    }
                    json.WriteEndObject();
                }
                json.WriteNumber("rows", p.Rows);
                json.WriteString("task", taskKeys[p.Index]);
                json.WriteBoolean("reused", !computedSet.Contains(p.Index));
                if (outputs[p.Index].Validation is { } found)
                {
                    json.WritePropertyName("validation");
                    found.Write(json);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("rowsRead", result.RowsRead);
            json.WriteNumber("rowGroupsSkipped", result.RowGroupsSkipped);
            json.WriteNumber("rowsSkipped", result.RowsSkipped);
            json.WriteNumber("partitionsReused", result.PartitionsReused);
            json.WriteStartArray("outputs");
            for (int s = 0; s < sinkFolders.Count; s++)
            {
                int output = s;
                bool isSink = s < result.Sinks.Count;
                json.WriteStartObject();
                if (isSink)
                {
                    json.WriteString("kind", "sink");
                    json.WriteString("segment", result.Sinks[s].Segment);
                }
                else if (s < validation.FirstUniqueSink)
                {
                    json.WriteString("kind", "quarantine");
                    json.WriteString("schema", validation.QuarantineSchemas[s - validation.FirstQuarantineSink]);
                }
                else
                {
                    json.WriteString("kind", "uniqueKeys");
                    json.WriteString("rule", validation.UniqueAcross[s - validation.FirstUniqueSink].Id);
                }
                json.WriteString("directory", isSink ? result.Sinks[s].Directory : Path.Combine(result.OutputDirectory, sinkFolders[s]));
                json.WriteString("folder", sinkFolders[s]);
                json.WriteNumber("rows", outputs.Sum(o => o.Parts.Where(p => p.Sink == output).Sum(p => p.Rows)));
                if (isSink && layouts[s].IsPartitioned)
                {
                    json.WriteStartArray("partitionBy");
                    foreach (string column in layouts[s].PartitionBy)
                    {
                        json.WriteStringValue(column);
                    }
                    json.WriteEndArray();
                }
                json.WriteStartArray("files");
                foreach (Partition p in partitions)
                {
                    foreach (PartFile part in outputs[p.Index].Parts.Where(part => part.Sink == s))
                    {
                        json.WriteStartObject();
                        json.WriteString("path", part.RelativePath(p.Index));
                        if (part.Partition is not null)
                        {
                            json.WriteString("partitionPath", part.Folder);
                            json.WritePropertyName("partition");
                            json.WriteRawValue(part.Partition);
                        }
                        json.WriteNumber("sequence", part.Sequence);
                        json.WriteNumber("rows", part.Rows);
                        json.WriteNumber("bytes", part.Bytes);
                        json.WriteString("sha256", part.Sha256);
                        json.WriteString("task", taskKeys[p.Index]);
                        json.WriteEndObject();
                    }
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("profileSeconds");
            json.WriteNumber("readDecode", Math.Round(result.Profile.ReadDecode.TotalSeconds, 4));
            json.WriteNumber("kernels", Math.Round(result.Profile.Kernels.TotalSeconds, 4));
            json.WriteNumber("encodeWrite", Math.Round(result.Profile.EncodeWrite.TotalSeconds, 4));
            json.WriteNumber("taskCommits", Math.Round(result.Profile.TaskCommits.TotalSeconds, 4));
            json.WriteNumber("jobCommitBeforeManifest", Math.Round(result.Profile.JobCommit.TotalSeconds, 4));
            json.WriteEndObject();
            if (result.Barriers.Count > 0)
            {
                json.WriteStartArray("barriers");
                foreach (BarrierResult barrier in result.Barriers)
                {
                    json.WriteStartObject();
                    json.WriteString("stage", barrier.Stage);
                    json.WriteString("kind", barrier.Kind);
                    json.WriteString("strategy", barrier.Strategy);
                    if (barrier.Reason is not null)
                    {
                        json.WriteString("reason", barrier.Reason);
                    }
                    json.WriteNumber("buckets", barrier.Buckets);
                    json.WriteNumber("spilledRows", barrier.SpilledRows);
                    json.WriteNumber("spilledBytes", barrier.SpilledBytes);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteStartArray("segments");
            foreach (SegmentStatistics segment in result.Segments)
            {
                json.WriteStartObject();
                json.WriteString("name", segment.Segment);
                json.WriteNumber("rowsIn", segment.RowsIn);
                json.WriteNumber("rowsOut", segment.RowsOut);
                json.WriteNumber("kernelSeconds", Math.Round(segment.KernelTime.TotalSeconds, 4));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }
}
