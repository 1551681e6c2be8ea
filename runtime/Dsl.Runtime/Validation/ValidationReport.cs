using System.Text.Json;
using Dsl.Execution;

namespace Dsl.Validation;

/// <summary>What one rule found over the whole run.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Broken">Rows that broke it (a row that breaks several rules counts under each).</param>
/// <param name="Rate">Broken rows per input row read (0 when nothing was read).</param>
/// <param name="Samples">Up to 10 broken rows per partition, in partition order.</param>
public sealed record RuleResult(RulePlan Rule, long Broken, double Rate, IReadOnlyList<RuleSample> Samples)
{
    /// <summary>
    /// For a <see cref="RuleKind.Unique"/> rule: the rows beyond the first of their key in the whole input: those
    /// within a partition (<see cref="Broken"/>) plus, when <see cref="RulePlan.AcrossDataset"/>, keys repeated in
    /// other partitions (each key counts once per extra partition holding it). 0 for other rules.
    /// </summary>
    public long DuplicateKeys { get; init; }
}

/// <summary>One quarantine output: the rows of one schema that rules sent there.</summary>
/// <param name="Schema">The schema of the rows (a segment's input schema).</param>
/// <param name="Folder">The folder inside the output, <c>_quarantine/&lt;Schema&gt;</c>.</param>
/// <param name="Rows">Rows written.</param>
/// <param name="Files">How many part files hold them.</param>
public sealed record QuarantineResult(string Schema, string Folder, long Rows, int Files);

/// <summary>One entry of the report's <c>gates</c> or <c>drift</c> array: whoever computes it writes its JSON object.</summary>
public interface IValidationReportEntry
{
    /// <summary>Writes the entry as one JSON object.</summary>
    void WriteJson(Utf8JsonWriter json);
}

/// <summary>
/// A run's (or <c>validate</c>'s) validation: every rule with its counts and samples, the quarantine outputs, and the
/// gates and drift checks evaluated on it. Written as <c>_validation.json</c> next to the manifest
/// (<see cref="ToJson"/>, format <see cref="FormatVersion"/>; docs/validation.md describes every field).
/// </summary>
/// <param name="Pipeline">The pipeline name.</param>
/// <param name="InputRows">Rows read from the input.</param>
/// <param name="Rules">Per rule of the plan, in plan order.</param>
/// <param name="Quarantine">The quarantine outputs (one per schema whose rules quarantine rows), whether or not rows went there.</param>
public sealed record ValidationReport(string Pipeline, long InputRows, IReadOnlyList<RuleResult> Rules, IReadOnlyList<QuarantineResult> Quarantine)
{
    /// <summary>The version of the JSON format; a change that readers must know about increments it.</summary>
    public const int FormatVersion = 1;

    /// <summary>The file name in the output folder.</summary>
    public const string FileName = "_validation.json";

    /// <summary>
    /// Rows the rules sent to the quarantine: the rows of <see cref="Quarantine"/> after a run, and for <c>validate</c>
    /// (which writes none) the rows a run would have sent there. What a <c>quarantineRate</c> gate over all rules measures.
    /// </summary>
    public long QuarantinedRows { get; init; }

    /// <summary>Dataset gates evaluated on the run.</summary>
    public IReadOnlyList<IValidationReportEntry> Gates { get; init; } = [];

    /// <summary>Drift checks against a reference profile.</summary>
    public IReadOnlyList<IValidationReportEntry> Drift { get; init; } = [];

    /// <summary>The gates' results, for the console and HTML reports.</summary>
    internal IReadOnlyList<Gates.GateResult> GateResults { get; init; } = [];

    /// <summary>The drift results, for the console and HTML reports.</summary>
    internal IReadOnlyList<Drift.ColumnDrift> DriftResults { get; init; } = [];

    /// <summary>Whether drift beyond a threshold stops the commit.</summary>
    internal GateSeverity DriftSeverity { get; init; } = GateSeverity.Fail;

    /// <summary>The run's profile, when the <c>profile</c> command or a drift check asked for one.</summary>
    internal Statistics.DatasetProfile? Profile { get; init; }

    /// <summary>
    /// Why the run may not commit: each failed gate of severity <see cref="GateSeverity.Fail"/>, and each drifted
    /// column when the drift check's severity is <see cref="GateSeverity.Fail"/>; empty when it may.
    /// </summary>
    public IReadOnlyList<string> CommitBlockers =>
        [.. GateResults.Where(g => g.BlocksCommit).Select(g => g.Message), .. DriftSeverity == GateSeverity.Fail ? DriftResults.Where(d => !d.Passed).Select(d => "drift: " + d.Message) : []];

    /// <summary>Breaches that are only reported: failed gates of severity <see cref="GateSeverity.Warn"/>, and drift under a warn-only check.</summary>
    public IReadOnlyList<string> Warnings =>
        [.. GateResults.Where(g => !g.Passed && !g.BlocksCommit).Select(g => g.Message), .. DriftSeverity == GateSeverity.Warn ? DriftResults.Where(d => !d.Passed).Select(d => "drift: " + d.Message) : []];

    /// <summary>Whether a <see cref="RuleAction.Fail"/> rule was broken (only <c>validate</c> gets that far; a run stops at the first).</summary>
    public bool FailRuleBroken => Rules.Any(r => r.Rule.Action == RuleAction.Fail && (r.Broken > 0 || r.DuplicateKeys > 0));

    /// <summary>The report as indented UTF-8 JSON.</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", FormatVersion);
            json.WriteString("pipeline", Pipeline);
            json.WriteNumber("inputRows", InputRows);
            json.WriteStartArray("rules");
            foreach (RuleResult result in Rules)
            {
                RulePlan rule = result.Rule;
                json.WriteStartObject();
                rule.WriteIdentity(json);
                json.WriteString("description", rule.Description);
                json.WriteStartObject("counts");
                json.WriteNumber("broken", result.Broken);
                foreach (RuleAction action in Enum.GetValues<RuleAction>())
                {
                    json.WriteNumber(Outcome(action), action == rule.Action ? result.Broken : 0);
                }
                json.WriteEndObject();
                json.WriteNumber("rate", result.Rate);
                if (rule.Kind == RuleKind.Unique)
                {
                    json.WriteNumber("duplicateKeys", result.DuplicateKeys);
                }
                json.WriteStartArray("samples");
                foreach (RuleSample sample in result.Samples)
                {
                    PartitionValidation.WriteSample(json, sample);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("quarantine");
            foreach (QuarantineResult q in Quarantine)
            {
                json.WriteStartObject();
                json.WriteString("schema", q.Schema);
                json.WriteString("folder", q.Folder);
                json.WriteNumber("rows", q.Rows);
                json.WriteNumber("files", q.Files);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("gates");
            foreach (IValidationReportEntry gate in Gates)
            {
                gate.WriteJson(json);
            }
            json.WriteEndArray();
            json.WriteStartArray("drift");
            foreach (IValidationReportEntry drift in Drift)
            {
                drift.WriteJson(json);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>The outcome a rule's action gives a broken row, as the report's counts name it.</summary>
    public static string Outcome(RuleAction action) => action switch
    {
        RuleAction.Quarantine => "quarantined",
        RuleAction.Drop => "dropped",
        RuleAction.Fail => "failed",
        RuleAction.Warn => "warned",
        _ => action.ToString().ToLowerInvariant(),
    };
}
