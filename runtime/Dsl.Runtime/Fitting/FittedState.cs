using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Dsl.Execution;
using Dsl.Execution.Commit;

namespace Dsl.Fitting;

/// <summary>One fitted parameter value: a member of a parameter record a fit stage returned.</summary>
/// <param name="TypeName">The parameter record's name.</param>
/// <param name="Member">The member.</param>
/// <param name="Type">Its type.</param>
/// <param name="Value">The value, of the type's CLR type (<c>double[]</c> and <c>string[]</c> for the array types).</param>
public sealed record FittedValue(string TypeName, string Member, ParameterType Type, object Value);

/// <summary>What one request of a fit stage was answered in the first pass.</summary>
/// <param name="Request">The request.</param>
/// <param name="Type">The answer's type: <see cref="ParameterType.Int64"/> for counts, <see cref="ParameterType.Double"/>,
/// <see cref="ParameterType.String"/>, <see cref="ParameterType.DoubleArray"/> or <see cref="ParameterType.StringArray"/>.</param>
/// <param name="Answer">The answer.</param>
public sealed record FittedAnswer(FitRequest Request, ParameterType Type, object Answer);

/// <summary>One fit stage of a fitted state: the rows it saw and what each of its requests was answered.</summary>
/// <param name="Stage">The fit method's name.</param>
/// <param name="ParametersType">The parameter record it returned.</param>
/// <param name="InputSchema">The schema of the rows it saw.</param>
/// <param name="From">The stage feeding it, or null for the pipeline input.</param>
/// <param name="Rows">The rows it saw.</param>
/// <param name="Answers">Its requests with their answers, in source order.</param>
public sealed record FittedStage(string Stage, string ParametersType, string InputSchema, string? From, long Rows, IReadOnlyList<FittedAnswer> Answers);

/// <summary>
/// The result of a pipeline's fit stages, as the file <c>dsl-fitted/1</c> holds it: the pipeline's name, every member
/// value of the parameter records the fits returned, each fit's requests with their answers and the rows it saw, and
/// a SHA-256 <see cref="Hash"/> over a canonical form of all of that. A run writes it into its output as
/// <see cref="FileName"/> (and records the hash in <c>_manifest.json</c>); the <c>fit</c> command writes it to a file of
/// your choice; <c>run --fitted FILE</c> (<see cref="ExecutionOptions.Fitted"/>) loads one instead of fitting, so a
/// scoring pipeline computes its features with exactly the values training used. The format is in docs/fit.md.
/// </summary>
public sealed class FittedState
{
    /// <summary>The format name and version the file starts with.</summary>
    public const string FormatName = "dsl-fitted/1";

    /// <summary>The file name in a run's output.</summary>
    public const string FileName = "_fitted.json";

    private FittedState(string pipeline, IReadOnlyList<FittedValue> values, IReadOnlyList<FittedStage> fits)
    {
        Pipeline = pipeline;
        Values = values.OrderBy(v => v.TypeName, StringComparer.Ordinal).ThenBy(v => v.Member, StringComparer.Ordinal).ToArray();
        Fits = fits;
        Hash = Convert.ToHexStringLower(SHA256.HashData(Write(canonical: true, hash: null)));
    }

    /// <summary>The name of the pipeline that fitted it.</summary>
    public string Pipeline { get; }

    /// <summary>The parameter values, ordered by type name, then member (ordinal).</summary>
    public IReadOnlyList<FittedValue> Values { get; }

    /// <summary>The fit stages, in plan order.</summary>
    public IReadOnlyList<FittedStage> Fits { get; }

    /// <summary>
    /// SHA-256 (lowercase hex) of the canonical form: the format, pipeline, values and fits as compact JSON in a fixed
    /// order, every floating-point number as its exact bits, so the hash changes with any value and not with layout.
    /// </summary>
    public string Hash { get; }

    /// <summary>The values as stage parameter values.</summary>
    public StageParameterValues ToParameterValues()
    {
        var values = new StageParameterValues();
        foreach (FittedValue value in Values)
        {
            values.Set(value.TypeName, value.Member, value.Value);
        }
        return values;
    }

    /// <summary>The file's bytes: indented JSON, the hash after the pipeline name.</summary>
    public byte[] ToJson() => Write(canonical: false, Hash);

