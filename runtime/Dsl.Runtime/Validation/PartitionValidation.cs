using System.Text.Json;
using Dsl.Execution;
using Dsl.Validation.Statistics;

namespace Dsl.Validation;

/// <summary>One broken row as a report shows it.</summary>
/// <param name="File">The input file.</param>
/// <param name="RowGroup">Its row group (null for CSV and JSON Lines).</param>
/// <param name="RowInRowGroup">Its index within the row group (null for text, or when the rule's segment reads another segment's output).</param>
/// <param name="Row">Its index within the file, from 0 (null when the rule's segment reads another segment's output).</param>
/// <param name="Line">For CSV and JSON Lines: the 1-based line its record starts on.</param>
/// <param name="Reason">Why it broke the rule.</param>
public sealed record RuleSample(string File, int? RowGroup, long? RowInRowGroup, long? Row, long? Line, string Reason);

/// <summary>
/// What the rules found in one partition: per rule, how many rows broke it and the first
/// <see cref="SamplesPerRule"/> of them, and the rows the partition read. Committed with the task (in its
/// <c>task.json</c>) and listed in the manifest, so a rerun that reuses the partition reports the same numbers.
/// </summary>
internal sealed class PartitionValidation
{
    /// <summary>Samples kept per rule and partition.</summary>
    public const int SamplesPerRule = 10;

    public PartitionValidation(int rules)
    {
        Broken = new long[rules];
        Samples = Enumerable.Range(0, rules).Select(_ => new List<RuleSample>()).ToArray();
    }

    /// <summary>Rows read from the input (after row groups skipped by statistics).</summary>
    public long InputRows { get; set; }

    /// <summary>Rows sent to the quarantine (each once, whatever rules it broke); counted by <c>validate</c> too, which writes none.</summary>
    public long QuarantinedRows { get; set; }

    /// <summary>Per rule (by <see cref="RulePlan.Index"/>): rows that broke it.</summary>
    public long[] Broken { get; }

    /// <summary>Per rule: the first broken rows.</summary>
    public List<RuleSample>[] Samples { get; }

    /// <summary>
    /// The column statistics the run's gates, drift check or profile need, gathered over this partition's batches
    /// (<see cref="DatasetChecks"/>); null when the run gathers none.
    /// </summary>
    public StatisticsSet? Statistics { get; set; }

    /// <summary>Whether a sample of <paramref name="rule"/> is still wanted (so a reason is built only then).</summary>
    public bool WantsSample(int rule) => Samples[rule].Count < SamplesPerRule;

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("inputRows", InputRows);
        json.WriteNumber("quarantinedRows", QuarantinedRows);
        json.WriteStartArray("rules");
        for (int r = 0; r < Broken.Length; r++)
        {
            json.WriteStartObject();
            json.WriteNumber("broken", Broken[r]);
            json.WriteStartArray("samples");
            foreach (RuleSample sample in Samples[r])
            {
                WriteSample(json, sample);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (Statistics is not null)
        {
            json.WritePropertyName("statistics");
            json.WriteRawValue(Statistics.ToJson());
        }
        json.WriteEndObject();
    }

    /// <summary>Reads what <see cref="Write"/> wrote; null when it does not fit a plan with <paramref name="rules"/> rules.</summary>
    public static PartitionValidation? Read(JsonElement element, int rules)
    {
        JsonElement list = element.GetProperty("rules");
        if (list.GetArrayLength() != rules || !element.TryGetProperty("quarantinedRows", out JsonElement quarantined))
        {
            return null;
        }
        var state = new PartitionValidation(rules)
        {
            InputRows = element.GetProperty("inputRows").GetInt64(),
            QuarantinedRows = quarantined.GetInt64(),
            Statistics = element.TryGetProperty("statistics", out JsonElement statistics)
                ? StatisticsSet.Parse(System.Text.Encoding.UTF8.GetBytes(statistics.GetRawText()), "a task's validation state")
                : null,
        };
        int r = 0;
        foreach (JsonElement rule in list.EnumerateArray())
        {
            state.Broken[r] = rule.GetProperty("broken").GetInt64();
            foreach (JsonElement sample in rule.GetProperty("samples").EnumerateArray())
            {
                state.Samples[r].Add(ReadSample(sample));
            }
            r++;
        }
        return state;
    }

    internal static void WriteSample(Utf8JsonWriter json, RuleSample sample)
    {
        json.WriteStartObject();
        json.WriteString("file", sample.File);
        WriteNullable(json, "rowGroup", sample.RowGroup);
        WriteNullable(json, "rowInRowGroup", sample.RowInRowGroup);
        WriteNullable(json, "row", sample.Row);
        WriteNullable(json, "line", sample.Line);
        json.WriteString("reason", sample.Reason);
        json.WriteEndObject();
    }

    private static RuleSample ReadSample(JsonElement sample) => new(
        sample.GetProperty("file").GetString()!,
        sample.GetProperty("rowGroup").ValueKind == JsonValueKind.Null ? null : sample.GetProperty("rowGroup").GetInt32(),
        Nullable(sample.GetProperty("rowInRowGroup")),
        Nullable(sample.GetProperty("row")),
        Nullable(sample.GetProperty("line")),
        sample.GetProperty("reason").GetString()!);

    private static long? Nullable(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt64();

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
