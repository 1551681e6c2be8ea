using ILGPU;
using ILGPU.Runtime;

namespace Dsl.Gpu.Tests.Sample;

// A hand-written kernel of the shape the generator's ILGPU emitter is to emit for the sample pipeline's arithmetic,
// with the same stage written as plain C# (the CPU kernel it must match). Shared with tests/tools/gpu/Dsl.Gpu.Check.

/// <summary>The stage parameters.</summary>
public struct SampleParameters
{
    public double Mean;
    public double Std;
    public double Threshold;
}

/// <summary>The columns: inputs, outputs (validity words cleared before the launch) and the fault codes.</summary>
public struct SampleColumns
{
    public ArrayView<double> Amount;
    [ValidityWords]
    public ArrayView<ulong> AmountValid;
    public ArrayView<long> Count;
    public ArrayView<long> Divisor;
    [ValidityWords]
    public ArrayView<ulong> DivisorValid;

    public ArrayView<double> Score;
    [ValidityWords]
    public ArrayView<ulong> ScoreValid;
    public ArrayView<double> Root;
    public ArrayView<byte> IsLarge;
    public ArrayView<float> Scaled;
    public ArrayView<int> Bucket;
    public ArrayView<double> CountAsDouble;
    public ArrayView<double> Mixed;
    public ArrayView<long> Ratio;
    [ValidityWords]
    public ArrayView<ulong> RatioValid;
    public ArrayView<int> Faults;
}

public static class SampleKernel
{
    public static void Kernel(SampleColumns c, SampleParameters p, int rows)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < rows; i += stride)
        {
            var word = i >> 6;
            var bit = 1UL << i;
            if ((c.AmountValid[word] & bit) != 0)
            {
                var amount = c.Amount[i];
                var score = (amount - p.Mean) / p.Std;
                c.Score[i] = score;

                // Rows of one word run on different threads: set the bit atomically.
                Atomic.Or(ref c.ScoreValid[word], bit);
                c.Root[i] = Math.Sqrt(score);
                c.IsLarge[i] = score > p.Threshold ? (byte)1 : (byte)0;
                c.Scaled[i] = (float)score;
                c.Bucket[i] = (int)(score * 10.0);
                c.Mixed[i] = (amount * p.Std) + p.Mean;
            }
            else
            {
                c.Score[i] = 0;
                c.Root[i] = 0;
                c.IsLarge[i] = 0;
                c.Scaled[i] = 0;
                c.Bucket[i] = 0;
                c.Mixed[i] = 0;
            }

            var count = c.Count[i];
            c.CountAsDouble[i] = count;
            c.Ratio[i] = 0;
            if ((c.DivisorValid[word] & bit) != 0)
            {
                var divisor = c.Divisor[i];
                if (divisor == 0)
                {
                    c.Faults[i] = FaultCodes.DivideByZero;
                }
                else if (divisor == -1 && count == long.MinValue)
                {
                    c.Faults[i] = FaultCodes.Overflow;
                }
                else
                {
                    c.Ratio[i] = count / divisor;
                    Atomic.Or(ref c.RatioValid[word], bit);
                }
            }
        }
    }
}

/// <summary>The inputs of a batch, on the host.</summary>
public sealed class SampleData
{
    public required double[] Amount { get; init; }
    public required ulong[] AmountValid { get; init; }
    public required long[] Count { get; init; }
    public required long[] Divisor { get; init; }
    public required ulong[] DivisorValid { get; init; }

    public int Rows => Amount.Length;

    public static readonly SampleParameters Parameters = new() { Mean = 3.25, Std = 1.7, Threshold = 0.5 };

    /// <summary>Random rows with NaN, infinities, signed zeros, subnormals, nulls; zero divisors only where asked.</summary>
    public static SampleData Random(int rows, int seed, bool zeroDivisors = false)
    {
        var random = new Random(seed);
        double[] specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1e-310, 3.25];
        long[] countSpecials = [long.MinValue, long.MaxValue, 0, -1, 1];
        var words = (rows + 63) / 64;
        var data = new SampleData
        {
            Amount = new double[rows],
            AmountValid = new ulong[words],
            Count = new long[rows],
            Divisor = new long[rows],
            DivisorValid = new ulong[words],
        };
        for (var i = 0; i < rows; i++)
        {
            data.Amount[i] = random.Next(8) == 0
                ? specials[random.Next(specials.Length)]
                : (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-3, 6));
            if (random.Next(10) != 0)
            {
                data.AmountValid[i >> 6] |= 1UL << i;
            }

