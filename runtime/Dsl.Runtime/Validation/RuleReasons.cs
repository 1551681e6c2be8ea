using System.Globalization;
using Dsl.Execution;

namespace Dsl.Validation;

/// <summary>
/// Why a row broke a rule, in words built from the rule and the row's values (docs/validation.md lists them):
/// <c>Amount = -3.5 is below the minimum 0</c>, <c>Country = "XX" is not one of "FR", "DE"</c>,
/// <c>SessionSeconds is null</c>. Invariant culture, so a report reads the same on every machine.
/// </summary>
internal static class RuleReasons
{
    /// <summary>The reason row <paramref name="row"/> of <paramref name="input"/> (the rule's segment input) broke <paramref name="rule"/>.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="input">The batch the kernel read.</param>
    /// <param name="row">The row's position in it.</param>
    /// <param name="error">For a row error: the exception's type and message as the kernel reported it.</param>
    public static string Of(RulePlan rule, RecordBatch input, int row, string? error = null)
    {
        string column = rule.Columns.Count > 0 ? rule.Columns[0] : "";
        switch (rule.Kind)
        {
            case RuleKind.RowError:
                return error ?? $"stage '{rule.Stage}' threw";
            case RuleKind.Check:
                return rule.Message ?? $"{rule.Stage} failed ({Values(rule.Columns, input, row)})";
            case RuleKind.NotNull:
                return $"{column} is null";
        }
        int index = input.Schema.IndexOf(column);
        if (index < 0)
        {
            // A rule on a map's output: the value lives only inside the kernel, so the reason names who computed it.
            return $"the {column} that stage '{rule.Stage}' computed from this row breaks '{rule.Description}'";
        }
        ColumnField field = input.Schema[index];
        Column values = input[index];
        if (values.IsNull(row))
        {
            return $"{column} is null";
        }
        string value = ValueText.Format(field, values, row);
        string shown = $"{column} = {value}";
        switch (rule.Kind)
        {
            case RuleKind.Range:
                return Range(rule, shown, column, AsDouble(field, values.GetValue(row)!));
            case RuleKind.Finite:
                return $"{shown} is not finite";
            case RuleKind.OneOf:
                bool quote = field.Type == ColumnType.String;
                return $"{shown} is not one of {string.Join(", ", (rule.Values ?? []).Select(v => quote ? ValueText.Quote(v) : v))}";
            case RuleKind.MinLength:
                return $"{shown} is {Length(values, row)} characters, shorter than {rule.Length}";
            case RuleKind.MaxLength:
                return $"{shown} is {Length(values, row)} characters, longer than {rule.Length}";
            case RuleKind.Regex:
                return $"{shown} does not match {rule.Pattern}";
            case RuleKind.Unique:
                return $"{shown} repeats the value of an earlier row of the partition";
            default:
                return $"{shown} breaks {rule.Description}";
        }
    }

    /// <summary><c>A = 1, B = "x"</c> for the columns of <paramref name="columns"/> that <paramref name="input"/> holds.</summary>
    public static string Values(IEnumerable<string> columns, RecordBatch input, int row) =>
        string.Join(", ", columns
            .Where(c => input.Schema.IndexOf(c) >= 0)
            .Select(c => $"{c} = {ValueText.Format(input.Schema[input.Schema.IndexOf(c)], input[c], row)}"));

    private static string Range(RulePlan rule, string shown, string column, double value)
    {
        if (double.IsNaN(value))
        {
            return $"{column} is NaN";
        }
        if (rule.Min is double min && (value < min || (rule.MinExclusive && value == min)))
        {
            return value == min ? $"{shown} equals the excluded minimum {ValueText.Number(min)}" : $"{shown} is below the minimum {ValueText.Number(min)}";
        }
        if (rule.Max is double max && (value > max || (rule.MaxExclusive && value == max)))
        {
            return value == max ? $"{shown} equals the excluded maximum {ValueText.Number(max)}" : $"{shown} is above the maximum {ValueText.Number(max)}";
        }
        return $"{shown} breaks {rule.Description}";
    }

    private static int Length(Column values, int row) => values.GetValue(row) is string s ? s.Length : 0;

    private static double AsDouble(ColumnField field, object value) => value switch
    {
        Int128 unscaled when field.Type == ColumnType.Decimal => (double)Decimals.ToDecimal(unscaled, field.Scale),
        Half h => (double)h,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => double.NaN,
    };
}
