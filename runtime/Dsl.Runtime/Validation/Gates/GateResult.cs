using System.Text.Json;
using Dsl.Execution;
using Dsl.Validation.Statistics;

namespace Dsl.Validation.Gates;

/// <summary>The outcome of one dataset gate.</summary>
/// <param name="Gate">The gate checked.</param>
/// <param name="Measured">The value measured (a fraction for rates, a count for rows, distinct values and duplicates; NaN when there was nothing to measure).</param>
/// <param name="Passed">Whether the value is within the bounds.</param>
/// <param name="Estimated">Whether the value is an estimate (a distinct count beyond 65,536 values: HyperLogLog, ±0.81%).</param>
/// <param name="Message">One sentence naming the gate, where it was declared, the value, the bound and where to look.</param>
internal sealed record GateResult(GatePlan Gate, double Measured, bool Passed, bool Estimated, string Message) : IValidationReportEntry
{
    /// <summary>Whether this result stops the commit: it failed and its severity is <see cref="GateSeverity.Fail"/>.</summary>
    public bool BlocksCommit => !Passed && Gate.Severity == GateSeverity.Fail;

    /// <summary>The bounds in words: <c>[0, 20%]</c>, <c>≥ 1,000</c>, <c>≤ 0</c>.</summary>
    public string Bounds => GateEvaluator.DescribeBounds(Gate);

    /// <summary>The measured value in words (<c>27.8%</c>, <c>1,000,000</c>, <c>12.5</c>, <c>about 1,204,311</c>).</summary>
    public string MeasuredText => GateEvaluator.DescribeValue(Gate, Measured, Estimated);

    /// <summary>Writes the result as a JSON object (for <c>_validation.json</c>).</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id", Gate.Id);
        json.WriteString("metric", Gate.Metric.ToString());
        json.WriteString("schema", Gate.Schema);
        json.WriteStartArray("columns");
        foreach (string column in Gate.Columns)
        {
            json.WriteStringValue(column);
        }
        json.WriteEndArray();
        if (Gate.Rule is not null)
        {
            json.WriteString("rule", Gate.Rule);
        }
        JsonFields.WriteDouble(json, "measured", Measured);
        json.WriteBoolean("estimated", Estimated);
        if (GateEvaluator.Bound(Gate.Min) is { } min)
        {
            json.WriteNumber("min", min);
        }
        if (GateEvaluator.Bound(Gate.Max) is { } max)
        {
            json.WriteNumber("max", max);
        }
        json.WriteString("severity", Gate.Severity == GateSeverity.Fail ? "fail" : "warn");
        json.WriteBoolean("passed", Passed);
        json.WriteString("declared", Gate.Declared);
        json.WriteString("message", Message);
        json.WriteEndObject();
    }
}