    /// <summary>Writes the file to <paramref name="path"/> atomically: a temporary file beside it, flushed, then renamed over it.</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            DurableFile.WriteAll(temporary, ToJson(), FaultPlan.None);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        NativeFileSystem.FsyncDirectory(folder);
    }

    /// <summary>Reads and verifies the fitted-state file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The file is missing, is not a fitted-state file, is damaged, or its values do not match its hash; the message names the file.</exception>
    public static FittedState Load(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new ArgumentException($"The fitted-state file '{full}' does not exist. Write one with the pipeline's 'fit --input IN --fitted-out {path}' command, or use the {FileName} of an earlier run's output.");
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"The fitted-state file '{full}' could not be read: {e.Message}", e);
        }
        return Parse(bytes, full);
    }

    /// <summary>Reads and verifies a fitted state from <paramref name="json"/>; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="ArgumentException">It is not a fitted state, is damaged, or its values do not match its hash.</exception>
    public static FittedState Parse(ReadOnlySpan<byte> json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The fitted-state file '{source}' is not valid JSON ({e.Message}); it is damaged or not a fitted state. Fit again to write a new one.", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            string? format = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("format", out JsonElement f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            if (format is null || !format.StartsWith("dsl-fitted/", StringComparison.Ordinal))
            {
                throw new ArgumentException($"The file '{source}' is not a fitted-state file: it has no \"format\": \"{FormatName}\".");
            }
            if (format != FormatName)
            {
                throw new ArgumentException($"The fitted-state file '{source}' has format '{format}', which this runtime does not read (it reads '{FormatName}'). Fit again with this version.");
            }
            FittedState state;
            string recorded;
            try
            {
                recorded = root.GetProperty("sha256").GetString() ?? throw new FormatException("\"sha256\" is null");
                var values = new List<FittedValue>();
                foreach (JsonProperty type in root.GetProperty("parameters").EnumerateObject())
                {
                    foreach (JsonProperty member in type.Value.EnumerateObject())
                    {
                        ParameterType kind = ParseType(member.Value.GetProperty("type"));
                        values.Add(new FittedValue(type.Name, member.Name, kind, ReadValue(member.Value.GetProperty("value"), kind)));
                    }
                }
                var fits = new List<FittedStage>();
                foreach (JsonElement fit in root.GetProperty("fits").EnumerateArray())
                {
                    var answers = new List<FittedAnswer>();
                    foreach (JsonElement request in fit.GetProperty("requests").EnumerateArray())
                    {
                        FitStatistic statistic = Enum.TryParse(request.GetProperty("statistic").GetString(), out FitStatistic s) && Enum.IsDefined(s)
                            ? s
                            : throw new FormatException($"unknown statistic '{request.GetProperty("statistic").GetString()}'");
                        double[] arguments = request.GetProperty("arguments").EnumerateArray().Select(a => ReadDouble(a)).ToArray();
                        var parsed = new FitRequest(statistic, request.GetProperty("column").GetString()!, request.GetProperty("expression").GetString()!, arguments);
                        ParameterType kind = ParseType(request.GetProperty("type"));
                        answers.Add(new FittedAnswer(parsed, kind, ReadValue(request.GetProperty("answer"), kind)));
                    }
                    JsonElement from = fit.GetProperty("from");
                    fits.Add(new FittedStage(
                        fit.GetProperty("stage").GetString()!,
                        fit.GetProperty("parametersType").GetString()!,
                        fit.GetProperty("inputSchema").GetString()!,
                        from.ValueKind == JsonValueKind.Null ? null : from.GetString(),
                        fit.GetProperty("rows").GetInt64(),
                        answers));
                }
                state = new FittedState(root.GetProperty("pipeline").GetString()!, values, fits);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
            {
                throw new ArgumentException($"The fitted-state file '{source}' is damaged: {Detail(e)}. Fit again (run without --fitted, or the fit command) to write a new one.", e);
            }
            if (!string.Equals(recorded, state.Hash, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The fitted-state file '{source}' was changed after it was written: its values hash to {state.Hash}, but the file records {recorded}. A fitted state is not meant to be edited; fit again to get new values.");
            }
            return state;
        }
    }

    /// <summary>The fitted state of a finished first pass: the values the fit methods returned and each request's answer.</summary>
    internal static FittedState Create(PipelinePlan plan, StageParameterValues fitted, FitState merged)
    {
        var values = new List<FittedValue>();
        foreach ((string typeName, string member, object value) in fitted.Entries())
        {
            ParameterType type = plan.ParameterTypes().FirstOrDefault(t => t.TypeName == typeName)?.Member(member)?.Type
                ?? TypeOf(value)
                ?? throw new InvalidOperationException($"The fit methods of pipeline '{plan.Name}' set '{typeName}.{member}' to a {value.GetType().Name}, which is not a stage parameter type.");
            values.Add(new FittedValue(typeName, member, type, value));
        }
        var answers = merged.Answers().ToLookup(a => a.Fit.Stage, StringComparer.Ordinal);
        FittedStage[] fits = plan.Fits.Select((fit, f) => new FittedStage(
            fit.Stage,
            fit.ParametersType,
            fit.InputSchema,
            fit.From,
            merged.Rows(f),
            answers[fit.Stage].Select(a => new FittedAnswer(a.Request, TypeOf(a.Answer)!.Value, a.Answer)).ToArray())).ToArray();
        return new FittedState(plan.Name, values, fits);
    }

    /// <summary>A state of these parts, its hash computed from them.</summary>
    internal static FittedState From(string pipeline, IReadOnlyList<FittedValue> values, IReadOnlyList<FittedStage> fits) => new(pipeline, values, fits);

    /// <summary>The parameter type of a CLR value, or null when it is none.</summary>
    internal static ParameterType? TypeOf(object value) => value switch
    {
        double => ParameterType.Double,
        float => ParameterType.Float,
        int => ParameterType.Int32,
        long => ParameterType.Int64,
        bool => ParameterType.Boolean,
        string => ParameterType.String,
        DateTime => ParameterType.DateTime,
        double[] => ParameterType.DoubleArray,
        string[] => ParameterType.StringArray,
        _ => null,
    };

    private static string Detail(Exception e) => e switch
    {
        KeyNotFoundException => "a required field is missing",
        _ => e.Message.TrimEnd('.'),
    };

    private static ParameterType ParseType(JsonElement element) =>
        Enum.TryParse(element.GetString(), out ParameterType type) && Enum.IsDefined(type)
            ? type
            : throw new FormatException($"unknown value type '{element.GetString()}'");

    private static object ReadValue(JsonElement element, ParameterType type) => type switch
    {
        ParameterType.Double => ReadDouble(element),
        ParameterType.Float => element.ValueKind == JsonValueKind.Number ? element.GetSingle() : (float)Special(element),
        ParameterType.Int32 => element.GetInt32(),
        ParameterType.Int64 => element.GetInt64(),
        ParameterType.Boolean => element.GetBoolean(),
        ParameterType.String => element.GetString() ?? throw new FormatException("a text value is null"),
        ParameterType.DateTime => DateTime.ParseExact(element.GetString()!, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        ParameterType.DoubleArray => element.EnumerateArray().Select(ReadDouble).ToArray(),
        ParameterType.StringArray => element.EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("a text value is null")).ToArray(),
        _ => throw new FormatException($"unknown value type {type}"),
    };

    private static double ReadDouble(JsonElement element) => element.ValueKind == JsonValueKind.Number ? element.GetDouble() : Special(element);

    // NaN and infinities have no JSON number form: they are written as these strings.
    private static double Special(JsonElement element) => element.GetString() switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        var other => throw new FormatException($"'{other}' is not a number"),
    };

    private byte[] Write(bool canonical, string? hash)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = !canonical, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteString("pipeline", Pipeline);
            if (hash is not null)
            {
                json.WriteString("sha256", hash);
            }
            json.WriteStartObject("parameters");
            foreach (IGrouping<string, FittedValue> type in Values.GroupBy(v => v.TypeName, StringComparer.Ordinal))
            {
                json.WriteStartObject(type.Key);
                foreach (FittedValue value in type)
                {
                    json.WriteStartObject(value.Member);
                    json.WriteString("type", value.Type.ToString());
                    json.WritePropertyName("value");
                    WriteValue(json, value.Value, canonical);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteStartArray("fits");
            foreach (FittedStage fit in Fits)
            {
                json.WriteStartObject();
                json.WriteString("stage", fit.Stage);
                json.WriteString("parametersType", fit.ParametersType);
                json.WriteString("inputSchema", fit.InputSchema);
                json.WriteString("from", fit.From);
                json.WriteNumber("rows", fit.Rows);
                json.WriteStartArray("requests");
                foreach (FittedAnswer answer in fit.Answers)
                {
                    json.WriteStartObject();
                    json.WriteString("statistic", answer.Request.Statistic.ToString());
                    json.WriteString("column", answer.Request.Column);
                    json.WriteString("expression", answer.Request.Expression);
                    json.WritePropertyName("arguments");
                    WriteValue(json, answer.Request.Arguments.ToArray(), canonical);
                    json.WriteString("type", answer.Type.ToString());
                    json.WritePropertyName("answer");
                    WriteValue(json, answer.Answer, canonical);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter json, object value, bool canonical)
    {
        switch (value)
        {
            case double d:
                WriteDouble(json, d, canonical);
                break;
            case float f when canonical:
                // Every NaN is one value in the file, so its payload bits must not reach the hash.
                json.WriteStringValue(float.IsNaN(f) ? "f:nan" : "f:" + BitConverter.SingleToUInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture));
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case float f:
                json.WriteStringValue(float.IsNaN(f) ? "NaN" : f > 0 ? "Infinity" : "-Infinity");
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case DateTime t:
                json.WriteStringValue(canonical ? $"t:{t.Ticks}:{(int)t.Kind}" : t.ToString("O", CultureInfo.InvariantCulture));
                break;
            case double[] numbers:
                json.WriteStartArray();
                foreach (double n in numbers)
                {
                    WriteDouble(json, n, canonical);
                }
                json.WriteEndArray();
                break;
            case string[] texts:
                json.WriteStartArray();
                foreach (string text in texts)
                {
                    json.WriteStringValue(text);
                }
                json.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"A fitted value of type {value.GetType().Name} cannot be written.");
        }
    }

    private static void WriteDouble(Utf8JsonWriter json, double value, bool canonical)
    {
        if (canonical)
        {
            json.WriteStringValue(double.IsNaN(value) ? "d:nan" : "d:" + BitConverter.DoubleToUInt64Bits(value).ToString("x16", CultureInfo.InvariantCulture));
        }
        else if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