            data.Count[i] = random.Next(10) == 0 ? countSpecials[random.Next(countSpecials.Length)] : random.NextInt64(-1_000_000, 1_000_000);
            var divisor = random.NextInt64(-5, 6);
            data.Divisor[i] = divisor == 0 && !zeroDivisors ? 3 : divisor;

            // MinValue / -1 overflows in C#: keep it out of fault-free data.
            if (data.Count[i] == long.MinValue && data.Divisor[i] == -1)
            {
                data.Divisor[i] = 2;
            }

            if (random.Next(10) != 0)
            {
                data.DivisorValid[i >> 6] |= 1UL << i;
            }
        }

        return data;
    }

    /// <summary>Rows [start, start + rows) as a batch of their own.</summary>
    public SampleData Slice(int start, int rows)
    {
        var slice = new SampleData
        {
            Amount = Amount.AsSpan(start, rows).ToArray(),
            AmountValid = new ulong[(rows + 63) / 64],
            Count = Count.AsSpan(start, rows).ToArray(),
            Divisor = Divisor.AsSpan(start, rows).ToArray(),
            DivisorValid = new ulong[(rows + 63) / 64],
        };
        for (var i = 0; i < rows; i++)
        {
            var source = start + i;
            if ((AmountValid[source >> 6] & (1UL << source)) != 0)
            {
                slice.AmountValid[i >> 6] |= 1UL << i;
            }

            if ((DivisorValid[source >> 6] & (1UL << source)) != 0)
            {
                slice.DivisorValid[i >> 6] |= 1UL << i;
            }
        }

        return slice;
    }
}

/// <summary>The outputs of a batch, on the host; nulls hold 0.</summary>
public sealed class SampleResult
{
    public SampleResult(int rows)
    {
        var words = (rows + 63) / 64;
        Score = new double[rows];
        ScoreValid = new ulong[words];
        Root = new double[rows];
        IsLarge = new byte[rows];
        Scaled = new float[rows];
        Bucket = new int[rows];
        CountAsDouble = new double[rows];
        Mixed = new double[rows];
        Ratio = new long[rows];
        RatioValid = new ulong[words];
    }

    public double[] Score { get; }
    public ulong[] ScoreValid { get; }
    public double[] Root { get; }
    public byte[] IsLarge { get; }
    public float[] Scaled { get; }
    public int[] Bucket { get; }
    public double[] CountAsDouble { get; }
    public double[] Mixed { get; }
    public long[] Ratio { get; }
    public ulong[] RatioValid { get; }
}

/// <summary>The stage as the user's C#, row by row: the CPU kernel, and what a faulting batch re-runs on.</summary>
public static class SampleCpu
{
    public static SampleResult Run(SampleData data, SampleParameters p)
    {
        var result = new SampleResult(data.Rows);
        Run(data, p, result, 0);
        return result;
    }

    /// <summary>Writes rows of <paramref name="data"/> into <paramref name="result"/> from row <paramref name="offset"/>.</summary>
    public static void Run(SampleData data, SampleParameters p, SampleResult result, int offset)
    {
        for (var i = 0; i < data.Rows; i++)
        {
            double? amount = (data.AmountValid[i >> 6] & (1UL << i)) != 0 ? data.Amount[i] : null;
            long? divisor = (data.DivisorValid[i >> 6] & (1UL << i)) != 0 ? data.Divisor[i] : null;
            var count = data.Count[i];

            double? score = (amount - p.Mean) / p.Std;
            double? root = score is { } s ? Math.Sqrt(s) : null;
            var isLarge = score > p.Threshold;
            var scaled = (float?)score;
            var bucket = (int?)(score * 10.0);
            double countAsDouble = count;
            double? mixed = (amount * p.Std) + p.Mean;

            // Throws DivideByZeroException or OverflowException as the stage would.
            var ratio = count / divisor;

            var row = offset + i;
            result.Score[row] = score ?? 0;
            if (score.HasValue)
            {
                result.ScoreValid[row >> 6] |= 1UL << row;
            }

            result.Root[row] = root ?? 0;
            result.IsLarge[row] = isLarge ? (byte)1 : (byte)0;
            result.Scaled[row] = scaled ?? 0;
            result.Bucket[row] = bucket ?? 0;
            result.CountAsDouble[row] = countAsDouble;
            result.Mixed[row] = mixed ?? 0;
            result.Ratio[row] = ratio ?? 0;
            if (ratio.HasValue)
            {
                result.RatioValid[row >> 6] |= 1UL << row;
            }
        }
    }
}

