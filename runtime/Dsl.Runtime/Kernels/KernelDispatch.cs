using System.Runtime.Intrinsics;

namespace Dsl.Kernels;

/// <summary>
/// Decides, per batch, whether a generated kernel runs its vector blocks or only its per-row code. Both give the
/// same rows bit for bit; the switch exists so that tests can compare them.
/// </summary>
public static class KernelDispatch
{
    private static readonly AsyncLocal<bool> s_scalarOnly = new();

    /// <summary>
    /// Whether generated kernels use 256-bit vector blocks on this machine and in the current asynchronous flow.
    /// Read once per batch.
    /// </summary>
    public static bool UseVectors => Vector256.IsHardwareAccelerated && !s_scalarOnly.Value;

    /// <summary>The number of rows in one vector block of a generated kernel.</summary>
    public const int BlockRows = 4;

    /// <summary>
    /// Makes generated kernels run only their per-row code in the current asynchronous flow until the returned
    /// scope is disposed (for tests that compare the two paths; other threads are not affected).
    /// </summary>
    internal static IDisposable ScalarOnly()
    {
        bool previous = s_scalarOnly.Value;
        s_scalarOnly.Value = true;
        return new Scope(previous);
    }

    private sealed class Scope(bool previous) : IDisposable
    {
        public void Dispose() => s_scalarOnly.Value = previous;
    }
}
