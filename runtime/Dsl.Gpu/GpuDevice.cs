namespace Dsl.Gpu;

/// <summary>Where a segment's kernel runs.</summary>
public enum GpuDevice
{
    /// <summary>No GPU: the CPU kernel (per-row and SIMD C#).</summary>
    Simd,

    /// <summary>ILGPU's CPU accelerator, an emulator that runs kernels as .NET code on CPU threads: for tests, never a fast path.</summary>
    CpuEmulator,

    /// <summary>The first CUDA device ILGPU finds.</summary>
    Cuda,
}

/// <summary>What <c>--device</c> asked for: a device, or <see cref="Auto"/>.</summary>
public enum DeviceRequest
{
    /// <summary>CUDA when ILGPU finds a CUDA device, else <see cref="GpuDevice.Simd"/>; never the emulator, which is slow.</summary>
    Auto,

    /// <summary><c>simd</c>: <see cref="GpuDevice.Simd"/>.</summary>
    Simd,

    /// <summary><c>cpu-emulator</c>: <see cref="GpuDevice.CpuEmulator"/>.</summary>
    CpuEmulator,

    /// <summary><c>cuda</c>: <see cref="GpuDevice.Cuda"/>, an error where there is none.</summary>
    Cuda,
}

/// <summary>The text of the <c>--device</c> option.</summary>
public static class DeviceOption
{
    /// <summary>The accepted values, as the option's help lists them.</summary>
    public const string Values = "auto|cuda|cpu-emulator|simd";

    /// <summary>Parses <c>auto</c>, <c>cuda</c>, <c>cpu-emulator</c> or <c>simd</c> (ASCII case-insensitive, surrounding spaces ignored).</summary>
    /// <exception cref="GpuDeviceException">Any other text; the message names the accepted values.</exception>
    public static DeviceRequest Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "auto" => DeviceRequest.Auto,
            "cuda" => DeviceRequest.Cuda,
            "cpu-emulator" => DeviceRequest.CpuEmulator,
            "simd" => DeviceRequest.Simd,
            _ => throw new GpuDeviceException($"--device {text}: unknown device; expected {Values}"),
        };
    }

    /// <summary>The option text of <paramref name="device"/>: <c>simd</c>, <c>cpu-emulator</c> or <c>cuda</c>.</summary>
    public static string Format(GpuDevice device) => device switch
    {
        GpuDevice.Simd => "simd",
        GpuDevice.CpuEmulator => "cpu-emulator",
        GpuDevice.Cuda => "cuda",
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, null),
    };
}

/// <summary>A device that was asked for cannot be used, or the option text is not a device.</summary>
public sealed class GpuDeviceException : Exception
{
    /// <summary>An error with its message, which names the option and what ILGPU found.</summary>
    public GpuDeviceException(string message)
        : base(message)
    {
    }
}