/// <summary>The sample stage on an accelerator: upload, launch under the fault protocol, download.</summary>
public static class SampleGpu
{
    public static SampleResult Run(GpuAccelerator accelerator, SampleData data, SampleParameters p, out BatchOutcome outcome)
    {
        var rows = data.Rows;
        var words = (rows + 63) / 64;
        var kernel = accelerator.Kernels.GetOrLoad<SampleColumns, SampleParameters>(SampleKernel.Kernel);
        var stream = accelerator.Accelerator.DefaultStream;
        using var amount = Upload(accelerator, data.Amount);
        using var amountValid = Upload(accelerator, data.AmountValid);
        using var count = Upload(accelerator, data.Count);
        using var divisor = Upload(accelerator, data.Divisor);
        using var divisorValid = Upload(accelerator, data.DivisorValid);
        using var score = accelerator.Buffers.Rent<double>(rows);
        using var scoreValid = Cleared<ulong>(accelerator, words);
        using var root = accelerator.Buffers.Rent<double>(rows);
        using var isLarge = accelerator.Buffers.Rent<byte>(rows);
        using var scaled = accelerator.Buffers.Rent<float>(rows);
        using var bucket = accelerator.Buffers.Rent<int>(rows);
        using var countAsDouble = accelerator.Buffers.Rent<double>(rows);
        using var mixed = accelerator.Buffers.Rent<double>(rows);
        using var ratio = accelerator.Buffers.Rent<long>(rows);
        using var ratioValid = Cleared<ulong>(accelerator, words);

        var result = new SampleResult(rows);
        outcome = FaultProtocol.Run(
            accelerator,
            stream,
            rows,
            faults => kernel.Launch(
                stream,
                new SampleColumns
                {
                    Amount = amount.View,
                    AmountValid = amountValid.View,
                    Count = count.View,
                    Divisor = divisor.View,
                    DivisorValid = divisorValid.View,
                    Score = score.View,
                    ScoreValid = scoreValid.View,
                    Root = root.View,
                    IsLarge = isLarge.View,
                    Scaled = scaled.View,
                    Bucket = bucket.View,
                    CountAsDouble = countAsDouble.View,
                    Mixed = mixed.View,
                    Ratio = ratio.View,
                    RatioValid = ratioValid.View,
                    Faults = faults,
                },
                p,
                rows),
            () => SampleCpu.Run(data, p, result, 0));
        if (outcome.RanOnCpu)
        {
            return result;
        }

        Download(score, result.Score);
        Download(scoreValid, result.ScoreValid);
        Download(root, result.Root);
        Download(isLarge, result.IsLarge);
        Download(scaled, result.Scaled);
        Download(bucket, result.Bucket);
        Download(countAsDouble, result.CountAsDouble);
        Download(mixed, result.Mixed);
        Download(ratio, result.Ratio);
        Download(ratioValid, result.RatioValid);
        return result;
    }

    public static DeviceBuffer<T> Upload<T>(GpuAccelerator accelerator, T[] host)
        where T : unmanaged
    {
        var buffer = accelerator.Buffers.Rent<T>(host.Length);
        if (host.Length > 0)
        {
            buffer.View.CopyFromCPU(ref host[0], host.Length);
        }

        return buffer;
    }

    public static DeviceBuffer<T> Cleared<T>(GpuAccelerator accelerator, int length)
        where T : unmanaged
    {
        var buffer = accelerator.Buffers.Rent<T>(length);
        if (length > 0)
        {
            buffer.View.MemSetToZero();
        }

        return buffer;
    }

    public static void Download<T>(DeviceBuffer<T> buffer, T[] host)
        where T : unmanaged
    {
        if (host.Length > 0)
        {
            buffer.View.SubView(0, host.Length).CopyToCPU(ref host[0], host.Length);
        }
    }
}
