using ILGPU;
using ILGPU.Runtime;

namespace Dsl.Gpu;

/// <summary>
/// The codes a kernel writes into its per-row fault view instead of throwing (an exception inside a kernel kills the
/// process on ILGPU's CPU accelerator, and CUDA has none). Any code other than <see cref="None"/> sends the batch to
/// the CPU kernel, which raises the C# exception itself.
/// </summary>
public static class FaultCodes
{
    /// <summary>The row computed without fault.</summary>
    public const int None = 0;

    /// <summary>Integer <c>/</c> or <c>%</c> by zero: <see cref="DivideByZeroException"/> in C#.</summary>
    public const int DivideByZero = 1;

    /// <summary>An overflow C# raises (<c>MinValue / -1</c>, checked arithmetic or conversions): <see cref="OverflowException"/>.</summary>
    public const int Overflow = 2;

    /// <summary>An index outside a lookup table: <see cref="IndexOutOfRangeException"/>.</summary>
    public const int IndexOutOfRange = 3;

    /// <summary><c>.Value</c> of a null <c>Nullable&lt;T&gt;</c>, or a cast of one to its value type: <see cref="InvalidOperationException"/>.</summary>
    public const int NullValue = 4;

    /// <summary>The C# of a string sub-expression threw for the row's dictionary entry (found on the host, before the launch).</summary>
    public const int Thrown = 5;

    /// <summary>The C# exception a code stands for, by name, for messages.</summary>
    public static string Describe(int code) => code switch
    {
        None => "none",
        DivideByZero => nameof(DivideByZeroException),
        Overflow => nameof(OverflowException),
        IndexOutOfRange => nameof(IndexOutOfRangeException),
        NullValue => nameof(InvalidOperationException),
        Thrown => "an exception of the row's string expression",
        _ => $"fault code {code}",
    };
}

/// <summary>How a batch ran under <see cref="FaultProtocol.Run"/>.</summary>
/// <param name="RanOnCpu">Whether a row faulted, so the CPU kernel ran the batch (and returned without throwing).</param>
/// <param name="FaultRow">The first faulting row, or -1.</param>
/// <param name="FaultCode">That row's <see cref="FaultCodes">code</see>, or <see cref="FaultCodes.None"/>.</param>
public readonly record struct BatchOutcome(bool RanOnCpu, int FaultRow, int FaultCode);

/// <summary>The host side of the fault codes: launch on the device, look for a fault, re-run the batch on the CPU if any.</summary>
public static class FaultProtocol
{
    /// <summary>
    /// Clears a fault view of <paramref name="rows"/> ints, calls <paramref name="launch"/> to enqueue the kernel with
    /// it on <paramref name="stream"/>, waits, and finds the first faulting row on the device (one int comes back).
    /// On a fault it calls <paramref name="cpuFallback"/>, which runs the batch as C# and so throws the row's exception;
    /// if it returns, its results are the batch's and the outcome says so.
    /// </summary>
    public static BatchOutcome Run(
        GpuAccelerator accelerator,
        AcceleratorStream stream,
        int rows,
        Action<ArrayView<int>> launch,
        Action cpuFallback)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(cpuFallback);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (rows == 0)
        {
            // ILGPU's views of no elements cannot even be cleared; no rows, no fault.
            return new BatchOutcome(false, -1, FaultCodes.None);
        }

        using var faults = accelerator.Buffers.Rent<int>(rows);
        using var summary = accelerator.Buffers.Rent<int>(1);
        faults.View.MemSetToZero(stream);
        launch(faults.View);
        EnqueueFirstFault(accelerator, stream, faults.View, summary.View, rows);
        stream.Synchronize();

        var found = 0;
        summary.View.CopyToCPU(ref found, 1);
        var row = FirstFaultRow(found, rows);
        if (row < 0)
        {
            return new BatchOutcome(false, -1, FaultCodes.None);
        }

        var code = 0;
        faults.View.SubView(row, 1).CopyToCPU(ref code, 1);
        cpuFallback();
        return new BatchOutcome(true, row, code);
    }

    /// <summary>
    /// Enqueues the search for the first faulting row of <paramref name="faults"/> (cleared before the kernel ran) into
    /// <c>summary[0]</c>, for a caller that waits on the stream itself; read it with <see cref="FirstFaultRow"/>.
    /// </summary>
    public static void EnqueueFirstFault(GpuAccelerator accelerator, AcceleratorStream stream, ArrayView<int> faults, ArrayView<int> summary, int rows)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        if (summary.Length < 1)
        {
            throw new ArgumentException("the summary view needs one element", nameof(summary));
        }

        var scan = accelerator.Kernels.GetOrLoad<FaultScanColumns, FaultScanParameters>(FirstFault);
        summary.SubView(0, 1).MemSetToZero(stream);
        if (rows == 0)
        {
            return;
        }

        scan.Launch(stream, new FaultScanColumns { Faults = faults, Summary = summary }, default, rows);
    }

    /// <summary>The first faulting row from the summary <see cref="EnqueueFirstFault"/> wrote, or -1 when no row faulted.</summary>
    public static int FirstFaultRow(int summary, int rows) => summary == 0 ? -1 : rows - summary;

    // Summary[0] = max(rows - i) over faulting rows i, so the first fault wins and 0 (the cleared value) means none.
    private static void FirstFault(FaultScanColumns columns, FaultScanParameters parameters, int rows)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < rows; i += stride)
        {
            if (columns.Faults[i] != FaultCodes.None)
            {
                Atomic.Max(ref columns.Summary[0], rows - i);
            }
        }
    }

    internal struct FaultScanColumns
    {
        public ArrayView<int> Faults;

        [Lookup]
        public ArrayView<int> Summary;
    }

    internal struct FaultScanParameters
    {
    }
}
