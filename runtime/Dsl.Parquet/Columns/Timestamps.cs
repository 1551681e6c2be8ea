namespace Dsl;

/// <summary>Conversions between <see cref="DateTime"/> and the microsecond storage of <see cref="ColumnType.Timestamp"/>.</summary>
public static class Timestamps
{
    private const long UnixEpochTicks = 621355968000000000L; // DateTime.UnixEpoch.Ticks
    private const long TicksPerMicrosecond = 10;

    /// <summary>Microseconds since the Unix epoch; sub-microsecond ticks are truncated toward the past.</summary>
    public static long ToMicros(DateTime value) => Math.DivRem(value.Ticks - UnixEpochTicks, TicksPerMicrosecond, out var rem) - (rem < 0 ? 1 : 0);

    /// <summary>The day number (<see cref="DateOnly.DayNumber"/>) of 1970-01-01.</summary>
    public const int UnixEpochDayNumber = 719162;

    /// <summary>The <see cref="DateTime"/> (kind unspecified) for nanoseconds since the Unix epoch, truncated toward the past to 100 ns ticks.</summary>
    public static DateTime FromNanos(long nanos) => new(UnixEpochTicks + (Math.DivRem(nanos, 100, out long rem) - (rem < 0 ? 1 : 0)), DateTimeKind.Unspecified);

    /// <summary>The <see cref="DateTime"/> (kind unspecified) for microseconds since the Unix epoch.</summary>
    public static DateTime FromMicros(long micros) => new(UnixEpochTicks + (micros * TicksPerMicrosecond), DateTimeKind.Unspecified);

    /// <summary>The <see cref="DateTime"/> of kind <see cref="DateTimeKind.Utc"/> for microseconds since the Unix epoch (a <c>[Utc]</c> member).</summary>
    public static DateTime FromMicrosUtc(long micros) => new(UnixEpochTicks + (micros * TicksPerMicrosecond), DateTimeKind.Utc);

    /// <summary>
    /// Microseconds since the Unix epoch of an instant (a <c>[Utc]</c> member): a value of kind
    /// <see cref="DateTimeKind.Local"/> is converted to UTC first; Utc and Unspecified values are taken as UTC.
    /// </summary>
    public static long ToMicrosUtc(DateTime value) => ToMicros(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value);

    /// <summary>The <see cref="DateTimeOffset"/> (offset zero) for microseconds since the Unix epoch (a <see cref="DateTimeOffset"/> member).</summary>
    public static DateTimeOffset FromMicrosOffset(long micros) => new(FromMicrosUtc(micros));

    /// <summary>Microseconds since the Unix epoch of the instant <paramref name="value"/> (its offset is applied, not kept).</summary>
    public static long ToMicros(DateTimeOffset value) => ToMicros(value.UtcDateTime);

    private const long EpochMicros = UnixEpochTicks / TicksPerMicrosecond;
    private const long MicrosPerMinute = 60_000_000L;
    private const long MicrosPerHour = 3_600_000_000L;
    private const long MicrosPerDay = 86_400_000_000L;

    /// <summary>The stored value of <see cref="DateTime.MinValue"/>: the smallest that <see cref="FromMicros"/> accepts.</summary>
    public const long MinMicros = -EpochMicros;

    /// <summary>The largest stored value that <see cref="FromMicros"/> accepts.</summary>
    public const long MaxMicros = (3155378975999999999L - UnixEpochTicks) / TicksPerMicrosecond;

    /// <summary><c>FromMicros(micros).Hour</c> by integer arithmetic, for <paramref name="micros"/> in [<see cref="MinMicros"/>, <see cref="MaxMicros"/>].</summary>
    public static int HourOf(long micros) => (int)((micros + EpochMicros) / MicrosPerHour % 24);

    /// <summary><c>FromMicros(micros).Minute</c> by integer arithmetic, for <paramref name="micros"/> in [<see cref="MinMicros"/>, <see cref="MaxMicros"/>].</summary>
    public static int MinuteOf(long micros) => (int)((micros + EpochMicros) / MicrosPerMinute % 60);

    /// <summary><c>FromMicros(micros).Second</c> by integer arithmetic, for <paramref name="micros"/> in [<see cref="MinMicros"/>, <see cref="MaxMicros"/>].</summary>
    public static int SecondOf(long micros) => (int)((micros + EpochMicros) / 1_000_000L % 60);

    /// <summary><c>FromMicros(micros).DayOfWeek</c> by integer arithmetic (1 January 0001 was a Monday), for <paramref name="micros"/> in [<see cref="MinMicros"/>, <see cref="MaxMicros"/>].</summary>
    public static DayOfWeek DayOfWeekOf(long micros) => (DayOfWeek)(int)(((micros + EpochMicros) / MicrosPerDay + 1) % 7);

    /// <summary><c>FromMicros(micros).Year</c>, for <paramref name="micros"/> in [<see cref="MinMicros"/>, <see cref="MaxMicros"/>].</summary>
    public static int YearOf(long micros) => new DateTime((micros + EpochMicros) * TicksPerMicrosecond).Year;

    /// <summary><c>FromMicros(micros).Month</c>, for <paramref name="micros"/> in [<see cref="MinMicros"/>, <see cref="MaxMicros"/>].</summary>
    public static int MonthOf(long micros) => new DateTime((micros + EpochMicros) * TicksPerMicrosecond).Month;

    /// <summary><c>FromMicros(micros).Day</c>, for <paramref name="micros"/> in [<see cref="MinMicros"/>, <see cref="MaxMicros"/>].</summary>
    public static int DayOf(long micros) => new DateTime((micros + EpochMicros) * TicksPerMicrosecond).Day;

    /// <summary><c>FromMicros(micros).DayOfYear</c>, for <paramref name="micros"/> in [<see cref="MinMicros"/>, <see cref="MaxMicros"/>].</summary>
    public static int DayOfYearOf(long micros) => new DateTime((micros + EpochMicros) * TicksPerMicrosecond).DayOfYear;
}
