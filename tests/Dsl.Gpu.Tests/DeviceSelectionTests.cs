namespace Dsl.Gpu.Tests;

public sealed class DeviceSelectionTests
{
    [Theory]
    [InlineData("auto", DeviceRequest.Auto)]
    [InlineData("cuda", DeviceRequest.Cuda)]
    [InlineData("cpu-emulator", DeviceRequest.CpuEmulator)]
    [InlineData("simd", DeviceRequest.Simd)]
    [InlineData(" CUDA ", DeviceRequest.Cuda)]
    [InlineData("Cpu-Emulator", DeviceRequest.CpuEmulator)]
    public void Parse_reads_each_device(string text, DeviceRequest expected)
    {
        Assert.Equal(expected, DeviceOption.Parse(text));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("")]
    [InlineData("cpu")]
    public void Parse_refuses_other_text_and_lists_the_values(string text)
    {
        var error = Assert.Throws<GpuDeviceException>(() => DeviceOption.Parse(text));
        Assert.Equal($"--device {text}: unknown device; expected auto|cuda|cpu-emulator|simd", error.Message);
    }

    [Theory]
    [InlineData(GpuDevice.Simd)]
    [InlineData(GpuDevice.CpuEmulator)]
    [InlineData(GpuDevice.Cuda)]
    public void Format_is_the_text_parse_reads(GpuDevice device)
    {
        // The request of the same name as the device.
        Assert.Equal(device.ToString(), DeviceOption.Parse(DeviceOption.Format(device)).ToString());
    }

    [Fact]
    public void Auto_is_cuda_where_there_is_one_else_simd_never_the_emulator()
    {
        using var runtime = new GpuRuntime();
        var expected = runtime.HasCuda ? GpuDevice.Cuda : GpuDevice.Simd;
        Assert.Equal(expected, runtime.Resolve(DeviceRequest.Auto));
    }

    [Fact]
    public void Cuda_without_a_device_is_an_error_that_says_what_ilgpu_found()
    {
        using var runtime = new GpuRuntime();
        if (runtime.HasCuda)
        {
            Assert.Equal(GpuDevice.Cuda, runtime.Resolve(DeviceRequest.Cuda));
            return;
        }

        var error = Assert.Throws<GpuDeviceException>(() => runtime.Resolve(DeviceRequest.Cuda));
        Assert.StartsWith("--device cuda: no CUDA device; ILGPU found: CPU 'CPUAccelerator'", error.Message);
        Assert.Throws<GpuDeviceException>(() => runtime.GetAccelerator(GpuDevice.Cuda));
    }

    [Fact]
    public void Simd_and_the_emulator_resolve_to_themselves_and_simd_has_no_accelerator()
    {
        using var runtime = new GpuRuntime();
        Assert.Equal(GpuDevice.Simd, runtime.Resolve(DeviceRequest.Simd));
        Assert.Equal(GpuDevice.CpuEmulator, runtime.Resolve(DeviceRequest.CpuEmulator));
        var error = Assert.Throws<GpuDeviceException>(() => runtime.GetAccelerator(GpuDevice.Simd));
        Assert.Contains("no accelerator", error.Message);
    }

    [Fact]
    public void The_context_is_created_on_first_use_and_accelerators_are_cached()
    {
        using var runtime = new GpuRuntime();
        Assert.Equal(0, runtime.Generation);
        var first = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        Assert.Equal(1, runtime.Generation);
        Assert.True(runtime.ContextCreationTime > TimeSpan.Zero);
        Assert.Same(first, runtime.GetAccelerator(GpuDevice.CpuEmulator));
        Assert.Equal(ILGPU.Runtime.AcceleratorType.CPU, first.Accelerator.AcceleratorType);
    }

    [Fact]
    public void Recreating_the_context_disposes_the_old_accelerator_and_returns_a_warning()
    {
        using var runtime = new GpuRuntime();
        var old = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        var warning = runtime.RecreateContext("a test");
        Assert.Equal("warning: the ILGPU context was recreated (a test); kernels are compiled again on next use", warning);
        Assert.True(old.IsDisposed);
        var fresh = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        Assert.NotSame(old, fresh);
        Assert.Equal(2, runtime.Generation);
        Assert.Equal(2, fresh.Generation);
    }

    [Fact]
    public void Shared_is_one_instance()
    {
        Assert.Same(GpuRuntime.Shared, GpuRuntime.Shared);
    }
}
