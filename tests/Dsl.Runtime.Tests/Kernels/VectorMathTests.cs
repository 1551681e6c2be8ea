using System.Runtime.Intrinsics;
using Dsl.Kernels;

namespace Dsl.Runtime.Tests.Kernels;

/// <summary>The building blocks of vector kernels against the scalar C# they stand for, bit for bit.</summary>
public sealed class VectorMathTests
{
    private static readonly double[] s_doubles =
    [
        double.NaN, -double.NaN, BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001), double.PositiveInfinity, double.NegativeInfinity,
        0.0, -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1.0, -1.0, 2.5, -2.5, 0.5, 1e-310,
    ];

    [Fact]
    public void MinMax_MatchMathMinMaxOnEveryPairOfSpecialValues()
    {
        foreach (double x in s_doubles)
        {
            foreach (double y in s_doubles)
            {
                // With a NaN operand only NaN-ness is defined: measured on .NET 10, Math.Min and Math.Max return the second
                // of two NaNs in optimized code and the first before the method tiers up, and quiet a signaling NaN in
                // optimized code only. So where either operand is NaN only NaN-ness is compared.
                bool anyNaN = double.IsNaN(x) || double.IsNaN(y);
                Vector256<double> vx = Vector256.Create(x);
                Vector256<double> vy = Vector256.Create(y);
                Assert.Equal(Bits(Math.Min(x, y), anyNaN), Bits(VectorMath.Min(vx, vy)[0], anyNaN));
                Assert.Equal(Bits(Math.Max(x, y), anyNaN), Bits(VectorMath.Max(vx, vy)[0], anyNaN));
                Vector128<float> fx = Vector128.Create((float)x);
                Vector128<float> fy = Vector128.Create((float)y);
                Assert.Equal(Bits(MathF.Min((float)x, (float)y), anyNaN), Bits(VectorMath.Min(fx, fy)[0], anyNaN));
                Assert.Equal(Bits(MathF.Max((float)x, (float)y), anyNaN), Bits(VectorMath.Max(fx, fy)[0], anyNaN));
            }
        }
    }

    private static long Bits(double value, bool nanOnly) => nanOnly ? (double.IsNaN(value) ? 1 : 0) : BitConverter.DoubleToInt64Bits(value);

    private static long Bits(float value, bool nanOnly) => nanOnly ? (float.IsNaN(value) ? 1 : 0) : BitConverter.SingleToInt32Bits(value);

    [Fact]
    public void NegateAndConversions_MatchScalarCSharp()
    {
        foreach (double x in s_doubles)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(-x), BitConverter.DoubleToInt64Bits(VectorMath.Negate(Vector256.Create(x))[0]));
            Assert.Equal(BitConverter.SingleToInt32Bits((float)x), BitConverter.SingleToInt32Bits(VectorMath.ToSingle(Vector256.Create(x))[0]));
        }
        foreach (int i in new[] { int.MinValue, int.MaxValue, 0, -1, 16_777_217 })
        {
            Assert.Equal((double)i, VectorMath.ToDouble(Vector128.Create(i))[0]);
            Assert.Equal((float)i, VectorMath.ToSingle(Vector128.Create(i))[0]);
            Assert.Equal((long)i, VectorMath.ToInt64(Vector128.Create(i))[0]);
        }
        foreach (long l in new[] { long.MinValue, long.MaxValue, (1L << 53) + 1, -1L })
        {
            Assert.Equal((double)l, VectorMath.ToDouble(Vector256.Create(l))[0]);
        }
    }

    [Fact]
    public void MasksAndBools_RoundTrip()
    {
        for (uint bits = 0; bits < 16; bits++)
        {
            Vector256<long> mask = VectorMath.MaskFromBits(bits);
            Assert.Equal(bits, VectorMath.Bits(mask));
            Assert.Equal(bits, VectorMath.Bits(VectorMath.Widen(VectorMath.Narrow(mask))));
            bool[] values = new bool[6];
            VectorMath.StoreBools(mask, values, 1);
            Assert.False(values[0] || values[5]);
            Assert.Equal(bits, VectorMath.Bits(VectorMath.LoadBools(values, 1)));
        }
        var validity = new ValidityBitmap(130);
        validity.Set(65, false);
        validity.Set(67, false);
        Assert.Equal(0b0101u, VectorMath.Bits(VectorMath.LoadValidity(validity, 64))); // rows 65 and 67 are null
        Assert.Equal(0b1111u, VectorMath.Bits(VectorMath.LoadValidity(null, 64)));
    }

    [Fact]
    public void TimestampParts_MatchDateTimeAcrossItsRange()
    {
        var random = new Random(7);
        var micros = new List<long> { Timestamps.MinMicros, Timestamps.MaxMicros, 0, -1, 1, -86_400_000_000L, -86_400_000_001L };
        for (int n = 0; n < 20_000; n++)
        {
            micros.Add(random.NextInt64(Timestamps.MinMicros, Timestamps.MaxMicros));
        }
        foreach (long m in micros)
        {
            DateTime dt = Timestamps.FromMicros(m);
            Assert.Equal(dt.Hour, Timestamps.HourOf(m));
            Assert.Equal(dt.Minute, Timestamps.MinuteOf(m));
            Assert.Equal(dt.Second, Timestamps.SecondOf(m));
            Assert.Equal(dt.DayOfWeek, Timestamps.DayOfWeekOf(m));
            Assert.Equal(dt.Year, Timestamps.YearOf(m));
            Assert.Equal(dt.Month, Timestamps.MonthOf(m));
            Assert.Equal(dt.Day, Timestamps.DayOf(m));
            Assert.Equal(dt.DayOfYear, Timestamps.DayOfYearOf(m));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Timestamps.FromMicros(Timestamps.MaxMicros + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Timestamps.FromMicros(Timestamps.MinMicros - 1));
        Assert.True(VectorMath.InDateTimeRange(Vector256.Create(Timestamps.MinMicros, Timestamps.MaxMicros, 0, -1)));
        Assert.False(VectorMath.InDateTimeRange(Vector256.Create(0, 0, Timestamps.MaxMicros + 1, 0)));
    }

    [Fact]
    public void ScalarOnly_TurnsVectorsOffInItsScopeOnly()
    {
        bool before = KernelDispatch.UseVectors;
        using (KernelDispatch.ScalarOnly())
        {
            Assert.False(KernelDispatch.UseVectors);
        }
        Assert.Equal(before, KernelDispatch.UseVectors);
    }
}
