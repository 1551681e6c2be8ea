using Dsl.Parquet.Writing;

namespace Dsl.Parquet.Tests;

/// <summary>
/// The writer's page bounds (vectorized where the CPU allows) against their definition: the smallest and largest value,
/// NaN left out, on random lengths around the vector width so both the lanes and the scalar tail are exercised.
/// </summary>
public sealed class StatisticsBoundsTests
{
    [Fact]
    public void FloatingBounds_AreTheMinAndMaxOfTheNonNaNValues()
    {
        var random = new Random(11);
        double[] specials = [double.NaN, 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, double.MinValue];
        for (int round = 0; round < 2000; round++)
        {
            int length = random.Next(1, 70);
            double[] values = new double[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = random.Next(4) == 0 ? specials[random.Next(specials.Length)] : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 6));
            }
            if (round % 50 == 0)
            {
                Array.Fill(values, double.NaN);
            }
            AssertBounds(values, values.Select(v => (double)v).ToArray());
            AssertBounds(values.Select(v => (float)v).ToArray(), values);
        }
    }

    [Fact]
    public void IntegerBounds_AreTheMinAndMaxSignedAndUnsigned()
    {
        var random = new Random(12);
        for (int round = 0; round < 2000; round++)
        {
            long[] longs = new long[random.Next(1, 40)];
            for (int i = 0; i < longs.Length; i++)
            {
                longs[i] = random.Next(5) == 0 ? (random.Next(2) == 0 ? long.MinValue : long.MaxValue) : random.NextInt64(long.MinValue, long.MaxValue);
            }
            int[] ints = longs.Select(v => (int)v).ToArray();
            Assert.Equal((ints.Min(), ints.Max()), PrimitiveChunkBuffer<int>.IntegerBounds<int>(ints));
            Assert.Equal((longs.Min(), longs.Max()), PrimitiveChunkBuffer<long>.IntegerBounds<long>(longs));
            uint[] uints = ints.Select(v => (uint)v).ToArray();
            Assert.Equal((uints.Min(), uints.Max()), PrimitiveChunkBuffer<int>.IntegerBounds<uint>(uints));
            ulong[] ulongs = longs.Select(v => (ulong)v).ToArray();
            Assert.Equal((ulongs.Min(), ulongs.Max()), PrimitiveChunkBuffer<long>.IntegerBounds<ulong>(ulongs));
        }
    }

    private static void AssertBounds<TFloat>(TFloat[] values, double[] asDoubles)
        where TFloat : unmanaged, System.Numerics.IFloatingPointIeee754<TFloat>
    {
        (TFloat Min, TFloat Max)? bounds = PrimitiveChunkBuffer<TFloat>.FloatingBounds<TFloat>(values);
        TFloat[] numbers = values.Where(v => !TFloat.IsNaN(v)).ToArray();
        if (numbers.Length == 0)
        {
            Assert.Null(bounds);
            return;
        }
        Assert.NotNull(bounds);
        // Equal as numbers: which zero comes back is left to BuildStatistics, which writes -0.0 and +0.0 itself.
        Assert.True(bounds.Value.Min == numbers.Min(), $"min {bounds.Value.Min} of {string.Join(", ", asDoubles)}");
        Assert.True(bounds.Value.Max == numbers.Max(), $"max {bounds.Value.Max} of {string.Join(", ", asDoubles)}");
    }
}
