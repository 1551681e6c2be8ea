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
        public static Result<SchemaSpec> Parse(INamedTypeSymbol type, bool requirePartial, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            Location? location = type.Locations.Length > 0 ? type.Locations[0] : null;

            if (requirePartial && !SymbolNames.IsPartial(type))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SchemaNotPartial, location, type.Name));
            }

            IMethodSymbol? primary = PrimaryConstructor(type);
            if (primary is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SchemaNotPositionalRecord, location, type.Name));
                return new Result<SchemaSpec>(null, diagnostics.ToEquatableArray());
            }

            var columns = new List<ColumnSpec>(primary.Parameters.Length);
            foreach (IParameterSymbol parameter in primary.Parameters)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!TryMapType(parameter.Type, out ColumnKind kind, out bool nullable))
                {
                    Location? memberLocation = TypeLocation(parameter) ?? location;
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.SchemaMemberTypeUnsupported,
                        memberLocation,
                        type.Name,
                        parameter.Name,
                        parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
                    continue;
                }
                bool utc = HasAttribute(type, parameter, KnownTypeNames.UtcAttribute, out AttributeData? utcAttribute);
                if (utc && kind != ColumnKind.Timestamp)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.UtcOnNonDateTime,
                        utcAttribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? TypeLocation(parameter) ?? location,
                        type.Name,
                        parameter.Name,
                        parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
                    continue;
                }
                columns.Add(new ColumnSpec(parameter.Name, ColumnName(type, parameter), kind, nullable) { Utc = utc });
            }

            // Duplicate or malformed column names are reported by SchemaAnalyzer (DSL1004, DSL1005); the generator
            // only declines to emit a schema whose batches could not be read back by name.
            bool namesValid = SchemaRules.FindDuplicateColumn(columns) is null;
            foreach (ColumnSpec column in columns)
            {
                namesValid &= SchemaRules.ColumnNameProblem(column.ColumnName) is null;
            }

            SchemaSpec? spec = diagnostics.Count > 0 || !namesValid
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

        public static bool TryMapType(ITypeSymbol type, out ColumnKind kind, out bool nullable)
        {
            nullable = false;
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper)
            {
                nullable = true;
                type = wrapper.TypeArguments[0];
            }
            switch (type.SpecialType)
            {
                case SpecialType.System_Int32:
                    kind = ColumnKind.Int32;
                    return true;
                case SpecialType.System_Int64:
                    kind = ColumnKind.Int64;
                    return true;
                case SpecialType.System_Single:
                    kind = ColumnKind.Float;
                    return true;
                case SpecialType.System_Double:
                    kind = ColumnKind.Double;
                    return true;
                case SpecialType.System_Boolean:
                    kind = ColumnKind.Boolean;
                    return true;
                case SpecialType.System_DateTime:
                    kind = ColumnKind.Timestamp;
                    return true;
                case SpecialType.None when type.ToDisplayString() == "System.DateOnly":
                    kind = ColumnKind.Date;
                    return true;
                case SpecialType.System_String:
                    kind = ColumnKind.String;
                    nullable = type.NullableAnnotation == NullableAnnotation.Annotated;
                    return true;
                default:
                    kind = default;
                    return false;
            }
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

        private static Location? TypeLocation(IParameterSymbol parameter)
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
    }
}
