namespace Dsl.Gpu.Tests;

/// <summary>A test that needs a CUDA device: reported as skipped, with the reason, where ILGPU finds none.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!GpuRuntime.Shared.HasCuda)
        {
            Skip = $"No CUDA device here (ILGPU found: {GpuRuntime.Shared.DescribeDevices()}): the CUDA tests run on a machine with one (tests/tools/gpu/device-check.sh).";
        }
    }
}
