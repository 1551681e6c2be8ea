using Dsl;

namespace Dsl.Gpu.Check;

// Two pipelines whose segments get GPU kernels, for the figures of generated kernels on each device.

[Schema] public partial record Reading(long Id, double X, double? Y, int N, bool Flag);

[Schema] public partial record Feature(long Id, double Scaled, double? Sum, long Quotient, bool Big);

[Schema] public partial record Scored(long Id, double Score);

/// <summary>A filter and an elementwise map: exact on CUDA, and few operations per byte (SIMD is preferred).</summary>
[Pipeline("gpu-check-features")]
public static partial class FeatureCheck
{
    [Filter] public static bool Keep(Reading r) => r.X > -50 || r.Flag;

    [Map(From = nameof(Keep))]
    public static Feature Featurize(Reading r) => new(
        r.Id, Math.Sqrt(Math.Abs(r.X)) / 3.5, r.Y + r.X, r.Id / (r.N | 1), r.X >= 10 && !r.Flag);
}

/// <summary>
/// A polynomial of degree 12 in X and Y, with RelaxedMath: many operations per byte (the GPU is preferred), and
/// multiplies feeding adds, which CUDA may fuse (the figures count the rows that differ from SIMD).
/// </summary>
[Pipeline("gpu-check-polynomial")]
public static partial class PolynomialCheck
{
    [Map(RelaxedMath = true)]
    public static Scored Evaluate(Reading r) => new(r.Id,
        (((((((((((0.5 * r.X + 1.25) * r.X - 0.75) * r.X + 2.0) * r.X - 1.5) * r.X + 0.125) * r.X + 3.0) * r.X - 0.25) * r.X + 1.0) * r.X - 2.5) * r.X + 0.5) * r.X - 1.0)
        + (((((((((((0.25 * (r.Y ?? 0.0) - 1.0) * (r.Y ?? 0.0) + 0.5) * (r.Y ?? 0.0) - 2.0) * (r.Y ?? 0.0) + 1.5) * (r.Y ?? 0.0) - 0.125) * (r.Y ?? 0.0) + 3.0) * (r.Y ?? 0.0) - 0.25) * (r.Y ?? 0.0) + 1.0) * (r.Y ?? 0.0) - 2.5) * (r.Y ?? 0.0) + 0.5) * (r.Y ?? 0.0) - 1.0));
}

/// <summary>A run-time tree model's scorer with its margins on a device, as <c>run --device</c> makes it.</summary>
internal static class TreeScoring
{
    public static Dsl.Models.IBatchScorer OnDevice(Dsl.Models.IBatchScorer scorer, GpuDevice device, List<string> warnings)
    {
        var devices = (DeviceKernels)FeatureCheck.Compiled.Devices!;
        var onDevice = devices.ScoreOn(DeviceOption.Format(device), "check", scorer, warnings.Add, out string? why);
        return ReferenceEquals(onDevice, scorer) ? throw new InvalidOperationException("the model stays on the CPU: " + why) : onDevice;
    }
}
