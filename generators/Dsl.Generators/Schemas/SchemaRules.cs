using System.Collections.Generic;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Schemas;

/// <summary>
/// Declaration checks on schemas shared by the schema parser (which skips invalid input) and
/// <see cref="Analyzers.SchemaAnalyzer"/> (which reports it), so the two never disagree.
/// </summary>
internal static class SchemaRules
{
    /// <summary>Why <paramref name="name"/> cannot be a column name ("is empty", ...), or null when it can.</summary>
    public static string? ColumnNameProblem(string name)
    {
        if (name.Length == 0)
        {
            return "is empty";
        }
        if (name.Trim().Length == 0)
        {
            return "is only whitespace";
        }
        foreach (char c in name)
        {
            if (c == '.')
            {
                return "contains '.'";
            }
            if (char.IsControl(c))
            {
                return "contains a control character";
            }
        }
        return null;
    }

    /// <summary>The first pair of columns sharing a column name (ordinal), or null.</summary>
    public static (ColumnSpec First, ColumnSpec Second)? FindDuplicateColumn(IReadOnlyList<ColumnSpec> columns)
    {
        var seen = new Dictionary<string, ColumnSpec>(System.StringComparer.Ordinal);
        foreach (ColumnSpec column in columns)
        {
            if (seen.TryGetValue(column.ColumnName, out ColumnSpec? first))
            {
                return (first, column);
            }
            seen.Add(column.ColumnName, column);
        }
        return null;
    }

    /// <summary>
    /// Why a constraint attribute's bounds can never hold ("has minimum 5 greater than maximum 1", ...), or null
    /// when they can or <paramref name="attribute"/> is not a constraint. <paramref name="name"/> is its short name.
    /// </summary>
    public static string? ConstraintProblem(AttributeData attribute, out string name)
    {
        string? type = attribute.AttributeClass?.ToDisplayString();
        name = attribute.AttributeClass?.Name ?? string.Empty;
        if (name.EndsWith("Attribute", System.StringComparison.Ordinal))
        {
            name = name.Substring(0, name.Length - "Attribute".Length);
        }
        if (type == Common.KnownTypeNames.RangeAttribute
            && attribute.ConstructorArguments.Length == 2
            && attribute.ConstructorArguments[0].Value is double min
            && attribute.ConstructorArguments[1].Value is double max)
        {
            if (double.IsNaN(min) || double.IsNaN(max))
            {
                return "has a NaN bound";
            }
            if (min > max)
            {
                return "has minimum " + Text(min) + " greater than maximum " + Text(max);
            }
        }
        if (type == Common.KnownTypeNames.NullRateAttribute
            && attribute.ConstructorArguments.Length == 1
            && attribute.ConstructorArguments[0].Value is double rate
            && !(rate >= 0 && rate <= 1))
        {
            return "has maximum null rate " + Text(rate) + ", outside 0..1";
        }
        return null;
    }

    private static string Text(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
