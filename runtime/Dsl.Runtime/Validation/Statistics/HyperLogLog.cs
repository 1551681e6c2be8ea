using System.Numerics;

namespace Dsl.Validation.Statistics;

/// <summary>
/// A HyperLogLog sketch of 2^14 one-byte registers over 64-bit hashes: relative standard error
/// 1.04 / √16384 ≈ 0.81% (the tests hold it within 3 standard errors from 70,000 to 2,000,000 values), estimated with Ertl's improved estimator (2017), which needs no bias
/// tables or range switches. Two sketches merge by taking each register's maximum, so a merged sketch equals the
/// sketch of the concatenated inputs.
/// </summary>
internal sealed class HyperLogLog
{
    /// <summary>Index bits: 2^14 registers, 16 KiB.</summary>
    public const int Precision = 14;

    /// <summary>The relative standard error of <see cref="Estimate"/>: 1.04 / √(2^<see cref="Precision"/>).</summary>
    public static readonly double StandardError = 1.04 / Math.Sqrt(1 << Precision);

    private const int RegisterCount = 1 << Precision;
    private const int MaxRank = 64 - Precision + 1;

    private readonly byte[] _registers;

    /// <summary>An empty sketch.</summary>
    public HyperLogLog()
        : this(new byte[RegisterCount])
    {
    }

    private HyperLogLog(byte[] registers) => _registers = registers;

    /// <summary>The registers, for serialization.</summary>
    public ReadOnlySpan<byte> Registers => _registers;

    /// <summary>Adds one hashed value.</summary>
    public void Add(ulong hash)
    {
        int index = (int)(hash >> (64 - Precision));
        ulong rest = hash << Precision;
        int rank = rest == 0 ? MaxRank : BitOperations.LeadingZeroCount(rest) + 1;
        if (rank > _registers[index])
        {
            _registers[index] = (byte)rank;
        }
    }

    /// <summary>Adds <paramref name="other"/>'s values: afterwards this sketch estimates the union.</summary>
    public void Merge(HyperLogLog other)
    {
        for (int i = 0; i < RegisterCount; i++)
        {
            if (other._registers[i] > _registers[i])
            {
                _registers[i] = other._registers[i];
            }
        }
    }

    /// <summary>Merges registers written by <see cref="Registers"/>; false (and nothing changed) when they are not those of this sketch.</summary>
    public bool TryMerge(ReadOnlySpan<byte> registers)
    {
        if (registers.Length != RegisterCount || registers.IndexOfAnyInRange((byte)(MaxRank + 1), byte.MaxValue) >= 0)
        {
            return false;
        }
        for (int i = 0; i < RegisterCount; i++)
        {
            if (registers[i] > _registers[i])
            {
                _registers[i] = registers[i];
            }
        }
        return true;
    }

    /// <summary>A copy that can be changed independently.</summary>
    public HyperLogLog Clone() => new((byte[])_registers.Clone());

    /// <summary>The estimated number of distinct hashes added (Ertl, "New cardinality estimation algorithms for HyperLogLog sketches", algorithm 6).</summary>
    public double Estimate()
    {
        Span<int> histogram = stackalloc int[MaxRank + 1];
        foreach (byte r in _registers)
        {
            histogram[r]++;
        }
        double m = RegisterCount;
        double z = m * Tau(1 - (histogram[MaxRank] / m));
        for (int k = MaxRank - 1; k >= 1; k--)
        {
            z = 0.5 * (z + histogram[k]);
        }
        z += m * Sigma(histogram[0] / m);
        return m * m / (2 * Math.Log(2) * z);
    }

    /// <summary>Reads registers written by <see cref="Registers"/>; null when their number or values are not those of this sketch.</summary>
    public static HyperLogLog? FromRegisters(byte[] registers)
    {
        if (registers.Length != RegisterCount || registers.Any(r => r > MaxRank))
        {
            return null;
        }
        return new HyperLogLog(registers);
    }

    private static double Sigma(double x)
    {
        if (x == 1)
        {
            return double.PositiveInfinity;
        }
        double y = 1;
        double z = x;
        double previous;
        do
        {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        }
        while (z != previous);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0 || x == 1)
        {
            return 0;
        }
        double y = 1;
        double z = 1 - x;
        double previous;
        do
        {
            x = Math.Sqrt(x);
            previous = z;
            y *= 0.5;
            z -= Math.Pow(1 - x, 2) * y;
        }
        while (z != previous);
        return z / 3;
    }
}
