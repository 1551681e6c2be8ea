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
}
