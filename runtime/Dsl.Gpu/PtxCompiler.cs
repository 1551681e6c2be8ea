using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Dsl.Gpu;

/// <summary>
/// Compiles a grid-stride kernel to PTX, the assembly CUDA's driver compiles for the GPU, with no GPU and no CUDA
/// installed: ILGPU's PTX backend alone. Tests use it to prove each generated kernel compiles for CUDA and to read
/// what it computes (whether a multiply and an add carry the <c>.rn</c> that keeps the driver from fusing them).
/// </summary>
public static class PtxCompiler
{
    private static readonly object s_gate = new();
    private static Context? s_context;

    /// <summary>The architecture compiled for: compute capability 9.0 (H100, H200), PTX ISA 8.0.</summary>
    public static string Target => "sm_90, PTX ISA 8.0";

    /// <summary>The PTX of <paramref name="kernel"/>, a static explicitly grouped kernel method.</summary>
    /// <exception cref="InvalidOperationException">ILGPU cannot compile it for CUDA; the message carries ILGPU's.</exception>
    public static string Compile(MethodInfo kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        lock (s_gate)
        {
            // A context of its own: a failed compile can poison a context (see KernelCache), never the runtime's.
            s_context ??= Context.Create(b => b.Cuda().EnableAlgorithms());
            var architecture = new CudaArchitecture(9, 0);
            var backend = new PTXBackend(s_context, new CudaCapabilityContext(architecture), architecture, new CudaInstructionSet(8, 0), null!);
            try
            {
                var entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
                var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
                return compiled.PTXAssembly;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                s_context.Dispose();
                s_context = null;
                throw new InvalidOperationException($"ILGPU cannot compile {kernel.DeclaringType?.Name}.{kernel.Name} for CUDA ({Target}): {e.Message}", e);
            }
            finally
            {
                backend.Dispose();
            }
        }
    }
}
