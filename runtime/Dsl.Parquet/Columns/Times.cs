using System.Globalization;

namespace Dsl;

/// <summary>Conversions between <see cref="TimeOnly"/> and the nanosecond storage of <see cref="ColumnType.Time"/>.</summary>
public static class Times
{
    private const long NanosPerTick = 100;
    private const long NanosPerDay = 86_400_000_000_000L;

    /// <summary>The <see cref="TimeOnly"/> for nanoseconds since midnight.</summary>
    /// <exception cref="InvalidDataException">
    /// The value is outside a day, or has digits below 100 ns (TIME(NANOS) data), which <see cref="TimeOnly"/> cannot hold:
    /// refused rather than truncated.
    /// </exception>
    public static TimeOnly FromNanos(long nanos)
    {
        if (nanos is < 0 or >= NanosPerDay)
        {
            throw new InvalidDataException($"The time value {nanos.ToString(CultureInfo.InvariantCulture)} ns is not within a day (0 to 24 h).");
        }
        if (nanos % NanosPerTick != 0)
        {
            throw new InvalidDataException($"The time {new TimeOnly(nanos / NanosPerTick):HH:mm:ss.fffffff} and {nanos % NanosPerTick} ns has digits below the 100 ns that TimeOnly holds; declare the member long to keep the nanoseconds.");
        }
        return new TimeOnly(nanos / NanosPerTick);
    }

    /// <summary>Nanoseconds since midnight of <paramref name="value"/>.</summary>
    public static long ToNanos(TimeOnly value) => value.Ticks * NanosPerTick;
}
