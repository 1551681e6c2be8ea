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

        context.RegisterSourceOutput(specs, static (spc, spec) =>
            spc.AddSource(Emitter.HintName(spec), Emitter.Emit(spec)));

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
