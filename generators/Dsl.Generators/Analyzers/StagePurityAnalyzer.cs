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
/// A call from the stage to a method of the same compilation (a helper) is followed into the helper's body and the
/// helpers it calls, up to <see cref="MaxHelperDepth"/> calls deep and never twice into one method (recursion ends),
/// and what it finds there is reported at the call in the stage, naming the helper. Methods of referenced assemblies
/// are judged by the lists below only. Reading a <c>static readonly</c> field or a constant is fine.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StagePurityAnalyzer : DiagnosticAnalyzer
{
    /// <summary>How many calls deep helpers are followed from a stage (the stage's own call is the first).</summary>
    internal const int MaxHelperDepth = 4;

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
        string pipelineName = Pipelines.StageRules.PipelineName(pipeline);

        context.RegisterOperationAction(
            c =>
            {
                if (Describe(c.Operation) is { } what)
                {
                    Report(c, method, pipelineName, what, IsSideEffect(what));
                }
                else if (c.Operation is IInvocationOperation invocation
                    && DescribeHelper(invocation.TargetMethod, c.Operation.SemanticModel, c.Compilation, c.CancellationToken) is { } found)
                {
                    Report(c, method, pipelineName, "calls '" + Name(invocation.TargetMethod) + "()', which " + found.What, found.SideEffect);
                }
            },
            OperationKind.PropertyReference,
            OperationKind.FieldReference,
            OperationKind.Invocation,
            OperationKind.ObjectCreation);
    }

    private static void Report(OperationAnalysisContext context, IMethodSymbol stage, string pipelineName, string what, bool sideEffect)
    {
        DiagnosticDescriptor rule = sideEffect ? DiagnosticDescriptors.StageHasSideEffects : DiagnosticDescriptors.StageNotPure;
        context.ReportDiagnostic(Diagnostic.Create(rule, context.Operation.Syntax.GetLocation(), stage.Name, pipelineName, what));
    }

    /// <summary>
    /// What makes helper <paramref name="helper"/> impure ("calls 'Console.WriteLine()' (I/O)", or "through
    /// 'P.Write()' calls ..." when found deeper), preferring a side effect to a mere impurity; null when the helper is
    /// not of this compilation or nothing was found within <see cref="MaxHelperDepth"/> calls.
    /// </summary>
    internal static (string What, bool SideEffect)? DescribeHelper(
        IMethodSymbol helper,
        SemanticModel? stageModel,
        Compilation compilation,
        System.Threading.CancellationToken cancellationToken)
    {
        var visited = new System.Collections.Generic.HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        return Search(helper.OriginalDefinition, depth: 1);

        (string What, bool SideEffect)? Search(IMethodSymbol method, int depth)
        {
            if (depth > MaxHelperDepth
                || !visited.Add(method)
                || !SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, compilation.Assembly))
            {
                return null;
            }
            (string What, bool SideEffect)? best = null;
            foreach (IOperation body in Bodies(method, stageModel, compilation, cancellationToken))
            {
                foreach (IOperation operation in body.DescendantsAndSelf())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    (string What, bool SideEffect)? here = null;
                    if (Describe(operation) is { } what)
                    {
                        here = (what, IsSideEffect(what));
                    }
                    else if (operation is IInvocationOperation { TargetMethod: var callee } && Search(callee.OriginalDefinition, depth + 1) is { } deeper)
                    {
                        here = (Chain(callee, deeper.What), deeper.SideEffect);
                    }
                    if (here is { SideEffect: true })
                    {
                        return here;
                    }
                    best ??= here;
                }
            }
            return best;
        }
    }

    // "through 'P.A()' calls 'Console.WriteLine()' (I/O)"; a deeper chain lists every helper in call order.
    private static string Chain(IMethodSymbol callee, string deeper) =>
        deeper.StartsWith("through ", System.StringComparison.Ordinal)
            ? "through '" + Name(callee) + "()', " + deeper.Substring("through ".Length)
            : "through '" + Name(callee) + "()' " + deeper;

    // The operation trees of a source method's bodies. A helper in the stage's own file reuses the stage's semantic
    // model; one in another file needs that file's model.
    private static System.Collections.Generic.IEnumerable<IOperation> Bodies(
        IMethodSymbol method,
        SemanticModel? stageModel,
        Compilation compilation,
        System.Threading.CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode syntax = reference.GetSyntax(cancellationToken);
#pragma warning disable RS1030 // The helper may live in another file than the stage; only followed helpers get a model.
            SemanticModel model = stageModel is not null && stageModel.SyntaxTree == syntax.SyntaxTree
                ? stageModel
                : compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
            if (model.GetOperation(syntax, cancellationToken) is { } body)
            {
                yield return body;
            }
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
        SymbolNames.HasAttribute(method, KnownTypeNames.FilterAttribute) || SymbolNames.HasAttribute(method, KnownTypeNames.MapAttribute)
        || SymbolNames.HasAttribute(method, KnownTypeNames.ScoreAttribute);
}
