using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Dsl.Generators.Analyzers;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Model;
using Dsl.Generators.Schemas;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generators.Pipelines;

/// <summary>
/// Declaration checks on pipelines and their stages, shared by the pipeline parser (which skips a declaration with a
/// problem) and <see cref="PipelineAnalyzer"/> (which reports it while the user types), so the two never disagree
/// and nothing is reported twice: DSL2004 (pipeline not partial), DSL2005 (stage names), and per stage DSL2002,
/// DSL2003, DSL2010, DSL2009, DSL2008 and DSL2001.
/// </summary>
internal static class StageRules
{
    /// <summary>The <c>[Filter]</c>, <c>[Map]</c> or <c>[Check]</c> attribute of <paramref name="method"/>, or null when it is no stage.</summary>
    public static AttributeData? StageAttribute(IMethodSymbol method, out StageKindSpec kind)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name == KnownTypeNames.FilterAttribute)
            {
                kind = StageKindSpec.Filter;
                return attribute;
            }
            if (name == KnownTypeNames.MapAttribute)
            {
                kind = StageKindSpec.Map;
                return attribute;
            }
            if (name == KnownTypeNames.CheckAttribute)
            {
                kind = StageKindSpec.Check;
                return attribute;
            }
        }
        kind = default;
        return null;
    }

    /// <summary>The name given to <c>[Pipeline("name")]</c>, else the class name.</summary>
    public static string PipelineName(INamedTypeSymbol pipeline)
    {
        foreach (AttributeData attribute in pipeline.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == KnownTypeNames.PipelineAttribute
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is string name)
            {
                return name;
            }
        }
        return pipeline.Name;
    }

    /// <summary>
    /// DSL2004 for the pipeline class and for each type it is nested in that is declared without <c>partial</c>
    /// (the generated <c>partial</c> declarations would not compile).
    /// </summary>
    /// <param name="includeContainers">
    /// False to leave out the enclosing types, which <see cref="PipelineAnalyzer"/> reports once per enclosing type.
    /// </param>
    public static List<DeclarationProblem> PipelineProblems(INamedTypeSymbol pipeline, bool includeContainers)
    {
        var problems = new List<DeclarationProblem>();
        if (!SymbolNames.IsPartial(pipeline))
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.PipelineNotPartial, pipeline.Locations[0], pipeline.Name, pipeline.Name));
        }
        for (INamedTypeSymbol? outer = pipeline.ContainingType; includeContainers && outer is not null; outer = outer.ContainingType)
        {
            if (!SymbolNames.IsPartial(outer))
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.PipelineNotPartial, outer.Locations[0], pipeline.Name, outer.Name));
            }
        }
        return problems;
    }

    /// <summary>DSL2005 for every stage method after the first of its name (overloads cannot both be stages).</summary>
    public static List<DeclarationProblem> DuplicateStageNames(INamedTypeSymbol pipeline, string pipelineName, CancellationToken cancellationToken)
    {
        var problems = new List<DeclarationProblem>();
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (ISymbol member in pipeline.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is IMethodSymbol method && StageAttribute(method, out _) is not null && !seen.Add(method.Name))
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.StageNameNotUnique, method.Locations[0], pipelineName, method.Name));
            }
        }
        return problems;
    }

    /// <summary>
    /// The problems of stage <paramref name="method"/> that keep it from being compiled, in the order a user fixes
    /// them: not static (DSL2002), then the signature (DSL2003), a by-reference parameter (DSL2010), too many
    /// parameters (DSL2009), a parameter object without a configuration form (DSL2008), and last an input or output
    /// type that is not a schema (DSL2001, once for each). Empty when the stage can be compiled.
    /// </summary>
    public static List<DeclarationProblem> StageProblems(
        IMethodSymbol method,
        MethodDeclarationSyntax declaration,
        StageKindSpec kind,
        string pipelineName,
        CancellationToken cancellationToken)
    {
        var problems = new List<DeclarationProblem>();
        Location location = declaration.Identifier.GetLocation();
        if (!method.IsStatic)
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.StageNotStatic, location, method.Name, pipelineName));
            return problems;
        }

        bool returnsBool = method.ReturnType.SpecialType == SpecialType.System_Boolean;
        if (method.Parameters.Length == 0
            || method.IsGenericMethod
            || (kind is StageKindSpec.Filter or StageKindSpec.Check && !returnsBool)
            || (kind == StageKindSpec.Map && (method.ReturnsVoid || method.ReturnType is not INamedTypeSymbol)))
        {
            string expected = kind == StageKindSpec.Map
                ? "static TOutput " + method.Name + "(TInput row)"
                : "static bool " + method.Name + "(TSchema row)";
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.StageSignatureInvalid, location, method.Name, pipelineName, expected));
            return problems;
        }

        SeparatedSyntaxList<ParameterSyntax> syntax = declaration.ParameterList.Parameters;
        for (int p = 0; p < method.Parameters.Length; p++)
        {
            IParameterSymbol parameter = method.Parameters[p];
            if (parameter.RefKind != RefKind.None)
            {
                string modifier = syntax[p].Modifiers.Count > 0 ? syntax[p].Modifiers.ToString() : parameter.RefKind.ToString().ToLowerInvariant();
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.StageParameterByReference, syntax[p].GetLocation(), method.Name, pipelineName, parameter.Name, modifier));
                return problems;
            }
        }

        if (method.Parameters.Length > 2)
        {
            var extra = new List<string>();
            for (int p = 1; p < method.Parameters.Length; p++)
            {
                extra.Add(method.Parameters[p].Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) + " " + method.Parameters[p].Name);
            }
            problems.Add(new DeclarationProblem(
                DiagnosticDescriptors.StageHasTooManyParameters,
                syntax[2].GetLocation(),
                method.Name,
                pipelineName,
                (method.Parameters.Length - 1).ToString(CultureInfo.InvariantCulture),
                string.Join(", ", extra)));
            return problems;
        }

        if (method.Parameters.Length == 2 && ParameterTypeProblem(method.Parameters[1].Type) is { } why)
        {
            IParameterSymbol parameter = method.Parameters[1];
            problems.Add(new DeclarationProblem(
                DiagnosticDescriptors.StageParameterTypeUnsupported,
                syntax[1].Type?.GetLocation() ?? syntax[1].GetLocation(),
                method.Name,
                pipelineName,
                parameter.Name,
                parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat),
                why));
            return problems;
        }

        cancellationToken.ThrowIfCancellationRequested();
        AddIfNotSchema(problems, method.Parameters[0].Type, syntax[0].Type?.GetLocation() ?? location, method.Name, pipelineName, "input");
        if (kind == StageKindSpec.Map)
        {
            AddIfNotSchema(problems, method.ReturnType, declaration.ReturnType.GetLocation(), method.Name, pipelineName, "output");
        }
        return problems;
    }

    /// <summary>
    /// Why <paramref name="type"/> cannot be a stage's parameter object ("is not a record", ...), or null when it is
    /// a positional record (class or struct) whose members are all double, float, int, long, bool, string, DateTime,
    /// double[] or string[].
    /// </summary>
    public static string? ParameterTypeProblem(ITypeSymbol parameterType)
    {
        if (parameterType is not INamedTypeSymbol type || type.IsGenericType || type.SpecialType != SpecialType.None
            || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return "is not a record";
        }
        if (SymbolNames.HasAttribute(type, KnownTypeNames.SchemaAttribute))
        {
            return "is a schema (a stage reads one row; its parameter object holds configuration values)";
        }
        if (SchemaGenerator.Parser.PrimaryConstructor(type) is not { } constructor)
        {
            return "is not a positional record (declare it as 'record " + type.Name + "(double Value, ...)')";
        }
        if (constructor.Parameters.Length == 0)
        {
            return "has no members";
        }
        foreach (IParameterSymbol member in constructor.Parameters)
        {
            if (ParameterKind(member.Type) is null)
            {
                bool nullable = (member.Type.IsReferenceType && member.Type.NullableAnnotation == NullableAnnotation.Annotated)
                    || member.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
                return "has member '" + member.Name + "' of type '" + member.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) + "'"
                    + (nullable ? " (configuration values are never null)" : string.Empty);
            }
        }
        return null;
    }

    /// <summary>The <c>Dsl.Execution.ParameterType</c> member for a parameter member type, or null.</summary>
    public static string? ParameterKind(ITypeSymbol type)
    {
        if (type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated)
        {
            return null;
        }
        if (type is IArrayTypeSymbol { Rank: 1 } array && !(array.ElementType.IsReferenceType && array.ElementType.NullableAnnotation == NullableAnnotation.Annotated))
        {
            // Fitted boundaries and vocabularies (FitData.QuantileBoundaries, FitData.Vocabulary).
            return array.ElementType.SpecialType switch
            {
                SpecialType.System_Double => "DoubleArray",
                SpecialType.System_String => "StringArray",
                _ => null,
            };
        }
        return type.SpecialType switch
        {
            SpecialType.System_Double => "Double",
            SpecialType.System_Single => "Float",
            SpecialType.System_Int32 => "Int32",
            SpecialType.System_Int64 => "Int64",
            SpecialType.System_Boolean => "Boolean",
            SpecialType.System_String => "String",
            SpecialType.System_DateTime => "DateTime",
            _ => null,
        };
    }

    private static void AddIfNotSchema(List<DeclarationProblem> problems, ITypeSymbol type, Location location, string stage, string pipelineName, string role)
    {
        if (type is not INamedTypeSymbol named || !SymbolNames.HasAttribute(named, KnownTypeNames.SchemaAttribute))
        {
            problems.Add(new DeclarationProblem(
                DiagnosticDescriptors.StageTypeNotSchema,
                location,
                stage,
                pipelineName,
                type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat),
                role));
        }
    }
}
