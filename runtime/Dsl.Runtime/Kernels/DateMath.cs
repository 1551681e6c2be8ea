using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dsl.Kernels;

/// <summary>
/// The parts of a <see cref="DateOnly"/> from its stored value (days since 1970-01-01, see <see cref="Dates"/>) by
/// integer arithmetic over the four 32-bit lanes of a block, equal to what <see cref="DateOnly"/>'s own properties
/// give for every day from <see cref="Dates.MinDays"/> to <see cref="Dates.MaxDays"/>. <see cref="Civil"/> and
/// <see cref="DayOfWeekOf(int)"/> state the same method for one day in plain integer arithmetic. Outside that range the results are unspecified: kernels check
/// <see cref="InDateOnlyRange"/> first and let the per-row code throw.
/// </summary>
/// <remarks>
/// Year, month and day come from the civil-from-days method: shift the epoch to 0000-03-01 so that the leap day ends
/// each year, split the day count into 400-year eras of 146097 days, find the year of the era from the day of the era
/// (correcting 365-day years by the leap days every 4 years, 1460 days, less every 100, 36524, plus every 400,
/// 146096), then the month from the day of that March-based year with the 153-days-per-5-months rule.
/// <para>
/// The vector form runs it on <see cref="Vector256{T}"/> of <see cref="double"/>: every intermediate value is an
/// integer well below 2^53, so additions, subtractions and products by constants are exact. Every quotient is of a
/// non-negative integer x &lt; 2^31 by a constant d &lt; 2^21, and is taken as <c>Floor(x * u)</c> with u the double
/// 1/d raised by 2^13 units in the last place, so (1/d)(1 + 2^-41) ≤ u ≤ (1/d)(1 + 2^-38): a multiplication instead of a division,
/// which costs several times more. Write x = q·d + r with 0 ≤ r &lt; d. From below, x·u ≥ x/d ≥ q, and rounding the
/// product cannot take it under q: the excess x·u − x/d ≥ (x/d)·2^-41 outweighs a rounding error of at most
/// (x/d)·2^-53. From above, x·u ≤ (q + 1 − 1/d)(1 + 2^-38) plus a rounding error, which stays under q + 1 because
/// (q + 1)·2^-37 &lt; 1/d whenever (q + 1)·d &lt; 2^37, true for x &lt; 2^31. So the floor is exactly q;
/// <c>tests/Dsl.Runtime.Tests/Kernels/DateMathTests.cs</c> also checks every day of the range.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DateMath
{
    // 0000-03-01 is 719468 days before 1970-01-01; 1970-01-01 was a Thursday (DayOfWeek 4).
    private const int ShiftToMarch = 719468;
    private const int DaysPerEra = 146097;

    /// <summary>Whether every lane is a valid stored <see cref="DateOnly"/> (in [<see cref="Dates.MinDays"/>, <see cref="Dates.MaxDays"/>]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InDateOnlyRange(Vector128<int> days) =>
        (Vector128.LessThan(days, Vector128.Create(Dates.MinDays)) | Vector128.GreaterThan(days, Vector128.Create(Dates.MaxDays))) == Vector128<int>.Zero;

    // ---- one day: the method in plain integer arithmetic ---------------------------------------------------

    /// <summary><c>Dates.FromDays(days).DayOfWeek</c>: the floor remainder of (days + 4) by 7.</summary>
    public static DayOfWeek DayOfWeekOf(int days)
    {
        int r = (int)(((long)days + 4) % 7);
        return (DayOfWeek)(r < 0 ? r + 7 : r);
    }

    /// <summary>Year, month, day and day of the year of a stored day, by integer arithmetic.</summary>
    public static void Civil(int days, out int year, out int month, out int day, out int dayOfYear)
    {
        long z = (long)days + ShiftToMarch;
        long era = (z >= 0 ? z : z - (DaysPerEra - 1)) / DaysPerEra;   // floor division
        long doe = z - (era * DaysPerEra);                                // day of the era, [0, 146096]
        long yoe = (doe - (doe / 1460) + (doe / 36524) - (doe / 146096)) / 365; // year of the era, [0, 399]
        long doy = doe - ((365 * yoe) + (yoe / 4) - (yoe / 100));        // day of the March-based year, [0, 365]
        long mp = ((5 * doy) + 2) / 153;                                  // month from March = 0, [0, 11]
        bool janFeb = mp >= 10;
        bool leap = yoe % 4 == 0 && (yoe % 100 != 0 || yoe == 0);        // the civil year of March..December
        day = (int)(doy - (((153 * mp) + 2) / 5) + 1);
        month = (int)(janFeb ? mp - 9 : mp + 3);
        year = (int)(yoe + (era * 400) + (janFeb ? 1 : 0));
        dayOfYear = (int)(janFeb ? doy - 305 : doy + 60 + (leap ? 1 : 0));
    }

    // ---- vector ------------------------------------------------------------------------------------------

    /// <summary>
    /// <c>Dates.FromDays(days)</c>'s Year, Month and Day per lane, for lanes in range,
    /// from one civil-from-days computation: kernels that use several of these parts of one column compute it once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector128<int> Year, Vector128<int> Month, Vector128<int> Day) CivilOf(Vector128<int> days)
    {
        MarchYear(days, out Vector256<double> era, out Vector256<double> yoe, out Vector256<double> doy, out Vector256<double> mp);
        Vector256<double> janFeb = Vector256.GreaterThanOrEqual(mp, Vector256.Create(10.0));
        Vector256<double> year = yoe + (era * Vector256.Create(400.0)) + (janFeb & Vector256.Create(1.0));
        Vector256<double> month = Vector256.ConditionalSelect(janFeb, mp - Vector256.Create(9.0), mp + Vector256.Create(3.0));
        Vector256<double> monthStart = FloorDiv((mp * Vector256.Create(153.0)) + Vector256.Create(2.0), 5);
        return (ToInt32(year), ToInt32(month), ToInt32(doy - monthStart + Vector256.Create(1.0)));
    }

    /// <summary><c>Dates.FromDays(days).DayOfYear</c> per lane, for lanes in range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> DayOfYearOf(Vector128<int> days)
    {
        MarchYear(days, out _, out Vector256<double> yoe, out Vector256<double> doy, out Vector256<double> mp);
        Vector256<double> janFeb = Vector256.GreaterThanOrEqual(mp, Vector256.Create(10.0));
        // Leap when the year of the era is a multiple of 4, and not of 100 unless it is 0 (a multiple of 400).
        Vector256<double> by4 = Vector256.Equals(FloorDiv(yoe, 4) * Vector256.Create(4.0), yoe);
        Vector256<double> by100 = Vector256.Equals(FloorDiv(yoe, 100) * Vector256.Create(100.0), yoe);
        Vector256<double> leap = by4 & (~by100 | Vector256.Equals(yoe, Vector256<double>.Zero));
        Vector256<double> marchToDecember = doy + Vector256.Create(60.0) + (leap & Vector256.Create(1.0));
        return ToInt32(Vector256.ConditionalSelect(janFeb, doy - Vector256.Create(305.0), marchToDecember));
    }

    /// <summary><see cref="DayOfWeekOf(int)"/> per lane (as <see cref="int"/>), for lanes in range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> DayOfWeekOf(Vector128<int> days)
    {
        // In range, days + 4 + 7 * 102741 (= 719191) is positive, so the floor remainder is the plain one.
        Vector256<double> x = VectorMath.ToDouble(days) + Vector256.Create(4.0 + (7.0 * 102741));
        return ToInt32(x - (FloorDiv(x, 7) * Vector256.Create(7.0)));
    }

    /// <summary>The era, the year of the era, the day of the March-based year and its month (March = 0) of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MarchYear(Vector128<int> days, out Vector256<double> era, out Vector256<double> yoe, out Vector256<double> doy, out Vector256<double> mp)
    {
        Vector256<double> z = VectorMath.ToDouble(days) + Vector256.Create((double)ShiftToMarch);
        era = FloorDiv(z, DaysPerEra);
        Vector256<double> doe = z - (era * Vector256.Create((double)DaysPerEra));
        yoe = FloorDiv(doe - FloorDiv(doe, 1460) + FloorDiv(doe, 36524) - FloorDiv(doe, 146096), 365);
        doy = doe - ((yoe * Vector256.Create(365.0)) + FloorDiv(yoe, 4) - FloorDiv(yoe, 100));
        mp = FloorDiv((doy * Vector256.Create(5.0)) + Vector256.Create(2.0), 153);
    }

    /// <summary>The integer quotient <c>floor(x / d)</c> of integer lanes, exact for 0 ≤ x &lt; 2^31 and 0 &lt; d &lt; 2^21 (see the type's remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> FloorDiv(Vector256<double> x, int d) => Vector256.Floor(x * Vector256.Create(ReciprocalUp(d)));

    /// <summary>1/d, rounded to the nearest double and then raised by 2^13 units in the last place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ReciprocalUp(int d) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(1.0 / d) + (1L << 13));

    /// <summary>Integer-valued lanes (below 2^31 in magnitude) as <see cref="int"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> ToInt32(Vector256<double> x) =>
        Avx.IsSupported ? Avx.ConvertToVector128Int32WithTruncation(x) : Vector128.Create((int)x[0], (int)x[1], (int)x[2], (int)x[3]);
}
