using Dsl.Gpu.Tests.Sample;
using ILGPU;
using ILGPU.Runtime;
using Xunit.Abstractions;

namespace Dsl.Gpu.Tests;

public sealed class CudaTests(ITestOutputHelper output)
{
    private static readonly SampleParameters P = SampleData.Parameters;

    [CudaFact]
    public void The_sample_kernel_on_cuda_matches_the_csharp_bit_for_bit_except_where_fma_may_contract()
    {
        var accelerator = GpuRuntime.Shared.GetAccelerator(GpuDevice.Cuda);
        var data = SampleData.Random(100_003, 21);
        var expected = SampleCpu.Run(data, P);
        var actual = SampleGpu.Run(accelerator, data, P, out var outcome);

        Assert.False(outcome.RanOnCpu);
        SampleAssert.BitIdentical(expected, actual, includeMixed: false);

        // amount * std + mean: the one column where PTX may fuse into an FMA (one rounding instead of two).
        var mixed = SampleAssert.Mismatches(expected.Mixed, actual.Mixed);
        output.WriteLine($"Mixed (a * b + c): {mixed.Count} of {data.Rows} rows differ from C#");
    }

    [CudaFact]
    public void A_zero_divisor_on_cuda_reruns_on_the_cpu_and_throws()
    {
        var data = SampleData.Random(10_000, 22, zeroDivisors: true);
        Assert.Throws<DivideByZeroException>(() => SampleGpu.Run(GpuRuntime.Shared.GetAccelerator(GpuDevice.Cuda), data, P, out _));
    }

    [CudaFact]
    public void Cuda_page_locks_host_buffers()
    {
        using var host = GpuRuntime.Shared.GetAccelerator(GpuDevice.Cuda).AllocateHost<double>(1024);
        Assert.True(host.IsPageLocked);
    }

    [Fact]
    public void The_csharp_compiler_puts_the_shift_count_mask_into_the_il_so_kernels_see_it()
    {
        // ldc.i4.s 63; and; shl: ILGPU compiles the mask, so no kernel relies on a device masking shift counts.
        var il = typeof(CudaTests).GetMethod(nameof(Shifts), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .GetMethodBody()!.GetILAsByteArray()!;
        Assert.Contains("1F3F5F62", Convert.ToHexString(il), StringComparison.Ordinal);
    }

    [CudaFact]
    public void Shift_counts_of_64_and_more_match_csharp_on_cuda()
    {
        var accelerator = GpuRuntime.Shared.GetAccelerator(GpuDevice.Cuda);
        var kernel = accelerator.Kernels.GetOrLoad<ShiftColumns, Factor>(Shifts);
        using var values = accelerator.Buffers.Rent<ulong>(256);
        kernel.Launch(accelerator.Accelerator.DefaultStream, new ShiftColumns { Values = values.View }, default, 256);
        accelerator.Accelerator.Synchronize();
        var host = new ulong[256];
        values.View.CopyToCPU(ref host[0], 256);
        for (var i = 0; i < 256; i++)
        {
            Assert.Equal(1UL << (i & 127), host[i]);
        }
    }

    private static void Shifts(ShiftColumns c, Factor p, int rows)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < rows; i += stride)
        {
            c.Values[i] = 1UL << (i & 127);
        }
    }
}

public struct ShiftColumns
{
    public ArrayView<ulong> Values;
}
