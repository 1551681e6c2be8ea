using Dsl.Execution.Inputs;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>The strict text parsers every text input shares: what each type accepts, and that nothing is rounded or guessed.</summary>
public sealed class TextValuesTests
{
    [Theory]
    [InlineData("2024-03-05", "2024-03-05T00:00:00.0000000")]
    [InlineData("2024-03-05T10:11:12", "2024-03-05T10:11:12.0000000")]
    [InlineData("2024-03-05 10:11", "2024-03-05T10:11:00.0000000")]
    [InlineData("2024-03-05T10:11:12.5", "2024-03-05T10:11:12.5000000")]
    [InlineData("2024-03-05T10:11:12.1234567", "2024-03-05T10:11:12.1234567")]
    [InlineData("2024-03-05T10:11:12Z", "2024-03-05T10:11:12.0000000")]
    [InlineData("2024-03-05T10:11:12+02:00", "2024-03-05T08:11:12.0000000")]
    [InlineData("2024-03-05T01:00:00+0230", "2024-03-04T22:30:00.0000000")]
    [InlineData("2024-03-05T23:30:00-05", "2024-03-06T04:30:00.0000000")]
    [InlineData(" 2024-03-05T10:11:12.000001Z ", "2024-03-05T10:11:12.0000010")]
    [InlineData("0001-01-01T00:00:00", "0001-01-01T00:00:00.0000000")]
    [InlineData("9999-12-31T23:59:59.9999999", "9999-12-31T23:59:59.9999999")]
    public void TryDateTime_Iso8601_WithOffsetConvertsToUtc(string text, string expected)
    {
        Assert.True(TextValues.TryDateTime(text, out long seconds, out int nanos));

        DateTime value = DateTime.UnixEpoch.AddSeconds(seconds).AddTicks(nanos / 100);
        Assert.Equal(expected, value.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2024-3-5")]
    [InlineData("2024-02-30")]
    [InlineData("2024-13-01")]
    [InlineData("24-03-05")]
    [InlineData("2024-03-05T24:00:00")]
    [InlineData("2024-03-05T10:60")]
    [InlineData("2024-03-05T10:11:61")]
    [InlineData("2024-03-05T10:11:12.")]
    [InlineData("2024-03-05T10:11:12.1234567890")]
    [InlineData("2024-03-05T10:11:12+2")]
    [InlineData("2024-03-05T10:11:12 UTC")]
    [InlineData("2024-03-05X10:11:12")]
    [InlineData("05/03/2024")]
    [InlineData("1709633472")]
    public void TryDateTime_RefusesAnythingElse(string text) => Assert.False(TextValues.TryDateTime(text, out _, out _));

    [Fact]
    public void Timestamp_KeepsMicrosecondsAndRefusesFinerDigits()
    {
        TextColumnBuilder micros = TextColumnBuilder.Create(new ColumnField("ts", ColumnType.Timestamp, false), 4)!;
        Assert.True(micros.TryAppend("2024-03-05T10:11:12.123456"));
        Assert.True(micros.TryAppend("2024-03-05T10:11:12.1234560")); // .NET's round-trip format writes 7 digits
        Assert.False(micros.TryAppend("2024-03-05T10:11:12.1234567")); // a tick the column cannot keep: refused, not truncated
        Assert.False(micros.TryAppend("0001-01-01T00:00:00+01:00")); // before year 1 once converted to UTC
        using Column column = micros.Build();
        Assert.Equal(new DateTime(2024, 3, 5, 10, 11, 12).AddTicks(1234560), column.GetValue(0));
        Assert.Equal(column.GetValue(0), column.GetValue(1));

        TextColumnBuilder nanos = TextColumnBuilder.Create(new ColumnField("ts", ColumnType.TimestampNanos, false), 2)!;
        Assert.True(nanos.TryAppend("2024-03-05T10:11:12.123456789"));
        Assert.False(nanos.TryAppend("2263-01-01T00:00:00")); // past the nanosecond range
        using var nanoColumn = (PrimitiveColumn<long>)nanos.Build();
        Assert.Equal(1709633472123456789L, nanoColumn[0]);
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData(" -2e3 ", -2000.0)]
    [InlineData(".25", 0.25)]
    [InlineData("1.7976931348623157E+308", double.MaxValue)]
    [InlineData("4.9E-324", double.Epsilon)]
    [InlineData("NaN", double.NaN)]
    [InlineData("nan", double.NaN)]
    [InlineData("Infinity", double.PositiveInfinity)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("-INF", double.NegativeInfinity)]
    public void TryDouble_InvariantNumbersAndNamedValues(string text, double expected)
    {
        Assert.True(TextValues.TryDouble(text, out double value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("1 000")]
    [InlineData("1e400")] // would be infinity: refused rather than changed
    [InlineData("0x10")]
    [InlineData("")]
    [InlineData("∞")]
    public void TryDouble_RefusesCultureFormsAndOverflow(string text) => Assert.False(TextValues.TryDouble(text, out _));

    [Fact]
    public void TryFloat_RoundsOnceAndRefusesOverflow()
    {
        Assert.True(TextValues.TryFloat("3.4028235E+38", out float max));
        Assert.Equal(float.MaxValue, max);
        Assert.True(TextValues.TryFloat("0.1", out float tenth));
        Assert.Equal(0.1f, tenth);
        Assert.False(TextValues.TryFloat("3.5e38", out _));
    }

    [Theory]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("-9223372036854775808", true, long.MinValue)]
    [InlineData("+7", true, 7L)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("1.5", false, 0L)]
    [InlineData("1.0", false, 0L)]
    [InlineData("1e3", false, 0L)]
    [InlineData("1_000", false, 0L)]
    public void TryInt64_IntegersOnly(string text, bool ok, long expected)
    {
        Assert.Equal(ok, TextValues.TryInt64(text, out long value));
        Assert.Equal(expected, ok ? value : 0);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("False", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    public void TryBoolean_Accepts(string text, bool expected)
    {
        Assert.True(TextValues.TryBoolean(text, out bool value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("2")]
    [InlineData("t")]
    [InlineData("")]
    public void TryBoolean_Refuses(string text) => Assert.False(TextValues.TryBoolean(text, out _));

    [Theory]
    [InlineData("12.34", 1234)]
    [InlineData("-12.3", -1230)]
    [InlineData("12.3400", 1234)]
    [InlineData("999.99", 99999)]
    [InlineData(".5", 50)]
    [InlineData("7", 700)]
    public void TryDecimal_ExactAtTheScale(string text, long unscaled)
    {
        Assert.True(TextValues.TryDecimal(text, 5, 2, out Int128 value));
        Assert.Equal(unscaled, (long)value);
    }

    [Theory]
    [InlineData("12.345")] // would round
    [InlineData("1000.00")] // too many digits for precision 5
    [InlineData("1e2")]
    [InlineData("1,5")]
    [InlineData(".")]
    [InlineData("")]
    public void TryDecimal_RefusesRoundingAndOverflow(string text) => Assert.False(TextValues.TryDecimal(text, 5, 2, out _));

    [Fact]
    public void TryDecimal_ThirtyEightDigits()
    {
        Assert.True(TextValues.TryDecimal("-99999999999999999999999999999999999999", 38, 0, out Int128 value));
        Assert.Equal(-Int128.Parse("99999999999999999999999999999999999999"), value);
        Assert.False(TextValues.TryDecimal("100000000000000000000000000000000000000", 38, 0, out _));
    }

    [Fact]
    public void DateAndTime()
    {
        Assert.True(TextValues.TryDate("1970-01-02", out int days));
        Assert.Equal(1, days);
        Assert.True(TextValues.TryDate("0001-01-01", out days));
        Assert.Equal(Dates.MinDays, days);
        Assert.False(TextValues.TryDate("2023-02-29", out _));
        Assert.False(TextValues.TryDate("2024-01-01T00:00", out _));
        Assert.True(TextValues.TryTime("23:59:59.999999999", out long nanos));
        Assert.Equal(86_399_999_999_999L, nanos);
        Assert.True(TextValues.TryTime("08:30", out nanos));
        Assert.Equal(30_600_000_000_000L, nanos);
        Assert.False(TextValues.TryTime("08:30Z", out _));
    }

    [Fact]
    public void EveryFlatTypeHasAParser_NestedTypesHaveNone()
    {
        foreach (ColumnType type in Enum.GetValues<ColumnType>())
        {
            var field = new ColumnField("c", type, true) { Precision = 10, Scale = 2 };
            Assert.Equal(!type.IsNested(), TextColumnBuilder.Create(field, 1) is not null);
        }
    }

    [Fact]
    public void SmallAndUnsignedIntegers_HalvesAndUuids_ParseExactly_AndOutOfRangeIsRefused()
    {
        Assert.True(TextValues.TryInteger("-128", out sbyte i8) && i8 == sbyte.MinValue);
        Assert.False(TextValues.TryInteger("128", out sbyte _));
        Assert.True(TextValues.TryInteger(" 65535 ", out ushort u16) && u16 == ushort.MaxValue);
        Assert.False(TextValues.TryInteger("-1", out uint _));
        Assert.True(TextValues.TryInteger("18446744073709551615", out ulong u64) && u64 == ulong.MaxValue);
        Assert.False(TextValues.TryInteger("18446744073709551616", out ulong _));
        Assert.False(TextValues.TryInteger("1.0", out short _));
        Assert.True(TextValues.TryHalf("65504", out Half max) && max == Half.MaxValue);
        Assert.False(TextValues.TryHalf("70000", out Half _)); // finite text too large: refused, not infinity
        Assert.True(TextValues.TryHalf("-Infinity", out Half minusInf) && Half.IsNegativeInfinity(minusInf));
        Assert.True(TextValues.TryUuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", out Guid uuid) && uuid == new Guid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        Assert.False(TextValues.TryUuid("a0eebc999c0b4ef8bb6d6bb9bd380a11", out Guid _));
    }
}
