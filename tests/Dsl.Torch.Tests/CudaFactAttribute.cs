using TorchSharp;

namespace Dsl.Torch.Tests;

/// <summary>A test that needs a CUDA device: reported as skipped, with the reason, where libtorch sees none.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        TorchRuntime.Initialize();
        if (!torch.cuda.is_available())
        {
            Skip = "No CUDA device here (or this libtorch is the CPU build): the CUDA path runs on a machine with one.";
        }
    }
}
