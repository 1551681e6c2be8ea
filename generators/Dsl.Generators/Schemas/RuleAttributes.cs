using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Dsl.Generators.Analyzers;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Schemas;

/// <summary>
/// The row rule attributes on schema members (<c>[Range]</c>, <c>[NotNull]</c>, <c>[OneOf]</c>, <c>[MinLength]</c>,
/// <c>[MaxLength]</c>, <c>[Regex]</c>, <c>[Finite]</c>, <c>[Unique]</c>): reading them into <see cref="RuleSpec"/>s
/// for the schema parser, and the checks shared with <see cref="SchemaAnalyzer"/> (DSL1009, DSL1010), which reports
/// them while the parser declines such a schema.
/// </summary>
internal static class RuleAttributes
{
    private static readonly Dictionary<string, string> KindByAttribute = new(System.StringComparer.Ordinal)
    {
        [KnownTypeNames.RangeAttribute] = "Range",
        [KnownTypeNames.NotNullAttribute] = "NotNull",
        [KnownTypeNames.OneOfAttribute] = "OneOf",
        [KnownTypeNames.MinLengthAttribute] = "MinLength",
        [KnownTypeNames.MaxLengthAttribute] = "MaxLength",
        [KnownTypeNames.RegexAttribute] = "Regex",
        [KnownTypeNames.FiniteAttribute] = "Finite",
        [KnownTypeNames.UniqueAttribute] = "Unique",
    };

    // Dsl.RuleAction in declaration order.
    private static readonly string[] Actions = { "Quarantine", "Drop", "Fail", "Warn" };

    /// <summary>The rule attributes of a positional member, on the property (<c>[property: ...]</c>) or the parameter, with their kinds.</summary>
    public static List<(AttributeData Attribute, string Kind)> Of(INamedTypeSymbol type, IParameterSymbol parameter)
    {
        var found = new List<(AttributeData, string)>();
        foreach (ISymbol member in type.GetMembers(parameter.Name))
        {
            if (member is IPropertySymbol property)
            {
                Add(property.GetAttributes(), found);
            }
        }
        Add(parameter.GetAttributes(), found);
        return found;
    }

    private static void Add(System.Collections.Immutable.ImmutableArray<AttributeData> attributes, List<(AttributeData, string)> found)
    {
        foreach (AttributeData attribute in attributes)
        {
            if (attribute.AttributeClass?.ToDisplayString() is { } name && KindByAttribute.TryGetValue(name, out string? kind))
            {
                found.Add((attribute, kind));
            }
        }
    }

