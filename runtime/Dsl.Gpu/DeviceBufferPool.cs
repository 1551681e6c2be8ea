using System.Numerics;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace Dsl.Gpu;

/// <summary>
/// Device buffers by element type and size class (powers of two, at least <see cref="MinimumClassLength"/> elements),
/// rented for a batch and returned after it. Returned buffers are kept while the pool holds at most
/// <see cref="MaxRetainedBytes"/> and each class at most <see cref="MaxPerClass"/>; others are freed at once.
/// </summary>
public sealed class DeviceBufferPool : IDisposable
{
    /// <summary>The smallest size class, in elements.</summary>
    public const int MinimumClassLength = 4096;

    private readonly Accelerator _accelerator;
    private readonly object _gate = new();
    private readonly Dictionary<(Type Type, long Length), Stack<MemoryBuffer>> _free = [];
    private bool _disposed;

    internal DeviceBufferPool(Accelerator accelerator, long maxRetainedBytes = 256L << 20, int maxPerClass = 4)
    {
        _accelerator = accelerator;
        MaxRetainedBytes = maxRetainedBytes;
        MaxPerClass = maxPerClass;
    }

    /// <summary>The most bytes of returned buffers the pool keeps.</summary>
    public long MaxRetainedBytes { get; }

    /// <summary>The most returned buffers kept per element type and size class.</summary>
    public int MaxPerClass { get; }

    /// <summary>Bytes of returned buffers kept now.</summary>
    public long RetainedBytes { get; private set; }

    /// <summary>How many rents allocated a new device buffer.</summary>
    public int Allocations { get; private set; }

    /// <summary>How many rents reused a returned buffer.</summary>
    public int Reuses { get; private set; }

    /// <summary>The size class of <paramref name="length"/> elements.</summary>
    public static long ClassLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return length <= MinimumClassLength ? MinimumClassLength : (long)BitOperations.RoundUpToPowerOf2((ulong)length);
    }

    /// <summary>A device buffer of at least <paramref name="length"/> elements; its <see cref="DeviceBuffer{T}.View"/> has exactly that many. Contents are not cleared.</summary>
    public DeviceBuffer<T> Rent<T>(long length)
        where T : unmanaged
    {
        var classLength = ClassLength(length);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_free.TryGetValue((typeof(T), classLength), out var stack) && stack.Count > 0)
            {
                var reused = (MemoryBuffer1D<T, Stride1D.Dense>)stack.Pop();
                RetainedBytes -= reused.LengthInBytes;
                Reuses++;
                return new DeviceBuffer<T>(this, reused, length);
            }

            Allocations++;
        }

        return new DeviceBuffer<T>(this, _accelerator.Allocate1D<T>(classLength), length);
    }

    /// <summary>Frees every kept buffer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var stack in _free.Values)
            {
                while (stack.Count > 0)
                {
                    stack.Pop().Dispose();
                }
            }

            _free.Clear();
            RetainedBytes = 0;
        }
    }

    internal void Return<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer)
        where T : unmanaged
    {
        lock (_gate)
        {
            if (!_disposed && RetainedBytes + buffer.LengthInBytes <= MaxRetainedBytes)
            {
                var key = (typeof(T), buffer.Length);
                if (!_free.TryGetValue(key, out var stack))
                {
                    _free.Add(key, stack = new Stack<MemoryBuffer>());
                }

                if (stack.Count < MaxPerClass)
                {
                    stack.Push(buffer);
                    RetainedBytes += buffer.LengthInBytes;
                    return;
                }
            }
        }

        // A buffer of a recreated context's accelerator is already freed with it.
        if (!buffer.IsDisposed)
        {
            buffer.Dispose();
        }
    }
}

/// <summary>A rented device buffer; <see cref="Dispose"/> returns it to its pool.</summary>
public sealed class DeviceBuffer<T> : IDisposable
    where T : unmanaged
{
    private readonly DeviceBufferPool _pool;
    private MemoryBuffer1D<T, Stride1D.Dense>? _buffer;

    internal DeviceBuffer(DeviceBufferPool pool, MemoryBuffer1D<T, Stride1D.Dense> buffer, long length)
    {
        _pool = pool;
        _buffer = buffer;
        Length = length;
    }

    /// <summary>The elements asked for.</summary>
    public long Length { get; }

    /// <summary>The size class allocated.</summary>
    public long Capacity => Buffer.Length;

    /// <summary>A view of the first <see cref="Length"/> elements.</summary>
    public ArrayView<T> View => Buffer.View.SubView(0, Length);

    private MemoryBuffer1D<T, Stride1D.Dense> Buffer => _buffer ?? throw new ObjectDisposedException(nameof(DeviceBuffer<T>));

    /// <summary>Returns the buffer to the pool; the view must not be used after.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            _pool.Return(buffer);
        }
    }
}

/// <summary>
/// Host memory to upload from and download into: page-locked where the accelerator supports it (the copies are
/// then true DMA on CUDA), else a pinned managed array.
/// </summary>
public sealed class HostBuffer<T> : IDisposable
    where T : unmanaged
{
    private readonly PageLockedArray1D<T>? _pageLocked;
    private readonly T[]? _pinned;

    internal HostBuffer(Accelerator accelerator, int length, bool pageLocked)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        if (pageLocked)
        {
            try
            {
                _pageLocked = accelerator.AllocatePageLocked1D<T>(length);
                return;
            }
            catch (NotSupportedException)
            {
                // The accelerator cannot page-lock: a pinned array still copies, without DMA.
            }
        }

        _pinned = GC.AllocateUninitializedArray<T>(length, pinned: true);
    }

    /// <summary>The elements.</summary>
    public int Length { get; }

    /// <summary>Whether the memory is page-locked by the accelerator.</summary>
    public bool IsPageLocked => _pageLocked is not null;

    /// <summary>The host memory.</summary>
    public Span<T> Span => _pageLocked is not null ? _pageLocked.Span : _pinned;

    /// <summary>Enqueues a copy of the first <paramref name="count"/> elements into <paramref name="target"/> on <paramref name="stream"/>.</summary>
    public void CopyTo(AcceleratorStream stream, ArrayView<T> target, int count)
    {
        CheckCount(count, target.Length);
        if (count == 0)
        {
            return;
        }

        if (_pageLocked is not null)
        {
            target.SubView(0, count).CopyFrom(stream, _pageLocked.ArrayView.SubView(0, count));
        }
        else
        {
            target.SubView(0, count).CopyFromCPU(stream, ref _pinned![0], count);
        }
    }

    /// <summary>Enqueues a copy of the first <paramref name="count"/> elements of <paramref name="source"/> into this buffer on <paramref name="stream"/>.</summary>
    public void CopyFrom(AcceleratorStream stream, ArrayView<T> source, int count)
    {
        CheckCount(count, source.Length);
        if (count == 0)
        {
            return;
        }

        if (_pageLocked is not null)
        {
            source.SubView(0, count).CopyTo(stream, _pageLocked.ArrayView.SubView(0, count));
        }
        else
        {
            source.SubView(0, count).CopyToCPU(stream, ref _pinned![0], count);
        }
    }

    /// <summary>Frees the page-locked memory.</summary>
    public void Dispose() => _pageLocked?.Dispose();

    private void CheckCount(int count, long viewLength)
    {
        if ((uint)count > (uint)Length || count > viewLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"host buffer has {Length} elements, the view {viewLength}");
        }
    }
}
