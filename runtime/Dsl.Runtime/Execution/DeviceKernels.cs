namespace Dsl.Execution;

/// <summary>
/// What the generator decided about running one segment on a GPU: whether ILGPU kernels can compute it exactly as the
/// CPU kernel does (<see cref="NotOnDevice"/> says why not), and whether its cost estimate prefers the device.
/// </summary>
/// <param name="Segment">The segment's index in <see cref="PipelinePlan.Segments"/>.</param>
/// <param name="NotOnDevice">Why the segment has no GPU kernel (a construct, a column type, rules), or null when it has one.</param>
/// <param name="BytesPerRow">Bytes one row moves over the bus: its columns up and down, the validity bits, the keep byte and the fault code.</param>
/// <param name="OperationsPerRow">Arithmetic one row costs, in units of one add (a division or square root counts 4, a logarithm 20).</param>
/// <param name="Preferred">Whether the estimate prefers the GPU: <see cref="OperationsPerByte"/> at least <see cref="PreferredOperationsPerByte"/>.</param>
/// <param name="InexactOnCuda">
/// Why CUDA might not give the CPU kernel's bits (a floating multiply feeding an add, which the PTX ILGPU writes lets the
/// driver fuse into one FMA; Log, Exp or Pow under RelaxedMath), or null. Such a segment runs on the emulator, which is
/// exact, but not on CUDA.
/// </param>
public sealed record DeviceSegmentPlan(int Segment, string? NotOnDevice, int BytesPerRow, int OperationsPerRow, bool Preferred, string? InexactOnCuda = null)
{
    /// <summary>
    /// The arithmetic per byte moved from which a segment is worth a GPU. A heuristic, not measured on a GPU: a PCIe 4
    /// link moves about 25 GB/s while one CPU core's SIMD kernel computes a few adds per nanosecond, so a segment that
    /// does less than a few operations per byte it moves finishes sooner on the CPU than its data reaches the GPU.
    /// </summary>
    public const double PreferredOperationsPerByte = 4;

    /// <summary><see cref="OperationsPerRow"/> over <see cref="BytesPerRow"/>.</summary>
    public double OperationsPerByte => BytesPerRow == 0 ? 0 : (double)OperationsPerRow / BytesPerRow;

    /// <summary>One line for <c>explain</c>: the GPU kernel and the estimate's choice, or why there is none.</summary>
    public string Describe() => NotOnDevice is { } reason
        ? $"SIMD only: {reason}"
        : FormattableString.Invariant($"GPU kernel; estimate {OperationsPerRow} operations / {BytesPerRow} bytes a row = {OperationsPerByte:0.##} per byte moved: {(InexactOnCuda is { } inexact ? $"stays on SIMD under --device cuda and auto, as CUDA may not be exact ({inexact})" : Preferred ? "runs on the GPU under --device cuda and auto" : $"stays on SIMD under --device cuda and auto (below {PreferredOperationsPerByte})")}; every segment with a GPU kernel runs on the emulator under --device cpu-emulator");
}

/// <summary>
/// The GPU kernels of a pipeline whose project references <c>Dsl.Gpu</c>: generated next to the CPU kernels from the
/// same kernel IR, and bound by <see cref="CompiledPipeline.OnDevice"/> (<c>run --device</c>). Dsl.Runtime only knows
/// this interface: ILGPU compiles with Reflection.Emit and stays out of the NativeAOT-compatible runtime.
/// </summary>
public interface IDeviceKernels
{
    /// <summary>One entry per segment, indexed like <see cref="PipelinePlan.Segments"/>.</summary>
    IReadOnlyList<DeviceSegmentPlan> Segments { get; }

    /// <summary>
    /// The device a <c>--device</c> value names, as one of <c>cuda</c>, <c>cpu-emulator</c> or <c>simd</c>
    /// (<c>auto</c> is CUDA where there is one, else SIMD).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown value, or CUDA where there is none; the message says what exists.</exception>
    string Resolve(string device);

    /// <summary>
    /// The kernels for <paramref name="device"/> (a <see cref="Resolve"/>d name): a GPU kernel for each segment the
    /// device runs (on CUDA those the estimate prefers, on the emulator every one that has a GPU kernel), else the
    /// CPU kernel of <paramref name="cpu"/>. A GPU kernel re-runs its batch on the CPU kernel when a row would throw,
    /// and falls back to it, with one <paramref name="warn"/>ing, when ILGPU cannot load it.
    /// </summary>
    IReadOnlyList<SegmentKernel> Bind(string device, StageParameterValues parameters, IReadOnlyList<SegmentKernel> cpu, Action<string> warn);

    /// <summary>
    /// The scorer of run-time model <paramref name="name"/> on <paramref name="device"/> (a <see cref="Resolve"/>d
    /// name): an XGBoost or LightGBM tree model with its margins added on the device (the link stays on the host), or
    /// <paramref name="scorer"/> itself, with the reason in <paramref name="why"/>, for anything else.
    /// </summary>
    Models.IBatchScorer ScoreOn(string device, string name, Models.IBatchScorer scorer, Action<string> warn, out string? why);
}
