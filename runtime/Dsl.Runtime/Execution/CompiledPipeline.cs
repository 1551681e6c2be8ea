namespace Dsl.Execution;

/// <summary>
/// Runs one fused segment over a batch of its input schema and returns a new batch of its output schema
/// (the caller disposes both). Kernels are pure functions of their input: safe to run on many partitions at once.
/// A kernel whose segment checks row rules (<see cref="PipelinePlan.Rules"/>) reports each broken row to
/// <paramref name="violations"/> and leaves rules with <see cref="RuleAction.Quarantine"/> or <see cref="RuleAction.Drop"/>
/// out of its output; it throws <see cref="ArgumentNullException"/> when given none. Kernels without rules ignore it.
/// </summary>
public delegate RecordBatch SegmentKernel(RecordBatch input, Validation.RowViolations? violations = null);

/// <summary>
/// Builds the parameter objects of a pipeline's stages from <paramref name="parameters"/> (once) and returns one
/// kernel per segment with them bound. Generated for pipelines whose stages take parameters.
/// </summary>
public delegate IReadOnlyList<SegmentKernel> KernelBinder(StageParameterValues parameters);

/// <summary>
/// Runs a pipeline's fit methods (<see cref="FitAttribute"/>) on the merged statistics of the first pass and writes
/// each returned record's members into <paramref name="into"/>, by parameter type and member. Generated for pipelines
/// with fit stages.
/// </summary>
public delegate void FitEvaluator(Fitting.FitResults results, StageParameterValues into);

/// <summary>A <see cref="PipelinePlan"/> together with the generated kernel for each of its segments.</summary>
public sealed class CompiledPipeline
{
    private readonly IReadOnlyList<SegmentKernel>? _kernels;
    private readonly KernelBinder? _binder;

    /// <summary>Pairs a plan with its kernels, one per segment in the same order.</summary>
    public CompiledPipeline(PipelinePlan plan, IReadOnlyList<SegmentKernel> kernels)
    {
        CheckCount(plan, kernels);
        Plan = plan;
        _kernels = kernels;
        Parameters = StageParameterValues.Empty;
    }

    /// <summary>
    /// A plan whose stages take parameters: its kernels exist once values are bound with <see cref="WithParameters"/>.
    /// </summary>
    public CompiledPipeline(PipelinePlan plan, KernelBinder binder)
    {
        Plan = plan;
        _binder = binder;
        Parameters = StageParameterValues.Empty;
    }

    private CompiledPipeline(PipelinePlan plan, KernelBinder binder, StageParameterValues parameters)
    {
        IReadOnlyList<SegmentKernel> kernels = binder(parameters);
        CheckCount(plan, kernels);
        Plan = plan;
        _binder = binder;
        _kernels = kernels;
        Parameters = parameters;
    }

    private CompiledPipeline(PipelinePlan plan, CompiledPipeline kernelsOf)
    {
        Plan = plan;
        _binder = kernelsOf._binder;
        _kernels = kernelsOf._kernels;
        Parameters = kernelsOf.Parameters;
    }

    /// <summary>
    /// The same kernels under <paramref name="plan"/>: a plan the runtime extended with rules only it checks (the key
    /// hashing of uniqueness gates), whose segments and kernel rule numbers are this one's.
    /// </summary>
    internal CompiledPipeline WithPlan(PipelinePlan plan) => new(plan, this) { Fitter = Fitter };

    /// <summary>The plan.</summary>
    public PipelinePlan Plan { get; }

    /// <summary>The fit methods, for a plan with <see cref="PipelinePlan.Fits"/>; null otherwise.</summary>
    public FitEvaluator? Fitter { get; init; }

    /// <summary>Whether the kernels exist: always for a pipeline without stage parameters, else after <see cref="WithParameters"/>.</summary>
    public bool IsBound => _kernels is not null;

    /// <summary>The stage parameter values the kernels were bound with (empty when the stages take none).</summary>
    public StageParameterValues Parameters { get; }

    /// <summary>The kernel of each segment, indexed like <see cref="PipelinePlan.Segments"/>.</summary>
    /// <exception cref="InvalidOperationException">The stages take parameters and no values were bound.</exception>
    public IReadOnlyList<SegmentKernel> Kernels => _kernels ?? throw new InvalidOperationException(UnboundMessage());

    /// <summary>
    /// This pipeline with its stages' parameter objects built from <paramref name="parameters"/> and bound into the
    /// kernels. A pipeline whose stages take no parameters returns itself.
    /// </summary>
    /// <exception cref="ArgumentException">A member of a parameter type has no value.</exception>
    public CompiledPipeline WithParameters(StageParameterValues parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_binder is null)
        {
            return this;
        }
        IReadOnlyList<string> missing = parameters.Missing(Plan);
        if (missing.Count > 0)
        {
            throw new ArgumentException($"Pipeline '{Plan.Name}' needs values for stage parameters {string.Join(", ", missing)}: add them under 'parameters:' in pipeline.yaml or pass --param Type.Member=VALUE.", nameof(parameters));
        }
        return new CompiledPipeline(Plan, _binder, parameters) { Fitter = Fitter };
    }

    private string UnboundMessage() =>
        $"Pipeline '{Plan.Name}' has stages that take parameters ({string.Join(", ", Plan.ParameterTypes().Select(p => p.TypeName))}); bind their values with WithParameters before running it.";

    private static void CheckCount(PipelinePlan plan, IReadOnlyList<SegmentKernel> kernels)
    {
        if (plan.Segments.Count != kernels.Count)
        {
            throw new ArgumentException($"Pipeline '{plan.Name}' has {plan.Segments.Count} segments but {kernels.Count} kernels were given.", nameof(kernels));
        }
    }
}
