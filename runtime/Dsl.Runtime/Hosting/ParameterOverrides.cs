using Dsl.Execution;

namespace Dsl.Hosting;

/// <summary>Stage parameter values given on the command line as <c>--param Type.Member=value</c>.</summary>
internal static class ParameterOverrides
{
    /// <summary>
    /// Parses each <c>Type.Member=value</c> in <paramref name="arguments"/> against the parameter types of
    /// <paramref name="plan"/>. Returns the converted values by <c>Type.Member</c>, and one message per argument
    /// that names no member, holds a value of the wrong type, or sets a type a fit stage computes. A <c>double[]</c> or
    /// <c>string[]</c> member takes its values separated by commas.
    /// </summary>
    public static (IReadOnlyDictionary<string, object> Values, IReadOnlyList<string> Problems) Parse(IEnumerable<string> arguments, PipelinePlan plan)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();
        IReadOnlyList<StageParametersPlan> types = plan.ParameterTypes();
        foreach (string argument in arguments)
        {
            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            int dot = equals < 0 ? -1 : argument.LastIndexOf('.', equals);
            if (equals < 0 || dot <= 0 || dot == equals - 1)
            {
                problems.Add($"--param '{argument}' must be written Type.Member=value, e.g. --param AmountScaling.Mean=120.5.");
                continue;
            }
            string typeName = argument[..dot];
            string memberName = argument[(dot + 1)..equals];
            string text = argument[(equals + 1)..];
            StageParametersPlan? type = types.FirstOrDefault(t => t.TypeName == typeName);
            if (plan.Fits.FirstOrDefault(f => f.ParametersType == typeName) is { } fit)
            {
                problems.Add($"--param '{argument}': fit stage '{fit.Stage}' computes '{typeName}' in the first pass, so it takes no value on the command line. To use saved values instead of fitting, pass --fitted FILE.");
            }
            else if (type is null)
            {
                string known = types.Count == 0 ? $"no stage of pipeline '{plan.Name}' takes parameters" : $"the stages take {string.Join(", ", types.Select(t => $"'{t.TypeName}'"))}";
                problems.Add($"--param '{argument}': no stage takes parameters of type '{typeName}'; {known}.");
            }
            else if (type.Member(memberName) is not { } member)
            {
                problems.Add($"--param '{argument}': parameter type '{typeName}' has no member '{memberName}'. Its members are {string.Join(", ", type.Members.Select(m => m.Name))}.");
            }
            else if (StageParameterValues.Parse(member.Type, text) is not { } value)
            {
                problems.Add($"--param '{argument}': '{typeName}.{memberName}' is {StageParameterValues.CSharpNameWithArticle(member.Type)} and must be {StageParameterValues.Describe(member.Type)}.");
            }
            else
            {
                values[typeName + "." + memberName] = value;
            }
        }
        return (values, problems);
    }

    /// <summary>Sets every override in <paramref name="overrides"/> (by <c>Type.Member</c>) on <paramref name="values"/>.</summary>
    public static StageParameterValues Apply(StageParameterValues values, IReadOnlyDictionary<string, object> overrides)
    {
        foreach ((string key, object value) in overrides)
        {
            int dot = key.LastIndexOf('.');
            values.Set(key[..dot], key[(dot + 1)..], value);
        }
        return values;
    }
}
