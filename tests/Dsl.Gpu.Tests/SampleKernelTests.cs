using Dsl.Gpu.Tests.Sample;

namespace Dsl.Gpu.Tests;

public sealed class SampleKernelTests
{
    private static readonly SampleParameters P = SampleData.Parameters;

    [Theory]
    [InlineData(3001, 1)]
    [InlineData(3001, 2)]
    [InlineData(64, 3)]
    [InlineData(1, 4)]
    [InlineData(0, 5)]
    public void The_kernel_on_the_cpu_accelerator_matches_the_csharp_bit_for_bit(int rows, int seed)
    {
        var data = SampleData.Random(rows, seed);
        var expected = SampleCpu.Run(data, P);
        var actual = SampleGpu.Run(GpuRuntime.Shared.GetAccelerator(GpuDevice.CpuEmulator), data, P, out var outcome);

        Assert.False(outcome.RanOnCpu);
        Assert.Equal(-1, outcome.FaultRow);
        SampleAssert.BitIdentical(expected, actual, includeMixed: true);
    }

    [Fact]
    public void The_random_data_has_the_special_values_the_test_claims()
    {
        var data = SampleData.Random(3001, 1);
        Assert.Contains(data.Amount, double.IsNaN);
        Assert.Contains(data.Amount, double.IsPositiveInfinity);
        Assert.Contains(data.Amount, double.IsNegativeInfinity);
        Assert.Contains(data.Amount, double.IsSubnormal);
        Assert.Contains(data.Count, c => c == long.MinValue);
        Assert.Contains(data.Divisor, d => d < 0);
        var nullAmounts = Enumerable.Range(0, data.Rows).Count(i => (data.AmountValid[i >> 6] & (1UL << i)) == 0);
        Assert.InRange(nullAmounts, 200, 400);
    }

    [Fact]
    public void A_zero_divisor_reruns_the_batch_on_the_cpu_which_throws_DivideByZeroException()
    {
        var data = SampleData.Random(2000, 7, zeroDivisors: true);
        Assert.Throws<DivideByZeroException>(() => SampleCpu.Run(data, P));
        Assert.Throws<DivideByZeroException>(() => SampleGpu.Run(GpuRuntime.Shared.GetAccelerator(GpuDevice.CpuEmulator), data, P, out _));
    }

    [Fact]
    public void MinValue_divided_by_minus_one_reruns_on_the_cpu_which_throws_OverflowException()
    {
        var data = SampleData.Random(500, 8);
        data.Count[321] = long.MinValue;
        data.Divisor[321] = -1;
        data.DivisorValid[321 >> 6] |= 1UL << 321;
        Assert.Throws<OverflowException>(() => SampleGpu.Run(GpuRuntime.Shared.GetAccelerator(GpuDevice.CpuEmulator), data, P, out _));
    }

    [Fact]
    public void The_first_faulting_row_and_its_code_are_reported_and_null_divisors_do_not_fault()
    {
        var accelerator = GpuRuntime.Shared.GetAccelerator(GpuDevice.CpuEmulator);
        var data = SampleData.Random(2000, 9);
        SetDivisor(data, 1500, 0, valid: true);
        SetDivisor(data, 1200, -1, valid: true);
        data.Count[1200] = long.MinValue;
        SetDivisor(data, 700, 0, valid: true);
        SetDivisor(data, 300, 0, valid: false);

        var kernel = accelerator.Kernels.GetOrLoad<SampleColumns, SampleParameters>(SampleKernel.Kernel);
        var fallbacks = 0;
        using var slot = new SampleSlot(accelerator, data.Rows);
        slot.Fill(data, 0, data.Rows);
        var stream = accelerator.Accelerator.DefaultStream;
        var c = slot.Columns;
        slot.HostAmount.CopyTo(stream, c.Amount, data.Rows);
        slot.HostAmountValid.CopyTo(stream, c.AmountValid, slot.HostAmountValid.Length);
        slot.HostCount.CopyTo(stream, c.Count, data.Rows);
        slot.HostDivisor.CopyTo(stream, c.Divisor, data.Rows);
        slot.HostDivisorValid.CopyTo(stream, c.DivisorValid, slot.HostDivisorValid.Length);
        var outcome = FaultProtocol.Run(
            accelerator,
            stream,
            data.Rows,
            faults => kernel.Launch(stream, c with { Faults = faults }, P, data.Rows),
            () => fallbacks++);

        Assert.Equal(new BatchOutcome(true, 700, FaultCodes.DivideByZero), outcome);
        Assert.Equal(1, fallbacks);

        SetDivisor(data, 700, 1, valid: true);
        SetDivisor(data, 1500, 1, valid: true);
        slot.Fill(data, 0, data.Rows);
        slot.HostDivisor.CopyTo(stream, c.Divisor, data.Rows);
        outcome = FaultProtocol.Run(accelerator, stream, data.Rows, faults => kernel.Launch(stream, c with { Faults = faults }, P, data.Rows), () => fallbacks++);
        Assert.Equal(new BatchOutcome(true, 1200, FaultCodes.Overflow), outcome);
    }

