using Dsl.Execution;
using ILGPU.Runtime;

namespace Dsl.Gpu;

/// <summary>
/// The host side of one segment's generated GPU kernel: runs each batch on the device, one batch at a time per
/// device, and on the CPU kernel where the device cannot give the C# result. A row that faults re-runs the batch on
/// the CPU kernel, which throws the user's exception (or, had the device been wrong to fault, returns the batch). A
/// kernel ILGPU cannot compile sends every batch of the segment to the CPU kernel, after one warning.
/// </summary>
public sealed class DeviceSegment
{
    private readonly GpuDevice _device;
    private readonly string _name;
    private readonly SegmentKernel _cpu;
    private readonly Action<string> _warn;
    private volatile bool _onCpu;

    /// <summary>A segment <paramref name="name"/> whose batches run on <paramref name="device"/>, falling back to <paramref name="cpu"/>.</summary>
    public DeviceSegment(GpuDevice device, string name, SegmentKernel cpu, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ArgumentNullException.ThrowIfNull(warn);
        _device = device;
        _name = name;
        _cpu = cpu;
        _warn = warn;
    }

    /// <summary>How many batches ran on the device to the end.</summary>
    public int DeviceBatches => _deviceBatches;

    /// <summary>How many batches a faulting row sent to the CPU kernel.</summary>
    public int FaultedBatches => _faultedBatches;

    /// <summary>Whether the segment gave up the device (its kernel could not be loaded): every batch runs on the CPU kernel.</summary>
    public bool OnCpu => _onCpu;

    private int _deviceBatches;
    private int _faultedBatches;
    private static long s_deviceBatches;
    private static long s_faultedBatches;

    [ThreadStatic]
    private static long t_deviceBatches;

    [ThreadStatic]
    private static long t_faultedBatches;

    /// <summary>Batches that ran on a device to the end on the calling thread (what a test that runs a kernel itself counts).</summary>
    public static long ThreadDeviceBatches => t_deviceBatches;

    /// <summary>Batches a faulting row sent to the CPU kernel on the calling thread.</summary>
    public static long ThreadFaultedBatches => t_faultedBatches;

    /// <summary>Batches that ran on a device to the end, in every segment of the process (for tests and diagnostics).</summary>
    public static long ProcessDeviceBatches => Interlocked.Read(ref s_deviceBatches);

    /// <summary>Batches a faulting row sent to the CPU kernel, in every segment of the process.</summary>
    public static long ProcessFaultedBatches => Interlocked.Read(ref s_faultedBatches);

    /// <summary>
    /// The segment's output for <paramref name="input"/>: <paramref name="onDevice"/> on a <see cref="DeviceBatch"/>
    /// of the device (null when a row faulted), else the CPU kernel's.
    /// </summary>
    public RecordBatch Run(RecordBatch input, Validation.RowViolations? violations, Func<DeviceBatch, RecordBatch?> onDevice)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(onDevice);
        if (_onCpu)
        {
            return _cpu(input, violations);
        }
        RecordBatch? result;
        try
        {
            // One batch at a time in the process (see GpuRuntime.BatchGate).
            lock (GpuRuntime.BatchGate)
            {
                GpuAccelerator accelerator = GpuRuntime.Shared.GetAccelerator(_device);
                using var batch = new DeviceBatch(accelerator, input.RowCount);
                result = onDevice(batch);
            }
        }
        catch (KernelCompileException e)
        {
            _onCpu = true;
            _warn($"{e.Warning}; segment {_name} runs on the CPU kernel");
            return _cpu(input, violations);
        }
        catch (Exception e) when (e is AcceleratorException or ObjectDisposedException)
        {
            // Out of device memory, a lost device: this batch runs on the CPU, the next one tries the device again.
            _warn($"warning: segment {_name}: the {DeviceOption.Format(_device)} device failed ({e.Message}); this batch runs on the CPU kernel");
            return _cpu(input, violations);
        }
        if (result is null)
        {
            Interlocked.Increment(ref _faultedBatches);
            Interlocked.Increment(ref s_faultedBatches);
            t_faultedBatches++;
            return _cpu(input, violations);
        }
        Interlocked.Increment(ref _deviceBatches);
        Interlocked.Increment(ref s_deviceBatches);
        t_deviceBatches++;
        return result;
    }
}
