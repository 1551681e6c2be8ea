using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace Dsl.Gpu;

/// <summary>
/// One batch of a generated GPU kernel on the device: the input columns it uploads, the output columns it allocates,
/// the keep byte and fault code of every row, and after the launch the rows it keeps, downloaded into column builders.
/// Every buffer is rented from the accelerator's pool and returned when the batch is disposed. Generated code makes
/// one per batch, inside <see cref="DeviceSegment.Run"/>, which holds the device for it.
/// </summary>
public sealed class DeviceBatch : IDisposable
{
    private readonly GpuAccelerator _accelerator;
    private readonly List<IDisposable> _rented = [];
    private readonly DeviceBuffer<byte> _keep;
    private readonly DeviceBuffer<int> _faults;
    private int[]? _selection;
    private int _kept;

    internal DeviceBatch(GpuAccelerator accelerator, int rows)
    {
        _accelerator = accelerator;
        Rows = rows;
        _keep = Rent<byte>(rows);
        _faults = Rent<int>(rows);
    }

    /// <summary>The rows of the batch.</summary>
    public int Rows { get; }

    /// <summary>Each row's keep byte: 1 when the row reaches the output, 0 when a filter drops it.</summary>
    public ArrayView<byte> Keep => _keep.View;

    /// <summary>Each row's <see cref="FaultCodes">fault code</see>, cleared before the launch.</summary>
    public ArrayView<int> Faults => _faults.View;

    /// <summary>The words of a validity bitmap of the batch's rows.</summary>
    public int ValidityWords => (Rows + 63) / 64;

    private AcceleratorStream Stream => _accelerator.Accelerator.DefaultStream;

    /// <summary>An input column's values on the device.</summary>
    public ArrayView<T> Upload<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        DeviceBuffer<T> buffer = Rent<T>(Rows);
        if (Rows > 0)
        {
            buffer.View.CopyFromCPU(values[..Rows]);
        }
        return buffer.View;
    }

    /// <summary>A table indexed by value rather than by row (a string expression per dictionary entry), on the device.</summary>
    public ArrayView<T> UploadTable<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        DeviceBuffer<T> buffer = Rent<T>(values.Length);
        if (values.Length > 0)
        {
            buffer.View.CopyFromCPU(values);
        }
        return buffer.View;
    }

    /// <summary>A bool column's values on the device, one byte each (0 or 1).</summary>
    public ArrayView<byte> UploadBools(ReadOnlySpan<bool> values) => Upload(MemoryMarshal.Cast<bool, byte>(values));

    /// <summary>An input column's validity words on the device; a column without a bitmap (no nulls) uploads every bit set.</summary>
    public ArrayView<ulong> UploadValidity(ValidityBitmap? validity)
    {
        DeviceBuffer<ulong> buffer = Rent<ulong>(ValidityWords);
        if (ValidityWords == 0)
        {
            return buffer.View;
        }
        if (validity is null)
        {
            ulong[] all = new ulong[ValidityWords];
            Array.Fill(all, ulong.MaxValue);
            buffer.View.CopyFromCPU(all);
        }
        else
        {
            buffer.View.CopyFromCPU((ReadOnlySpan<ulong>)validity.Words[..ValidityWords]);
        }
        return buffer.View;
    }

    /// <summary>An output column's values on the device, one per row (rows the kernel drops or leaves null are not written).</summary>
    public ArrayView<T> Output<T>()
        where T : unmanaged => Rent<T>(Rows).View;

    /// <summary>An output column's validity words on the device, cleared: the kernel sets the bit of each non-null value.</summary>
    public ArrayView<ulong> OutputValidity()
    {
        DeviceBuffer<ulong> buffer = Rent<ulong>(ValidityWords);
        if (ValidityWords > 0)
        {
            buffer.View.MemSetToZero(Stream);
        }
        return buffer.View;
    }

    /// <summary>
    /// Launches <paramref name="kernel"/> over the batch and waits. False when a row faulted: the caller runs the batch
    /// on the CPU kernel, which throws what the row's C# throws.
    /// </summary>
    /// <exception cref="KernelCompileException">ILGPU cannot compile the kernel (the context was recreated).</exception>
    public bool Launch<TColumns, TParameters>(Action<TColumns, TParameters, int> kernel, in TColumns columns, in TParameters parameters)
        where TColumns : struct
        where TParameters : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (Rows == 0)
        {
            return true;
        }
        GridStrideKernel<TColumns, TParameters> loaded = _accelerator.Kernels.GetOrLoad(kernel);
        using DeviceBuffer<int> summary = _accelerator.Buffers.Rent<int>(1);
        Faults.MemSetToZero(Stream);
        loaded.Launch(Stream, columns, parameters, Rows);
        FaultProtocol.EnqueueFirstFault(_accelerator, Stream, Faults, summary.View, Rows);
        Stream.Synchronize();
        int found = 0;
        summary.View.CopyToCPU(ref found, 1);
        return FaultProtocol.FirstFaultRow(found, Rows) < 0;
    }

    /// <summary>The positions of the rows the kernel kept, in order (after <see cref="Launch"/>).</summary>
    public ReadOnlySpan<int> Selection
    {
        get
        {
            if (_selection is null)
            {
                byte[] keep = new byte[Rows];
                if (Rows > 0)
                {
                    Keep.CopyToCPU(keep);
                }
                _selection = new int[Rows];
                for (int i = 0; i < Rows; i++)
                {
                    if (keep[i] != 0)
                    {
                        _selection[_kept++] = i;
                    }
                }
            }
            return _selection.AsSpan(0, _kept);
        }
    }

    /// <summary>The kept rows' values of an output column, in order, into <paramref name="into"/> (at least <see cref="Selection"/>'s length).</summary>
    public void Download<T>(ArrayView<T> view, Span<T> into)
        where T : unmanaged
    {
        ReadOnlySpan<int> selection = Selection;
        if (selection.Length == 0)
        {
            return;
        }
        if (selection.Length == Rows)
        {
            view.CopyToCPU(into[..Rows]);
            return;
        }
        T[] all = new T[Rows];
        view.CopyToCPU(all);
        for (int k = 0; k < selection.Length; k++)
        {
            into[k] = all[selection[k]];
        }
    }

    /// <summary>The kept rows' bools of an output column (bytes on the device), in order.</summary>
    public void DownloadBools(ArrayView<byte> view, Span<bool> into) => Download(view, MemoryMarshal.Cast<bool, byte>(into));

    /// <summary>The kept rows' validity bits of an output column, in order, into <paramref name="into"/>.</summary>
    public void DownloadValidity(ArrayView<ulong> words, ValidityBitmap into)
    {
        ArgumentNullException.ThrowIfNull(into);
        ReadOnlySpan<int> selection = Selection;
        if (selection.Length == 0)
        {
            return;
        }
        ulong[] all = new ulong[ValidityWords];
        words.CopyToCPU(all);
        for (int k = 0; k < selection.Length; k++)
        {
            int row = selection[k];
            into.Set(k, (all[row >> 6] & (1UL << row)) != 0);
        }
    }

    /// <summary>Returns every buffer to the pool.</summary>
    public void Dispose()
    {
        foreach (IDisposable buffer in _rented)
        {
            buffer.Dispose();
        }
        _rented.Clear();
    }

    private DeviceBuffer<T> Rent<T>(int length)
        where T : unmanaged
    {
        DeviceBuffer<T> buffer = _accelerator.Buffers.Rent<T>(length);
        _rented.Add(buffer);
        return buffer;
    }
}
