using System.Runtime.Intrinsics;
using Dsl.Kernels;

namespace Dsl.Runtime.Tests.Kernels;

/// <summary>The date parts of <see cref="DateMath"/> against <see cref="DateOnly"/>, for every day it can hold.</summary>
public sealed class DateMathTests
{
    [Fact]
    public void Range_IsDateOnlysRange()
    {
        Assert.Equal(DateOnly.MinValue, Dates.FromDays(Dates.MinDays));
        Assert.Equal(DateOnly.MaxValue, Dates.FromDays(Dates.MaxDays));
        Assert.Equal(new DateOnly(1970, 1, 1), Dates.FromDays(0));
        Assert.Equal(-1, Dates.ToDays(new DateOnly(1969, 12, 31)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dates.FromDays(Dates.MinDays - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dates.FromDays(Dates.MaxDays + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dates.FromDays(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dates.FromDays(int.MinValue));
    }

    [Fact]
    public void ScalarParts_MatchDateOnly_ForEveryDay()
    {
        for (int days = Dates.MinDays; days <= Dates.MaxDays; days++)
        {
            DateOnly date = Dates.FromDays(days);
            DateMath.Civil(days, out int year, out int month, out int day, out int dayOfYear);
            if (year != date.Year || month != date.Month || day != date.Day || dayOfYear != date.DayOfYear || DateMath.DayOfWeekOf(days) != date.DayOfWeek)
            {
                Assert.Fail($"{days} ({date:O}): {year}-{month}-{day}, day {dayOfYear}, {DateMath.DayOfWeekOf(days)}");
            }
        }
    }

    [Fact]
    public void VectorParts_MatchDateOnly_ForEveryDay()
    {
        // Four consecutive days a block, then shifted by one so that every day takes every lane over the run's ends.
        Span<int> expected = stackalloc int[4];
        for (int start = Dates.MinDays - 3; start <= Dates.MaxDays; start += 4)
        {
            Vector128<int> days = Vector128.Create(start, start + 1, start + 2, start + 3);
            days = Vector128.Min(Vector128.Max(days, Vector128.Create(Dates.MinDays)), Vector128.Create(Dates.MaxDays));
            Assert.True(DateMath.InDateOnlyRange(days));
            (Vector128<int> year, Vector128<int> month, Vector128<int> day) = DateMath.CivilOf(days);
            Check(days, year, d => d.Year);
            Check(days, month, d => d.Month);
            Check(days, day, d => d.Day);
            Check(days, DateMath.DayOfYearOf(days), d => d.DayOfYear);
            Check(days, DateMath.DayOfWeekOf(days), d => (int)d.DayOfWeek);
        }

        static void Check(Vector128<int> days, Vector128<int> actual, Func<DateOnly, int> part)
        {
            for (int k = 0; k < 4; k++)
            {
                int want = part(Dates.FromDays(days[k]));
                if (actual[k] != want)
                {
                    Assert.Fail($"day {days[k]} ({Dates.FromDays(days[k]):O}) lane {k}: {actual[k]}, expected {want}");
                }
            }
        }
    }

    [Fact]
    public void VectorParts_AnyLaneOrder()
    {
        // Lanes are independent: mixed edge days in one block.
        int[] edges = [Dates.MinDays, Dates.MaxDays, 0, -1, Dates.ToDays(new DateOnly(2000, 2, 29)), Dates.ToDays(new DateOnly(1900, 3, 1)),
            Dates.ToDays(new DateOnly(2100, 2, 28)), Dates.ToDays(new DateOnly(1999, 12, 31)), Dates.ToDays(new DateOnly(2000, 1, 1)), Dates.ToDays(new DateOnly(1600, 2, 29))];
        for (int a = 0; a < edges.Length; a++)
        {
            Vector128<int> days = Vector128.Create(edges[a], edges[(a + 3) % edges.Length], edges[(a + 5) % edges.Length], edges[(a + 7) % edges.Length]);
            Vector128<int> year = DateMath.CivilOf(days).Year;
            Vector128<int> dayOfYear = DateMath.DayOfYearOf(days);
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal(Dates.FromDays(days[k]).Year, year[k]);
                Assert.Equal(Dates.FromDays(days[k]).DayOfYear, dayOfYear[k]);
            }
        }
    }

    [Fact]
    public void InDateOnlyRange_RejectsAnyLaneOutside()
    {
        Assert.False(DateMath.InDateOnlyRange(Vector128.Create(0, 0, Dates.MaxDays + 1, 0)));
        Assert.False(DateMath.InDateOnlyRange(Vector128.Create(Dates.MinDays - 1, 0, 0, 0)));
        Assert.False(DateMath.InDateOnlyRange(Vector128.Create(0, int.MinValue, 0, 0)));
        Assert.False(DateMath.InDateOnlyRange(Vector128.Create(0, 0, 0, int.MaxValue)));
    }
}
