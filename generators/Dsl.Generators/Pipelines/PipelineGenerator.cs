using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Pipelines;

/// <summary>
/// Completes every <c>[Pipeline]</c> class with its compiled plan: stages wired into a DAG, fused into
/// segments, and one columnar kernel per segment.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class PipelineGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<Result<PipelineSpec>> models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypeNames.PipelineAttribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.PipelineModels);

        IncrementalValuesProvider<PipelineSpec> specs = models
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.PipelineSpecs);

        // Combined only here, so that the specs stay cached when the compilation changes and the names it declares
        // do not; see NameScope.
        IncrementalValueProvider<NameScope> names = context.CompilationProvider
            .Select(static (c, ct) => NameScope.Compute(c, ct))
            .WithTrackingName(TrackingNames.NameScope);

        context.RegisterSourceOutput(specs.Combine(names), static (spc, input) =>
        {
            (PipelineSpec spec, NameScope scope) = input;
            spc.AddSource(Emitter.PlanHintName(spec), GeneratedCode.Finish(Emitter.EmitPlan(spec), spec.Namespace, scope));
            foreach (SegmentSpec segment in spec.Segments)
            {
                spc.AddSource(
                    Emitter.KernelHintName(spec, segment),
                    GeneratedCode.Finish(Emitter.EmitKernel(spec, segment), spec.Namespace, scope));
            }
        });

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = models
            .Select(static (r, _) => r.Diagnostics)
            .Where(static d => !d.IsEmpty);

        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (DiagnosticInfo info in list)
            {
                spc.ReportDiagnostic(info.ToDiagnostic());
            }
        });
    }
}
