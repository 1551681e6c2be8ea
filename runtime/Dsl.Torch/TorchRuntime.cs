using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Dsl.Torch;

/// <summary>How Dsl.Torch starts libtorch, and what it says when libtorch does not load.</summary>
public static class TorchRuntime
{
    private static readonly Lock s_lock = new();
    private static bool s_started;

    /// <summary>
    /// Starts libtorch for reproducible float32 arithmetic: sets the environment variable <c>MKL_CBWR=AUTO</c> unless
    /// it is set, then loads libtorch (and sets its intra-op threads to <paramref name="threads"/> when given). Call it
    /// before anything else touches TorchSharp: MKL reads <c>MKL_CBWR</c> once, when libtorch starts. Without it MKL
    /// takes other code paths, with other roundings, for buffers 8 bytes off a 16-byte boundary, as half of all .NET
    /// arrays are: the same rows would give other results from run to run. The scorer and the training feed's
    /// <c>AsTensors</c> call it themselves.
    /// </summary>
    /// <exception cref="InvalidOperationException">TorchSharp's native library did not load; the message says why and what to do.</exception>
    public static void Initialize(int? threads = null)
    {
        lock (s_lock)
        {
            if (!s_started && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
            {
                _ = SetEnvironment("MKL_CBWR", "AUTO", 0);
            }
            s_started = true;
            try
            {
                if (threads is int n)
                {
                    set_num_threads(n);
                }
                else
                {
                    _ = get_num_threads();
                }
            }
            catch (TypeInitializationException e) when (e.InnerException is NotSupportedException)
            {
                throw NotLoaded(e);
            }
        }
    }

    /// <summary>
    /// The error for TorchSharp's type initializer failing: TorchSharp then says that libtorch is not referenced,
    /// whatever the reason; on Debian 12 it is the GLIBCXX patch.
    /// </summary>
    internal static InvalidOperationException NotLoaded(TypeInitializationException e) => new(
        "TorchSharp's native library did not load. Where libstdc++ is older than GCC 13's (GLIBCXX_3.4.32; Debian 12 has 3.4.30), " +
        "libLibTorchSharp.so in the output folder must be the copy that Dsl.Torch's build step (buildTransitive/Dsl.Torch.targets) patches: " +
        "rebuild the project that references Dsl.Torch (dotnet build --no-incremental; one that references Dsl.Torch.csproj imports that file " +
        "itself) with DslTorchPatchGlibcxx not false. TorchSharp's message: " + e.InnerException?.Message.Split('\n')[0],
        e);

    // The C library's setenv: .NET's Environment.SetEnvironmentVariable changes only the managed copy on Unix.
    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnvironment(string name, string value, int overwrite);
}
