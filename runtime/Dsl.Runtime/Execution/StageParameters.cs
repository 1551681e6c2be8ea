using System.Globalization;

namespace Dsl.Execution;

/// <summary>The value types a stage parameter member may have.</summary>
public enum ParameterType
{
    /// <summary><see cref="double"/>.</summary>
    Double,
    /// <summary><see cref="float"/>.</summary>
    Float,
    /// <summary><see cref="int"/>.</summary>
    Int32,
    /// <summary><see cref="long"/>.</summary>
    Int64,
    /// <summary><see cref="bool"/>.</summary>
    Boolean,
    /// <summary><see cref="string"/> (never null).</summary>
    String,
    /// <summary><see cref="System.DateTime"/>, written as ISO 8601 text.</summary>
    DateTime,

    /// <summary><c>double[]</c> (bucket boundaries a fit computes), written as a YAML list or comma-separated numbers.</summary>
    DoubleArray,

    /// <summary><c>string[]</c> (a vocabulary a fit computes), written as a YAML list.</summary>
    StringArray,
}

/// <summary>One member of a stage parameter type: a positional member of the record.</summary>
/// <param name="Name">The member (and constructor parameter) name; the key under the type in <c>pipeline.yaml</c>.</param>
/// <param name="Type">Its value type.</param>
public sealed record StageParameterMember(string Name, ParameterType Type);

/// <summary>
/// The parameter object a stage takes after its row, e.g. <c>AmountScaling</c> in
/// <c>static Features Featurize(Transaction t, AmountScaling s)</c>. Its values come from the <c>parameters</c>
/// section of <c>pipeline.yaml</c> (keyed by <see cref="TypeName"/>) and <c>--param Type.Member=value</c>.
/// </summary>
/// <param name="TypeName">The record's simple name.</param>
/// <param name="Members">Its positional members, in constructor order.</param>
public sealed record StageParametersPlan(string TypeName, IReadOnlyList<StageParameterMember> Members)
{
    /// <summary>Finds a member by name, or null.</summary>
    public StageParameterMember? Member(string name) => Members.FirstOrDefault(m => m.Name == name);
}

/// <summary>
/// Values of stage parameters by type name and member, already converted to the members' CLR types. The generated
/// kernels' binder builds each parameter object from them once, before any batch runs.
/// </summary>
public sealed class StageParameterValues
{
    private readonly Dictionary<string, Dictionary<string, object>> _values = new(StringComparer.Ordinal);

    /// <summary>No values: enough for a pipeline whose stages take no parameters.</summary>
    public static StageParameterValues Empty { get; } = new();

    /// <summary>Sets (or replaces) one value; <paramref name="value"/> must already have the member's CLR type.</summary>
    public StageParameterValues Set(string typeName, string member, object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (ReferenceEquals(this, Empty))
        {
            throw new InvalidOperationException("StageParameterValues.Empty is shared and cannot be changed; create a new instance.");
        }
        if (!_values.TryGetValue(typeName, out Dictionary<string, object>? members))
        {
            _values[typeName] = members = new Dictionary<string, object>(StringComparer.Ordinal);
        }
        members[member] = value;
        return this;
    }

    /// <summary>Whether a value is set for <paramref name="typeName"/>.<paramref name="member"/>.</summary>
    public bool TryGet(string typeName, string member, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? value)
    {
        value = null;
        return _values.TryGetValue(typeName, out Dictionary<string, object>? members) && members.TryGetValue(member, out value);
    }

    /// <summary>The value of <paramref name="typeName"/>.<paramref name="member"/> (generated binders call this).</summary>
    public T Get<T>(string typeName, string member)
    {
        if (!TryGet(typeName, member, out object? value))
        {
            throw new KeyNotFoundException($"Stage parameter '{typeName}.{member}' has no value: add it under 'parameters:' in pipeline.yaml or pass --param {typeName}.{member}=VALUE.");
        }
        return value is T typed
            ? typed
            : throw new InvalidCastException($"Stage parameter '{typeName}.{member}' holds a {value.GetType().Name}, not a {typeof(T).Name}.");
    }

    private readonly Dictionary<string, Models.RunTimeModel> _models = new(StringComparer.Ordinal);

    /// <summary>Sets (or replaces) the model given at run time as <paramref name="model"/>'s name.</summary>
    public StageParameterValues SetModel(Models.RunTimeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (ReferenceEquals(this, Empty))
        {
            throw new InvalidOperationException("StageParameterValues.Empty is shared and cannot be changed; create a new instance.");
        }
        _models[model.Name] = model;
        return this;
    }

    /// <summary>The models given at run time, by name (ordinal).</summary>
    public IReadOnlyList<Models.RunTimeModel> Models => _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

    /// <summary>The model given at run time as <paramref name="name"/>, or null.</summary>
    public Models.RunTimeModel? FindModel(string name) => _models.GetValueOrDefault(name);

    /// <summary>The scorer of the model given at run time as <paramref name="name"/> (generated binders call this).</summary>
    public Models.IBatchScorer Model(string name) =>
        _models.TryGetValue(name, out Models.RunTimeModel? model)
            ? model.Scorer
            : throw new KeyNotFoundException($"Model '{name}' is given at run time and has no file: pass --model {name}=PATH or add it under 'models:' in pipeline.yaml.");

