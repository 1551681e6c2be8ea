using System.Collections.Immutable;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dsl.Generators.Analyzers;

/// <summary>
/// DSL2006 (warning): a stage body that reads the clock, randomness, the environment or mutable static state.
/// DSL2007 (error): a stage body with side effects, which no kernel can make correct: it writes a static field or
/// property, or does I/O (console, processes, files, network). Operation actions inside the operation block of each
/// stage method only.
/// </summary>
/// <remarks>
/// Only the stage body is inspected, not the methods it calls: a helper that reads the clock is not followed.
/// Reading a <c>static readonly</c> field or a constant is fine.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StagePurityAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.StageNotPure, DiagnosticDescriptors.StageHasSideEffects);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationBlockStartAction(OnStageBlock);
    }

    private static void OnStageBlock(OperationBlockStartAnalysisContext context)
    {
        if (context.OwningSymbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method
            || !IsStage(method)
            || method.ContainingType is not { } pipeline
            || !SymbolNames.HasAttribute(pipeline, KnownTypeNames.PipelineAttribute))
        {
            return;
        }
        string pipelineName = PipelineName(pipeline);

        context.RegisterOperationAction(
            c => Report(c, method, pipelineName, Describe(c.Operation)),
            OperationKind.PropertyReference,
            OperationKind.FieldReference,
            OperationKind.Invocation,
            OperationKind.ObjectCreation);
    }

    private static void Report(OperationAnalysisContext context, IMethodSymbol stage, string pipelineName, string? what)
    {
        if (what is not null)
        {
            DiagnosticDescriptor rule = IsSideEffect(what) ? DiagnosticDescriptors.StageHasSideEffects : DiagnosticDescriptors.StageNotPure;
            context.ReportDiagnostic(Diagnostic.Create(rule, context.Operation.Syntax.GetLocation(), stage.Name, pipelineName, what));
        }
    }

    // Writes and I/O change the world outside the row; reads of the clock, randomness or mutable state only make the
    // result depend on when and where the stage runs.
    internal static bool IsSideEffect(string what) =>
        what.StartsWith("writes ", System.StringComparison.Ordinal)
        || what.EndsWith("(I/O)", System.StringComparison.Ordinal)
        || what.EndsWith("(the file system)", System.StringComparison.Ordinal)
        || what.EndsWith("(the network)", System.StringComparison.Ordinal);

    /// <summary>What makes <paramref name="operation"/> impure ("reads 'DateTime.Now'"), or null when it is fine.</summary>
    internal static string? Describe(IOperation operation)
    {
        switch (operation)
        {
            case IFieldReferenceOperation { Field: { IsStatic: true } field } reference:
                if (IsWritten(reference))
                {
                    return "writes the static field '" + Name(field) + "'";
                }
                if (!field.IsReadOnly && !field.IsConst)
                {
                    return "reads the mutable static field '" + Name(field) + "'";
                }
                return null;

            case IPropertyReferenceOperation { Property: { IsStatic: true } property } reference:
                if (Impure(property.ContainingType, property.Name) is { } kind)
                {
                    return "reads '" + Name(property) + "' (" + kind + ")";
                }
                if (IsWritten(reference))
                {
                    return "writes the static property '" + Name(property) + "'";
                }
                if (property.SetMethod is not null && !IsFramework(property.ContainingType))
                {
                    return "reads the mutable static property '" + Name(property) + "'";
                }
                return null;

            case IPropertyReferenceOperation { Property: var property }:
                return Impure(property.ContainingType, property.Name) is { } instanceKind
                    ? "reads '" + Name(property) + "' (" + instanceKind + ")"
                    : null;

            case IInvocationOperation { TargetMethod: var target }:
                return Impure(target.ContainingType, target.Name) is { } callKind
                    ? "calls '" + Name(target) + "()' (" + callKind + ")"
                    : null;

            case IObjectCreationOperation { Type: INamedTypeSymbol created }:
                return Impure(created, ".ctor") is { } newKind
                    ? "creates a '" + created.Name + "' (" + newKind + ")"
                    : null;

            default:
                return null;
        }
    }

    /// <summary>The kind of nondeterminism or side effect of member <paramref name="member"/> of <paramref name="type"/>, or null.</summary>
    private static string? Impure(INamedTypeSymbol? type, string member)
    {
        if (type is null)
        {
            return null;
        }
        string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        string name = ns + "." + type.Name;
        switch (name)
        {
            case "System.DateTime" or "System.DateTimeOffset" when member is "Now" or "UtcNow" or "Today":
                return "the clock";
            case "System.TimeProvider":
            case "System.Diagnostics.Stopwatch":
                return "the clock";
            case "System.Guid" when member == "NewGuid" || member == "CreateVersion7":
                return "randomness";
            case "System.Random":
            case "System.Security.Cryptography.RandomNumberGenerator":
                return "randomness";
            case "System.Environment":
                return "the environment";
            case "System.Console":
            case "System.Diagnostics.Process":
                return "I/O";
            case "System.IO.Path":
                // Path only manipulates strings, except for a few members that touch the file system.
                return member is "GetTempFileName" or "GetTempPath" or "GetRandomFileName" or "GetFullPath" ? "the file system" : null;
        }
        if (ns == "System.IO" || ns.StartsWith("System.IO.", System.StringComparison.Ordinal))
        {
            return "the file system";
        }
        if (ns == "System.Net" || ns.StartsWith("System.Net.", System.StringComparison.Ordinal))
        {
            return "the network";
        }
        return null;
    }

    private static bool IsWritten(IOperation reference) => reference.Parent switch
    {
        IAssignmentOperation assignment => assignment.Target == reference,
        IIncrementOrDecrementOperation => true,
        IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } => true,
        _ => false,
    };

    private static bool IsFramework(INamedTypeSymbol type)
    {
        string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal);
    }

    private static string Name(ISymbol member) => member.ContainingType.Name + "." + member.Name;

    private static bool IsStage(IMethodSymbol method) =>
        SymbolNames.HasAttribute(method, KnownTypeNames.FilterAttribute) || SymbolNames.HasAttribute(method, KnownTypeNames.MapAttribute);

    internal static string PipelineName(INamedTypeSymbol pipeline)
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
}
