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
/// DSL2003, DSL2010, DSL2009, DSL2008 and DSL2001 (for a fit stage: DSL2002, DSL2003, DSL2010, DSL2011 and DSL2001;
/// for an aggregate or join stage: DSL2002, DSL2003, DSL2010 and DSL2001, then what <see cref="BarrierReader"/> finds in
/// its body and attribute, DSL2016-DSL2020; for any stage with <c>[Split]</c>: DSL2021).
/// </summary>
internal static class StageRules
{
    /// <summary>The <c>[Filter]</c>, <c>[Map]</c>, <c>[Check]</c>, <c>[Fit]</c>, <c>[Aggregate]</c> or <c>[Join]</c> attribute of <paramref name="method"/>, or null when it is no stage.</summary>
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
            if (name is KnownTypeNames.MapAttribute or KnownTypeNames.ScoreAttribute)
            {
                kind = StageKindSpec.Map;
                return attribute;
            }
            if (name == KnownTypeNames.CheckAttribute)
            {
                kind = StageKindSpec.Check;
                return attribute;
            }
            if (name == KnownTypeNames.FitAttribute)
            {
                kind = StageKindSpec.Fit;
                return attribute;
            }
            if (name == KnownTypeNames.AggregateAttribute)
            {
                kind = StageKindSpec.Aggregate;
                return attribute;
            }
            if (name == KnownTypeNames.JoinAttribute)
            {
                kind = StageKindSpec.Join;
                return attribute;
            }
        }
        kind = default;
        return null;
    }

    /// <summary>Whether <paramref name="method"/> is a <c>[Score]</c> stage: a map whose parameters after the row are a model's outputs.</summary>
    public static bool IsScore(IMethodSymbol method) => SymbolNames.HasAttribute(method, KnownTypeNames.ScoreAttribute);

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
        if (kind == StageKindSpec.Fit)
        {
            return FitProblems(method, declaration, pipelineName, problems);
        }
        if (kind is StageKindSpec.Aggregate or StageKindSpec.Join)
        {
            return BarrierProblems(method, declaration, kind, pipelineName, problems);
        }

        if (kind == StageKindSpec.Map && IsScore(method))
        {
            return ScoreProblems(method, declaration, pipelineName, problems);
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

        if (ByReference(method, declaration, pipelineName) is { } byReference)
        {
            problems.Add(byReference);
            return problems;
        }
        SeparatedSyntaxList<ParameterSyntax> syntax = declaration.ParameterList.Parameters;

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
    /// The problems of score stage <paramref name="method"/> (already known to be static), in the order a user fixes
    /// them: the signature <c>static TOut Name(TIn row, float prediction, ...)</c> with every parameter after the row a
    /// <c>float</c> or <c>double</c> (DSL2003), a by-reference parameter (DSL2010), and an input or output type that is
    /// not a schema (DSL2001). Whether the model gives that many outputs is checked when the model is read (DSL3020).
    /// </summary>
    private static List<DeclarationProblem> ScoreProblems(IMethodSymbol method, MethodDeclarationSyntax declaration, string pipelineName, List<DeclarationProblem> problems)
    {
        Location location = declaration.Identifier.GetLocation();
        bool shape = method.Parameters.Length >= 2
            && !method.IsGenericMethod
            && !method.ReturnsVoid
            && method.ReturnType is INamedTypeSymbol;
        for (int p = 1; shape && p < method.Parameters.Length; p++)
        {
            shape = method.Parameters[p].Type.SpecialType is SpecialType.System_Single or SpecialType.System_Double;
        }
        if (!shape)
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.StageSignatureInvalid, location, method.Name, pipelineName,
                "static TOutput " + method.Name + "(TInput row, float prediction), with one float or double per model output after the row"));
            return problems;
        }
        if (ByReference(method, declaration, pipelineName) is { } byReference)
        {
            problems.Add(byReference);
            return problems;
        }
        SeparatedSyntaxList<ParameterSyntax> syntax = declaration.ParameterList.Parameters;
        AddIfNotSchema(problems, method.Parameters[0].Type, syntax[0].Type?.GetLocation() ?? location, method.Name, pipelineName, "input");
        AddIfNotSchema(problems, method.ReturnType, declaration.ReturnType.GetLocation(), method.Name, pipelineName, "output");
        return problems;
    }

    /// <summary>
    /// The problems of fit stage <paramref name="method"/> (already known to be static), in the order a user fixes
    /// them: the signature <c>static TParams Name(FitData&lt;TRow&gt; data)</c> (DSL2003), a by-reference parameter
    /// (DSL2010), a return type that is no stage parameter record (DSL2011), and a row type that is not a schema
    /// (DSL2001).
    /// </summary>
    private static List<DeclarationProblem> FitProblems(IMethodSymbol method, MethodDeclarationSyntax declaration, string pipelineName, List<DeclarationProblem> problems)
    {
        Location location = declaration.Identifier.GetLocation();
        if (method.Parameters.Length != 1
            || method.IsGenericMethod
            || method.ReturnsVoid
            || FitRowType(method.Parameters[0].Type) is null)
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.StageSignatureInvalid, location, method.Name, pipelineName, "static TParams " + method.Name + "(FitData<TRow> data)"));
            return problems;
        }
        ParameterSyntax parameter = declaration.ParameterList.Parameters[0];
        if (method.Parameters[0].RefKind != RefKind.None)
        {
            string modifier = parameter.Modifiers.Count > 0 ? parameter.Modifiers.ToString() : method.Parameters[0].RefKind.ToString().ToLowerInvariant();
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.StageParameterByReference, parameter.GetLocation(), method.Name, pipelineName, method.Parameters[0].Name, modifier));
            return problems;
        }
        if (ParameterTypeProblem(method.ReturnType) is { } why)
        {
            problems.Add(new DeclarationProblem(
                DiagnosticDescriptors.FitReturnTypeInvalid,
                declaration.ReturnType.GetLocation(),
                method.Name,
                pipelineName,
                method.ReturnType.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat),
                why));
            return problems;
        }
        AddIfNotSchema(problems, FitRowType(method.Parameters[0].Type)!, parameter.Type?.GetLocation() ?? location, method.Name, pipelineName, "input");
        return problems;
    }

    /// <summary>
    /// The signature problems of aggregate or join stage <paramref name="method"/> (already known to be static), in
    /// the order a user fixes them: <c>static TOut Name(Group&lt;TRow&gt; g)</c> or <c>static TOut Name(TLeft l,
    /// TRight r)</c>, returning <c>TLeft</c> for a semi or anti join (DSL2003), a by-reference parameter (DSL2010), and
    /// a row, table or result type that is not a schema (DSL2001, once for each).
    /// </summary>
    private static List<DeclarationProblem> BarrierProblems(IMethodSymbol method, MethodDeclarationSyntax declaration, StageKindSpec kind, string pipelineName, List<DeclarationProblem> problems)
    {
        Location location = declaration.Identifier.GetLocation();
        bool aggregate = kind == StageKindSpec.Aggregate;
        bool filtering = !aggregate && JoinKeepsLeftRows(method);
        bool shape = method.Parameters.Length == (aggregate ? 1 : 2)
            && !method.IsGenericMethod
            && !method.ReturnsVoid
            && method.ReturnType is INamedTypeSymbol
            && (!aggregate || GroupRowType(method.Parameters[0].Type) is not null)
            && (!filtering || SymbolEqualityComparer.Default.Equals(Unwrapped(method.ReturnType), Unwrapped(method.Parameters[0].Type)));
        if (!shape)
        {
            string expected = aggregate ? "static TOut " + method.Name + "(Group<TRow> g)"
                : filtering ? "static TLeft " + method.Name + "(TLeft l, TRight r), returning l"
                : "static TOut " + method.Name + "(TLeft l, TRight r)";
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.StageSignatureInvalid, location, method.Name, pipelineName, expected));
            return problems;
        }
        if (ByReference(method, declaration, pipelineName) is { } byReference)
        {
            problems.Add(byReference);
            return problems;
        }
        SeparatedSyntaxList<ParameterSyntax> syntax = declaration.ParameterList.Parameters;
        if (aggregate)
        {
            AddIfNotSchema(problems, GroupRowType(method.Parameters[0].Type)!, syntax[0].Type?.GetLocation() ?? location, method.Name, pipelineName, "input");
        }
        else
        {
            AddIfNotSchema(problems, Unwrapped(method.Parameters[0].Type), syntax[0].Type?.GetLocation() ?? location, method.Name, pipelineName, "input");
            AddIfNotSchema(problems, Unwrapped(method.Parameters[1].Type), syntax[1].Type?.GetLocation() ?? location, method.Name, pipelineName, "table");
        }
        if (!filtering)
        {
            AddIfNotSchema(problems, method.ReturnType, declaration.ReturnType.GetLocation(), method.Name, pipelineName, "output");
        }
        return problems;
    }

    /// <summary>Whether the <c>[Join]</c> of <paramref name="method"/> is a semi or anti join, which returns its left row.</summary>
    public static bool JoinKeepsLeftRows(IMethodSymbol method) => JoinKind(method) is "Semi" or "Anti";

    /// <summary>The <c>Dsl.JoinKind</c> member name the <c>[Join]</c> of <paramref name="method"/> asks for ("Inner" when left out).</summary>
    public static string JoinKind(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != KnownTypeNames.JoinAttribute)
            {
                continue;
            }
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "Kind" && argument.Value.Value is int value && value >= 0 && value < JoinKinds.Length)
                {
                    return JoinKinds[value];
                }
            }
        }
        return "Inner";
    }

    // Dsl.JoinKind in declaration order.
    private static readonly string[] JoinKinds = { "Inner", "Left", "Semi", "Anti" };

    /// <summary><paramref name="type"/> without a <c>Nullable&lt;T&gt;</c> wrapper or a nullable annotation (<c>Users? r</c> of a left join).</summary>
    public static ITypeSymbol Unwrapped(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments.Length: 1 } nullable
            ? nullable.TypeArguments[0]
            : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);

    /// <summary>The row type <c>TRow</c> of a <c>Group&lt;TRow&gt;</c> parameter type, or null for any other type.</summary>
    public static ITypeSymbol? GroupRowType(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && named.OriginalDefinition.ContainingNamespace?.ToDisplayString() + "." + named.OriginalDefinition.MetadataName == KnownTypeNames.Group
            ? named.TypeArguments[0]
            : null;

    /// <summary>The row type <c>TRow</c> of a <c>FitData&lt;TRow&gt;</c> parameter type, or null for any other type.</summary>
    public static ITypeSymbol? FitRowType(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && named.OriginalDefinition.ContainingNamespace?.ToDisplayString() + "." + named.OriginalDefinition.MetadataName == KnownTypeNames.FitData
            ? named.TypeArguments[0]
            : null;

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
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            // Arrays a fit computes (bucket boundaries, a vocabulary), also writable as lists in pipeline.yaml.
            return array.ElementType.SpecialType == SpecialType.System_Double ? "DoubleArray"
                : array.ElementType.SpecialType == SpecialType.System_String && array.ElementType.NullableAnnotation != NullableAnnotation.Annotated ? "StringArray"
                : null;
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

    /// <summary>DSL2010 at the first parameter taken by reference (<c>in</c>, <c>ref</c>, <c>out</c>), or null when none is.</summary>
    private static DeclarationProblem? ByReference(IMethodSymbol method, MethodDeclarationSyntax declaration, string pipelineName)
    {
        SeparatedSyntaxList<ParameterSyntax> syntax = declaration.ParameterList.Parameters;
        for (int p = 0; p < method.Parameters.Length; p++)
        {
            IParameterSymbol parameter = method.Parameters[p];
            if (parameter.RefKind != RefKind.None)
            {
                string modifier = syntax[p].Modifiers.Count > 0 ? syntax[p].Modifiers.ToString() : parameter.RefKind.ToString().ToLowerInvariant();
                return new DeclarationProblem(DiagnosticDescriptors.StageParameterByReference, syntax[p].GetLocation(), method.Name, pipelineName, parameter.Name, modifier);
            }
        }
        return null;
    }
}
