using System.Buffers.Binary;
using System.Numerics;

namespace Dsl.Validation;

/// <summary>
/// The 128-bit hash <see cref="Execution.RuleKind.Unique"/> compares keys by: MurmurHash3's x64 128-bit function
/// (seed 0) over the key's bytes. Two different keys share a hash with probability about 2^-128 per pair, so among
/// n distinct keys a false duplicate has probability about n²/2^129 (1.5·10^-21 for a billion keys).
/// </summary>
internal static class KeyHash
{
    private const ulong C1 = 0x87c37b91114253d5UL;
    private const ulong C2 = 0x4cf5ad432745937fUL;

    public static UInt128 Hash(ReadOnlySpan<byte> data)
    {
        ulong h1 = 0;
        ulong h2 = 0;
        int blocks = data.Length / 16;
        for (int i = 0; i < blocks; i++)
        {
            ulong k1 = BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 16)..]);
            ulong k2 = BinaryPrimitives.ReadUInt64LittleEndian(data[((i * 16) + 8)..]);
            h1 ^= MixK1(k1);
            h1 = (BitOperations.RotateLeft(h1, 27) + h2) * 5 + 0x52dce729;
            h2 ^= MixK2(k2);
            h2 = (BitOperations.RotateLeft(h2, 31) + h1) * 5 + 0x38495ab5;
        }
        ReadOnlySpan<byte> tail = data[(blocks * 16)..];
        ulong t1 = 0;
        ulong t2 = 0;
        for (int i = tail.Length - 1; i >= 8; i--)
        {
            t2 = (t2 << 8) | tail[i];
        }
        for (int i = Math.Min(tail.Length, 8) - 1; i >= 0; i--)
        {
            t1 = (t1 << 8) | tail[i];
        }
        if (tail.Length > 8)
        {
            h2 ^= MixK2(t2);
        }
        if (tail.Length > 0)
        {
            h1 ^= MixK1(t1);
        }
        h1 ^= (ulong)data.Length;
        h2 ^= (ulong)data.Length;
        h1 += h2;
        h2 += h1;
        h1 = Fmix(h1);
        h2 = Fmix(h2);
        h1 += h2;
        h2 += h1;
        return new UInt128(h2, h1);
    }

    private static ulong MixK1(ulong k) => BitOperations.RotateLeft(k * C1, 31) * C2;

    private static ulong MixK2(ulong k) => BitOperations.RotateLeft(k * C2, 33) * C1;

    private static ulong Fmix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }
}
