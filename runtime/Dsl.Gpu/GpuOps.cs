using System.Runtime.CompilerServices;
using ILGPU;

namespace Dsl.Gpu;

/// <summary>
/// The operations of generated GPU kernels where C# would throw, or where a GPU instruction would not compute what
/// .NET computes. Instead of throwing they set <c>fault</c> to a <see cref="FaultCodes">code</see> (the batch then
/// re-runs on the CPU kernel, which throws the exact exception) and return a value the kernel may go on with.
/// Everything is written with plain comparisons and arithmetic that ILGPU compiles on every backend; the generator
/// calls them for integer division and remainder, checked arithmetic and conversions, <c>Math.Abs</c> of integers,
/// <c>Math.Min</c>/<c>Math.Max</c> and <c>.Value</c>.
/// </summary>
/// <remarks>The overloads per type are spelled out so that overload resolution in generated code picks the one C#
/// would have used for the operator.</remarks>
public static class GpuOps
{

    /// <summary><c>a / b</c> as C# computes it for <c>int</c>: a zero divisor faults (DivideByZeroException), and so does MinValue / -1 (OverflowException, in checked and unchecked code alike).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Divide(int a, int b, ref int fault)
    {
        if (b == 0)
        {
            fault = FaultCodes.DivideByZero;
            return 0;
        }
        if (b == -1)
        {
            if (a == int.MinValue)
            {
                fault = FaultCodes.Overflow;
                return 0;
            }
            return -a;
        }
        return a / b;
    }

    /// <summary>The lifted <c>a / b</c>: null when either is null, else <see cref="Divide(int, int, ref int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int? Divide(int? a, int? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? Divide(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>a % b</c> as C# computes it for <c>int</c>: a zero divisor faults (DivideByZeroException), and so does MinValue % -1 (OverflowException, in checked and unchecked code alike).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Remainder(int a, int b, ref int fault)
    {
        if (b == 0)
        {
            fault = FaultCodes.DivideByZero;
            return 0;
        }
        if (b == -1)
        {
            if (a == int.MinValue)
            {
                fault = FaultCodes.Overflow;
                return 0;
            }
            return 0;
        }
        return a % b;
    }

    /// <summary>The lifted <c>a % b</c>: null when either is null, else <see cref="Remainder(int, int, ref int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int? Remainder(int? a, int? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? Remainder(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>a / b</c> as C# computes it for <c>long</c>: a zero divisor faults (DivideByZeroException), and so does MinValue / -1 (OverflowException, in checked and unchecked code alike).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Divide(long a, long b, ref int fault)
    {
        if (b == 0)
        {
            fault = FaultCodes.DivideByZero;
            return 0;
        }
        if (b == -1)
        {
            if (a == long.MinValue)
            {
                fault = FaultCodes.Overflow;
                return 0;
            }
            return -a;
        }
        return a / b;
    }

    /// <summary>The lifted <c>a / b</c>: null when either is null, else <see cref="Divide(long, long, ref int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long? Divide(long? a, long? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? Divide(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>a % b</c> as C# computes it for <c>long</c>: a zero divisor faults (DivideByZeroException), and so does MinValue % -1 (OverflowException, in checked and unchecked code alike).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Remainder(long a, long b, ref int fault)
    {
        if (b == 0)
        {
            fault = FaultCodes.DivideByZero;
            return 0;
        }
        if (b == -1)
        {
            if (a == long.MinValue)
            {
                fault = FaultCodes.Overflow;
                return 0;
            }
            return 0;
        }
        return a % b;
    }

    /// <summary>The lifted <c>a % b</c>: null when either is null, else <see cref="Remainder(long, long, ref int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long? Remainder(long? a, long? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? Remainder(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>a / b</c> as C# computes it for <c>uint</c>: a zero divisor faults (DivideByZeroException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Divide(uint a, uint b, ref int fault)
    {
        if (b == 0)
        {
            fault = FaultCodes.DivideByZero;
            return 0;
        }
        return a / b;
    }

