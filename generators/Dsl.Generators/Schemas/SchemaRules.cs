using System.Collections.Generic;
using System.Threading;
using Dsl.Generators.Analyzers;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generators.Schemas;

/// <summary>
/// Declaration checks on schemas shared by the schema parser (which skips invalid input) and
/// <see cref="Analyzers.SchemaAnalyzer"/> (which reports it), so the two never disagree.
/// </summary>
internal static class SchemaRules
{
    /// <summary>
    /// What keeps the generator from completing schema <paramref name="type"/>: DSL1001 for it and for each type it is
    /// nested in that is declared in source without <c>partial</c> (the generated <c>partial</c> declarations would not
    /// compile), DSL1003 when it is not a positional record, DSL1002 for each member type without a column type.
    /// A schema from a referenced assembly was completed when that assembly was built, so only its shape is checked.
    /// </summary>
    /// <param name="includeContainers">
    /// False to leave out the enclosing types' DSL1001, which <see cref="SchemaAnalyzer"/> reports once per enclosing
    /// type (<see cref="ContainerProblem"/>) rather than once per schema inside it.
    /// </param>
    public static List<DeclarationProblem> ShapeProblems(INamedTypeSymbol type, bool includeContainers, CancellationToken cancellationToken)
    {
        var problems = new List<DeclarationProblem>();
        Location? location = type.Locations.Length > 0 ? type.Locations[0] : null;
        if (IsSourceWithoutPartial(type))
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.SchemaNotPartial, location, type.Name, type.Name));
        }
        for (INamedTypeSymbol? outer = type.ContainingType; includeContainers && outer is not null; outer = outer.ContainingType)
        {
            if (IsSourceWithoutPartial(outer))
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.SchemaNotPartial, outer.Locations[0], type.Name, outer.Name));
            }
        }

        IMethodSymbol? primary = SchemaGenerator.Parser.PrimaryConstructor(type);
        if (primary is null)
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.SchemaNotPositionalRecord, location, type.Name));
            return problems;
        }
        foreach (IParameterSymbol parameter in primary.Parameters)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!SchemaGenerator.Parser.TryMapType(parameter.Type, out _, out _, out _, out _))
            {
                problems.Add(new DeclarationProblem(
                    DiagnosticDescriptors.SchemaMemberTypeUnsupported,
                    TypeLocation(parameter) ?? location,
                    type.Name,
                    parameter.Name,
                    parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
            }
        }
        return problems;
    }

    /// <summary>
    /// DSL1001 for <paramref name="container"/>, a type declared in source without <c>partial</c> that holds a
    /// <c>[Schema]</c> type (at any depth), naming the first such schema; null when it is partial or holds none.
    /// </summary>
    public static DeclarationProblem? ContainerProblem(INamedTypeSymbol container, CancellationToken cancellationToken)
    {
        if (!IsSourceWithoutPartial(container) || FirstNestedSchema(container, cancellationToken) is not { } schema)
        {
            return null;
        }
        return new DeclarationProblem(DiagnosticDescriptors.SchemaNotPartial, container.Locations[0], schema.Name, container.Name);
    }

    private static INamedTypeSymbol? FirstNestedSchema(INamedTypeSymbol container, CancellationToken cancellationToken)
    {
        foreach (INamedTypeSymbol nested in container.GetTypeMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (SymbolNames.HasAttribute(nested, KnownTypeNames.SchemaAttribute))
            {
                return nested;
            }
            if (FirstNestedSchema(nested, cancellationToken) is { } deeper)
            {
                return deeper;
            }
        }
        return null;
    }

    private static bool IsSourceWithoutPartial(INamedTypeSymbol type) =>
        !type.DeclaringSyntaxReferences.IsEmpty && !SymbolNames.IsPartial(type);

    /// <summary>Where a positional member's type is written (for DSL1002 and the other member rules).</summary>
    public static Location? TypeLocation(IParameterSymbol parameter)
    {
        foreach (SyntaxReference reference in parameter.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is ParameterSyntax { Type: { } typeSyntax })
            {
                return typeSyntax.GetLocation();
            }
        }
        return parameter.Locations.Length > 0 ? parameter.Locations[0] : null;
    }

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
    public static string? ConstraintProblem(AttributeData attribute, out string name, ITypeSymbol? memberType = null)
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
            if (min == max && (NamedFlag(attribute, "MinExclusive") || NamedFlag(attribute, "MaxExclusive")))
            {
                return "has minimum and maximum " + Text(min) + " with an exclusive bound, which leaves no value";
            }
            // An integer member: the range must hold a whole number (bounds rounded inwards, as the kernel checks them).
            if (memberType is not null && IsInteger(memberType) && !(System.Math.Abs(min) > 1e18 || System.Math.Abs(max) > 1e18))
            {
                double lowest = NamedFlag(attribute, "MinExclusive") ? System.Math.Floor(min) + 1 : System.Math.Ceiling(min);
                double highest = NamedFlag(attribute, "MaxExclusive") ? System.Math.Ceiling(max) - 1 : System.Math.Floor(max);
                if (lowest > highest)
                {
                    return "admits no whole number between " + Text(min) + " and " + Text(max) + " (only null would pass)";
                }
            }
        }
        if ((type == Common.KnownTypeNames.MinLengthAttribute || type == Common.KnownTypeNames.MaxLengthAttribute)
            && attribute.ConstructorArguments.Length == 1
            && attribute.ConstructorArguments[0].Value is int length
            && length < 0)
        {
            return "has the negative length " + length.ToString(System.Globalization.CultureInfo.InvariantCulture);
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

    private static bool IsInteger(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }
        return type.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
            or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64;
    }

    private static bool NamedFlag(AttributeData attribute, string name)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is true)
            {
                return true;
            }
        }
        return false;
    }

    private static string Text(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
