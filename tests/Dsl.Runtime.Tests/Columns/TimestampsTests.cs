namespace Dsl.Runtime.Tests.Columns;

public sealed class TimestampsTests
{
    public static TheoryData<DateTime> WholeMicrosecondMoments =>
    [
        DateTime.UnixEpoch,
        new DateTime(2024, 2, 29, 23, 59, 59, 999).AddTicks(9990),
        new DateTime(1969, 12, 31, 23, 59, 59, 999).AddTicks(9990),
        new DateTime(1900, 1, 1),
        new DateTime(1, 1, 1),
        new DateTime(9999, 12, 31, 23, 59, 59, 999).AddTicks(9990),
    ];

    [Theory]
    [MemberData(nameof(WholeMicrosecondMoments))]
    public void RoundTrip_WholeMicroseconds_IsExact(DateTime moment)
    {
        Assert.Equal(moment, Timestamps.FromMicros(Timestamps.ToMicros(moment)));
    }

    [Fact]
    public void ToMicros_KnownValues()
    {
        Assert.Equal(0, Timestamps.ToMicros(DateTime.UnixEpoch));
        Assert.Equal(1_000_000, Timestamps.ToMicros(DateTime.UnixEpoch.AddSeconds(1)));
        Assert.Equal(-1, Timestamps.ToMicros(DateTime.UnixEpoch.AddTicks(-10)));
        Assert.Equal(-2_208_988_800_000_000, Timestamps.ToMicros(new DateTime(1900, 1, 1)));
        Assert.Equal(1_709_251_200_000_000, Timestamps.ToMicros(new DateTime(2024, 3, 1)));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(9, 0)]
    [InlineData(10, 1)]
    [InlineData(19, 1)]
    [InlineData(-1, -1)]
    [InlineData(-9, -1)]
    [InlineData(-10, -1)]
    [InlineData(-11, -2)]
    public void ToMicros_SubMicrosecondTicks_TruncateTowardThePast(long ticksFromEpoch, long expectedMicros)
    {
        Assert.Equal(expectedMicros, Timestamps.ToMicros(DateTime.UnixEpoch.AddTicks(ticksFromEpoch)));
    }

    [Fact]
    public void ToMicros_PreEpochWithSubMicroseconds_NeverRoundsUpPastTheInput()
    {
        var moment = new DateTime(1969, 7, 20, 20, 17, 40).AddTicks(-3);

        DateTime back = Timestamps.FromMicros(Timestamps.ToMicros(moment));

        Assert.True(back <= moment);
        Assert.True(moment - back < TimeSpan.FromTicks(10));
    }

    [Fact]
    public void ToMicros_IgnoresKind()
    {
        var local = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Local);
        var utc = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        Assert.Equal(Timestamps.ToMicros(utc), Timestamps.ToMicros(local));
    }

    [Fact]
    public void FromMicros_KindIsUnspecified()
    {
        Assert.Equal(DateTimeKind.Unspecified, Timestamps.FromMicros(0).Kind);
        Assert.Equal(new DateTime(1969, 12, 31, 23, 59, 59, 999).AddTicks(9990), Timestamps.FromMicros(-1));
    }
}