    /// <summary>
    /// DSL1009 for each rule on <paramref name="parameter"/> that does not fit its type, DSL1010 for a regex .NET cannot
    /// parse. Empty when every rule can be compiled.
    /// </summary>
    public static List<DeclarationProblem> Problems(INamedTypeSymbol type, IParameterSymbol parameter, CancellationToken cancellationToken)
    {
        var problems = new List<DeclarationProblem>();
        if (!SchemaGenerator.Parser.TryMapType(parameter.Type, out ColumnKind kind, out bool nullable, out _, out _))
        {
            return problems; // DSL1002 says the member has no column type
        }
        string typeName = parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
        foreach ((AttributeData attribute, string rule) in Of(type, parameter))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Location? location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? SchemaRules.TypeLocation(parameter);
            if (FitProblem(attribute, rule, kind, nullable, typeName) is { } why)
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.RuleDoesNotFitMember, location, type.Name, parameter.Name, rule, why));
            }
            else if (rule == "Regex" && Argument(attribute) is string pattern && PatternProblem(pattern) is { } message)
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.RegexPatternInvalid, location, type.Name, parameter.Name, message));
            }
        }
        return problems;
    }

    /// <summary>The message .NET gives for <paramref name="pattern"/>, or null when it parses.</summary>
    public static string? PatternProblem(string pattern)
    {
        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            return null;
        }
        catch (System.ArgumentException e)
        {
            return e.Message;
        }
    }

    private static string? FitProblem(AttributeData attribute, string rule, ColumnKind kind, bool nullable, string typeName)
    {
        bool isList = kind == ColumnKind.List;
        switch (rule)
        {
            case "Range":
                return IsInteger(kind) || kind is ColumnKind.Float or ColumnKind.Double or ColumnKind.Decimal ? null
                    : "needs a number member (an integer type, float, double or decimal), but '" + typeName + "' is not one";
            case "Finite":
                return kind is ColumnKind.Float or ColumnKind.Double ? null
                    : IsInteger(kind) || kind == ColumnKind.Decimal ? "needs a double or float member: a '" + typeName + "' is always finite"
                    : "needs a double or float member, but the member is a '" + typeName + "'";
            case "MinLength":
            case "MaxLength":
            case "Regex":
                return kind == ColumnKind.String ? null : "needs a string member, but the member is a '" + typeName + "'";
            case "NotNull":
                return nullable ? null : "needs a nullable member, but '" + typeName + "' always holds a value";
            case "Unique":
                return isList ? "needs a single value per row, but the member is a list" : null;
            case "OneOf":
                return OneOfProblem(attribute, kind, typeName);
            default:
                return null;
        }
    }

    private static string? OneOfProblem(AttributeData attribute, ColumnKind kind, string typeName)
    {
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
        {
            return null;
        }
        TypedConstant values = attribute.ConstructorArguments[0];
        bool strings = values.Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_String };
        if (strings)
        {
            return kind == ColumnKind.String ? null : "lists strings, but the member is a '" + typeName + "'";
        }
        if (!IsInteger(kind))
        {
            return "lists integers, but the member is a '" + typeName + "'";
        }
        foreach (TypedConstant value in values.Values)
        {
            if (value.Value is long number && !Fits(number, kind))
            {
                return "lists " + number.ToString(CultureInfo.InvariantCulture) + ", which a '" + typeName + "' cannot hold";
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="kind"/> is an integer column kind.</summary>
    public static bool IsInteger(ColumnKind kind) => kind is ColumnKind.Int8 or ColumnKind.Int16 or ColumnKind.Int32 or ColumnKind.Int64
        or ColumnKind.UInt8 or ColumnKind.UInt16 or ColumnKind.UInt32 or ColumnKind.UInt64;

    private static bool Fits(long value, ColumnKind kind) => kind switch
    {
        ColumnKind.Int8 => value is >= sbyte.MinValue and <= sbyte.MaxValue,
        ColumnKind.Int16 => value is >= short.MinValue and <= short.MaxValue,
        ColumnKind.Int32 => value is >= int.MinValue and <= int.MaxValue,
        ColumnKind.UInt8 => value is >= 0 and <= byte.MaxValue,
        ColumnKind.UInt16 => value is >= 0 and <= ushort.MaxValue,
        ColumnKind.UInt32 => value is >= 0 and <= uint.MaxValue,
        ColumnKind.UInt64 => value >= 0,
        _ => true,
    };

    /// <summary>
    /// The rules on a member that <see cref="Problems"/> accepted, in declaration order (property first, then
    /// parameter), with their ids defaulted to <c>Schema.Member.Rule</c>.
    /// </summary>
    public static List<RuleSpec> Read(INamedTypeSymbol type, IParameterSymbol parameter)
    {
        var rules = new List<RuleSpec>();
        foreach ((AttributeData attribute, string kind) in Of(type, parameter))
        {
            string action = "Quarantine";
            string? id = null;
            bool minExclusive = false, maxExclusive = false, acrossDataset = true;
            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                switch (named.Key)
                {
                    case "Action" when named.Value.Value is int value && value >= 0 && value < Actions.Length:
                        action = Actions[value];
                        break;
                    case "Id" when named.Value.Value is string text:
                        id = text;
                        break;
                    case "MinExclusive" when named.Value.Value is bool flag:
                        minExclusive = flag;
                        break;
                    case "MaxExclusive" when named.Value.Value is bool flag:
                        maxExclusive = flag;
                        break;
                    case "AcrossDataset" when named.Value.Value is bool flag:
                        acrossDataset = flag;
                        break;
                }
            }
            var rule = new RuleSpec(kind, action, id ?? type.Name + "." + parameter.Name + "." + kind);
            ImmutableArguments arguments = new(attribute);
            switch (kind)
            {
                case "Range" when arguments.Double(0) is { } min && arguments.Double(1) is { } max:
                    rule = rule with { Min = min, Max = max, MinExclusive = minExclusive, MaxExclusive = maxExclusive };
                    break;
                case "Range":
                    continue; // the attribute does not compile
                case "OneOf":
                    rule = rule with { Strings = arguments.Strings(), Integers = arguments.Integers() };
                    break;
                case "MinLength" or "MaxLength" when Argument(attribute) is int length:
                    rule = rule with { Length = length };
                    break;
                case "Regex" when Argument(attribute) is string pattern:
                    rule = rule with { Pattern = pattern };
                    break;
                case "Unique":
                    rule = rule with { AcrossDataset = acrossDataset };
                    break;
            }
            rules.Add(rule);
        }
        return rules;
    }

    private static object? Argument(AttributeData attribute) =>
        attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value : null;

    /// <summary>Reads an attribute's constructor arguments by position.</summary>
    private readonly struct ImmutableArguments
    {
        private readonly AttributeData _attribute;

        public ImmutableArguments(AttributeData attribute) => _attribute = attribute;

        public double? Double(int index) =>
            _attribute.ConstructorArguments.Length > index && _attribute.ConstructorArguments[index].Value is double value ? value : null;

        public EquatableArray<string> Strings()
        {
            var values = new List<string>();
            foreach (TypedConstant value in Values())
            {
                if (value.Value is string text)
                {
                    values.Add(text);
                }
            }
            return values.ToEquatableArray();
        }

        public EquatableArray<long> Integers()
        {
            var values = new List<long>();
            foreach (TypedConstant value in Values())
            {
                if (value.Value is long number)
                {
                    values.Add(number);
                }
            }
            return values.ToEquatableArray();
        }

        private System.Collections.Immutable.ImmutableArray<TypedConstant> Values() =>
            _attribute.ConstructorArguments.Length == 1 && _attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array
                ? _attribute.ConstructorArguments[0].Values
                : System.Collections.Immutable.ImmutableArray<TypedConstant>.Empty;
    }
}
