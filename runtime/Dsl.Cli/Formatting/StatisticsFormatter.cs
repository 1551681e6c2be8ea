using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Dsl.Parquet.Metadata;
using Dsl.Parquet.Reading;

namespace Dsl.Cli.Formatting;

/// <summary>
/// Renders a leaf column's statistics values (PLAIN-encoded min/max bytes) as text in its logical type, the way
/// <see cref="JsonLinesWriter"/> writes values: dates, times, timestamps, decimals with their scale, strings quoted,
/// binary escaped. A value whose length does not fit the physical type is shown as raw bytes.
/// </summary>
internal static class StatisticsFormatter
{
    /// <summary>The text of the statistics value <paramref name="value"/> of the leaf <paramref name="leaf"/>.</summary>
    public static string Format(SchemaElement leaf, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        LogicalType? lt = leaf.LogicalType;
        LogicalTypeKind kind = lt?.Kind ?? LogicalTypeKind.Unknown;
        ConvertedType? ct = kind == LogicalTypeKind.Unknown ? leaf.ConvertedType : null;
        bool isDecimal = kind == LogicalTypeKind.Decimal || ct == ConvertedType.Decimal;
        int scale = kind == LogicalTypeKind.Decimal ? lt!.Scale : leaf.Scale ?? 0;
        switch (leaf.Type)
        {
            case PhysicalType.Boolean when value.Length == 1:
                return value[0] != 0 ? "true" : "false";
            case PhysicalType.Int32 when value.Length == 4:
            {
                int v = BinaryPrimitives.ReadInt32LittleEndian(value);
                if (isDecimal)
                {
                    return JsonLinesWriter.FormatDecimal(v, scale);
                }
                if (kind == LogicalTypeKind.Date || ct == ConvertedType.Date)
                {
                    return JsonLinesWriter.FormatDate(v);
                }
                if ((kind == LogicalTypeKind.Time && lt!.Unit == TimeUnit.Millis) || ct == ConvertedType.TimeMillis)
                {
                    return JsonLinesWriter.FormatTime(v * 1_000_000L, kind != LogicalTypeKind.Time || lt!.IsAdjustedToUtc);
                }
                bool unsigned = (kind == LogicalTypeKind.Integer && !lt!.IsSigned) || ct is ConvertedType.UInt8 or ConvertedType.UInt16 or ConvertedType.UInt32;
                return unsigned ? ((uint)v).ToString(CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
            }
            case PhysicalType.Int64 when value.Length == 8:
            {
                long v = BinaryPrimitives.ReadInt64LittleEndian(value);
                if (isDecimal)
                {
                    return JsonLinesWriter.FormatDecimal(v, scale);
                }
                if (kind == LogicalTypeKind.Timestamp)
                {
                    return lt!.Unit switch
                    {
                        TimeUnit.Millis when v is > long.MaxValue / 1000 or < long.MinValue / 1000 => v.ToString(CultureInfo.InvariantCulture) + " ms",
                        TimeUnit.Millis => JsonLinesWriter.FormatTimestamp(v * 1000, lt.IsAdjustedToUtc),
                        TimeUnit.Nanos => JsonLinesWriter.FormatTimestampNanos(v, lt.IsAdjustedToUtc),
                        _ => JsonLinesWriter.FormatTimestamp(v, lt.IsAdjustedToUtc),
                    };
                }
                if (ct is ConvertedType.TimestampMicros)
                {
                    return JsonLinesWriter.FormatTimestamp(v, adjustedToUtc: true);
                }
                if (ct is ConvertedType.TimestampMillis && v is <= long.MaxValue / 1000 and >= long.MinValue / 1000)
                {
                    return JsonLinesWriter.FormatTimestamp(v * 1000, adjustedToUtc: true);
                }
                if (kind == LogicalTypeKind.Time && lt!.Unit == TimeUnit.Nanos)
                {
                    return JsonLinesWriter.FormatTime(v, lt.IsAdjustedToUtc);
                }
                if (((kind == LogicalTypeKind.Time && lt!.Unit == TimeUnit.Micros) || ct == ConvertedType.TimeMicros) && v is <= long.MaxValue / 1000 and >= long.MinValue / 1000)
                {
                    return JsonLinesWriter.FormatTime(v * 1000, kind != LogicalTypeKind.Time || lt!.IsAdjustedToUtc);
                }
                bool unsigned = (kind == LogicalTypeKind.Integer && !lt!.IsSigned) || ct == ConvertedType.UInt64;
                return unsigned ? ((ulong)v).ToString(CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
            }
            case PhysicalType.Int96 when value.Length == 12:
            {
                long nanosOfDay = BinaryPrimitives.ReadInt64LittleEndian(value);
                long julianDay = BinaryPrimitives.ReadInt32LittleEndian(value[8..]);
                long days = julianDay - 2440588;
                if (nanosOfDay is >= 0 and < 86_400_000_000_000L && days is > -100_000_000 and < 100_000_000)
                {
                    return JsonLinesWriter.FormatTimestamp((days * 86_400_000_000L) + (nanosOfDay / 1000));
                }
                return $"INT96(julian day {julianDay}, {nanosOfDay} ns)";
            }
            case PhysicalType.Float when value.Length == 4:
                return JsonLinesWriter.FormatDouble(BinaryPrimitives.ReadSingleLittleEndian(value));
            case PhysicalType.Double when value.Length == 8:
                return JsonLinesWriter.FormatDouble(BinaryPrimitives.ReadDoubleLittleEndian(value));
            case PhysicalType.FixedLenByteArray or PhysicalType.ByteArray when isDecimal && value.Length <= 16:
                return JsonLinesWriter.FormatDecimal(PrimitiveDecoder<Int128>.BigEndianToInt128(value), scale);
            case PhysicalType.FixedLenByteArray when kind == LogicalTypeKind.Float16 && value.Length == 2:
                return JsonLinesWriter.FormatDouble((float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(value)));
            case PhysicalType.FixedLenByteArray when kind == LogicalTypeKind.Uuid && value.Length == 16:
            {
                Span<byte> text = stackalloc byte[36];
                ByteArrayDecoder.FormatUuid(value, text);
                return Encoding.ASCII.GetString(text);
            }
            case PhysicalType.ByteArray when kind is LogicalTypeKind.String or LogicalTypeKind.Enum or LogicalTypeKind.Json || ct is ConvertedType.Utf8 or ConvertedType.Enum or ConvertedType.Json:
                return JsonLinesWriter.FormatJsonString(Encoding.UTF8.GetString(value));
        }
        return JsonLinesWriter.FormatBinary(value);
    }
}