    /// <summary>The lifted <c>a / b</c>: null when either is null, else <see cref="Divide(uint, uint, ref int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint? Divide(uint? a, uint? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? Divide(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>a % b</c> as C# computes it for <c>uint</c>: a zero divisor faults (DivideByZeroException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Remainder(uint a, uint b, ref int fault)
    {
        if (b == 0)
        {
            fault = FaultCodes.DivideByZero;
            return 0;
        }
        return a % b;
    }

    /// <summary>The lifted <c>a % b</c>: null when either is null, else <see cref="Remainder(uint, uint, ref int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint? Remainder(uint? a, uint? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? Remainder(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>a / b</c> as C# computes it for <c>ulong</c>: a zero divisor faults (DivideByZeroException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Divide(ulong a, ulong b, ref int fault)
    {
        if (b == 0)
        {
            fault = FaultCodes.DivideByZero;
            return 0;
        }
        return a / b;
    }

    /// <summary>The lifted <c>a / b</c>: null when either is null, else <see cref="Divide(ulong, ulong, ref int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong? Divide(ulong? a, ulong? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? Divide(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>a % b</c> as C# computes it for <c>ulong</c>: a zero divisor faults (DivideByZeroException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Remainder(ulong a, ulong b, ref int fault)
    {
        if (b == 0)
        {
            fault = FaultCodes.DivideByZero;
            return 0;
        }
        return a % b;
    }

