using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Kernels;
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
    /// <summary>A type of Dsl.Gpu: a compilation that can see it gets GPU kernels.</summary>
    private const string GpuMarkerType = "Dsl.Gpu.DeviceKernels";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<Result<PipelineSpec>> models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypeNames.PipelineAttribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.PipelineModels);

        // [Score] stages' model files are read here, after parsing (the parse cannot see additional files); a
        // pipeline without score stages passes through unchanged.
        IncrementalValueProvider<System.Collections.Immutable.ImmutableArray<AdditionalText>> files = context.AdditionalTextsProvider.Collect();
        IncrementalValuesProvider<Scoring.ModelBinding> bound = models
            .Where(static r => r.Spec is not null)
            .Combine(files)
            .Select(static (input, ct) => Scoring.ModelBinder.Bind(input.Left.Spec!, input.Right, ct))
            .WithTrackingName(TrackingNames.PipelineModelFiles);

        IncrementalValuesProvider<PipelineSpec> specs = bound
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.PipelineSpecs);

        // Combined only here, so that the specs stay cached when the compilation changes and the names it declares
        // do not; see NameScope.
        IncrementalValueProvider<NameScope> names = context.CompilationProvider
            .Select(static (c, ct) => NameScope.Compute(c, ct))
            .WithTrackingName(TrackingNames.NameScope);

        // The model loaders referenced packages bring, for pipelines whose models are given at run time.
        IncrementalValueProvider<EquatableArray<string>> loaders = context.CompilationProvider
            .Select(static (c, ct) => Scoring.ModelLoaders.Find(c, ct))
            .WithTrackingName(TrackingNames.ModelLoaders);

        // A reference to Dsl.Gpu adds a GPU kernel beside each CPU kernel that can have one.
        IncrementalValueProvider<bool> gpu = context.CompilationProvider
            .Select(static (c, _) => c.GetTypeByMetadataName(GpuMarkerType) is not null)
            .WithTrackingName(TrackingNames.GpuReference);

        context.RegisterSourceOutput(specs.Combine(names).Combine(loaders).Combine(gpu), static (spc, input) =>
        {
            (((PipelineSpec spec, NameScope scope), EquatableArray<string> modelLoaders), bool withGpu) = input;
            var analyses = new System.Collections.Generic.List<Kernels.GpuSegmentAnalysis>();
            if (withGpu)
            {
                foreach (SegmentSpec segment in spec.Segments)
                {
                    analyses.Add(Kernels.GpuSegmentAnalysis.Of(spec, segment));
                }
                spc.AddSource(Emitter.HintPrefix(spec) + ".Gpu.g.cs", Emitter.EmitGpuAccess());
                foreach (SegmentSpec segment in spec.Segments)
                {
                    if (analyses[segment.Index].NotOnDevice is null)
                    {
                        spc.AddSource(Emitter.GpuKernelHintName(spec, segment), GeneratedCode.Finish(Emitter.EmitGpuKernel(spec, segment, analyses[segment.Index]), spec.Namespace, scope));
                    }
                }
            }
            spc.AddSource(Emitter.PlanHintName(spec), GeneratedCode.Finish(Emitter.EmitPlan(spec, modelLoaders, analyses), spec.Namespace, scope));
            foreach (StageSpec stage in spec.Stages)
            {
                if (stage.Score?.Model is not null)
                {
                    spc.AddSource(Emitter.ModelHintName(spec, stage), GeneratedCode.Finish(Scoring.ModelEmitter.Emit(spec, stage), spec.Namespace, scope));
                }
            }
            foreach (SegmentSpec segment in spec.Segments)
            {
                spc.AddSource(
                    Emitter.KernelHintName(spec, segment),
                    GeneratedCode.Finish(Emitter.EmitKernel(spec, segment), spec.Namespace, scope));
            }
        });

        // What the parser found, located in the compilation's trees so that pragmas and .editorconfig apply.
        DiagnosticReporting.RegisterOutput(context, models.Select(static (r, _) => r.Diagnostics), TrackingNames.PipelineDiagnostics);
        DiagnosticReporting.RegisterOutput(
            context,
            bound.Select(static (r, _) => r.Problems).Where(static p => !p.Problems.IsEmpty),
            static (problems, compilation, ct) => problems.Locate(compilation, ct),
            TrackingNames.ModelFileDiagnostics);

        // DSL4002: segments whose stages all lowered but whose vector block the emitter declined. The declines come
        // from the spec alone (re-computed only when it changes); only their locations need the compilation.
        IncrementalValuesProvider<VectorDeclineReport> declines = specs
            .Select(static (spec, _) => VectorDeclineReport.Of(spec))
            .Where(static report => !report.Declines.IsEmpty)
            .WithTrackingName(TrackingNames.VectorDeclines);
        DiagnosticReporting.RegisterOutput(context, declines, static (report, compilation, ct) => report.Locate(compilation, ct), TrackingNames.VectorDiagnostics);
    }

    /// <summary>Why the kernel of <paramref name="segment"/> has no vector block, or null when it has one.</summary>
    internal static VectorDecline? VectorDeclineOf(PipelineSpec spec, SegmentSpec segment) =>
        KernelEmitter.Emit(spec, segment, new SourceWriter());

    /// <summary>
    /// The named arguments of a segment's <c>SegmentPlan</c> saying how its kernel runs rows (vector blocks, per-row
    /// code, or the user's method per row) and, without vector blocks, why.
    /// </summary>
    /// <summary>The plan's named arguments saying how a segment runs and, without a vector block, why.</summary>
    internal static IReadOnlyList<string> ExecutionArguments(PipelineSpec spec, SegmentSpec segment)
    {
        const string Execution = "global::Dsl.Execution.SegmentExecution.";
        if (VectorDeclineOf(spec, segment) is not { } decline)
        {
            return new[] { "Execution: " + Execution + "VectorBlocks" };
        }
        bool callsMethod = false;
        foreach (string name in segment.Stages)
        {
            callsMethod |= !spec.Stage(name).Kernel.Vectorized;
        }
        return new[]
        {
            "Execution: " + Execution + (callsMethod ? "MethodPerRow" : "PerRowCode"),
            "NoVectorBlock: new global::Dsl.Execution.VectorDecline("
                + SourceWriter.Literal(decline.Stage) + ", "
                + SourceWriter.Literal(VectorDeclineReport.Construct(decline)) + ", "
                + SourceWriter.Literal(decline.Reason) + ")",
        };
    }
}