    /// <summary>The run-time models <paramref name="plan"/>'s score stages name that have no file here.</summary>
    public IReadOnlyList<string> MissingModels(PipelinePlan plan) =>
        plan.RunTimeModelStages().Select(s => s.Model!.RunTimeName!).Distinct(StringComparer.Ordinal).Where(n => !_models.ContainsKey(n)).ToList();

    /// <summary>Every value set, by type name then member (ordinal).</summary>
    internal IEnumerable<(string TypeName, string Member, object Value)> Entries() =>
        _values.OrderBy(t => t.Key, StringComparer.Ordinal)
            .SelectMany(t => t.Value.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => (t.Key, m.Key, m.Value)));

    /// <summary>A new instance holding the same values.</summary>
    internal StageParameterValues Copy()
    {
        var copy = new StageParameterValues();
        foreach ((string type, string member, object value) in Entries())
        {
            copy.Set(type, member, value);
        }
        foreach (Models.RunTimeModel model in _models.Values)
        {
            copy.SetModel(model);
        }
        return copy;
    }

    /// <summary>The members of <paramref name="plan"/>'s parameter types that have no value, as <c>Type.Member</c>.</summary>
    public IReadOnlyList<string> Missing(PipelinePlan plan) =>
        plan.ParameterTypes()
            .SelectMany(p => p.Members.Where(m => !TryGet(p.TypeName, m.Name, out _)).Select(m => p.TypeName + "." + m.Name))
            .ToList();

    /// <summary>
    /// Converts configuration text to a value of <paramref name="type"/>: invariant-culture numbers (<c>_</c> allowed
    /// between digits; <c>NaN</c>, <c>Infinity</c>, <c>.nan</c>, <c>.inf</c> for floating point), <c>true</c>/<c>false</c>,
    /// ISO 8601 date-times; text as it is. Null when the text is not a value of that type.
    /// </summary>
    public static object? Parse(ParameterType type, string text)
    {
        string number = text.Trim().Replace("_", "", StringComparison.Ordinal);
        switch (type)
        {
            case ParameterType.Double:
                return FloatingText(number) is { } d ? d : double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : null;
            case ParameterType.Float:
                return FloatingText(number) is { } f ? (float)f : float.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out float y) ? y : null;
            case ParameterType.Int32:
                return int.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : null;
            case ParameterType.Int64:
                return long.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : null;
            case ParameterType.Boolean:
                return text.Trim().ToLowerInvariant() switch { "true" => true, "false" => false, _ => null };
            case ParameterType.String:
                return text;
            case ParameterType.DateTime:
                return DateTime.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime t) ? t : null;
            case ParameterType.DoubleArray:
                double[] numbers = text.Trim().Length == 0 ? [] : new double[text.Split(',').Length];
                string[] items = text.Split(',');
                for (int n = 0; n < numbers.Length; n++)
                {
                    if (Parse(ParameterType.Double, items[n]) is not double item)
                    {
                        return null;
                    }
                    numbers[n] = item;
                }
                return numbers;
            case ParameterType.StringArray:
                return text.Length == 0 ? Array.Empty<string>() : text.Split(',');
            default:
                return null;
        }
    }

    /// <summary>The C# name of <paramref name="type"/>, for messages.</summary>
    public static string CSharpName(ParameterType type) => type switch
    {
        ParameterType.Double => "double",
        ParameterType.Float => "float",
        ParameterType.Int32 => "int",
        ParameterType.Int64 => "long",
        ParameterType.Boolean => "bool",
        ParameterType.String => "string",
        ParameterType.DoubleArray => "double[]",
        ParameterType.StringArray => "string[]",
        _ => "DateTime",
    };

    /// <summary>"a double", "an int", ...: the C# name of <paramref name="type"/> with its article, for messages.</summary>
    public static string CSharpNameWithArticle(ParameterType type) => (type == ParameterType.Int32 ? "an " : "a ") + CSharpName(type);

    /// <summary>How a value of <paramref name="type"/> is written, for messages.</summary>
    public static string Describe(ParameterType type) => type switch
    {
        ParameterType.Double or ParameterType.Float => "a number (e.g. 1.5, -2e3, NaN, Infinity)",
        ParameterType.Int32 => "a whole number from -2147483648 to 2147483647",
        ParameterType.Int64 => "a whole number from -9223372036854775808 to 9223372036854775807",
        ParameterType.Boolean => "true or false",
        ParameterType.DateTime => "an ISO 8601 date and time (e.g. 2024-05-01T00:00:00Z)",
        ParameterType.DoubleArray => "numbers separated by commas (e.g. 0.5,1,2.5)",
        ParameterType.StringArray => "values separated by commas",
        _ => "text",
    };

    /// <summary>A value as <c>explain</c> prints it (round-trippable through <see cref="Parse"/>).</summary>
    public static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        double[] numbers => string.Join(",", numbers.Select(n => n.ToString("R", CultureInfo.InvariantCulture))),
        string[] texts => string.Join(",", texts),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static double? FloatingText(string text) => text.ToLowerInvariant() switch
    {
        "nan" or ".nan" => double.NaN,
        "infinity" or "+infinity" or ".inf" or "+.inf" => double.PositiveInfinity,
        "-infinity" or "-.inf" => double.NegativeInfinity,
        _ => null,
    };
}
