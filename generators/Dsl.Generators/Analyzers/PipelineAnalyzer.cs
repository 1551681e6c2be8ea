using System.Collections.Generic;
using System.Collections.Immutable;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Model;
using Dsl.Generators.Pipelines;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dsl.Generators.Analyzers;

/// <summary>
/// Declaration-shape rules of <c>[Pipeline]</c> classes and their stages: the class, or a type it is nested in, not
/// partial (DSL2004), two stages of one name (DSL2005), and per stage method not static (DSL2002), a wrong signature
/// (DSL2003), a by-reference parameter (DSL2010), more than one parameter object (DSL2009), a parameter object
/// without a configuration form (DSL2008), an input or output type that is not a schema (DSL2001) and a fit stage
/// that returns no stage parameter record (DSL2011); the body and attribute of an aggregate (DSL2016-DSL2018) or join
/// (DSL2019, DSL2020) stage, and a <c>[Split]</c> that does not fit its stage's output (DSL2021). The checks are
/// <see cref="StageRules"/> and <see cref="BarrierReader"/>, shared with the pipeline parser, which declines such a
/// pipeline without reporting it again. A symbol action per named type and one per method, and an operation block
/// action per method body for the barrier bodies, so an edit re-checks only what it touched.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PipelineAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.StageTypeNotSchema,
        DiagnosticDescriptors.StageNotStatic,
        DiagnosticDescriptors.StageSignatureInvalid,
        DiagnosticDescriptors.PipelineNotPartial,
        DiagnosticDescriptors.StageNameNotUnique,
        DiagnosticDescriptors.StageParameterTypeUnsupported,
        DiagnosticDescriptors.StageHasTooManyParameters,
        DiagnosticDescriptors.StageParameterByReference,
        DiagnosticDescriptors.FitReturnTypeInvalid,
        DiagnosticDescriptors.AggregateOutputInvalid,
        DiagnosticDescriptors.AggregateOutputTypeMismatch,
        DiagnosticDescriptors.AggregateKeyInvalid,
        DiagnosticDescriptors.JoinOutputInvalid,
        DiagnosticDescriptors.JoinKeyInvalid,
        DiagnosticDescriptors.SplitInvalid);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        context.RegisterSymbolAction(AnalyzeMethod, SymbolKind.Method);
        context.RegisterOperationBlockAction(AnalyzeBarrierBody);
    }

    /// <summary>DSL2016-DSL2020 for an aggregate or join stage whose declaration has no problem, from its body's operations.</summary>
    private static void AnalyzeBarrierBody(OperationBlockAnalysisContext context)
    {
        if (context.OwningSymbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method
            || method.ContainingType is not { } pipeline
            || !SymbolNames.HasAttribute(pipeline, KnownTypeNames.PipelineAttribute)
            || StageRules.StageAttribute(method, out StageKindSpec kind) is not { } attribute
            || kind is not (StageKindSpec.Aggregate or StageKindSpec.Join)
            || context.OperationBlocks.IsEmpty
            || context.OperationBlocks[0].SemanticModel is not { } semanticModel
            || context.OperationBlocks[0].Syntax.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } declaration)
        {
            return;
        }
        string pipelineName = StageRules.PipelineName(pipeline);
        if (StageRules.StageProblems(method, declaration, kind, pipelineName, context.CancellationToken).Count > 0)
        {
            return; // AnalyzeMethod reports those; the body cannot be read before they are fixed.
        }
        var problems = new List<DeclarationProblem>();
        if (kind == StageKindSpec.Aggregate)
        {
            BarrierReader.ReadAggregate(method, attribute, declaration, semanticModel, pipelineName, problems, context.CancellationToken);
        }
        else
        {
            BarrierReader.ReadJoin(method, attribute, declaration, semanticModel, pipelineName, problems, context.CancellationToken);
        }
        foreach (DeclarationProblem problem in problems)
        {
            context.ReportDiagnostic(problem.ToDiagnostic());
        }
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!SymbolNames.HasAttribute(type, KnownTypeNames.PipelineAttribute))
        {
            // A type that holds a pipeline must be partial too; reported here, once per enclosing type.
            if (!type.DeclaringSyntaxReferences.IsEmpty && !SymbolNames.IsPartial(type) && FirstNestedPipeline(type) is { } nested)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PipelineNotPartial, type.Locations[0], nested.Name, type.Name));
            }
            return;
        }
        foreach (DeclarationProblem problem in StageRules.PipelineProblems(type, includeContainers: false))
        {
            context.ReportDiagnostic(problem.ToDiagnostic());
        }
        foreach (DeclarationProblem problem in StageRules.DuplicateStageNames(type, StageRules.PipelineName(type), context.CancellationToken))
        {
            context.ReportDiagnostic(problem.ToDiagnostic());
        }
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (method.MethodKind != MethodKind.Ordinary
            || method.ContainingType is not { } pipeline
            || !SymbolNames.HasAttribute(pipeline, KnownTypeNames.PipelineAttribute)
            || StageRules.StageAttribute(method, out StageKindSpec kind) is null)
        {
            return;
        }
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(context.CancellationToken) is MethodDeclarationSyntax declaration)
            {
                string pipelineName = StageRules.PipelineName(pipeline);
                List<DeclarationProblem> problems = StageRules.StageProblems(method, declaration, kind, pipelineName, context.CancellationToken);
                if (problems.Count == 0)
                {
                    BarrierReader.ReadSplit(method, kind, pipelineName, problems, context.CancellationToken);
                }
                foreach (DeclarationProblem problem in problems)
                {
                    context.ReportDiagnostic(problem.ToDiagnostic());
                }
                return;
            }
        }
    }

    private static INamedTypeSymbol? FirstNestedPipeline(INamedTypeSymbol container)
    {
        foreach (INamedTypeSymbol nested in container.GetTypeMembers())
        {
            if (SymbolNames.HasAttribute(nested, KnownTypeNames.PipelineAttribute))
            {
                return nested;
            }
            if (FirstNestedPipeline(nested) is { } deeper)
            {
                return deeper;
            }
        }
        return null;
    }
}
