using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dsl.Kernels;

/// <summary>
/// Building blocks of generated vector kernels, each bit-identical to the scalar C# it replaces. A block holds
/// <see cref="KernelDispatch.BlockRows"/> rows: 64-bit values travel as <see cref="Vector256{T}"/>, 32-bit values
/// as <see cref="Vector128{T}"/>, and every condition as a <see cref="Vector256{T}"/> of <see cref="long"/> whose
/// lanes are all ones (true) or all zeros (false).
/// </summary>
/// <remarks>Called by generated code; not meant to be called by hand.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VectorMath
{
    private const uint BlockMask = (1u << KernelDispatch.BlockRows) - 1;

    /// <summary>The validity of rows <paramref name="row"/> to <paramref name="row"/>+3 as a mask (all valid when <paramref name="validity"/> is null).</summary>
    /// <remarks><paramref name="row"/> is a multiple of the block size, so the four bits never straddle two words.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<long> LoadValidity(ValidityBitmap? validity, int row) =>
        validity is null ? Vector256<long>.AllBitsSet : MaskFromBits((uint)(validity.Words[row >> 6] >> (row & 63)) & BlockMask);

    /// <summary>A mask whose lane k is set when bit k of <paramref name="bits"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<long> MaskFromBits(uint bits)
    {
        Vector256<long> lanes = Vector256.Create(1L, 2L, 4L, 8L);
        return Vector256.Equals(Vector256.Create((long)bits) & lanes, lanes);
    }

    /// <summary>Bit k set when lane k of <paramref name="mask"/> is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Bits(Vector256<long> mask) => mask.ExtractMostSignificantBits();

    /// <summary>Loads four <see cref="bool"/> values (one byte each, nonzero is true) as a mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<long> LoadBools(ReadOnlySpan<bool> values, int row)
    {
        uint packed = Unsafe.ReadUnaligned<uint>(ref Unsafe.As<bool, byte>(ref Unsafe.AsRef(in values.Slice(row, KernelDispatch.BlockRows)[0])));
        Vector256<long> bytes = Avx2.IsSupported
            ? Avx2.ConvertToVector256Int64(Vector128.CreateScalar(packed).AsByte())
            : Vector256.Create((long)(packed & 0xFF), (packed >> 8) & 0xFF, (packed >> 16) & 0xFF, packed >> 24);
        return ~Vector256.Equals(bytes, Vector256<long>.Zero);
    }

    /// <summary>Stores a mask as four <see cref="bool"/> values (0 or 1) at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBools(Vector256<long> mask, Span<bool> destination, int index)
    {
        uint bits = mask.ExtractMostSignificantBits();
        uint packed = (bits & 1) | ((bits & 2) << 7) | ((bits & 4) << 14) | ((bits & 8) << 21);
        Unsafe.WriteUnaligned(ref Unsafe.As<bool, byte>(ref destination.Slice(index, KernelDispatch.BlockRows)[0]), packed);
    }

    /// <summary>The mask for 32-bit lanes (<see cref="Vector128{T}"/> values) of a block mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Narrow(Vector256<long> mask) => Vector128.Narrow(mask.GetLower(), mask.GetUpper());

    /// <summary>The block mask of a mask over 32-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<long> Widen(Vector128<int> mask) =>
        Avx2.IsSupported ? Avx2.ConvertToVector256Int64(mask) : Vector256.Create(Vector128.WidenLower(mask), Vector128.WidenUpper(mask));

    /// <summary><c>(long)x</c> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<long> ToInt64(Vector128<int> x) =>
        Avx2.IsSupported ? Avx2.ConvertToVector256Int64(x) : Vector256.Create(Vector128.WidenLower(x), Vector128.WidenUpper(x));

    /// <summary><c>(double)x</c> per lane (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ToDouble(Vector128<int> x) =>
        Avx.IsSupported ? Avx.ConvertToVector256Double(x) : Vector256.Create((double)x[0], x[1], x[2], x[3]);

    /// <summary><c>(double)x</c> per lane (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ToDouble(Vector128<float> x) =>
        Avx.IsSupported ? Avx.ConvertToVector256Double(x) : Vector256.Create((double)x[0], x[1], x[2], x[3]);

    /// <summary><c>(double)x</c> per lane, rounding like the scalar conversion.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ToDouble(Vector256<long> x) => Vector256.Create((double)x[0], x[1], x[2], x[3]);

    /// <summary><c>(float)x</c> per lane, rounding like the scalar conversion.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ToSingle(Vector128<int> x) => Vector128.ConvertToSingle(x);

    /// <summary><c>(float)x</c> per lane, rounding like the scalar conversion.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ToSingle(Vector256<long> x) => Vector128.Create((float)x[0], x[1], x[2], x[3]);

    /// <summary><c>(float)x</c> per lane, rounding like the scalar conversion.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ToSingle(Vector256<double> x) => Vector128.Create((float)x[0], (float)x[1], (float)x[2], (float)x[3]);

    /// <summary><c>-x</c> per lane: flips the sign bit, as scalar negation does (so <c>-(0.0)</c> is <c>-0.0</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Negate(Vector256<double> x) => x ^ Vector256.Create(-0.0);

    /// <inheritdoc cref="Negate(Vector256{double})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Negate(Vector128<float> x) => x ^ Vector128.Create(-0.0f);

    /// <summary>
    /// <see cref="Math.Min(double, double)"/> per lane, bit for bit: a NaN operand wins (the first when both are),
    /// and <c>-0.0</c> is less than <c>+0.0</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Min(Vector256<double> x, Vector256<double> y)
    {
        // Math.Min: x != y ? (IsNaN(x) ? x : x < y ? x : y) : (IsNegative(x) ? x : y).
        Vector256<double> equal = Vector256.Equals(x, y);
        Vector256<double> pickX = ~Vector256.Equals(x, x) | Vector256.LessThan(x, y);
        Vector256<double> negativeX = Vector256.IsNegative(x);
        return Vector256.ConditionalSelect((equal & negativeX) | (~equal & pickX), x, y);
    }

    /// <summary>
    /// <see cref="Math.Max(double, double)"/> per lane, bit for bit: a NaN operand wins (the first when both are),
    /// and <c>+0.0</c> is greater than <c>-0.0</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Max(Vector256<double> x, Vector256<double> y)
    {
        // Math.Max: x != y ? (IsNaN(x) ? x : y < x ? x : y) : (IsNegative(y) ? x : y).
        Vector256<double> equal = Vector256.Equals(x, y);
        Vector256<double> pickX = ~Vector256.Equals(x, x) | Vector256.LessThan(y, x);
        Vector256<double> negativeY = Vector256.IsNegative(y);
        return Vector256.ConditionalSelect((equal & negativeY) | (~equal & pickX), x, y);
    }

    /// <inheritdoc cref="Min(Vector256{double}, Vector256{double})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Min(Vector128<float> x, Vector128<float> y)
    {
        Vector128<float> equal = Vector128.Equals(x, y);
        Vector128<float> pickX = ~Vector128.Equals(x, x) | Vector128.LessThan(x, y);
        return Vector128.ConditionalSelect((equal & Vector128.IsNegative(x)) | (~equal & pickX), x, y);
    }

    /// <inheritdoc cref="Max(Vector256{double}, Vector256{double})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> x, Vector128<float> y)
    {
        Vector128<float> equal = Vector128.Equals(x, y);
        Vector128<float> pickX = ~Vector128.Equals(x, x) | Vector128.LessThan(y, x);
        return Vector128.ConditionalSelect((equal & Vector128.IsNegative(y)) | (~equal & pickX), x, y);
    }

    /// <summary><see cref="Math.Clamp(double, double, double)"/> per lane for bounds already checked with <c>!(min &gt; max)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Clamp(Vector256<double> value, Vector256<double> min, Vector256<double> max) =>
        Vector256.ConditionalSelect(Vector256.LessThan(value, min), min, Vector256.ConditionalSelect(Vector256.GreaterThan(value, max), max, value));

    /// <inheritdoc cref="Clamp(Vector256{double}, Vector256{double}, Vector256{double})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Clamp(Vector128<float> value, Vector128<float> min, Vector128<float> max) =>
        Vector128.ConditionalSelect(Vector128.LessThan(value, min), min, Vector128.ConditionalSelect(Vector128.GreaterThan(value, max), max, value));

    /// <summary>Whether every lane of a timestamp block (microseconds since the Unix epoch) is a valid <see cref="DateTime"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InDateTimeRange(Vector256<long> micros) =>
        (Vector256.LessThan(micros, Vector256.Create(Timestamps.MinMicros)) | Vector256.GreaterThan(micros, Vector256.Create(Timestamps.MaxMicros))) == Vector256<long>.Zero;

    /// <summary>Marks the rows of a block written at <paramref name="index"/> null where <paramref name="valid"/> is clear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetNulls(ValidityBitmap validity, int index, Vector256<long> valid)
    {
        uint nulls = ~valid.ExtractMostSignificantBits() & BlockMask;
        while (nulls != 0)
        {
            validity.Set(index + System.Numerics.BitOperations.TrailingZeroCount(nulls), false);
            nulls &= nulls - 1;
        }
    }

    /// <summary>Writes the row numbers <paramref name="row"/> to <paramref name="row"/>+3 at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRowNumbers(Span<int> selection, int index, int row) =>
        (Vector128.Create(row) + Vector128.Create(0, 1, 2, 3)).CopyTo(selection.Slice(index, KernelDispatch.BlockRows));
}
