using System.Text.Json;

namespace Dsl.Execution;

/// <summary>
/// Writes a <see cref="PipelinePlan"/> as JSON by hand (no reflection, so the runtime stays trimming- and AOT-safe).
/// The same shape appears in <c>explain --format json</c> and in the run manifest.
/// </summary>
internal static class PlanJson
{
    /// <summary>
    /// Writes <paramref name="plan"/> as a JSON object; a stage that takes parameters lists its members with their
    /// values from <paramref name="parameters"/> (null where none is set). Each segment says whether it runs only in
    /// the first pass of a plan with fit stages (<c>fitOnly</c>) and which barrier's output it reads
    /// (<c>inputBarrier</c>); <c>fits</c> lists the fit stages and their requests, <c>aggregates</c>, <c>joins</c> and
    /// <c>splits</c> the barrier stages and the splits of outputs.
    /// </summary>
    public static void Write(Utf8JsonWriter json, PipelinePlan plan, StageParameterValues? parameters = null)
    {
        json.WriteStartObject();
        json.WriteString("name", plan.Name);
        json.WriteString("inputSchema", plan.InputSchema);
        json.WriteStartObject("schemas");
        foreach ((string name, BatchSchema schema) in plan.Schemas.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            json.WriteStartArray(name);
            foreach (ColumnField field in schema.Fields)
            {
                json.WriteStartObject();
                json.WriteString("name", field.Name);
                json.WriteString("type", field.Type.ToString());
                json.WriteBoolean("nullable", field.Nullable);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteStartArray("stages");
        foreach (StagePlan stage in plan.Stages)
        {
            json.WriteStartObject();
            json.WriteString("name", stage.Name);
            json.WriteString("kind", stage.Kind.ToString());
            json.WriteString("input", stage.InputSchema);
            json.WriteString("output", stage.OutputSchema);
            json.WriteString("from", stage.From);
            json.WriteBoolean("vectorized", stage.Vectorized);
            if (stage.FallbackReason is not null)
            {
                json.WriteString("fallbackReason", stage.FallbackReason);
            }
            if (stage.ScanPredicates is { Count: > 0 } predicates)
            {
                json.WriteStartArray("scanPredicates");
                foreach (ScanPredicate predicate in predicates)
                {
                    WritePredicate(json, predicate);
                }
                json.WriteEndArray();
            }
            if (stage.Parameters is { } stageParameters)
            {
                WriteParameters(json, stageParameters, parameters ?? StageParameterValues.Empty);
            }
            if (stage.Model is { RunTimeName: { } name } runTime)
            {
                // The run's file and hash: in the manifest, and in the run fingerprint, so a new model recomputes all.
                Models.RunTimeModel? given = parameters?.FindModel(name);
                json.WriteStartObject("model");
                json.WriteString("name", name);
                json.WriteString("file", given?.Path);
                json.WriteString("sha256", given?.Sha256);
                json.WriteString("format", given?.Format);
                json.WriteString("description", given?.Describe() ?? runTime.Description);
                json.WriteString("output", runTime.Output);
                json.WriteNumber("outputs", runTime.Outputs);
                if (given is { BatchRows: > 0 })
                {
                    json.WriteNumber("batchRows", given.BatchRows);
                }
                WriteStrings(json, "features", runTime.Features);
                json.WriteEndObject();
            }
            else if (stage.Model is { } model)
            {
                json.WriteStartObject("model");
                json.WriteString("file", model.File);
                json.WriteString("sha256", model.Sha256);
                json.WriteString("description", model.Description);
                json.WriteString("output", model.Output);
                WriteStrings(json, "features", model.Features);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("segments");
        foreach (SegmentPlan segment in plan.Segments)
        {
            json.WriteStartObject();
            json.WriteNumber("index", segment.Index);
            json.WriteString("name", segment.Name);
            WriteStrings(json, "stages", segment.Stages);
            if (segment.InputSegment is int input)
            {
                json.WriteNumber("inputSegment", input);
            }
            else
            {
                json.WriteNull("inputSegment");
            }
            json.WriteString("inputBarrier", segment.InputBarrier);
            json.WriteString("inputSchema", segment.InputSchema);
            json.WriteString("outputSchema", segment.OutputSchema);
            json.WriteBoolean("isSink", segment.IsSink);
            json.WriteBoolean("fitOnly", segment.FitOnly);
            WriteStrings(json, "readColumns", segment.ReadColumns);
            WriteStrings(json, "writtenColumns", plan.WrittenColumns(segment));
            if (segment.Execution != SegmentExecution.Unspecified)
            {
                json.WriteString("execution", segment.Execution.ToString());
            }
            if (segment.NoVectorBlock is { } decline)
            {
                json.WriteStartObject("noVectorBlock");
                json.WriteString("stage", decline.Stage);
                json.WriteString("construct", decline.Construct);
                json.WriteString("reason", decline.Reason);
                json.WriteEndObject();
            }
            IReadOnlyList<SegmentPlan> consumers = plan.ConsumersOf(segment);
            json.WriteBoolean("materialized", consumers.Count >= 2);
            json.WriteStartArray("consumers");
            foreach (SegmentPlan consumer in consumers)
            {
                json.WriteNumberValue(consumer.Index);
            }
            json.WriteEndArray();
            json.WriteStartArray("scanPredicates");
            foreach (ScanPredicate predicate in plan.ScanPredicates(segment))
            {
                WritePredicate(json, predicate);
            }
            json.WriteEndArray();
            json.WriteStartArray("rules");
            foreach (RulePlan rule in plan.Rules.Where(r => r.Segment == segment.Index))
            {
                json.WriteNumberValue(rule.Index);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("rules");
        foreach (RulePlan rule in plan.Rules)
        {
            json.WriteStartObject();
            json.WriteNumber("index", rule.Index);
            rule.WriteIdentity(json);
            json.WriteNumber("segment", rule.Segment);
            json.WriteString("description", rule.Description);
            if (rule.Message is not null)
            {
                json.WriteString("message", rule.Message);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("gates");
        foreach (GatePlan gate in plan.Gates)
        {
            json.WriteStartObject();
            json.WriteString("id", gate.Id);
            json.WriteString("metric", gate.Metric.ToString());
            json.WriteString("schema", gate.Schema);
            WriteStrings(json, "columns", gate.Columns);
            WriteBound(json, "min", gate.Min);
            WriteBound(json, "max", gate.Max);
            json.WriteString("severity", gate.Severity.ToString());
            json.WriteString("declared", gate.Declared);
            if (gate.Rule is not null)
            {
                json.WriteString("rule", gate.Rule);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("fits");
        foreach (FitPlan fit in plan.Fits)
        {
            WriteFit(json, fit);
        }
        json.WriteEndArray();
        json.WriteStartArray("aggregates");
        foreach (AggregatePlan aggregate in plan.Aggregates)
        {
            WriteAggregate(json, aggregate);
        }
        json.WriteEndArray();
        json.WriteStartArray("joins");
        foreach (JoinPlan join in plan.Joins)
        {
            WriteJoin(json, join);
        }
        json.WriteEndArray();
        json.WriteStartArray("splits");
        foreach (SplitPlan split in plan.Splits)
        {
            WriteSplit(json, split);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>An aggregate stage: what feeds it, its grouping columns and what each output column computes.</summary>
    private static void WriteAggregate(Utf8JsonWriter json, AggregatePlan aggregate)
    {
        json.WriteStartObject();
        json.WriteString("stage", aggregate.Stage);
        json.WriteString("inputSchema", aggregate.InputSchema);
        json.WriteString("from", aggregate.From);
        WriteIndex(json, "inputSegment", aggregate.InputSegment);
        json.WriteString("inputBarrier", aggregate.InputBarrier);
        json.WriteString("outputSchema", aggregate.OutputSchema);
        json.WriteBoolean("isSink", aggregate.IsSink);
        WriteStrings(json, "keys", aggregate.Keys);
        json.WriteStartArray("outputs");
        foreach (AggregateOutput output in aggregate.Outputs)
        {
            json.WriteStartObject();
            json.WriteString("member", output.Member);
            json.WriteString("function", output.Function.ToString());
            json.WriteString("column", output.Column);
            if (output.OrderColumn is not null)
            {
                json.WriteString("orderColumn", output.OrderColumn);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A join stage: its sides, table, kind, keys and where each output column comes from.</summary>
    private static void WriteJoin(Utf8JsonWriter json, JoinPlan join)
    {
        json.WriteStartObject();
        json.WriteString("stage", join.Stage);
        json.WriteString("leftSchema", join.LeftSchema);
        json.WriteString("rightSchema", join.RightSchema);
        json.WriteString("table", join.Table);
        json.WriteString("kind", join.Kind.ToString());
        json.WriteString("from", join.From);
        WriteIndex(json, "inputSegment", join.InputSegment);
        json.WriteString("inputBarrier", join.InputBarrier);
        json.WriteString("outputSchema", join.OutputSchema);
        json.WriteBoolean("isSink", join.IsSink);
        WriteStrings(json, "leftKeys", join.LeftKeys);
        WriteStrings(json, "rightKeys", join.RightKeys);
        json.WriteStartArray("outputs");
        foreach (JoinOutput output in join.Outputs)
        {
            json.WriteStartObject();
            json.WriteString("member", output.Member);
            json.WriteString("side", output.Side.ToString());
            json.WriteString("column", output.Column);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A split of a sink: the hashed columns, the subsets with their fractions, the seed and the stratify column.</summary>
    private static void WriteSplit(Utf8JsonWriter json, SplitPlan split)
    {
        json.WriteStartObject();
        json.WriteString("sink", split.Sink);
        WriteStrings(json, "key", split.Key);
        WriteStrings(json, "names", split.Names);
        json.WriteStartArray("fractions");
        foreach (double fraction in split.Fractions)
        {
            json.WriteNumberValue(fraction);
        }
        json.WriteEndArray();
        json.WriteNumber("seed", split.Seed);
        json.WriteString("stratifyBy", split.StratifyBy);
        json.WriteEndObject();
    }

    private static void WriteIndex(Utf8JsonWriter json, string name, int? index)
    {
        if (index is int value)
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    /// <summary>A fit stage: the rows it observes, the record it returns and each statistic it asks for.</summary>
    private static void WriteFit(Utf8JsonWriter json, FitPlan fit)
    {
        json.WriteStartObject();
        json.WriteString("stage", fit.Stage);
        json.WriteString("inputSchema", fit.InputSchema);
        json.WriteString("from", fit.From);
        if (fit.Segment is int segment)
        {
            json.WriteNumber("segment", segment);
        }
        else
        {
            json.WriteNull("segment");
        }
        json.WriteString("parametersType", fit.ParametersType);
        json.WriteStartArray("requests");
        foreach (FitRequest request in fit.Requests)
        {
            json.WriteStartObject();
            json.WriteString("statistic", request.Statistic.ToString());
            json.WriteString("column", request.Column);
            json.WriteString("expression", request.Expression);
            json.WriteStartArray("arguments");
            foreach (double argument in request.Arguments)
            {
                if (double.IsFinite(argument))
                {
                    json.WriteNumberValue(argument);
                }
                else
                {
                    json.WriteStringValue(StageParameterValues.Format(argument));
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteBound(Utf8JsonWriter json, string name, double? bound)
    {
        if (bound is { } value)
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private static void WriteParameters(Utf8JsonWriter json, StageParametersPlan stageParameters, StageParameterValues values)
    {
        json.WriteStartObject("parameters");
        json.WriteString("type", stageParameters.TypeName);
        json.WriteStartArray("members");
        foreach (StageParameterMember member in stageParameters.Members)
        {
            json.WriteStartObject();
            json.WriteString("name", member.Name);
            json.WriteString("type", member.Type.ToString());
            json.WritePropertyName("value");
            if (!values.TryGet(stageParameters.TypeName, member.Name, out object? value))
            {
                json.WriteNullValue();
            }
            else
            {
                switch (value)
                {
                    case bool b:
                        json.WriteBooleanValue(b);
                        break;
                    case int i:
                        json.WriteNumberValue(i);
                        break;
                    case long l:
                        json.WriteNumberValue(l);
                        break;
                    case float f when float.IsFinite(f):
                        json.WriteNumberValue(f);
                        break;
                    case double d when double.IsFinite(d):
                        json.WriteNumberValue(d);
                        break;
                    case double[] numbers:
                        json.WriteStartArray();
                        foreach (double n in numbers)
                        {
                            if (double.IsFinite(n))
                            {
                                json.WriteNumberValue(n);
                            }
                            else
                            {
                                json.WriteStringValue(StageParameterValues.Format(n));
                            }
                        }
                        json.WriteEndArray();
                        break;
                    case string[] texts:
                        // One element each: joined text would not tell ["a,b"] from ["a", "b"].
                        json.WriteStartArray();
                        foreach (string text in texts)
                        {
                            json.WriteStringValue(text);
                        }
                        json.WriteEndArray();
                        break;
                    default:
                        // Text, date-times, and NaN or infinities, which have no JSON number form.
                        json.WriteStringValue(StageParameterValues.Format(value));
                        break;
                }
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WritePredicate(Utf8JsonWriter json, ScanPredicate predicate)
    {
        json.WriteStartObject();
        json.WriteString("column", predicate.Column);
        json.WriteString("operator", predicate.Operator.ToString());
        switch (predicate.Value)
        {
            case null:
                json.WriteNull("value");
                break;
            case IReadOnlyList<ScanPredicate> alternatives:
                json.WriteStartArray("anyOf");
                foreach (ScanPredicate alternative in alternatives)
                {
                    WritePredicate(json, alternative);
                }
                json.WriteEndArray();
                break;
            case string s:
                json.WriteString("value", s);
                break;
            case bool b:
                json.WriteBoolean("value", b);
                break;
            case int i:
                json.WriteNumber("value", i);
                break;
            case long l:
                json.WriteNumber("value", l);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumber("value", f);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumber("value", d);
                break;
            default:
                // NaN and infinities have no JSON number form.
                json.WriteString("value", predicate.ValueText);
                break;
        }
        json.WriteString("text", predicate.ToString());
        json.WriteEndObject();
    }

    /// <summary>The plan as indented JSON text, with stage parameter values from <paramref name="parameters"/>.</summary>
    public static string ToJson(PipelinePlan plan, StageParameterValues? parameters = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(json, plan, parameters);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
