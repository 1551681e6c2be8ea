using Dsl.Gpu;

namespace Dsl.Gpu.Tests;

/// <summary>
/// <see cref="GpuOps"/> against C# itself on edge and random values: where C# throws, the operation sets the fault code
/// of that exception; where it does not, the operation returns C#'s value, bit for bit, and leaves the fault at 0.
/// </summary>
public sealed class GpuOpsTests
{
    private static IEnumerable<long> Longs()
    {
        long[] edges = [0, 1, -1, 2, -2, 7, -7, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, (long)int.MinValue - 1, uint.MaxValue, long.MaxValue, long.MinValue, long.MaxValue - 1, long.MinValue + 1, 1L << 32, 3037000499, 3037000500, -3037000500];
        var random = new Random(18);
        return edges.Concat(Enumerable.Range(0, 60).Select(_ => random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(0, 63)));
    }

    private static IEnumerable<double> Doubles()
    {
        double[] edges = [0.0, -0.0, 1, -1, 0.5, -0.5, 0.999, -0.999, 127.9, 128, -128.9, -129, 255.9, 256, 300.7, 65535.5, 65536, 2147483647.9, 2147483648, -2147483648.9, -2147483649, 4294967295.5, 4294967296, 9.2233720368547758E18, -9.2233720368547758E18, 1.8446744073709552E19, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, double.MinValue];
        var random = new Random(19);
        return edges.Concat(Enumerable.Range(0, 60).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(2, random.Next(0, 70))));
    }

    private static void Same<T>(Func<T> csharp, Func<(T Value, int Fault)> op, string what)
    {
        T expected = default!;
        int expectedFault = FaultCodes.None;
        try
        {
            expected = csharp();
        }
        catch (DivideByZeroException)
        {
            expectedFault = FaultCodes.DivideByZero;
        }
        catch (OverflowException)
        {
            expectedFault = FaultCodes.Overflow;
        }
        catch (InvalidOperationException)
        {
            expectedFault = FaultCodes.NullValue;
        }
        (T value, int fault) = op();
        Assert.True(expectedFault == fault, $"{what}: fault {fault}, C# gives {FaultCodes.Describe(expectedFault)}");
        if (expectedFault == FaultCodes.None)
        {
            Assert.True(EqualityComparer<T>.Default.Equals(expected, value), $"{what}: {value}, C# gives {expected}");
        }
    }

    [Fact]
    public void Integer_division_remainder_and_checked_arithmetic_fault_where_CSharp_throws()
    {
        foreach (long a in Longs())
        {
            foreach (long b in Longs())
            {
                int f = 0;
                Same(() => a / b, () => (GpuOps.Divide(a, b, ref f), f), $"{a} / {b}"); f = 0;
                Same(() => a % b, () => (GpuOps.Remainder(a, b, ref f), f), $"{a} % {b}"); f = 0;
                Same(() => checked(a + b), () => (GpuOps.CheckedAdd(a, b, ref f), f), $"checked({a} + {b})"); f = 0;
                Same(() => checked(a - b), () => (GpuOps.CheckedSubtract(a, b, ref f), f), $"checked({a} - {b})"); f = 0;
                Same(() => checked(a * b), () => (GpuOps.CheckedMultiply(a, b, ref f), f), $"checked({a} * {b})"); f = 0;
                int ia = unchecked((int)a), ib = unchecked((int)b);
                Same(() => ia / ib, () => (GpuOps.Divide(ia, ib, ref f), f), $"{ia} / {ib}"); f = 0;
                Same(() => ia % ib, () => (GpuOps.Remainder(ia, ib, ref f), f), $"{ia} % {ib}"); f = 0;
                Same(() => checked(ia + ib), () => (GpuOps.CheckedAdd(ia, ib, ref f), f), $"checked({ia} + {ib})"); f = 0;
                Same(() => checked(ia - ib), () => (GpuOps.CheckedSubtract(ia, ib, ref f), f), $"checked({ia} - {ib})"); f = 0;
                Same(() => checked(ia * ib), () => (GpuOps.CheckedMultiply(ia, ib, ref f), f), $"checked({ia} * {ib})"); f = 0;
                ulong ua = unchecked((ulong)a), ub = unchecked((ulong)b);
                Same(() => ua / ub, () => (GpuOps.Divide(ua, ub, ref f), f), $"{ua} / {ub}"); f = 0;
                Same(() => checked(ua + ub), () => (GpuOps.CheckedAdd(ua, ub, ref f), f), $"checked({ua} + {ub})"); f = 0;
                Same(() => checked(ua - ub), () => (GpuOps.CheckedSubtract(ua, ub, ref f), f), $"checked({ua} - {ub})"); f = 0;
                Same(() => checked(ua * ub), () => (GpuOps.CheckedMultiply(ua, ub, ref f), f), $"checked({ua} * {ub})"); f = 0;
                uint xa = unchecked((uint)a), xb = unchecked((uint)b);
                Same(() => xa % xb, () => (GpuOps.Remainder(xa, xb, ref f), f), $"{xa} % {xb}"); f = 0;
                Same(() => checked(xa - xb), () => (GpuOps.CheckedSubtract(xa, xb, ref f), f), $"checked({xa} - {xb})"); f = 0;
                Same(() => checked(xa * xb), () => (GpuOps.CheckedMultiply(xa, xb, ref f), f), $"checked({xa} * {xb})");
            }
            int g = 0;
            Same(() => checked(-a), () => (GpuOps.CheckedNegate(a, ref g), g), $"checked(-{a})"); g = 0;
            Same(() => Math.Abs(a), () => (GpuOps.Abs(a, ref g), g), $"Math.Abs({a})"); g = 0;
            int i = unchecked((int)a);
            Same(() => Math.Abs(i), () => (GpuOps.Abs(i, ref g), g), $"Math.Abs({i})");
        }
        int h = 0;
        long? none = null;
        Assert.Null(GpuOps.Divide(none, 0, ref h));
        Assert.Equal(FaultCodes.None, h);
    }

    [Fact]
    public void Checked_conversions_fault_where_CSharp_throws_and_unchecked_small_ones_go_through_int()
    {
        foreach (double d in Doubles())
        {
            int f = 0;
            Same(() => checked((int)d), () => (GpuOps.CheckedToInt32(d, ref f), f), $"checked((int){d:R})"); f = 0;
            Same(() => checked((long)d), () => (GpuOps.CheckedToInt64(d, ref f), f), $"checked((long){d:R})"); f = 0;
            Same(() => checked((uint)d), () => (GpuOps.CheckedToUInt32(d, ref f), f), $"checked((uint){d:R})"); f = 0;
            Same(() => checked((ulong)d), () => (GpuOps.CheckedToUInt64(d, ref f), f), $"checked((ulong){d:R})"); f = 0;
            Same(() => checked((byte)d), () => (GpuOps.CheckedToByte(d, ref f), f), $"checked((byte){d:R})"); f = 0;
            Same(() => checked((sbyte)d), () => (GpuOps.CheckedToSByte(d, ref f), f), $"checked((sbyte){d:R})"); f = 0;
            Same(() => checked((short)d), () => (GpuOps.CheckedToInt16(d, ref f), f), $"checked((short){d:R})"); f = 0;
            Same(() => checked((char)d), () => (GpuOps.CheckedToChar(d, ref f), f), $"checked((char){d:R})");
            // What the emitter writes for an unchecked float-to-small conversion: through int, as .NET converts.
            Assert.Equal(unchecked((byte)d), unchecked((byte)(int)d));
            Assert.Equal(unchecked((short)d), unchecked((short)(int)d));
            Assert.Equal(unchecked((sbyte)d), unchecked((sbyte)(int)d));
        }
        foreach (long v in Longs())
        {
            int f = 0;
            Same(() => checked((int)v), () => (GpuOps.CheckedToInt32(v, ref f), f), $"checked((int){v})"); f = 0;
            Same(() => checked((ulong)v), () => (GpuOps.CheckedToUInt64(v, ref f), f), $"checked((ulong){v})"); f = 0;
            Same(() => checked((byte)v), () => (GpuOps.CheckedToByte(v, ref f), f), $"checked((byte){v})"); f = 0;
            ulong u = unchecked((ulong)v);
            Same(() => checked((long)u), () => (GpuOps.CheckedToInt64(u, ref f), f), $"checked((long){u})"); f = 0;
            Same(() => checked((uint)u), () => (GpuOps.CheckedToUInt32(u, ref f), f), $"checked((uint){u})");
        }
    }

    [Fact]
    public void Min_and_max_of_floats_are_dotnets_bit_for_bit_with_NaN_and_signed_zeros()
    {
        double[] values = Doubles().Concat([BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0001))]).ToArray();
        foreach (double a in values)
        {
            foreach (double b in values)
            {
                // With a NaN operand only NaN-ness is defined: .NET returns the second of two NaNs in optimized code and the
                // first before tiering up, and quiets a signaling NaN in optimized code only.
                bool anyNaN = double.IsNaN(a) || double.IsNaN(b);
                Assert.Equal(Bits(Math.Min(a, b), anyNaN), Bits(GpuOps.Min(a, b), anyNaN));
                Assert.Equal(Bits(Math.Max(a, b), anyNaN), Bits(GpuOps.Max(a, b), anyNaN));
                float fa = (float)a, fb = (float)b;
                Assert.Equal(Bits(MathF.Min(fa, fb), anyNaN), Bits(GpuOps.Min(fa, fb), anyNaN));
                Assert.Equal(Bits(MathF.Max(fa, fb), anyNaN), Bits(GpuOps.Max(fa, fb), anyNaN));
            }
        }
    }

    private static long Bits(double v, bool nanOnly) => nanOnly ? (double.IsNaN(v) ? 1 : 0) : BitConverter.DoubleToInt64Bits(v);

    [Fact]
    public void Value_of_null_faults_like_Nullable_Value_throws()
    {
        int f = 0;
        double? none = null;
        Same(() => none!.Value, () => (GpuOps.Value(none, ref f), f), "null.Value"); f = 0;
        Same(() => ((double?)2.5).Value, () => (GpuOps.Value((double?)2.5, ref f), f), "2.5.Value");
    }
}