    /// <summary>The lifted <c>a % b</c>: null when either is null, else <see cref="Remainder(ulong, ulong, ref int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong? Remainder(ulong? a, ulong? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? Remainder(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a + b)</c> for <c>int</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckedAdd(int a, int b, ref int fault)
    {
        long r = (long)a + b;
        if (r < int.MinValue || r > int.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((int)r);
    }

    /// <summary>The lifted <c>checked(a + b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int? CheckedAdd(int? a, int? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedAdd(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a - b)</c> for <c>int</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckedSubtract(int a, int b, ref int fault)
    {
        long r = (long)a - b;
        if (r < int.MinValue || r > int.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((int)r);
    }

    /// <summary>The lifted <c>checked(a - b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int? CheckedSubtract(int? a, int? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedSubtract(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a * b)</c> for <c>int</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckedMultiply(int a, int b, ref int fault)
    {
        long r = (long)a * b;
        if (r < int.MinValue || r > int.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((int)r);
    }

    /// <summary>The lifted <c>checked(a * b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int? CheckedMultiply(int? a, int? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedMultiply(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a + b)</c> for <c>long</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CheckedAdd(long a, long b, ref int fault)
    {
        long r = unchecked(a + b);
        if (((a ^ r) & (b ^ r)) < 0)
        {
            fault = FaultCodes.Overflow;
        }
        return r;
    }

    /// <summary>The lifted <c>checked(a + b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long? CheckedAdd(long? a, long? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedAdd(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a - b)</c> for <c>long</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CheckedSubtract(long a, long b, ref int fault)
    {
        long r = unchecked(a - b);
        if (((a ^ b) & (a ^ r)) < 0)
        {
            fault = FaultCodes.Overflow;
        }
        return r;
    }

    /// <summary>The lifted <c>checked(a - b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long? CheckedSubtract(long? a, long? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedSubtract(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a * b)</c> for <c>long</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CheckedMultiply(long a, long b, ref int fault)
    {
        if (a == 0 || b == 0)
        {
            return 0;
        }
        // -1 first: MinValue / -1 below would itself overflow.
        if (a == -1 || b == -1)
        {
            long other = a == -1 ? b : a;
            if (other == long.MinValue)
            {
                fault = FaultCodes.Overflow;
                return other;
            }
            return -other;
        }
        long r = unchecked(a * b);
        if (r / b != a)
        {
            fault = FaultCodes.Overflow;
        }
        return r;
    }

    /// <summary>The lifted <c>checked(a * b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long? CheckedMultiply(long? a, long? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedMultiply(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a + b)</c> for <c>uint</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint CheckedAdd(uint a, uint b, ref int fault)
    {
        long r = (long)a + b;
        if (r < 0 || r > uint.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((uint)r);
    }

    /// <summary>The lifted <c>checked(a + b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint? CheckedAdd(uint? a, uint? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedAdd(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a - b)</c> for <c>uint</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint CheckedSubtract(uint a, uint b, ref int fault)
    {
        long r = (long)a - b;
        if (r < 0 || r > uint.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((uint)r);
    }

    /// <summary>The lifted <c>checked(a - b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint? CheckedSubtract(uint? a, uint? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedSubtract(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a * b)</c> for <c>uint</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint CheckedMultiply(uint a, uint b, ref int fault)
    {
        ulong r = (ulong)a * b;
        if (r > uint.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((uint)r);
    }

    /// <summary>The lifted <c>checked(a * b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint? CheckedMultiply(uint? a, uint? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedMultiply(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a + b)</c> for <c>ulong</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong CheckedAdd(ulong a, ulong b, ref int fault)
    {
        ulong r = unchecked(a + b);
        if (r < a)
        {
            fault = FaultCodes.Overflow;
        }
        return r;
    }

    /// <summary>The lifted <c>checked(a + b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong? CheckedAdd(ulong? a, ulong? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedAdd(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a - b)</c> for <c>ulong</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong CheckedSubtract(ulong a, ulong b, ref int fault)
    {
        if (a < b)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked(a - b);
    }

    /// <summary>The lifted <c>checked(a - b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong? CheckedSubtract(ulong? a, ulong? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedSubtract(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(a * b)</c> for <c>ulong</c>: an overflow faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong CheckedMultiply(ulong a, ulong b, ref int fault)
    {
        ulong r = unchecked(a * b);
        if (a != 0 && r / a != b)
        {
            fault = FaultCodes.Overflow;
        }
        return r;
    }

    /// <summary>The lifted <c>checked(a * b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong? CheckedMultiply(ulong? a, ulong? b, ref int fault)
    {
        return a.HasValue && b.HasValue ? CheckedMultiply(a.GetValueOrDefault(), b.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(-a)</c> for <c>int</c>: -MinValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckedNegate(int a, ref int fault)
    {
        if (a == int.MinValue)
        {
            fault = FaultCodes.Overflow;
            return a;
        }
        return -a;
    }

    /// <summary>The lifted <c>checked(-a)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int? CheckedNegate(int? a, ref int fault)
    {
        return a.HasValue ? CheckedNegate(a.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked(-a)</c> for <c>long</c>: -MinValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CheckedNegate(long a, ref int fault)
    {
        if (a == long.MinValue)
        {
            fault = FaultCodes.Overflow;
            return a;
        }
        return -a;
    }

    /// <summary>The lifted <c>checked(-a)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long? CheckedNegate(long? a, ref int fault)
    {
        return a.HasValue ? CheckedNegate(a.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked((sbyte)v)</c> of a signed integer: a value outside sbyte's range faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte CheckedToSByte(long v, ref int fault)
    {
        if (v < sbyte.MinValue || v > sbyte.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((sbyte)v);
    }

    /// <summary><c>checked((sbyte)v)</c> of an unsigned integer: a value above sbyte.MaxValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte CheckedToSByte(ulong v, ref int fault)
    {
        if (v > (ulong)sbyte.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((sbyte)v);
    }

    /// <summary><c>checked((sbyte)v)</c> of a floating-point value: NaN, or a value whose truncation is outside sbyte's range, faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte CheckedToSByte(double v, ref int fault)
    {
        if (!(v > -129.0 && v < 128.0))
        {
            fault = FaultCodes.Overflow;
            return 0;
        }
        return unchecked((sbyte)(int)v);
    }

    /// <summary>The lifted <c>checked((sbyte?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte? CheckedToSByte(long? v, ref int fault)
    {
        return v.HasValue ? CheckedToSByte(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((sbyte?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte? CheckedToSByte(ulong? v, ref int fault)
    {
        return v.HasValue ? CheckedToSByte(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((sbyte?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte? CheckedToSByte(double? v, ref int fault)
    {
        return v.HasValue ? CheckedToSByte(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked((byte)v)</c> of a signed integer: a value outside byte's range faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte CheckedToByte(long v, ref int fault)
    {
        if (v < byte.MinValue || v > byte.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((byte)v);
    }

    /// <summary><c>checked((byte)v)</c> of an unsigned integer: a value above byte.MaxValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte CheckedToByte(ulong v, ref int fault)
    {
        if (v > byte.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((byte)v);
    }

    /// <summary><c>checked((byte)v)</c> of a floating-point value: NaN, or a value whose truncation is outside byte's range, faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte CheckedToByte(double v, ref int fault)
    {
        if (!(v > -1.0 && v < 256.0))
        {
            fault = FaultCodes.Overflow;
            return 0;
        }
        return unchecked((byte)(int)v);
    }

    /// <summary>The lifted <c>checked((byte?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte? CheckedToByte(long? v, ref int fault)
    {
        return v.HasValue ? CheckedToByte(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((byte?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte? CheckedToByte(ulong? v, ref int fault)
    {
        return v.HasValue ? CheckedToByte(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((byte?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte? CheckedToByte(double? v, ref int fault)
    {
        return v.HasValue ? CheckedToByte(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked((short)v)</c> of a signed integer: a value outside short's range faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short CheckedToInt16(long v, ref int fault)
    {
        if (v < short.MinValue || v > short.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((short)v);
    }

    /// <summary><c>checked((short)v)</c> of an unsigned integer: a value above short.MaxValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short CheckedToInt16(ulong v, ref int fault)
    {
        if (v > (ulong)short.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((short)v);
    }

    /// <summary><c>checked((short)v)</c> of a floating-point value: NaN, or a value whose truncation is outside short's range, faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short CheckedToInt16(double v, ref int fault)
    {
        if (!(v > -32769.0 && v < 32768.0))
        {
            fault = FaultCodes.Overflow;
            return 0;
        }
        return unchecked((short)(int)v);
    }

    /// <summary>The lifted <c>checked((short?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short? CheckedToInt16(long? v, ref int fault)
    {
        return v.HasValue ? CheckedToInt16(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((short?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short? CheckedToInt16(ulong? v, ref int fault)
    {
        return v.HasValue ? CheckedToInt16(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((short?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short? CheckedToInt16(double? v, ref int fault)
    {
        return v.HasValue ? CheckedToInt16(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked((ushort)v)</c> of a signed integer: a value outside ushort's range faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort CheckedToUInt16(long v, ref int fault)
    {
        if (v < ushort.MinValue || v > ushort.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((ushort)v);
    }

    /// <summary><c>checked((ushort)v)</c> of an unsigned integer: a value above ushort.MaxValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort CheckedToUInt16(ulong v, ref int fault)
    {
        if (v > ushort.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((ushort)v);
    }

    /// <summary><c>checked((ushort)v)</c> of a floating-point value: NaN, or a value whose truncation is outside ushort's range, faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort CheckedToUInt16(double v, ref int fault)
    {
        if (!(v > -1.0 && v < 65536.0))
        {
            fault = FaultCodes.Overflow;
            return 0;
        }
        return unchecked((ushort)(int)v);
    }

    /// <summary>The lifted <c>checked((ushort?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort? CheckedToUInt16(long? v, ref int fault)
    {
        return v.HasValue ? CheckedToUInt16(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((ushort?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort? CheckedToUInt16(ulong? v, ref int fault)
    {
        return v.HasValue ? CheckedToUInt16(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((ushort?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort? CheckedToUInt16(double? v, ref int fault)
    {
        return v.HasValue ? CheckedToUInt16(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked((char)v)</c> of a signed integer: a value outside char's range faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static char CheckedToChar(long v, ref int fault)
    {
        if (v < char.MinValue || v > char.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((char)v);
    }

    /// <summary><c>checked((char)v)</c> of an unsigned integer: a value above char.MaxValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static char CheckedToChar(ulong v, ref int fault)
    {
        if (v > char.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((char)v);
    }

    /// <summary><c>checked((char)v)</c> of a floating-point value: NaN, or a value whose truncation is outside char's range, faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static char CheckedToChar(double v, ref int fault)
    {
        if (!(v > -1.0 && v < 65536.0))
        {
            fault = FaultCodes.Overflow;
            return default;
        }
        return unchecked((char)(int)v);
    }

    /// <summary>The lifted <c>checked((char?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static char? CheckedToChar(long? v, ref int fault)
    {
        return v.HasValue ? CheckedToChar(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((char?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static char? CheckedToChar(ulong? v, ref int fault)
    {
        return v.HasValue ? CheckedToChar(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((char?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static char? CheckedToChar(double? v, ref int fault)
    {
        return v.HasValue ? CheckedToChar(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked((int)v)</c> of a signed integer: a value outside int's range faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckedToInt32(long v, ref int fault)
    {
        if (v < int.MinValue || v > int.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((int)v);
    }

    /// <summary><c>checked((int)v)</c> of an unsigned integer: a value above int.MaxValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckedToInt32(ulong v, ref int fault)
    {
        if (v > (ulong)int.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((int)v);
    }

    /// <summary><c>checked((int)v)</c> of a floating-point value: NaN, or a value whose truncation is outside int's range, faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckedToInt32(double v, ref int fault)
    {
        if (!(v > -2147483649.0 && v < 2147483648.0))
        {
            fault = FaultCodes.Overflow;
            return 0;
        }
        return unchecked((int)v);
    }

    /// <summary>The lifted <c>checked((int?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int? CheckedToInt32(long? v, ref int fault)
    {
        return v.HasValue ? CheckedToInt32(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((int?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int? CheckedToInt32(ulong? v, ref int fault)
    {
        return v.HasValue ? CheckedToInt32(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((int?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int? CheckedToInt32(double? v, ref int fault)
    {
        return v.HasValue ? CheckedToInt32(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked((uint)v)</c> of a signed integer: a value outside uint's range faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint CheckedToUInt32(long v, ref int fault)
    {
        if (v < uint.MinValue || v > uint.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((uint)v);
    }

    /// <summary><c>checked((uint)v)</c> of an unsigned integer: a value above uint.MaxValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint CheckedToUInt32(ulong v, ref int fault)
    {
        if (v > uint.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((uint)v);
    }

    /// <summary><c>checked((uint)v)</c> of a floating-point value: NaN, or a value whose truncation is outside uint's range, faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint CheckedToUInt32(double v, ref int fault)
    {
        if (!(v > -1.0 && v < 4294967296.0))
        {
            fault = FaultCodes.Overflow;
            return 0;
        }
        return unchecked((uint)v);
    }

    /// <summary>The lifted <c>checked((uint?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint? CheckedToUInt32(long? v, ref int fault)
    {
        return v.HasValue ? CheckedToUInt32(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((uint?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint? CheckedToUInt32(ulong? v, ref int fault)
    {
        return v.HasValue ? CheckedToUInt32(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((uint?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint? CheckedToUInt32(double? v, ref int fault)
    {
        return v.HasValue ? CheckedToUInt32(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked((long)v)</c> of an unsigned integer: a value above long.MaxValue faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CheckedToInt64(ulong v, ref int fault)
    {
        if (v > (ulong)long.MaxValue)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((long)v);
    }

    /// <summary><c>checked((long)v)</c> of a floating-point value: NaN, or a value whose truncation is outside long's range, faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CheckedToInt64(double v, ref int fault)
    {
        if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
        {
            fault = FaultCodes.Overflow;
            return 0;
        }
        return unchecked((long)v);
    }

    /// <summary>The lifted <c>checked((long?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long? CheckedToInt64(ulong? v, ref int fault)
    {
        return v.HasValue ? CheckedToInt64(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((long?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long? CheckedToInt64(double? v, ref int fault)
    {
        return v.HasValue ? CheckedToInt64(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>checked((ulong)v)</c> of a signed integer: a value outside ulong's range faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong CheckedToUInt64(long v, ref int fault)
    {
        if (v < 0)
        {
            fault = FaultCodes.Overflow;
        }
        return unchecked((ulong)v);
    }

    /// <summary><c>checked((ulong)v)</c> of a floating-point value: NaN, or a value whose truncation is outside ulong's range, faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong CheckedToUInt64(double v, ref int fault)
    {
        if (!(v > -1.0 && v < 18446744073709551616.0))
        {
            fault = FaultCodes.Overflow;
            return 0;
        }
        return unchecked((ulong)v);
    }

    /// <summary>The lifted <c>checked((ulong?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong? CheckedToUInt64(long? v, ref int fault)
    {
        return v.HasValue ? CheckedToUInt64(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary>The lifted <c>checked((ulong?)v)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong? CheckedToUInt64(double? v, ref int fault)
    {
        return v.HasValue ? CheckedToUInt64(v.GetValueOrDefault(), ref fault) : null;
    }

    /// <summary><c>Math.Min</c> of <c>sbyte</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte Min(sbyte a, sbyte b)
    {
        return a <= b ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>sbyte</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte Max(sbyte a, sbyte b)
    {
        return a >= b ? a : b;
    }

    /// <summary><c>Math.Min</c> of <c>byte</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Min(byte a, byte b)
    {
        return a <= b ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>byte</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Max(byte a, byte b)
    {
        return a >= b ? a : b;
    }

    /// <summary><c>Math.Min</c> of <c>short</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Min(short a, short b)
    {
        return a <= b ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>short</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Max(short a, short b)
    {
        return a >= b ? a : b;
    }

    /// <summary><c>Math.Min</c> of <c>ushort</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Min(ushort a, ushort b)
    {
        return a <= b ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>ushort</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Max(ushort a, ushort b)
    {
        return a >= b ? a : b;
    }

    /// <summary><c>Math.Min</c> of <c>int</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Min(int a, int b)
    {
        return a <= b ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>int</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Max(int a, int b)
    {
        return a >= b ? a : b;
    }

    /// <summary><c>Math.Min</c> of <c>uint</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Min(uint a, uint b)
    {
        return a <= b ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>uint</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Max(uint a, uint b)
    {
        return a >= b ? a : b;
    }

    /// <summary><c>Math.Min</c> of <c>long</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Min(long a, long b)
    {
        return a <= b ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>long</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Max(long a, long b)
    {
        return a >= b ? a : b;
    }

    /// <summary><c>Math.Min</c> of <c>ulong</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Min(ulong a, ulong b)
    {
        return a <= b ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>ulong</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Max(ulong a, ulong b)
    {
        return a >= b ? a : b;
    }

    /// <summary><c>Math.Min</c> of <c>double</c> as .NET computes it (IEEE 754-2019 minimum): NaN wins, and -0 is below +0. A GPU min instruction returns the other operand for a NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Min(double a, double b)
    {
        if (a != b)
        {
            // Both NaN: .NET's optimized code returns the second (its unoptimized code the first): the payload is not defined.
            return double.IsNaN(a) ? (double.IsNaN(b) ? b : a) : (a < b ? a : b);
        }
        return IsNegative(a) ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>double</c> as .NET computes it (IEEE 754-2019 maximum): NaN wins, and +0 is above -0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Max(double a, double b)
    {
        if (a != b)
        {
            return double.IsNaN(a) ? (double.IsNaN(b) ? b : a) : (b < a ? a : b);
        }
        return IsNegative(b) ? a : b;
    }

    /// <summary>Whether the sign bit of <paramref name="v"/> is set (-0 and negative NaNs too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNegative(double v)
    {
        return ((long)ILGPU.Interop.FloatAsInt(v)) < 0;
    }

    /// <summary><c>Math.Min</c> of <c>float</c> as .NET computes it (IEEE 754-2019 minimum): NaN wins, and -0 is below +0. A GPU min instruction returns the other operand for a NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Min(float a, float b)
    {
        if (a != b)
        {
            // Both NaN: .NET's optimized code returns the second (its unoptimized code the first): the payload is not defined.
            return float.IsNaN(a) ? (float.IsNaN(b) ? b : a) : (a < b ? a : b);
        }
        return IsNegative(a) ? a : b;
    }

    /// <summary><c>Math.Max</c> of <c>float</c> as .NET computes it (IEEE 754-2019 maximum): NaN wins, and +0 is above -0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b)
    {
        if (a != b)
        {
            return float.IsNaN(a) ? (float.IsNaN(b) ? b : a) : (b < a ? a : b);
        }
        return IsNegative(b) ? a : b;
    }

    /// <summary>Whether the sign bit of <paramref name="v"/> is set (-0 and negative NaNs too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNegative(float v)
    {
        return ((int)ILGPU.Interop.FloatAsInt(v)) < 0;
    }

    /// <summary><c>Math.Abs</c> of <c>sbyte</c>: MinValue has no absolute value and faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static sbyte Abs(sbyte a, ref int fault)
    {
        if (a == sbyte.MinValue)
        {
            fault = FaultCodes.Overflow;
            return a;
        }
        return a < 0 ? (sbyte)(-a) : a;
    }

    /// <summary><c>Math.Abs</c> of <c>short</c>: MinValue has no absolute value and faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Abs(short a, ref int fault)
    {
        if (a == short.MinValue)
        {
            fault = FaultCodes.Overflow;
            return a;
        }
        return a < 0 ? (short)(-a) : a;
    }

    /// <summary><c>Math.Abs</c> of <c>int</c>: MinValue has no absolute value and faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Abs(int a, ref int fault)
    {
        if (a == int.MinValue)
        {
            fault = FaultCodes.Overflow;
            return a;
        }
        return a < 0 ? (int)(-a) : a;
    }

    /// <summary><c>Math.Abs</c> of <c>long</c>: MinValue has no absolute value and faults (OverflowException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Abs(long a, ref int fault)
    {
        if (a == long.MinValue)
        {
            fault = FaultCodes.Overflow;
            return a;
        }
        return a < 0 ? (long)(-a) : a;
    }

    /// <summary><c>v.Value</c>, or the cast of a nullable to its value type: null faults (InvalidOperationException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Value<T>(T? v, ref int fault)
        where T : struct
    {
        if (!v.HasValue)
        {
            fault = FaultCodes.NullValue;
        }
        return v.GetValueOrDefault();
    }

    /// <summary>
    /// The value a string sub-expression has for dictionary entry <paramref name="slot"/>, computed on the host: a slot
    /// outside the table faults (IndexOutOfRangeException, as indexing the dictionary would), and so does an entry whose
    /// C# threw (<paramref name="faults"/>).
    /// </summary>
    public static T Gather<T>(ArrayView<T> table, ArrayView<int> faults, int slot, ref int fault)
        where T : unmanaged
    {
        if ((uint)slot >= (uint)table.IntLength)
        {
            fault = FaultCodes.IndexOutOfRange;
            return default;
        }
        if (faults[slot] != FaultCodes.None)
        {
            fault = faults[slot];
        }
        return table[slot];
    }

    /// <summary>As <see cref="Gather{T}"/>, for a nullable value: <paramref name="valid"/> is 1 where it is not null.</summary>
    public static T? GatherNullable<T>(ArrayView<T> table, ArrayView<byte> valid, ArrayView<int> faults, int slot, ref int fault)
        where T : unmanaged
    {
        T value = Gather(table, faults, slot, ref fault);
        return fault == FaultCodes.None && valid[slot] != 0 ? value : null;
    }

    /// <summary>As <see cref="Gather{T}"/>, for a bool held as a byte.</summary>
    public static bool GatherBool(ArrayView<byte> table, ArrayView<int> faults, int slot, ref int fault) => Gather(table, faults, slot, ref fault) != 0;

    /// <summary>As <see cref="GatherNullable{T}"/>, for a nullable bool held as a byte.</summary>
    public static bool? GatherNullableBool(ArrayView<byte> table, ArrayView<byte> valid, ArrayView<int> faults, int slot, ref int fault)
    {
        byte value = Gather(table, faults, slot, ref fault);
        return fault == FaultCodes.None && valid[slot] != 0 ? value != 0 : null;
    }
}
