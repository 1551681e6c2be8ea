using System.Diagnostics;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace Dsl.Gpu;

/// <summary>How one <see cref="KernelCache.GetOrLoad{TColumns, TParameters}(Action{TColumns, TParameters, int}, out KernelLoadInfo)"/> call went.</summary>
/// <param name="Cached">Whether the kernel was already loaded on this accelerator.</param>
/// <param name="Elapsed">How long the call took: the compile and load on first use, a dictionary lookup after.</param>
public readonly record struct KernelLoadInfo(bool Cached, TimeSpan Elapsed);

/// <summary>
/// The kernels of one accelerator, each loaded once (keyed by its method) and kept until the context is recreated.
/// Kernels have the shape the generator emits: <c>static void K(TColumns columns, TParameters parameters, int rows)</c>,
/// explicitly grouped, looping over rows with a grid stride.
/// </summary>
public sealed class KernelCache
{
    private readonly GpuAccelerator _owner;
    private readonly object _gate = new();
    private readonly Dictionary<MethodInfo, object> _kernels = [];

    internal KernelCache(GpuAccelerator owner) => _owner = owner;

    /// <summary>How many kernels are loaded.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _kernels.Count;
            }
        }
    }

    /// <summary>The loaded kernel of <paramref name="kernel"/> (a static method), compiling it on first use.</summary>
    /// <exception cref="KernelCompileException">ILGPU cannot compile it, now or before; the context was recreated, see <see cref="KernelCompileException.Warning"/>.</exception>
    public GridStrideKernel<TColumns, TParameters> GetOrLoad<TColumns, TParameters>(Action<TColumns, TParameters, int> kernel)
        where TColumns : struct
        where TParameters : struct
        => GetOrLoad(kernel, out _);

    /// <summary>As <see cref="GetOrLoad{TColumns, TParameters}(Action{TColumns, TParameters, int})"/>, and how long it took and whether it was cached.</summary>
    /// <exception cref="KernelCompileException">ILGPU cannot compile it, now or before; the context was recreated, see <see cref="KernelCompileException.Warning"/>.</exception>
    public GridStrideKernel<TColumns, TParameters> GetOrLoad<TColumns, TParameters>(
        Action<TColumns, TParameters, int> kernel,
        out KernelLoadInfo load)
        where TColumns : struct
        where TParameters : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var method = kernel.Method;
        if (!method.IsStatic)
        {
            throw new ArgumentException($"kernel {method.Name} must be a static method", nameof(kernel));
        }

        var clock = Stopwatch.StartNew();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_owner.IsDisposed, _owner);
            if (_kernels.TryGetValue(method, out var found))
            {
                load = new KernelLoadInfo(true, clock.Elapsed);
                return (GridStrideKernel<TColumns, TParameters>)found;
            }

            if (_owner.Runtime.TryGetFailure(method, out var earlier))
            {
                throw new KernelCompileException(method, earlier, null);
            }

            Action<AcceleratorStream, KernelConfig, TColumns, TParameters, int> launcher;
            try
            {
                launcher = _owner.Accelerator.LoadKernel(kernel);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // This accelerator is disposed by the recreation: the caller falls back to the CPU kernel.
                throw new KernelCompileException(method, _owner.Runtime.RecordFailure(method, e), e);
            }

            var elapsed = clock.Elapsed;
            var loaded = new GridStrideKernel<TColumns, TParameters>(_owner, method, launcher, elapsed);
            _kernels.Add(method, loaded);
            load = new KernelLoadInfo(false, elapsed);
            return loaded;
        }
    }

    internal void Clear()
    {
        lock (_gate)
        {
            _kernels.Clear();
        }
    }
}

/// <summary>A loaded grid-stride kernel; <see cref="Launch"/> checks the views' lengths before the device sees them.</summary>
/// <typeparam name="TColumns">A struct of <see cref="ArrayView{T}"/> fields (see <see cref="ViewLengths"/>).</typeparam>
/// <typeparam name="TParameters">The stage parameters.</typeparam>
public sealed class GridStrideKernel<TColumns, TParameters>
    where TColumns : struct
    where TParameters : struct
{
    private readonly GpuAccelerator _owner;
    private readonly Action<AcceleratorStream, KernelConfig, TColumns, TParameters, int> _launcher;

    internal GridStrideKernel(
        GpuAccelerator owner,
        MethodInfo method,
        Action<AcceleratorStream, KernelConfig, TColumns, TParameters, int> launcher,
        TimeSpan firstLoadTime)
    {
        _owner = owner;
        Method = method;
        _launcher = launcher;
        FirstLoadTime = firstLoadTime;
    }

    /// <summary>The kernel method.</summary>
    public MethodInfo Method { get; }

    /// <summary>How long the first load (ILGPU's compile and load) took.</summary>
    public TimeSpan FirstLoadTime { get; }

    /// <summary>
    /// Enqueues the kernel over <paramref name="rows"/> rows on <paramref name="stream"/>, in the accelerator's
    /// <see cref="GpuAccelerator.GridStrideConfig"/>. Refuses, before launching, views too short for the rows: an
    /// out-of-range index inside a kernel kills the process on the CPU accelerator.
    /// </summary>
    /// <exception cref="ArgumentException">A view is shorter than <paramref name="rows"/> need; the message names it.</exception>
    public void Launch(AcceleratorStream stream, in TColumns columns, in TParameters parameters, int rows)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ObjectDisposedException.ThrowIf(_owner.IsDisposed, _owner);
        ViewLengths.Check(columns, rows);
        if (rows == 0)
        {
            return;
        }

        _launcher(stream, _owner.GridStrideConfig(rows), columns, parameters, rows);
    }
}

/// <summary>A kernel ILGPU could not compile. The context was recreated; the kernel's batches run on the CPU kernel.</summary>
public sealed class KernelCompileException : Exception
{
    internal KernelCompileException(MethodInfo kernel, string warning, Exception? inner)
        : base(warning, inner)
    {
        Kernel = kernel;
        Warning = warning;
    }

    /// <summary>The kernel method.</summary>
    public MethodInfo Kernel { get; }

    /// <summary>The warning for the caller to print: which kernel, ILGPU's error, that the context was recreated.</summary>
    public string Warning { get; }
}
