using System.Collections.Generic;
using System.Collections.Immutable;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Schemas;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dsl.Generators.Analyzers;

/// <summary>
/// Declaration-shape rules of <c>[Schema]</c> records: not partial, itself or a type it is nested in (DSL1001),
/// a member type without a column type (DSL1002), not a positional record (DSL1003), duplicate (DSL1004) and
/// malformed (DSL1005) column names, constraint attributes whose bounds can never hold (DSL1006), row rules that do
/// not fit their member (DSL1009) and regex patterns .NET cannot parse (DSL1010). One symbol
/// action per named type; the checks are <see cref="SchemaRules"/>, shared with the schema parser, which declines
/// such a schema without reporting it again.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SchemaAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.SchemaNotPartial,
        DiagnosticDescriptors.SchemaMemberTypeUnsupported,
        DiagnosticDescriptors.SchemaNotPositionalRecord,
        DiagnosticDescriptors.SchemaColumnNameDuplicate,
        DiagnosticDescriptors.SchemaColumnNameInvalid,
        DiagnosticDescriptors.ConstraintBoundsImpossible,
        DiagnosticDescriptors.RuleDoesNotFitMember,
        DiagnosticDescriptors.RegexPatternInvalid);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!SymbolNames.HasAttribute(type, KnownTypeNames.SchemaAttribute))
        {
            // A type that holds a schema must be partial too; reported here, once per enclosing type.
            if (SchemaRules.ContainerProblem(type, context.CancellationToken) is { } container)
            {
                context.ReportDiagnostic(container.ToDiagnostic());
            }
            return;
        }
        foreach (DeclarationProblem problem in SchemaRules.ShapeProblems(type, includeContainers: false, context.CancellationToken))
        {
            context.ReportDiagnostic(problem.ToDiagnostic());
        }
        if (SchemaGenerator.Parser.PrimaryConstructor(type) is not { } primary)
        {
            return;
        }

        var seen = new Dictionary<string, IParameterSymbol>(System.StringComparer.Ordinal);
        foreach (IParameterSymbol parameter in primary.Parameters)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            AttributeData? columnAttribute = SchemaGenerator.Parser.ColumnAttribute(type, parameter, out string? renamed);
            string column = renamed ?? parameter.Name;
            Location location = AttributeArgumentLocation(columnAttribute, context)
                ?? (parameter.Locations.Length > 0 ? parameter.Locations[0] : Location.None);

            if (SchemaRules.ColumnNameProblem(column) is { } problem)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.SchemaColumnNameInvalid, location, type.Name, parameter.Name, column, problem));
            }
            else if (seen.TryGetValue(column, out IParameterSymbol? first))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.SchemaColumnNameDuplicate, location, type.Name, first.Name, parameter.Name, column));
            }
            else
            {
                seen.Add(column, parameter);
            }

            foreach (DeclarationProblem rule in RuleAttributes.Problems(type, parameter, context.CancellationToken))
            {
                context.ReportDiagnostic(rule.ToDiagnostic());
            }
            foreach (AttributeData attribute in ConstraintCandidates(type, parameter))
            {
                if (SchemaRules.ConstraintProblem(attribute, out string name, parameter.Type) is { } bounds)
                {
                    Location at = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? location;
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.ConstraintBoundsImpossible, at, type.Name, parameter.Name, name, bounds));
                }
            }
        }
    }

    // [property: Range(...)] lands on the property; a plain [Range(...)] on the parameter.
    private static IEnumerable<AttributeData> ConstraintCandidates(INamedTypeSymbol type, IParameterSymbol parameter)
    {
        foreach (AttributeData attribute in parameter.GetAttributes())
        {
            yield return attribute;
        }
        foreach (ISymbol member in type.GetMembers(parameter.Name))
        {
            if (member is IPropertySymbol property)
            {
                foreach (AttributeData attribute in property.GetAttributes())
                {
                    yield return attribute;
                }
            }
        }
    }

    private static Location? AttributeArgumentLocation(AttributeData? attribute, SymbolAnalysisContext context) =>
        attribute?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is AttributeSyntax { ArgumentList.Arguments: { Count: > 0 } arguments }
            ? arguments[0].Expression.GetLocation()
            : null;
}
