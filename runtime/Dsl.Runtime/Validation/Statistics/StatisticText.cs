using System.Globalization;

namespace Dsl.Validation.Statistics;

/// <summary>
/// Formats the numbers statistics keep (dates as days, timestamps as micro- or nanoseconds since 1970, times as
/// nanoseconds since midnight) the way a person reads the column's values, for profiles, reports and messages.
/// </summary>
internal static class StatisticText
{
    /// <summary>A statistic of a column of type <paramref name="type"/> (a min, a quantile, a bin edge).</summary>
    public static string Format(ColumnType type, double value)
    {
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "NaN" : value > 0 ? "∞" : "-∞";
        }
        return type switch
        {
            ColumnType.Date when InRange(value, -719_162, 2_932_896) =>
                DateOnly.FromDayNumber(Timestamps.UnixEpochDayNumber + (int)Math.Floor(value)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ColumnType.Timestamp when InRange(value, -62_135_596_800e6, 253_402_300_799e6) =>
                Instant(Timestamps.FromMicros((long)Math.Floor(value))),
            ColumnType.TimestampNanos => Instant(Timestamps.FromNanos((long)Math.Floor(value))),
            ColumnType.Time when InRange(value, 0, 86_400e9 - 1) =>
                new TimeOnly((long)Math.Floor(value) / 100).ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
            ColumnType.Boolean => value != 0 ? "true" : "false",
            _ => Number(value),
        };
    }

    /// <summary>A top-K key of an integer, date, timestamp or boolean column (its stored integer).</summary>
    public static string FormatKey(ColumnType type, long key) => type switch
    {
        ColumnType.Boolean => key != 0 ? "true" : "false",
        ColumnType.UInt64 => ((ulong)key).ToString(CultureInfo.InvariantCulture),
        ColumnType.Date or ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Time => Format(type, key),
        _ => key.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A number with up to 6 significant digits, invariant culture: <c>12.5</c>, <c>1000000</c>, <c>1.23457E-07</c>.</summary>
    public static string Number(double value)
    {
        double abs = Math.Abs(value);
        if (value == Math.Floor(value) && abs < 1e15)
        {
            return value.ToString("0", CultureInfo.InvariantCulture);
        }
        if (abs is >= 1e-4 and < 1e15)
        {
            int decimals = Math.Clamp(6 - ((int)Math.Floor(Math.Log10(abs)) + 1), 0, 15);
            return Math.Round(value, decimals).ToString("0.###############", CultureInfo.InvariantCulture);
        }
        return value.ToString("G6", CultureInfo.InvariantCulture);
    }

    /// <summary>A count with thousands separators: <c>1,000,000</c>.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a percentage with up to 2 decimals: <c>27.8%</c>, <c>20%</c>.</summary>
    public static string Percent(double fraction) =>
        double.IsFinite(fraction) ? (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%" : Format(ColumnType.Double, fraction);

    private static bool InRange(double value, double min, double max) => value >= min && value <= max;

    private static string Instant(DateTime value) =>
        value.ToString(value.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
}
