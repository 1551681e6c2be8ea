using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Dsl;

/// <summary>
/// The hashing trick for string features, exactly as scikit-learn's <c>FeatureHasher(input_type="string")</c>: each
/// string is hashed with the signed 32-bit MurmurHash3 (x86, seed 0) of its UTF-8 bytes; its column is
/// <c>abs(h) % features</c> and, with <c>alternate_sign=True</c> (the default), its value is +1 where <c>h &gt;= 0</c>
/// and -1 where <c>h &lt; 0</c>. A schema has fixed columns, so <see cref="Value"/> gives one output column at a time.
/// </summary>
/// <remarks>
/// A row's features are the strings passed for it: scikit-learn hashes a list of strings per sample and adds up the
/// values that land in one column, which here is the sum of <see cref="Value"/> over the row's strings (for
/// example <c>FeatureHashing.Value("country=" + t.Country, 16, 3) + FeatureHashing.Value("device=" + t.Device, 16, 3)</c>).
/// A null string is no feature: it sets no column. The column of <c>h = int.MinValue</c> is <c>2^31 % features</c>,
/// as in scikit-learn (whose C code spells it out, since <c>abs</c> of it overflows). Strings with unpaired surrogates
/// hash their UTF-8 encoding with U+FFFD in place of each one (Python refuses to encode them).
/// Unlike <see cref="Hashing.Bucket"/> (FNV-1a, not meant to match another library), these reproduce scikit-learn's
/// columns. Spark ML's <c>FeatureHasher</c> hashes differently (another seed, no sign), so its columns differ.
/// </remarks>
public static class FeatureHashing
{
    /// <summary>The signed 32-bit MurmurHash3 (x86_32) of the UTF-8 bytes of <paramref name="value"/> with seed 0: <c>sklearn.utils.murmurhash3_32(value, seed=0)</c>.</summary>
    /// <param name="value">The string.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static int Murmur3(string value) => Murmur3(value, 0);

    /// <summary>The signed 32-bit MurmurHash3 (x86_32) of the UTF-8 bytes of <paramref name="value"/> with <paramref name="seed"/> (its bits as the unsigned seed).</summary>
    /// <param name="value">The string.</param>
    /// <param name="seed">The seed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static int Murmur3(string value, int seed)
    {
        ArgumentNullException.ThrowIfNull(value);
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(value, buffer);
            return (int)Murmur3(buffer[..length], (uint)seed);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The column <paramref name="value"/> hashes to among <paramref name="features"/> (<c>abs(h) % features</c>, with
    /// <c>h</c> = <see cref="Murmur3(string)"/>), or -1 for null (no feature).
    /// </summary>
    /// <param name="value">The string feature.</param>
    /// <param name="features">The number of hashed columns (<c>n_features</c>), at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1.</exception>
    public static int Index(string? value, int features)
    {
        FeatureArguments.CheckHashFeatures(features);
        return value is null ? -1 : IndexOf(Murmur3(value), features);
    }

    /// <summary>The sign <c>alternate_sign=True</c> gives <paramref name="value"/>: 1 where its hash is non-negative, -1 where negative, 0 for null.</summary>
    /// <param name="value">The string feature.</param>
    public static double Sign(string? value) => value is null ? 0.0 : Murmur3(value) >= 0 ? 1.0 : -1.0;

    /// <summary>
    /// Column <paramref name="column"/> of <c>FeatureHasher(n_features=features, input_type="string")</c> (with
    /// <c>alternate_sign=True</c>) for the single feature <paramref name="value"/>: <see cref="Sign"/> where it hashes to
    /// that column, else 0.
    /// </summary>
    /// <param name="value">The string feature (null sets no column).</param>
    /// <param name="features">The number of hashed columns, at least 1.</param>
    /// <param name="column">The output column, from 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1.</exception>
    public static double Value(string? value, int features, int column)
    {
        FeatureArguments.CheckHashFeatures(features);
        if (value is null)
        {
            return 0.0;
        }
        int hash = Murmur3(value);
        return IndexOf(hash, features) != column ? 0.0 : hash >= 0 ? 1.0 : -1.0;
    }

    /// <summary>
    /// Column <paramref name="column"/> of <c>FeatureHasher(n_features=features, input_type="string", alternate_sign=False)</c>
    /// for the single feature <paramref name="value"/>: 1 where it hashes to that column, else 0.
    /// </summary>
    /// <param name="value">The string feature (null sets no column).</param>
    /// <param name="features">The number of hashed columns, at least 1.</param>
    /// <param name="column">The output column, from 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is below 1.</exception>
    public static double Indicator(string? value, int features, int column) => Index(value, features) == column && column >= 0 ? 1.0 : 0.0;

    // abs(h) % n, where abs(int.MinValue) is 2^31 (sklearn writes it as (2147483647 - (n - 1)) % n, the same number).
    private static int IndexOf(int hash, int features) =>
        hash == int.MinValue ? (int)(2147483648u % (uint)features) : Math.Abs(hash) % features;

    /// <summary>MurmurHash3_x86_32 of <paramref name="data"/>.</summary>
    internal static uint Murmur3(ReadOnlySpan<byte> data, uint seed)
    {
        const uint C1 = 0xcc9e2d51;
        const uint C2 = 0x1b873593;
        uint h = seed;
        int blocks = data.Length / 4;
        for (int i = 0; i < blocks; i++)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4));
            k *= C1;
            k = BitOperations.RotateLeft(k, 15);
            k *= C2;
            h ^= k;
            h = BitOperations.RotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        ReadOnlySpan<byte> tail = data[(blocks * 4)..];
        if (tail.Length > 0)
        {
            uint k = 0;
            for (int i = tail.Length - 1; i >= 0; i--)
            {
                k = (k << 8) | tail[i];
            }
            k *= C1;
            k = BitOperations.RotateLeft(k, 15);
            k *= C2;
            h ^= k;
        }
        h ^= (uint)data.Length;
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
