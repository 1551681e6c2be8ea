using System.Text.Json;

namespace Dsl.Execution;

/// <summary>
/// The record of a committed run, written as <c>_manifest.json</c> beside the output: the plan, every input file with
/// its size and modification time, the partitions, and the rows each output received. The plan carries the stage
/// parameter values the run used.
/// </summary>
internal static class RunManifest
{
    public static void Write(string path, PipelinePlan plan, StageParameterValues parameters, IReadOnlyList<string> files, IReadOnlyList<Partition> partitions, JobResult result)
    {
        string temp = path + ".tmp";
        using (FileStream stream = File.Create(temp))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("pipeline", plan.Name);
            json.WriteString("runtimeVersion", typeof(RunManifest).Assembly.GetName().Version?.ToString());
            json.WriteString("completedUtc", DateTime.UtcNow);
            json.WriteNumber("elapsedSeconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            json.WritePropertyName("plan");
            PlanJson.Write(json, plan, parameters);
            json.WriteStartArray("inputs");
            foreach (string file in files)
            {
                var info = new FileInfo(file);
                json.WriteStartObject();
                json.WriteString("path", file);
                json.WriteNumber("bytes", info.Length);
                json.WriteString("lastWriteUtc", info.LastWriteTimeUtc);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("partitions");
            foreach (Partition p in partitions)
            {
                json.WriteStartObject();
                json.WriteNumber("index", p.Index);
                json.WriteString("file", p.File);
                json.WriteNumber("firstRowGroup", p.FirstRowGroup);
                json.WriteNumber("rowGroups", p.RowGroupCount);
                json.WriteNumber("rows", p.Rows);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("rowsRead", result.RowsRead);
            json.WriteNumber("rowGroupsSkipped", result.RowGroupsSkipped);
            json.WriteNumber("rowsSkipped", result.RowsSkipped);
            json.WriteStartArray("outputs");
            foreach (SinkResult sink in result.Sinks)
            {
                json.WriteStartObject();
                json.WriteString("segment", sink.Segment);
                json.WriteString("directory", sink.Directory);
                json.WriteNumber("rows", sink.Rows);
                json.WriteNumber("files", sink.Files.Count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        File.Move(temp, path, overwrite: true);
    }
}
