using ILGPU.Runtime;

namespace Dsl.Gpu.Tests.Sample;

/// <summary>One slot of <see cref="DoubleBuffered"/> for the sample stage: host buffers and device buffers of every column.</summary>
public sealed class SampleSlot : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public SampleSlot(GpuAccelerator accelerator, int capacity, bool pageLocked = true)
    {
        Capacity = capacity;
        var words = (capacity + 63) / 64;
        HostAmount = Own(accelerator.AllocateHost<double>(capacity, pageLocked));
        HostAmountValid = Own(accelerator.AllocateHost<ulong>(words, pageLocked));
        HostCount = Own(accelerator.AllocateHost<long>(capacity, pageLocked));
        HostDivisor = Own(accelerator.AllocateHost<long>(capacity, pageLocked));
        HostDivisorValid = Own(accelerator.AllocateHost<ulong>(words, pageLocked));
        HostScore = Own(accelerator.AllocateHost<double>(capacity, pageLocked));
        HostScoreValid = Own(accelerator.AllocateHost<ulong>(words, pageLocked));
        HostRatio = Own(accelerator.AllocateHost<long>(capacity, pageLocked));
        HostRatioValid = Own(accelerator.AllocateHost<ulong>(words, pageLocked));
        HostSummary = Own(accelerator.AllocateHost<int>(1, pageLocked));
        var pool = accelerator.Buffers;
        Columns = new SampleColumns
        {
            Amount = Own(pool.Rent<double>(capacity)).View,
            AmountValid = Own(pool.Rent<ulong>(words)).View,
            Count = Own(pool.Rent<long>(capacity)).View,
            Divisor = Own(pool.Rent<long>(capacity)).View,
            DivisorValid = Own(pool.Rent<ulong>(words)).View,
            Score = Own(pool.Rent<double>(capacity)).View,
            ScoreValid = Own(pool.Rent<ulong>(words)).View,
            Root = Own(pool.Rent<double>(capacity)).View,
            IsLarge = Own(pool.Rent<byte>(capacity)).View,
            Scaled = Own(pool.Rent<float>(capacity)).View,
            Bucket = Own(pool.Rent<int>(capacity)).View,
            CountAsDouble = Own(pool.Rent<double>(capacity)).View,
            Mixed = Own(pool.Rent<double>(capacity)).View,
            Ratio = Own(pool.Rent<long>(capacity)).View,
            RatioValid = Own(pool.Rent<ulong>(words)).View,
            Faults = Own(pool.Rent<int>(capacity)).View,
        };
        Summary = Own(pool.Rent<int>(1)).View;
    }

    public int Capacity { get; }
    public int Rows { get; set; }
    public SampleColumns Columns { get; }
    public ILGPU.ArrayView<int> Summary { get; }
    public HostBuffer<double> HostAmount { get; }
    public HostBuffer<ulong> HostAmountValid { get; }
    public HostBuffer<long> HostCount { get; }
    public HostBuffer<long> HostDivisor { get; }
    public HostBuffer<ulong> HostDivisorValid { get; }
    public HostBuffer<double> HostScore { get; }
    public HostBuffer<ulong> HostScoreValid { get; }
    public HostBuffer<long> HostRatio { get; }
    public HostBuffer<ulong> HostRatioValid { get; }
    public HostBuffer<int> HostSummary { get; }

    /// <summary>Copies rows [start, start + rows) of <paramref name="data"/> into the host buffers (validity re-based to row 0).</summary>
    public void Fill(SampleData data, int start, int rows)
    {
        Rows = rows;
        data.Amount.AsSpan(start, rows).CopyTo(HostAmount.Span);
        data.Count.AsSpan(start, rows).CopyTo(HostCount.Span);
        data.Divisor.AsSpan(start, rows).CopyTo(HostDivisor.Span);
        var slice = data.Slice(start, rows);
        slice.AmountValid.CopyTo(HostAmountValid.Span);
        slice.DivisorValid.CopyTo(HostDivisorValid.Span);
    }

    /// <summary>Upload, clear, launch, fault scan and download of Score and Ratio, all enqueued on <paramref name="stream"/>.</summary>
    public void Enqueue(GpuAccelerator accelerator, GridStrideKernel<SampleColumns, SampleParameters> kernel, AcceleratorStream stream, SampleParameters p)
    {
        var rows = Rows;
        var words = (rows + 63) / 64;
        var c = Columns;
        HostAmount.CopyTo(stream, c.Amount, rows);
        HostAmountValid.CopyTo(stream, c.AmountValid, words);
        HostCount.CopyTo(stream, c.Count, rows);
        HostDivisor.CopyTo(stream, c.Divisor, rows);
        HostDivisorValid.CopyTo(stream, c.DivisorValid, words);
        c.ScoreValid.SubView(0, Math.Max(words, 1)).MemSetToZero(stream);
        c.RatioValid.SubView(0, Math.Max(words, 1)).MemSetToZero(stream);
        c.Faults.SubView(0, Math.Max(rows, 1)).MemSetToZero(stream);
        kernel.Launch(stream, c, p, rows);
        FaultProtocol.EnqueueFirstFault(accelerator, stream, c.Faults, Summary, rows);
        HostScore.CopyFrom(stream, c.Score, rows);
        HostScoreValid.CopyFrom(stream, c.ScoreValid, words);
        HostRatio.CopyFrom(stream, c.Ratio, rows);
        HostRatioValid.CopyFrom(stream, c.RatioValid, words);
        HostSummary.CopyFrom(stream, Summary, 1);
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
