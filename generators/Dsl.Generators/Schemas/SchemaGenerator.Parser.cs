using System.Collections.Generic;
using System.Threading;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generators.Schemas;

public sealed partial class SchemaGenerator
{
    /// <summary>Reads a schema record's columns from its primary constructor.</summary>
    internal static class Parser
    {
        /// <summary>
        /// The spec of schema <paramref name="type"/>, or a null spec when it cannot be completed. Declaration-shape
        /// problems (DSL1001, DSL1002, DSL1003: <see cref="SchemaRules.ShapeProblems"/>) are reported by
        /// <see cref="Analyzers.SchemaAnalyzer"/> while the user types, so here they only make the parser decline the
        /// schema; the attribute rules DSL1007 and DSL1008 are still reported from here.
        /// </summary>
        public static Result<SchemaSpec> Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            Location? location = type.Locations.Length > 0 ? type.Locations[0] : null;

            if (SchemaRules.ShapeProblems(type, includeContainers: true, cancellationToken).Count > 0
                || PrimaryConstructor(type) is not { } primary)
            {
                return new Result<SchemaSpec>(null, EquatableArray<DiagnosticInfo>.Empty);
            }

            var columns = new List<ColumnSpec>(primary.Parameters.Length);
            bool rulesValid = true;
            foreach (IParameterSymbol parameter in primary.Parameters)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // ShapeProblems found every member type mappable.
                TryMapType(parameter.Type, out ColumnKind kind, out bool nullable, out ColumnKind element, out bool readOnlyList);
                bool utc = HasAttribute(type, parameter, KnownTypeNames.UtcAttribute, out AttributeData? utcAttribute);
                if (utc && kind != ColumnKind.Timestamp)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.UtcOnNonDateTime,
                        AttributeLocation(utcAttribute, cancellationToken) ?? SchemaRules.TypeLocation(parameter) ?? location,
                        type.Name,
                        parameter.Name,
                        parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
                    continue;
                }
                var column = new ColumnSpec(parameter.Name, ColumnName(type, parameter), kind, nullable)
                {
                    Utc = utc || kind == ColumnKind.TimestampOffset,
                    Element = element,
                    ReadOnlyList = readOnlyList,
                    Precision = kind == ColumnKind.Decimal ? 38 : 0,
                    Scale = kind == ColumnKind.Decimal ? 18 : 0,
                };
                string? problem = null;
                AttributeData? misplaced = null;
                if (HasAttribute(type, parameter, KnownTypeNames.DecimalAttribute, out AttributeData? decimalAttribute))
                {
                    misplaced = decimalAttribute;
                    if (kind != ColumnKind.Decimal)
                    {
                        problem = "[Decimal] gives the precision and scale of a decimal member, but this member is not a decimal";
                    }
                    else if (decimalAttribute!.ConstructorArguments.Length == 2
                        && decimalAttribute.ConstructorArguments[0].Value is int precision
                        && decimalAttribute.ConstructorArguments[1].Value is int scale)
                    {
                        problem = precision is < 1 or > 38 ? "the precision " + precision + " is outside 1 to 38"
                            : scale is < 0 or > 28 ? "the scale " + scale + " is outside 0 to 28 (a C# decimal holds at most 28 digits after the point)"
                            : scale > precision ? "the scale " + scale + " is larger than the precision " + precision
                            : null;
                        column = column with { Precision = precision, Scale = scale };
                    }
                }
                if (problem is null && HasAttribute(type, parameter, KnownTypeNames.TruncateNanosecondsAttribute, out AttributeData? truncate))
                {
                    misplaced = truncate;
                    problem = kind == ColumnKind.Timestamp ? null : "[TruncateNanoseconds] lets a DateTime member read nanosecond timestamps, but this member is not a DateTime";
                    column = column with { TruncateNanoseconds = true };
                }
                if (problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.ColumnTypeAttributeInvalid,
                        AttributeLocation(misplaced, cancellationToken) ?? SchemaRules.TypeLocation(parameter) ?? location,
                        type.Name,
                        parameter.Name,
                        problem));
                    continue;
                }
                // Rules that do not fit the member (DSL1009, DSL1010) are reported by SchemaAnalyzer; here they only
                // make the parser decline the schema.
                rulesValid &= RuleAttributes.Problems(type, parameter, cancellationToken).Count == 0;
                column = column with { Rules = RuleAttributes.Read(type, parameter).ToEquatableArray() };
                columns.Add(WithSampleHints(type, parameter, column));
            }

            // Duplicate or malformed column names are reported by SchemaAnalyzer (DSL1004, DSL1005); the generator
            // only declines to emit a schema whose batches could not be read back by name.
            bool namesValid = SchemaRules.FindDuplicateColumn(columns) is null;
            foreach (ColumnSpec column in columns)
            {
                namesValid &= SchemaRules.ColumnNameProblem(column.ColumnName) is null;
            }

            SchemaSpec? spec = diagnostics.Count > 0 || !namesValid || !rulesValid
                ? null
                : new SchemaSpec(
                    SymbolNames.Namespace(type),
                    SymbolNames.ContainingTypeDeclarations(type),
                    type.Name,
                    SymbolNames.Qualified(type),
                    SymbolNames.Keyword(type),
                    columns.ToEquatableArray());
            return new Result<SchemaSpec>(spec, diagnostics.ToEquatableArray());
        }

        /// <summary>The constructor declared by a positional record's parameter list, if any.</summary>
        public static IMethodSymbol? PrimaryConstructor(INamedTypeSymbol type)
        {
            if (!type.IsRecord)
            {
                return null;
            }
            foreach (IMethodSymbol constructor in type.InstanceConstructors)
            {
                foreach (SyntaxReference reference in constructor.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax() is RecordDeclarationSyntax { ParameterList: not null })
                    {
                        return constructor;
                    }
                }
            }
            return type.DeclaringSyntaxReferences.IsEmpty ? MetadataPrimaryConstructor(type) : null;
        }

        // A schema compiled into a referenced assembly has no syntax: take the widest constructor whose every
        // parameter has a property of the same name and type (what a positional record declares).
        private static IMethodSymbol? MetadataPrimaryConstructor(INamedTypeSymbol type)
        {
            IMethodSymbol? best = null;
            foreach (IMethodSymbol constructor in type.InstanceConstructors)
            {
                if (constructor.Parameters.Length == 0
                    || (constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type)))
                {
                    continue;
                }
                bool matches = true;
                foreach (IParameterSymbol parameter in constructor.Parameters)
                {
                    bool found = false;
                    foreach (ISymbol member in type.GetMembers(parameter.Name))
                    {
                        found |= member is IPropertySymbol property && SymbolEqualityComparer.Default.Equals(property.Type, parameter.Type);
                    }
                    matches &= found;
                }
                if (matches && (best is null || constructor.Parameters.Length > best.Parameters.Length))
                {
                    best = constructor;
                }
            }
            return best;
        }

        public static bool TryMapType(ITypeSymbol type, out ColumnKind kind, out bool nullable, out ColumnKind element, out bool readOnlyList)
        {
            nullable = false;
            element = default;
            readOnlyList = false;
            ITypeSymbol? elementType = type switch
            {
                IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: not SpecialType.System_Byte } array => array.ElementType,
                INamedTypeSymbol { IsGenericType: true } list when list.OriginalDefinition.MetadataName == "IReadOnlyList`1" && list.ContainingNamespace.ToDisplayString() == "System.Collections.Generic" => list.TypeArguments[0],
                _ => null,
            };
            if (elementType is not null)
            {
                // Lists of fixed-width numbers and bools, elements not nullable: what embeddings and feature vectors are.
                readOnlyList = type is INamedTypeSymbol;
                nullable = type.NullableAnnotation == NullableAnnotation.Annotated;
                kind = ColumnKind.List;
                return TryMapType(elementType, out element, out bool elementNullable, out _, out _)
                    && !elementNullable
                    && element is ColumnKind.Int32 or ColumnKind.Int64 or ColumnKind.Float or ColumnKind.Double or ColumnKind.Boolean
                        or ColumnKind.Int8 or ColumnKind.Int16 or ColumnKind.UInt8 or ColumnKind.UInt16 or ColumnKind.UInt32 or ColumnKind.UInt64 or ColumnKind.Float16;
            }
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper)
            {
                nullable = true;
                type = wrapper.TypeArguments[0];
            }
            switch (type.SpecialType)
            {
                case SpecialType.System_Int32: kind = ColumnKind.Int32; return true;
                case SpecialType.System_Int64: kind = ColumnKind.Int64; return true;
                case SpecialType.System_SByte: kind = ColumnKind.Int8; return true;
                case SpecialType.System_Int16: kind = ColumnKind.Int16; return true;
                case SpecialType.System_Byte: kind = ColumnKind.UInt8; return true;
                case SpecialType.System_UInt16: kind = ColumnKind.UInt16; return true;
                case SpecialType.System_UInt32: kind = ColumnKind.UInt32; return true;
                case SpecialType.System_UInt64: kind = ColumnKind.UInt64; return true;
                case SpecialType.System_Single: kind = ColumnKind.Float; return true;
                case SpecialType.System_Double: kind = ColumnKind.Double; return true;
                case SpecialType.System_Decimal: kind = ColumnKind.Decimal; return true;
                case SpecialType.System_Boolean: kind = ColumnKind.Boolean; return true;
                case SpecialType.System_DateTime: kind = ColumnKind.Timestamp; return true;
                case SpecialType.System_String:
                    kind = ColumnKind.String;
                    nullable = type.NullableAnnotation == NullableAnnotation.Annotated;
                    return true;
                case SpecialType.None when type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte }:
                    kind = ColumnKind.Binary;
                    nullable = type.NullableAnnotation == NullableAnnotation.Annotated;
                    return true;
            }
            kind = type.ToDisplayString() switch
            {
                "System.DateOnly" => ColumnKind.Date,
                "System.TimeOnly" => ColumnKind.Time,
                "System.DateTimeOffset" => ColumnKind.TimestampOffset,
                "System.Guid" => ColumnKind.Uuid,
                "System.Half" => ColumnKind.Float16,
                KnownTypeNames.NanoTimestamp => ColumnKind.TimestampNanos,
                _ => (ColumnKind)(-1),
            };
            return kind >= 0;
        }

        /// <summary>The column name of a positional member: its [Column] name (on the property or the parameter), else its name.</summary>
        public static string ColumnName(INamedTypeSymbol type, IParameterSymbol parameter) =>
            ColumnAttribute(type, parameter, out string? name) is null ? parameter.Name : name!;

        /// <summary>The [Column] attribute naming <paramref name="parameter"/>'s column, if any, and the name it gives.</summary>
        public static AttributeData? ColumnAttribute(INamedTypeSymbol type, IParameterSymbol parameter, out string? name)
        {
            foreach (ISymbol member in type.GetMembers(parameter.Name))
            {
                if (member is IPropertySymbol property && FindColumnAttribute(property, out name) is { } fromProperty)
                {
                    return fromProperty;
                }
            }
            return FindColumnAttribute(parameter, out name);
        }

        // An attribute on the positional parameter or on the property it declares ([property: ...]).
        private static bool HasAttribute(INamedTypeSymbol type, IParameterSymbol parameter, string attributeName, out AttributeData? found)
        {
            var owners = new List<ISymbol>();
            foreach (ISymbol member in type.GetMembers(parameter.Name))
            {
                if (member is IPropertySymbol)
                {
                    owners.Add(member);
                }
            }
            owners.Add(parameter);
            foreach (ISymbol owner in owners)
            {
                foreach (AttributeData attribute in owner.GetAttributes())
                {
                    if (attribute.AttributeClass?.ToDisplayString() == attributeName)
                    {
                        found = attribute;
                        return true;
                    }
                }
            }
            found = null;
            return false;
        }

        private static AttributeData? FindColumnAttribute(ISymbol symbol, out string? name)
        {
            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == KnownTypeNames.ColumnAttribute
                    && attribute.ConstructorArguments.Length == 1
                    && attribute.ConstructorArguments[0].Value is string value)
                {
                    name = value;
                    return attribute;
                }
            }
            name = null;
            return null;
        }

        // [Range], [NullRate] and [SampleValues], which shape generate-sample's synthetic values (bounds the analyzer
        // finds impossible, DSL1006, are left out).
        private static ColumnSpec WithSampleHints(INamedTypeSymbol type, IParameterSymbol parameter, ColumnSpec column)
        {
            if (HasAttribute(type, parameter, KnownTypeNames.RangeAttribute, out AttributeData? range)
                && SchemaRules.ConstraintProblem(range!, out _) is null
                && range!.ConstructorArguments.Length == 2
                && range.ConstructorArguments[0].Value is double min
                && range.ConstructorArguments[1].Value is double max)
            {
                bool integer = RuleAttributes.IsInteger(column.Kind);
                column = column with
                {
                    SampleMin = !NamedFlag(range, "MinExclusive") ? min : integer ? System.Math.Floor(min) + 1 : Step(min, up: true),
                    SampleMax = !NamedFlag(range, "MaxExclusive") ? max : integer ? System.Math.Ceiling(max) - 1 : Step(max, up: false),
                };
            }
            if (HasAttribute(type, parameter, KnownTypeNames.NullRateAttribute, out AttributeData? nullRate)
                && SchemaRules.ConstraintProblem(nullRate!, out _) is null
                && nullRate!.ConstructorArguments.Length == 1
                && nullRate.ConstructorArguments[0].Value is double rate)
            {
                column = column with { SampleNullRate = rate, NullRateSeverity = NamedInt(nullRate, "Severity") == 1 ? "Warn" : "Fail" };
            }
            foreach (RuleSpec rule in column.Rules)
            {
                if (rule.Kind == "OneOf" && column.SampleValues.Count == 0)
                {
                    var allowed = new List<string>(rule.Strings);
                    foreach (long number in rule.Integers)
                    {
                        allowed.Add(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                    column = column with { SampleValues = allowed.ToEquatableArray() };
                }
            }
            if (HasAttribute(type, parameter, KnownTypeNames.SampleValuesAttribute, out AttributeData? values)
                && values!.ConstructorArguments.Length == 1
                && values.ConstructorArguments[0].Kind == TypedConstantKind.Array)
            {
                var strings = new List<string>();
                foreach (TypedConstant value in values.ConstructorArguments[0].Values)
                {
                    if (value.Value is string text)
                    {
                        strings.Add(text);
                    }
                }
                column = column with { SampleValues = strings.ToEquatableArray() };
            }
            return column;
        }

        // The next double above (or below) a finite value: the first sample value an exclusive bound admits.
        private static double Step(double value, bool up)
        {
            if (value == 0)
            {
                return up ? double.Epsilon : -double.Epsilon;
            }
            long bits = System.BitConverter.DoubleToInt64Bits(value);
            return System.BitConverter.Int64BitsToDouble(bits + ((value > 0) == up ? 1 : -1));
        }

        private static bool NamedFlag(AttributeData attribute, string name)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Value is bool flag)
                {
                    return flag;
                }
            }
            return false;
        }

        private static int NamedInt(AttributeData attribute, string name)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Value is int value)
                {
                    return value;
                }
            }
            return 0;
        }

        private static Location? AttributeLocation(AttributeData? attribute, CancellationToken cancellationToken) =>
            attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
    }
}
