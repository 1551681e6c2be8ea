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

    private CompiledPipeline(PipelinePlan plan, KernelBinder binder, StageParameterValues parameters, bool bind = true)
    {
        Plan = plan;
        _binder = binder;
        Parameters = parameters;
        if (bind)
        {
            IReadOnlyList<SegmentKernel> kernels = binder(parameters);
            CheckCount(plan, kernels);
            _kernels = kernels;
        }
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
    internal CompiledPipeline WithPlan(PipelinePlan plan) => new(plan, this) { Fitter = Fitter, ModelLoaders = ModelLoaders, Devices = Devices, Device = Device, DeviceWarning = DeviceWarning };

    /// <summary>The plan.</summary>
    public PipelinePlan Plan { get; }

    /// <summary>The fit methods, for a plan with <see cref="PipelinePlan.Fits"/>; null otherwise.</summary>
    public FitEvaluator? Fitter { get; init; }

    /// <summary>
    /// The loaders of model formats the pipeline's references bring (<c>Dsl.Onnx</c>, <c>Dsl.Torch</c>), for its
    /// run-time models (<see cref="Models.ModelCatalog"/>); the generator lists each <see cref="Models.ModelLoaderAttribute"/> it finds.
    /// </summary>
    public IReadOnlyList<Models.IModelLoader> ModelLoaders { get; init; } = [];

    /// <summary>Whether the kernels exist: always for a pipeline without stage parameters or run-time models, else after <see cref="WithParameters"/>.</summary>
    public bool IsBound => _kernels is not null;

    /// <summary>The stage parameter values the kernels were bound with (empty when the stages take none).</summary>
    public StageParameterValues Parameters { get; }

    /// <summary>
    /// The kernel of each segment, indexed like <see cref="PipelinePlan.Segments"/>: the CPU (SIMD) kernels, or on a
    /// <see cref="Device"/> other than <c>simd</c> the GPU kernels <see cref="Devices"/> binds where the device runs them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The stages take parameters and no values were bound.</exception>
    public IReadOnlyList<SegmentKernel> Kernels
    {
        get
        {
            IReadOnlyList<SegmentKernel> cpu = _kernels ?? throw new InvalidOperationException(UnboundMessage());
            if (Device == SimdDevice || Devices is null)
            {
                return cpu;
            }
            lock (_deviceGate)
            {
                if (_deviceKernels is null)
                {
                    Action<string> warn = DeviceWarning ?? (_ => { });
                    if (_binder is not null && Parameters.Models.Count > 0)
                    {
                        // Run-time tree models add their margins on the device: the CPU kernels bound again with those scorers.
                        StageParameterValues onDevice = Parameters.Copy();
                        foreach (Models.RunTimeModel model in Parameters.Models)
                        {
                            onDevice.SetModel(model with { Scorer = Devices.ScoreOn(Device, model.Name, model.Scorer, warn, out _) });
                        }
                        cpu = _binder(onDevice);
                    }
                    IReadOnlyList<SegmentKernel> bound = Devices.Bind(Device, Parameters, cpu, warn);
                    CheckCount(Plan, bound);
                    _deviceKernels = bound;
                }
                return _deviceKernels;
            }
        }
    }

    /// <summary>The CPU kernels with the models as given, whatever the device (the comparison of the differential tests and the device check).</summary>
    public IReadOnlyList<SegmentKernel> CpuKernels => _kernels ?? throw new InvalidOperationException(UnboundMessage());

    /// <summary>
    /// The GPU kernels the generator emitted beside the CPU ones, for a project that references <c>Dsl.Gpu</c>;
    /// null otherwise (every segment then runs on SIMD).
    /// </summary>
    public IDeviceKernels? Devices { get; init; }

    /// <summary>The device the kernels run on: <c>simd</c> (the CPU kernels, the default), <c>cuda</c> or <c>cpu-emulator</c>.</summary>
    public string Device { get; private init; } = SimdDevice;

    /// <summary>Where the GPU kernels report a fallback to the CPU kernel (a kernel ILGPU cannot load).</summary>
    internal Action<string>? DeviceWarning { get; private init; }

    private const string SimdDevice = "simd";
    private readonly object _deviceGate = new();
    private IReadOnlyList<SegmentKernel>? _deviceKernels;

    /// <summary>
    /// This pipeline with its kernels on <paramref name="device"/>, a <c>run --device</c> value: <c>auto</c> (CUDA
    /// where there is one, else SIMD), <c>cuda</c>, <c>cpu-emulator</c> (ILGPU's CPU accelerator, for tests) or
    /// <c>simd</c>. The device is resolved now, so a missing one fails before anything is read; the kernels are bound
    /// when the parameters are.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown value; CUDA where there is none; a GPU device for a pipeline
    /// whose project does not reference <c>Dsl.Gpu</c>.</exception>
    public CompiledPipeline OnDevice(string device, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        string resolved;
        if (Devices is null)
        {
            resolved = device.Trim().ToLowerInvariant() switch
            {
                "simd" or "auto" => SimdDevice,
                "cuda" or "cpu-emulator" => throw new ArgumentException($"--device {device}: pipeline '{Plan.Name}' has no GPU kernels, because its project does not reference Dsl.Gpu (add <PackageReference Include=\"Dsl.Gpu\" />, or run with --device simd).", nameof(device)),
                _ => throw new ArgumentException($"--device must be one of auto|cuda|cpu-emulator|simd, not '{device}'.", nameof(device)),
            };
        }
        else
        {
            resolved = Devices.Resolve(device);
        }
        return new CompiledPipeline(Plan, this) { Fitter = Fitter, ModelLoaders = ModelLoaders, Devices = Devices, Device = resolved, DeviceWarning = warn };
    }

    /// <summary>
    /// The <typeparamref name="TOut"/> row the pipeline makes of <paramref name="row"/>, computed by the same generated
    /// kernels a batch run uses (on a one-row batch), so a service scoring a request and the batch job scoring a file
    /// give identical values: <c>FraudScoring.Compiled.ScoreOne&lt;Features, Scored&gt;(row)</c>. The segments from the
    /// pipeline input (schema <typeparamref name="TIn"/>) to the one writing <typeparamref name="TOut"/> run in turn,
    /// with the row rules they check. Null when a filter or a <see cref="RuleAction.Drop"/> rule leaves the row out.
    /// </summary>
    /// <exception cref="Validation.RowRejectedException">A <see cref="RuleAction.Quarantine"/> or <see cref="RuleAction.Fail"/>
    /// rule, a check, or a row error the stage quarantines refuses the row (the batch job would not write it).</exception>
    /// <exception cref="Validation.StageRowException">A stage throws for the row, naming the stage, as in a batch run.</exception>
    /// <exception cref="InvalidOperationException">No chain of row stages leads from <typeparamref name="TIn"/> to
    /// <typeparamref name="TOut"/> (an aggregate or join between them needs every row), or the parameters are unbound.</exception>
    public TOut? ScoreOne<TIn, TOut>(TIn row)
        where TIn : IRowSchema<TIn>
        where TOut : class, IRowSchema<TOut> =>
        SingleRow.Run<TIn, TOut>(this, row);

    /// <summary>
    /// This pipeline with its stages' parameter objects built from <paramref name="parameters"/> and bound into the
    /// kernels. A pipeline whose stages take no parameters returns itself. For a plan with fit stages the members of
    /// the parameter types the fits compute may be left out: the pipeline then holds <paramref name="parameters"/>
    /// unbound (<see cref="IsBound"/> is false), and <see cref="LocalExecutor"/> binds it once the first pass (or a
    /// saved fitted state, <see cref="ExecutionOptions.Fitted"/>) gives those values.
    /// </summary>
    /// <exception cref="ArgumentException">A member of a parameter type has no value.</exception>
    public CompiledPipeline WithParameters(StageParameterValues parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_binder is null)
        {
            return this;
        }
        IReadOnlySet<string> fitted = Fitting.FitLayout.FittedTypes(Plan);
        string[] missing = parameters.Missing(Plan).Where(m => !fitted.Contains(m[..m.LastIndexOf('.')])).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException($"Pipeline '{Plan.Name}' needs values for stage parameters {string.Join(", ", missing)}: add them under 'parameters:' in pipeline.yaml or pass --param Type.Member=VALUE.", nameof(parameters));
        }
        ThrowIfModelsMissing(parameters);
        return WithGivenParameters(parameters);
    }

    /// <summary>
    /// This pipeline holding <paramref name="parameters"/>: bound when they give every member a value, else unbound
    /// until the executor adds the fitted values (the first pass's, or a fitted-state file's).
    /// </summary>
    internal CompiledPipeline WithGivenParameters(StageParameterValues parameters)
    {
        if (_binder is null)
        {
            return this;
        }
        bool complete = parameters.Missing(Plan).Count == 0 && parameters.MissingModels(Plan).Count == 0;
        return new CompiledPipeline(Plan, _binder, parameters, bind: complete) { Fitter = Fitter, ModelLoaders = ModelLoaders, Devices = Devices, Device = Device, DeviceWarning = DeviceWarning };
    }

    /// <summary>
    /// The kernels of the first pass: bound with the given values and, for the members of the parameter types the fits
    /// compute, placeholders (0, false, empty text and arrays) that the first-pass segments never read
    /// (<see cref="Fitting.FitLayout.CheckSegments"/> refuses a plan whose first-pass stages take a fitted type).
    /// </summary>
    /// <exception cref="ArgumentException">A member of a parameter type no fit computes has no value.</exception>
    internal CompiledPipeline ForFitPass()
    {
        if (_binder is null)
        {
            return this;
        }
        IReadOnlySet<string> fitted = Fitting.FitLayout.FittedTypes(Plan);
        StageParameterValues values = Parameters.Copy();
        foreach (StageParametersPlan type in Plan.ParameterTypes().Where(t => fitted.Contains(t.TypeName)))
        {
            foreach (StageParameterMember member in type.Members)
            {
                values.Set(type.TypeName, member.Name, Placeholder(member.Type));
            }
        }
        IReadOnlyList<string> missing = values.Missing(Plan);
        if (missing.Count > 0)
        {
            throw new ArgumentException($"Pipeline '{Plan.Name}' needs values for stage parameters {string.Join(", ", missing)}: add them under 'parameters:' in pipeline.yaml or pass --param Type.Member=VALUE.");
        }
        ThrowIfModelsMissing(values);
        return new CompiledPipeline(Plan, _binder, values) { Fitter = Fitter, ModelLoaders = ModelLoaders, Devices = Devices, Device = Device, DeviceWarning = DeviceWarning };
    }

    /// <summary>Refuses values that leave a run-time model without a file (models are never fitted: they are given up front).</summary>
    private void ThrowIfModelsMissing(StageParameterValues values)
    {
        IReadOnlyList<string> models = values.MissingModels(Plan);
        if (models.Count > 0)
        {
            throw new ArgumentException($"Pipeline '{Plan.Name}' scores with models given at run time and has no file for {string.Join(", ", models.Select(m => "'" + m + "'"))}: pass {string.Join(" ", models.Select(m => "--model " + m + "=PATH"))} or add them under 'models:' in pipeline.yaml.");
        }
    }

    private static object Placeholder(ParameterType type) => type switch
    {
        ParameterType.Double => 0.0,
        ParameterType.Float => 0f,
        ParameterType.Int32 => 0,
        ParameterType.Int64 => 0L,
        ParameterType.Boolean => false,
        ParameterType.String => "",
        ParameterType.DateTime => default(DateTime),
        ParameterType.DoubleArray => Array.Empty<double>(),
        ParameterType.StringArray => Array.Empty<string>(),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a stage parameter type."),
    };

    internal string UnboundMessage() =>
        Plan.ParameterTypes().Count == 0
            ? $"Pipeline '{Plan.Name}' scores with models given at run time ({string.Join(", ", Plan.RunTimeModelStages().Select(s => s.Model!.RunTimeName))}); load them with ModelCatalog.Load and bind them with WithParameters before running it."
            : $"Pipeline '{Plan.Name}' has stages that take parameters ({string.Join(", ", Plan.ParameterTypes().Select(p => p.TypeName))}); bind their values with WithParameters before running it.";

    private static void CheckCount(PipelinePlan plan, IReadOnlyList<SegmentKernel> kernels)
    {
        if (plan.Segments.Count != kernels.Count)
        {
            throw new ArgumentException($"Pipeline '{plan.Name}' has {plan.Segments.Count} segments but {kernels.Count} kernels were given.", nameof(kernels));
        }
    }
}
