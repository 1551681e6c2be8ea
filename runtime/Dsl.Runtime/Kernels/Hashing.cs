using System.Text;

namespace Dsl;

/// <summary>
/// Stable hashing for features: the same input gives the same bucket on every machine, process and .NET
/// version (unlike <see cref="string.GetHashCode()"/>), so features stay reproducible across runs.
/// </summary>
public static class Hashing
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>64-bit FNV-1a of the UTF-8 bytes of <paramref name="value"/>.</summary>
    public static ulong Hash64(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 256 ? stackalloc byte[256] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int n = Encoding.UTF8.GetBytes(value, buffer);
            return Hash64(buffer[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>64-bit FNV-1a of <paramref name="bytes"/>.</summary>
    public static ulong Hash64(ReadOnlySpan<byte> bytes)
    {
        ulong hash = FnvOffset;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * FnvPrime;
        }
        return hash;
    }

    /// <summary>A bucket in <c>[0, buckets)</c> for <paramref name="value"/> (null maps to bucket 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="buckets"/> is not positive.</exception>
    public static int Bucket(string? value, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        return value is null ? 0 : (int)(Hash64(value) % (ulong)buckets);
    }
}
