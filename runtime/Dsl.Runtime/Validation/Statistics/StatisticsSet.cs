using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dsl.Validation.Statistics;

/// <summary>
/// The statistics a run gathers, one <see cref="SchemaStatistics"/> per schema measured: what a task commits (as a
/// <c>dsl-stats/1</c> JSON document, <see cref="ToJson"/>) and what the job merges and evaluates gates and profiles
/// on.
/// </summary>
internal sealed class StatisticsSet
{
    /// <summary>The format name and version written and accepted.</summary>
    public const string Format = "dsl-stats/1";

    private readonly List<SchemaStatistics> _schemas;

    /// <summary>A set of the given schemas' statistics.</summary>
    public StatisticsSet(IEnumerable<SchemaStatistics> schemas) => _schemas = [.. schemas];

    /// <summary>The schemas measured.</summary>
    public IReadOnlyList<SchemaStatistics> Schemas => _schemas;

    /// <summary>
    /// Empty statistics for what <paramref name="requirements"/> (schema → column → kinds, see
    /// <see cref="Gates.GateEvaluator.Requirements"/>) asks of the schemas in <paramref name="schemas"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A schema or a column is unknown.</exception>
    public static StatisticsSet Create(IReadOnlyDictionary<string, BatchSchema> schemas, IReadOnlyDictionary<string, Dictionary<string, StatisticKinds>> requirements) =>
        new(requirements.Select(r => SchemaStatistics.Create(
            r.Key,
            schemas.TryGetValue(r.Key, out BatchSchema? schema) ? schema : throw new ArgumentException($"No schema '{r.Key}' to gather statistics of; the plan's schemas are {string.Join(", ", schemas.Keys)}.", nameof(requirements)),
            r.Value)));

    /// <summary>The statistics of schema <paramref name="name"/>, or null.</summary>
    public SchemaStatistics? Schema(string name) => _schemas.Find(s => s.Name == name);

    /// <summary>Adds <paramref name="other"/>'s rows, schema by schema (both must measure the same schemas and columns).</summary>
    public void Merge(StatisticsSet other)
    {
        if (other._schemas.Count != _schemas.Count)
        {
            throw new ArgumentException($"Statistics of {_schemas.Count} schemas cannot merge statistics of {other._schemas.Count}.", nameof(other));
        }
        for (int i = 0; i < _schemas.Count; i++)
        {
            _schemas[i].Merge(other._schemas[i]);
        }
    }

    /// <summary>The state as UTF-8 JSON.</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteStartArray("schemas");
            foreach (SchemaStatistics schema in _schemas)
            {
                schema.WriteJson(json);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote; <paramref name="source"/> (a file path) names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a <c>dsl-stats/1</c> document; the message says where and what was expected.</exception>
    public static StatisticsSet Parse(ReadOnlyMemory<byte> utf8, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a JSON document ({e.Message}); expected run statistics ({Format}).", e);
        }
        using (document)
        {
            JsonFields root = JsonFields.Root(document, source, Format);
            ProfileFormat.CheckFormat(root, Format, "run statistics");
            return new StatisticsSet(root.Objects("schemas").Select(SchemaStatistics.Read));
        }
    }
}