    [Fact]
    public void A_launch_with_a_short_view_is_refused_with_a_message_and_the_next_launch_runs()
    {
        var accelerator = GpuRuntime.Shared.GetAccelerator(GpuDevice.CpuEmulator);
        var kernel = accelerator.Kernels.GetOrLoad<SampleColumns, SampleParameters>(SampleKernel.Kernel);
        var data = SampleData.Random(100, 10);
        using var slot = new SampleSlot(accelerator, 100);
        var columns = slot.Columns with { Amount = slot.Columns.Amount.SubView(0, 99) };

        var error = Assert.Throws<ArgumentException>(() => kernel.Launch(accelerator.Accelerator.DefaultStream, columns, P, 100));
        Assert.StartsWith("kernel launch refused: SampleColumns.Amount has 99 elements; 100 rows need 100", error.Message);

        var result = SampleGpu.Run(accelerator, data, P, out _);
        SampleAssert.BitIdentical(SampleCpu.Run(data, P), result, includeMixed: true);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Two_streams_over_five_batches_give_the_same_results_in_order(bool pageLocked)
    {
        var accelerator = GpuRuntime.Shared.GetAccelerator(GpuDevice.CpuEmulator);
        var kernel = accelerator.Kernels.GetOrLoad<SampleColumns, SampleParameters>(SampleKernel.Kernel);
        const int batchRows = 1000;
        var data = SampleData.Random((batchRows * 4) + 37, 11);
        var expected = SampleCpu.Run(data, P);
        var batches = (data.Rows + batchRows - 1) / batchRows;
        var score = new double[data.Rows];
        var ratio = new long[data.Rows];
        var events = new List<string>();

        using var first = new SampleSlot(accelerator, batchRows, pageLocked);
        using var second = new SampleSlot(accelerator, batchRows, pageLocked);
        DoubleBuffered.Run(
            accelerator,
            first,
            second,
            batches,
            (slot, batch) =>
            {
                events.Add($"fill {batch}");
                slot.Fill(data, batch * batchRows, Math.Min(batchRows, data.Rows - (batch * batchRows)));
            },
            (slot, stream, batch) => slot.Enqueue(accelerator, kernel, stream, P),
            (slot, batch) =>
            {
                events.Add($"complete {batch}");
                Assert.Equal(-1, FaultProtocol.FirstFaultRow(slot.HostSummary.Span[0], slot.Rows));
                var start = batch * batchRows;
                slot.HostScore.Span[..slot.Rows].CopyTo(score.AsSpan(start));
                slot.HostRatio.Span[..slot.Rows].CopyTo(ratio.AsSpan(start));
                for (var i = 0; i < slot.Rows; i++)
                {
                    var row = start + i;
                    Assert.Equal((expected.ScoreValid[row >> 6] >> row) & 1, (slot.HostScoreValid.Span[i >> 6] >> i) & 1);
                    Assert.Equal((expected.RatioValid[row >> 6] >> row) & 1, (slot.HostRatioValid.Span[i >> 6] >> i) & 1);
                }
            });

        Assert.Equal(
            ["fill 0", "fill 1", "complete 0", "fill 2", "complete 1", "fill 3", "complete 2", "fill 4", "complete 3", "complete 4"],
            events);
        Assert.Equal(pageLocked, first.HostAmount.IsPageLocked);
        SampleAssert.Bits("Score", expected.Score, score);
        Assert.Equal(expected.Ratio, ratio);
    }

    private static void SetDivisor(SampleData data, int row, long divisor, bool valid)
    {
        data.Divisor[row] = divisor;
        if (valid)
        {
            data.DivisorValid[row >> 6] |= 1UL << row;
        }
        else
        {
            data.DivisorValid[row >> 6] &= ~(1UL << row);
        }
    }
}

internal static class SampleAssert
{
    public static void BitIdentical(SampleResult expected, SampleResult actual, bool includeMixed)
    {
        Bits("Score", expected.Score, actual.Score);
        Assert.Equal(expected.ScoreValid, actual.ScoreValid);
        Bits("Root", expected.Root, actual.Root);
        Assert.Equal(expected.IsLarge, actual.IsLarge);
        Assert.Equal(expected.Scaled.Select(BitConverter.SingleToInt32Bits), actual.Scaled.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected.Bucket, actual.Bucket);
        Bits("CountAsDouble", expected.CountAsDouble, actual.CountAsDouble);
        if (includeMixed)
        {
            Bits("Mixed", expected.Mixed, actual.Mixed);
        }

        Assert.Equal(expected.Ratio, actual.Ratio);
        Assert.Equal(expected.RatioValid, actual.RatioValid);
    }

    public static void Bits(string column, double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var mismatch = Mismatches(expected, actual);
        if (mismatch.Count > 0)
        {
            var row = mismatch[0];
            Assert.Fail($"{column}: {mismatch.Count} rows differ; row {row}: expected {expected[row]:R} ({BitConverter.DoubleToInt64Bits(expected[row]):X16}), got {actual[row]:R} ({BitConverter.DoubleToInt64Bits(actual[row]):X16})");
        }
    }

    public static List<int> Mismatches(double[] expected, double[] actual) =>
        [.. Enumerable.Range(0, expected.Length).Where(i => BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))];
}
