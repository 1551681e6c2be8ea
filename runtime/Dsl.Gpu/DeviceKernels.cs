using Dsl.Execution;

namespace Dsl.Gpu;

/// <summary>
/// What the generated code of a pipeline gives <see cref="CompiledPipeline.Devices"/>: the generator's decision for
/// each segment and the method that binds the GPU kernels. It resolves <c>--device</c> against what ILGPU finds.
/// </summary>
public sealed class DeviceKernels : IDeviceKernels
{
    /// <summary>
    /// The generated binder: for the accelerator's device, the stage parameter values and the CPU kernels, the kernels
    /// to run, with a GPU kernel for each segment <c>runs</c> says the device takes.
    /// </summary>
    public delegate IReadOnlyList<SegmentKernel> Binder(GpuDevice device, Func<int, bool> runs, StageParameterValues parameters, IReadOnlyList<SegmentKernel> cpu, Action<string> warn);

    private readonly Binder _bind;

    /// <summary>The generator's <paramref name="segments"/> and its <paramref name="bind"/>er.</summary>
    public DeviceKernels(IReadOnlyList<DeviceSegmentPlan> segments, Binder bind)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(bind);
        Segments = segments;
        _bind = bind;
    }

    /// <inheritdoc/>
    public IReadOnlyList<DeviceSegmentPlan> Segments { get; }

    /// <summary>Batches whose tree-model margins a device added, in the process (for tests and diagnostics).</summary>
    public static long TreeMarginBatches => GpuTreeMargins.ProcessDeviceBatches;

    /// <summary>Batches whose tree-model margins a device added on the calling thread (for tests).</summary>
    public static long ThreadTreeMarginBatches => GpuTreeMargins.ThreadDeviceBatches;

    /// <summary>The generated binder (for a tool that puts segments on a device whatever the estimate says, as the device check does).</summary>
    public Binder SegmentBinder => _bind;

    /// <inheritdoc/>
    public string Resolve(string device)
    {
        try
        {
            return DeviceOption.Format(GpuRuntime.Shared.Resolve(DeviceOption.Parse(device)));
        }
        catch (GpuDeviceException e)
        {
            throw new ArgumentException(e.Message, nameof(device), e);
        }
    }

    /// <summary>
    /// Whether <paramref name="device"/> runs segment <paramref name="segment"/>: the emulator every segment with a
    /// GPU kernel (it exists to test them); CUDA those the estimate prefers and whose result is exact there.
    /// </summary>
    public bool Runs(GpuDevice device, int segment)
    {
        DeviceSegmentPlan plan = Segments[segment];
        return plan.NotOnDevice is null && device switch
        {
            GpuDevice.CpuEmulator => true,
            GpuDevice.Cuda => plan.Preferred && plan.InexactOnCuda is null,
            _ => false,
        };
    }

    /// <inheritdoc/>
    public Models.IBatchScorer ScoreOn(string device, string name, Models.IBatchScorer scorer, Action<string> warn, out string? why)
    {
        GpuDevice resolved = GpuRuntime.Shared.Resolve(DeviceOption.Parse(device));
        if (resolved == GpuDevice.Simd)
        {
            why = "--device simd";
            return scorer;
        }
        if (scorer is not Models.TreeModelScorer trees)
        {
            why = "not an XGBoost or LightGBM model read by Dsl.Runtime (ONNX, TorchScript, or paced with batchRows)";
            return scorer;
        }
        return GpuTreeMargins.OnDevice(trees, resolved, name, warn, out why) ?? (Models.IBatchScorer)scorer;
    }

    /// <inheritdoc/>
    public IReadOnlyList<SegmentKernel> Bind(string device, StageParameterValues parameters, IReadOnlyList<SegmentKernel> cpu, Action<string> warn)
    {
        GpuDevice resolved = GpuRuntime.Shared.Resolve(DeviceOption.Parse(device));
        if (resolved == GpuDevice.Simd)
        {
            return cpu;
        }
        return _bind(resolved, segment => Runs(resolved, segment), parameters, cpu, warn);
    }
}
