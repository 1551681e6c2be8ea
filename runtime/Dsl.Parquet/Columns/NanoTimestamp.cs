using System.Globalization;

namespace Dsl;

/// <summary>
/// A point in time with nanosecond precision, as nanoseconds since 1970-01-01T00:00:00 (years 1677 to 2262): the
/// schema member type of a Parquet TIMESTAMP(NANOS) column (pandas' default) that keeps every digit, where a
/// <see cref="DateTime"/> member (microseconds) would lose them.
/// </summary>
/// <param name="UnixNanoseconds">Nanoseconds since the Unix epoch; negative before 1970.</param>
public readonly record struct NanoTimestamp(long UnixNanoseconds) : IComparable<NanoTimestamp>, IComparable
{
    private const long UnixEpochTicks = 621355968000000000L;

    /// <summary>The instant of <paramref name="value"/> (its ticks are 100 ns, so no digit is lost).</summary>
    /// <exception cref="OverflowException">The value is outside the years 1677 to 2262.</exception>
    public static NanoTimestamp FromDateTime(DateTime value) => new(checked((value.Ticks - UnixEpochTicks) * 100));

    /// <summary>
    /// This instant as a <see cref="DateTime"/> (kind unspecified), truncated toward the past to its 100 ns ticks:
    /// an explicit, lossy conversion.
    /// </summary>
    public DateTime ToDateTime() => Timestamps.FromNanos(UnixNanoseconds);

    /// <summary>This instant moved by <paramref name="nanoseconds"/>.</summary>
    public NanoTimestamp AddNanoseconds(long nanoseconds) => new(checked(UnixNanoseconds + nanoseconds));

    /// <summary>Nanoseconds from <paramref name="earlier"/> to this instant.</summary>
    public long NanosecondsSince(NanoTimestamp earlier) => checked(UnixNanoseconds - earlier.UnixNanoseconds);

    /// <inheritdoc />
    public int CompareTo(NanoTimestamp other) => UnixNanoseconds.CompareTo(other.UnixNanoseconds);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        NanoTimestamp other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a NanoTimestamp.", nameof(obj)),
    };

    /// <summary>Whether <paramref name="left"/> is earlier than <paramref name="right"/>.</summary>
    public static bool operator <(NanoTimestamp left, NanoTimestamp right) => left.UnixNanoseconds < right.UnixNanoseconds;

    /// <summary>Whether <paramref name="left"/> is later than <paramref name="right"/>.</summary>
    public static bool operator >(NanoTimestamp left, NanoTimestamp right) => left.UnixNanoseconds > right.UnixNanoseconds;

    /// <summary>Whether <paramref name="left"/> is not later than <paramref name="right"/>.</summary>
    public static bool operator <=(NanoTimestamp left, NanoTimestamp right) => left.UnixNanoseconds <= right.UnixNanoseconds;

    /// <summary>Whether <paramref name="left"/> is not earlier than <paramref name="right"/>.</summary>
    public static bool operator >=(NanoTimestamp left, NanoTimestamp right) => left.UnixNanoseconds >= right.UnixNanoseconds;

    /// <summary>ISO 8601 with nine fractional digits: <c>2024-03-01T12:00:00.123456789</c>.</summary>
    public override string ToString()
    {
        long nanosOfTick = ((UnixNanoseconds % 100) + 100) % 100;
        DateTime whole = ToDateTime();
        return whole.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + nanosOfTick.ToString("00", CultureInfo.InvariantCulture);
    }
}
