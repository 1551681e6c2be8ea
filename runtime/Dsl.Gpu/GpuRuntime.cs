using System.Diagnostics;
using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Dsl.Gpu;

/// <summary>
/// The process's ILGPU context and its accelerators. <see cref="Shared"/> is the one instance a process uses; the
/// context is created on first use, each device's accelerator once, and both again after
/// <see cref="RecreateContext"/> (a failed kernel compile can leave an ILGPU context unable to compile any kernel).
/// </summary>
public sealed class GpuRuntime : IDisposable
{
    private static readonly Lazy<GpuRuntime> s_shared = new(() => new GpuRuntime(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly object _gate = new();
    private readonly Dictionary<GpuDevice, GpuAccelerator> _accelerators = [];
    private readonly Dictionary<MethodInfo, string> _failedKernels = [];
    private Context? _context;
    private string? _cudaProblem;
    private int _generation;
    private bool _disposed;

    internal GpuRuntime()
    {
    }

    /// <summary>
    /// Held for each batch on a device (a segment's kernel, a tree model's margins): the process's partitions share the
    /// device's default stream and pooled buffers, and a failed compile, which recreates the context and disposes every
    /// accelerator, must happen between batches, never under another's.
    /// </summary>
    internal static object BatchGate { get; } = new();

    /// <summary>The process's runtime. Getting it creates nothing of ILGPU yet.</summary>
    public static GpuRuntime Shared => s_shared.Value;

    /// <summary>How many contexts this runtime has created: 0 before first use, one more after each recreation.</summary>
    public int Generation
    {
        get
        {
            lock (_gate)
            {
                return _generation;
            }
        }
    }

    /// <summary>How long creating the current context took (zero before first use).</summary>
    public TimeSpan ContextCreationTime { get; private set; }

    /// <summary>Whether ILGPU finds a CUDA device (creates the context if it does not exist yet).</summary>
    public bool HasCuda
    {
        get
        {
            lock (_gate)
            {
                return GetContext().GetCudaDevices().Count > 0;
            }
        }
    }

    /// <summary>What ILGPU found, for messages: each device's kind and name, and why CUDA was not loaded if it was not.</summary>
    public string DescribeDevices()
    {
        lock (_gate)
        {
            var context = GetContext();
            var found = context.Devices.Length == 0
                ? "no devices"
                : string.Join(", ", context.Devices.Select(d => $"{d.AcceleratorType} '{d.Name}'"));
            return _cudaProblem is null ? found : $"{found} (CUDA not loaded: {_cudaProblem})";
        }
    }

    /// <summary>The device <paramref name="request"/> names: for <see cref="DeviceRequest.Auto"/>, CUDA when ILGPU finds one, else SIMD.</summary>
    /// <exception cref="GpuDeviceException"><see cref="DeviceRequest.Cuda"/> where ILGPU finds no CUDA device; the message says what it found.</exception>
    public GpuDevice Resolve(DeviceRequest request) => request switch
    {
        DeviceRequest.Simd => GpuDevice.Simd,
        DeviceRequest.CpuEmulator => GpuDevice.CpuEmulator,
        DeviceRequest.Auto => HasCuda ? GpuDevice.Cuda : GpuDevice.Simd,
        DeviceRequest.Cuda => HasCuda
            ? GpuDevice.Cuda
            : throw new GpuDeviceException($"--device cuda: no CUDA device; ILGPU found: {DescribeDevices()}"),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request, null),
    };

    /// <summary>The accelerator of <paramref name="device"/>, created on first use and cached until the context is recreated.</summary>
    /// <exception cref="GpuDeviceException"><see cref="GpuDevice.Simd"/> (no accelerator), or CUDA where there is none.</exception>
    public GpuAccelerator GetAccelerator(GpuDevice device)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_accelerators.TryGetValue(device, out var cached))
            {
                return cached;
            }

            var context = GetContext();
            Accelerator accelerator = device switch
            {
                GpuDevice.CpuEmulator => context.GetCPUDevice(0).CreateAccelerator(context),
                GpuDevice.Cuda => context.GetCudaDevices().Count > 0
                    ? context.GetCudaDevice(0).CreateAccelerator(context)
                    : throw new GpuDeviceException($"--device cuda: no CUDA device; ILGPU found: {DescribeDevices()}"),
                GpuDevice.Simd => throw new GpuDeviceException("--device simd: runs on the CPU kernel and has no accelerator"),
                _ => throw new ArgumentOutOfRangeException(nameof(device), device, null),
            };
            var created = new GpuAccelerator(this, device, accelerator, _generation);
            _accelerators.Add(device, created);
            return created;
        }
    }

    /// <summary>
    /// Disposes the context and everything made from it (accelerators, their kernels and pooled buffers; callers drop
    /// what they hold of them) and lets the next use create a new one. Returns the warning to print.
    /// </summary>
    public string RecreateContext(string reason)
    {
        lock (_gate)
        {
            DisposeContext();
            return $"warning: the ILGPU context was recreated ({reason}); kernels are compiled again on next use";
        }
    }

    /// <summary>Disposes the context and its accelerators.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            DisposeContext();
        }
    }

    // A kernel that failed once is not compiled again: every compile attempt risks poisoning the new context too.
    internal bool TryGetFailure(MethodInfo kernel, out string warning)
    {
        lock (_gate)
        {
            return _failedKernels.TryGetValue(kernel, out warning!);
        }
    }

    internal string RecordFailure(MethodInfo kernel, Exception error)
    {
        lock (_gate)
        {
            var name = $"{kernel.DeclaringType?.FullName}.{kernel.Name}";
            var warning = RecreateContext($"kernel {name} failed to compile: {error.GetType().Name}: {FirstLine(error.Message)}")
                + "; this kernel runs on the CPU";
            _failedKernels[kernel] = warning;
            return warning;
        }
    }

    private Context GetContext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_context is not null)
        {
            return _context;
        }

        var clock = Stopwatch.StartNew();
        try
        {
            // No OpenCL: Debian's PoCL does not work with ILGPU. One CPU device, ILGPU's default emulation.
            _context = Context.Create(b => b.Cuda().CPU(CPUDeviceKind.Default).EnableAlgorithms());
            _cudaProblem = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A broken CUDA driver must not take the CPU paths with it.
            _context = Context.Create(b => b.CPU(CPUDeviceKind.Default).EnableAlgorithms());
            _cudaProblem = $"{e.GetType().Name}: {FirstLine(e.Message)}";
        }

        ContextCreationTime = clock.Elapsed;
        _generation++;
        return _context;
    }

    private void DisposeContext()
    {
        foreach (var accelerator in _accelerators.Values)
        {
            accelerator.Dispose();
        }

        _accelerators.Clear();
        _context?.Dispose();
        _context = null;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n');
        return (end < 0 ? text : text[..end]).Trim();
    }
}