/// <summary>A stage whose segment got no vector block although every stage of it lowered (DSL4002), as plain data.</summary>
/// <param name="Stage">The stage holding the construct.</param>
/// <param name="Segment">The segment's stage names joined by '+', as explain names it.</param>
/// <param name="Construct">What has no vector form.</param>
/// <param name="Reason">Why.</param>
internal sealed record StageVectorDecline(string Stage, string Segment, string Construct, string Reason);

/// <summary>The DSL4002 declines of one pipeline and what it takes to find its stage methods again.</summary>
internal sealed record VectorDeclineReport(
    string PipelineName,
    string ClassName,
    string FullTypeName,
    EquatableArray<StageVectorDecline> Declines)
{
    public static VectorDeclineReport Of(PipelineSpec spec)
    {
        var declines = new List<StageVectorDecline>();
        foreach (SegmentSpec segment in spec.Segments)
        {
            // A first-pass segment runs stages a second-pass segment runs too, which reports their constructs.
            if (segment.FitOnly || PipelineGenerator.VectorDeclineOf(spec, segment) is not { } decline)
            {
                continue;
            }
            bool lowered = true;
            foreach (string name in segment.Stages)
            {
                lowered &= spec.Stage(name).Kernel.Vectorized;
            }
            if (!lowered)
            {
                continue; // A stage calls the user's method per row: DSL4001 already says so, at the construct.
            }
            string stage = segment.Stages.Contains(decline.Stage) ? decline.Stage : segment.Stages[0];
            declines.Add(new StageVectorDecline(stage, string.Join("+", segment.Stages), Construct(decline), decline.Reason));
        }
        return new VectorDeclineReport(spec.PipelineName, spec.ClassName, spec.FullTypeName, declines.ToEquatableArray());
    }

    /// <summary>The construct a decline names, or the stage's expression when the emitter named none.</summary>
    public static string Construct(VectorDecline decline) =>
        decline.Construct.Length == 0 ? "the expression of stage '" + decline.Stage + "'" : decline.Construct;

    /// <summary>One DSL4002 per decline, at the stage method's name in <paramref name="compilation"/>.</summary>
    public EquatableArray<LocatedDiagnostic> Locate(Compilation compilation, CancellationToken cancellationToken)
    {
        INamedTypeSymbol? type = SymbolNames.FindType(compilation, ClassName, FullTypeName, cancellationToken);
        var located = new List<LocatedDiagnostic>(Declines.Count);
        foreach (StageVectorDecline decline in Declines)
        {
            Location? location = type is null ? null : StageLocation(type, decline.Stage);
            DiagnosticInfo info = DiagnosticInfo.Create(
                DiagnosticDescriptors.VectorBlockDeclined, location, decline.Stage, PipelineName, decline.Construct, decline.Reason, decline.Segment);
            located.Add(new LocatedDiagnostic(info, location?.SourceTree));
        }
        return located.ToEquatableArray();
    }

    private static Location? StageLocation(INamedTypeSymbol type, string stage)
    {
        foreach (ISymbol member in type.GetMembers(stage))
        {
            if (member is not IMethodSymbol method || method.Locations.Length == 0 || !method.Locations[0].IsInSource)
            {
                continue;
            }
            foreach (AttributeData attribute in method.GetAttributes())
            {
                string? name = attribute.AttributeClass?.ToDisplayString();
                if (name is KnownTypeNames.FilterAttribute or KnownTypeNames.MapAttribute or KnownTypeNames.CheckAttribute or KnownTypeNames.ScoreAttribute)
                {
                    return method.Locations[0];
                }
            }
        }
        return null;
    }
}
