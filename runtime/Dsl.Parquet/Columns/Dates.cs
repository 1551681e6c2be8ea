namespace Dsl;

/// <summary>Conversions between <see cref="DateOnly"/> and the day storage of <see cref="ColumnType.Date"/>.</summary>
public static class Dates
{
    /// <summary>The stored value of <see cref="DateOnly.MinValue"/> (0001-01-01): the smallest that <see cref="FromDays"/> accepts.</summary>
    public const int MinDays = -Timestamps.UnixEpochDayNumber;

    /// <summary>The stored value of <see cref="DateOnly.MaxValue"/> (9999-12-31): the largest that <see cref="FromDays"/> accepts.</summary>
    public const int MaxDays = 3652058 - Timestamps.UnixEpochDayNumber;

    /// <summary>Days since 1970-01-01 (negative before it).</summary>
    public static int ToDays(DateOnly value) => value.DayNumber - Timestamps.UnixEpochDayNumber;

    /// <summary>
    /// The <see cref="DateOnly"/> for days since 1970-01-01; throws <see cref="ArgumentOutOfRangeException"/> outside
    /// [<see cref="MinDays"/>, <see cref="MaxDays"/>], as <see cref="DateOnly.FromDayNumber"/> does.
    /// </summary>
    public static DateOnly FromDays(int days) => DateOnly.FromDayNumber(unchecked(Timestamps.UnixEpochDayNumber + days));
}
