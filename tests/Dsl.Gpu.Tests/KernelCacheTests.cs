using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace Dsl.Gpu.Tests;

public sealed class KernelCacheTests
{
    [Fact]
    public void A_kernel_loads_once_and_the_cached_load_is_a_lookup()
    {
        using var runtime = new GpuRuntime();
        var accelerator = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        var first = accelerator.Kernels.GetOrLoad<Doubling, Factor>(Kernels.Double, out var firstLoad);
        var second = accelerator.Kernels.GetOrLoad<Doubling, Factor>(Kernels.Double, out var secondLoad);

        Assert.False(firstLoad.Cached);
        Assert.True(secondLoad.Cached);
        Assert.Same(first, second);
        Assert.Equal(1, accelerator.Kernels.Count);
        Assert.Equal(firstLoad.Elapsed, first.FirstLoadTime);

        // A compile takes milliseconds at least; a lookup, microseconds.
        Assert.True(secondLoad.Elapsed * 10 < firstLoad.Elapsed, $"first {firstLoad.Elapsed}, cached {secondLoad.Elapsed}");
        Assert.Equal([0, 3, 6, 9, 12], Kernels.RunDouble(accelerator, first, 5, 3));
    }

    [Fact]
    public void A_kernel_that_is_not_static_is_refused()
    {
        using var runtime = new GpuRuntime();
        var accelerator = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        var factor = 2;
        Action<Doubling, Factor, int> capturing = (c, p, rows) => c.Output[0] = factor;
        var error = Assert.Throws<ArgumentException>(() => accelerator.Kernels.GetOrLoad(capturing));
        Assert.Contains("must be a static method", error.Message);
    }

    [Fact]
    public void Ilgpu_1_5_3_cannot_compile_any_kernel_after_a_failed_compile_in_the_same_context()
    {
        // The fact the runtime works around: after a kernel that uses string fails, a good kernel fails too.
        using var context = Context.Create(b => b.CPU(CPUDeviceKind.Default));
        using var accelerator = context.GetCPUDevice(0).CreateAccelerator(context);
        accelerator.LoadKernel<Doubling, Factor, int>(Kernels.Double);
        Assert.ThrowsAny<Exception>(() => accelerator.LoadKernel<Doubling, Factor, int>(Kernels.UsesString));
        Assert.ThrowsAny<Exception>(() => accelerator.LoadKernel<Doubling, Factor, int>(Kernels.Triple));
    }

    [Fact]
    public void Ilgpu_1_5_3_compiles_the_next_kernel_after_some_failed_compiles()
    {
        using var context = Context.Create(b => b.CPU(CPUDeviceKind.Default));
        using var accelerator = context.GetCPUDevice(0).CreateAccelerator(context);
        accelerator.LoadKernel<Doubling, Factor, int>(Kernels.Double);
        Assert.ThrowsAny<Exception>(() => accelerator.LoadKernel<Doubling, Factor, int>(Kernels.FailsAlone));
        accelerator.LoadKernel<Doubling, Factor, int>(Kernels.Triple);
    }

    [Fact]
    public void A_failed_compile_recreates_the_context_and_later_kernels_load_and_run()
    {
        using var runtime = new GpuRuntime();
        var poisoned = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        var error = Assert.Throws<KernelCompileException>(() => poisoned.Kernels.GetOrLoad<Doubling, Factor>(Kernels.UsesString));

        Assert.StartsWith("warning: the ILGPU context was recreated (kernel Dsl.Gpu.Tests.Kernels.UsesString failed to compile: ", error.Warning);
        Assert.EndsWith("; this kernel runs on the CPU", error.Warning);
        Assert.Equal(nameof(Kernels.UsesString), error.Kernel.Name);
        Assert.True(poisoned.IsDisposed);

        var fresh = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        Assert.Equal(2, runtime.Generation);
        var kernel = fresh.Kernels.GetOrLoad<Doubling, Factor>(Kernels.Double);
        Assert.Equal([0, 5, 10], Kernels.RunDouble(fresh, kernel, 3, 5));
    }

    [Fact]
    public void A_kernel_that_failed_is_not_compiled_again()
    {
        using var runtime = new GpuRuntime();
        Assert.Throws<KernelCompileException>(() => runtime.GetAccelerator(GpuDevice.CpuEmulator).Kernels.GetOrLoad<Doubling, Factor>(Kernels.UsesString));
        var fresh = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        var generation = runtime.Generation;

        var again = Assert.Throws<KernelCompileException>(() => runtime.GetAccelerator(GpuDevice.CpuEmulator).Kernels.GetOrLoad<Doubling, Factor>(Kernels.UsesString));
        Assert.Null(again.InnerException);
        Assert.Equal(generation, runtime.Generation);
        Assert.Same(fresh, runtime.GetAccelerator(GpuDevice.CpuEmulator));
        Assert.False(fresh.IsDisposed);
    }
}

public struct Doubling
{
    public ArrayView<int> Output;
}

public struct Factor
{
    public int Value;
}

internal static class Kernels
{
    public static void Double(Doubling c, Factor p, int rows)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < rows; i += stride)
        {
            c.Output[i] = i * p.Value;
        }
    }

    public static void Triple(Doubling c, Factor p, int rows)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < rows; i += stride)
        {
            c.Output[i] = i * p.Value * 3;
        }
    }

    // ILGPU rejects string: its compile fails. This one (long.ToString()) also leaves the context unable to compile
    // the next kernel; int.ToString(CultureInfo.InvariantCulture) fails without that.
    public static void UsesString(Doubling c, Factor p, int rows)
    {
        var text = c.Output.Length.ToString();
        c.Output[0] = text.Length;
    }

    // Also rejected, but leaves the context able to compile the next kernel.
    public static void FailsAlone(Doubling c, Factor p, int rows)
    {
        var text = rows.ToString(System.Globalization.CultureInfo.InvariantCulture);
        c.Output[0] = text.Length;
    }

    public static int[] RunDouble(GpuAccelerator accelerator, GridStrideKernel<Doubling, Factor> kernel, int rows, int factor)
    {
        using var output = accelerator.Buffers.Rent<int>(rows);
        kernel.Launch(accelerator.Accelerator.DefaultStream, new Doubling { Output = output.View }, new Factor { Value = factor }, rows);
        accelerator.Accelerator.Synchronize();
        var host = new int[rows];
        output.View.CopyToCPU(ref host[0], rows);
        return host;
    }
}
