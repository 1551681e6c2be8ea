using ILGPU;
using ILGPU.Runtime;

namespace Dsl.Gpu;

/// <summary>One device's ILGPU accelerator with its kernel cache and buffer pool; made and cached by <see cref="GpuRuntime"/>.</summary>
public sealed class GpuAccelerator : IDisposable
{
    private readonly GpuRuntime _runtime;
    private bool _disposed;

    internal GpuAccelerator(GpuRuntime runtime, GpuDevice device, Accelerator accelerator, int generation)
    {
        _runtime = runtime;
        Device = device;
        Accelerator = accelerator;
        Generation = generation;
        Kernels = new KernelCache(this);
        Buffers = new DeviceBufferPool(accelerator);
    }

    /// <summary>The device.</summary>
    public GpuDevice Device { get; }

    /// <summary>The ILGPU accelerator (disposed with this object).</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The runtime's <see cref="GpuRuntime.Generation"/> when this accelerator was made.</summary>
    public int Generation { get; }

    /// <summary>Whether the context was recreated (or the runtime disposed) since: then nothing of this object may be used.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>The kernels loaded on this accelerator.</summary>
    public KernelCache Kernels { get; }

    /// <summary>Device buffers to rent for a batch and return after it.</summary>
    public DeviceBufferPool Buffers { get; }

    internal GpuRuntime Runtime => _runtime;

    /// <summary>
    /// The launch shape of an explicitly grouped grid-stride loop over <paramref name="rows"/> rows: groups of the
    /// device's warp-multiple group size, enough groups to fill the device once, never more than the rows need.
    /// </summary>
    public KernelConfig GridStrideConfig(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var groupSize = Math.Min(Accelerator.MaxNumThreadsPerGroup, 256);
        if (Accelerator.WarpSize > 0 && groupSize >= Accelerator.WarpSize)
        {
            groupSize -= groupSize % Accelerator.WarpSize;
        }

        var perMultiprocessor = Math.Max(1, Accelerator.MaxNumThreadsPerMultiprocessor / groupSize);
        var deviceGroups = Math.Max(1, Accelerator.NumMultiprocessors * perMultiprocessor);
        var neededGroups = (int)Math.Max(1, ((long)rows + groupSize - 1) / groupSize);
        return new KernelConfig(Math.Min(deviceGroups, neededGroups), groupSize);
    }

    /// <summary>
    /// A host buffer of <paramref name="length"/> elements to upload from: page-locked when
    /// <paramref name="pageLocked"/> and the accelerator can page-lock memory, else a pinned managed array.
    /// </summary>
    public HostBuffer<T> AllocateHost<T>(int length, bool pageLocked = true)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new HostBuffer<T>(Accelerator, length, pageLocked);
    }

    /// <summary>Disposes the kernels, the pooled buffers and the accelerator. The runtime does it when it recreates the context.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kernels.Clear();
        Buffers.Dispose();
        Accelerator.Dispose();
    }
}
