using System.Globalization;

namespace Dsl.Parquet.Metadata;

/// <summary>A schema element's physical type, logical (or legacy converted) type and repetition as the spec spells them.</summary>
internal static class SchemaElementNames
{
    /// <summary>The physical type (e.g. <c>INT64</c>, <c>FIXED_LEN_BYTE_ARRAY(16)</c>), or <c>group</c>.</summary>
    public static string PhysicalType(SchemaElement e) => e.Type switch
    {
        null => "group",
        Metadata.PhysicalType.Boolean => "BOOLEAN",
        Metadata.PhysicalType.Int32 => "INT32",
        Metadata.PhysicalType.Int64 => "INT64",
        Metadata.PhysicalType.Int96 => "INT96",
        Metadata.PhysicalType.Float => "FLOAT",
        Metadata.PhysicalType.Double => "DOUBLE",
        Metadata.PhysicalType.ByteArray => "BYTE_ARRAY",
        Metadata.PhysicalType.FixedLenByteArray => string.Create(CultureInfo.InvariantCulture, $"FIXED_LEN_BYTE_ARRAY({e.TypeLength})"),
        { } other => string.Create(CultureInfo.InvariantCulture, $"#{(int)other}"),
    };

    /// <summary>The logical type (or legacy converted type), or "" when the element has none.</summary>
    public static string LogicalType(SchemaElement e) =>
        e.LogicalType is { } lt && lt.Kind != LogicalTypeKind.Unknown ? lt.ToString()
        : e.ConvertedType is { } ct ? ConvertedType(e, ct)
        : e.LogicalType is { } unknown ? unknown.ToString() : "";

    /// <summary>The repetition; an element without one is <c>REQUIRED</c>.</summary>
    public static string Repetition(SchemaElement e) => (e.Repetition ?? FieldRepetition.Required) switch
    {
        FieldRepetition.Required => "REQUIRED",
        FieldRepetition.Optional => "OPTIONAL",
        FieldRepetition.Repeated => "REPEATED",
        { } other => string.Create(CultureInfo.InvariantCulture, $"#{(int)other}"),
    };

    /// <summary>A legacy converted type, a DECIMAL with its precision and scale.</summary>
    private static string ConvertedType(SchemaElement e, ConvertedType ct) => ct switch
    {
        Metadata.ConvertedType.Utf8 => "UTF8",
        Metadata.ConvertedType.Map => "MAP",
        Metadata.ConvertedType.MapKeyValue => "MAP_KEY_VALUE",
        Metadata.ConvertedType.List => "LIST",
        Metadata.ConvertedType.Enum => "ENUM",
        Metadata.ConvertedType.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({(e.Precision is { } p ? p.ToString(CultureInfo.InvariantCulture) : "?")},{e.Scale ?? 0})"),
        Metadata.ConvertedType.Date => "DATE",
        Metadata.ConvertedType.TimeMillis => "TIME_MILLIS",
        Metadata.ConvertedType.TimeMicros => "TIME_MICROS",
        Metadata.ConvertedType.TimestampMillis => "TIMESTAMP_MILLIS",
        Metadata.ConvertedType.TimestampMicros => "TIMESTAMP_MICROS",
        Metadata.ConvertedType.UInt8 => "UINT_8",
        Metadata.ConvertedType.UInt16 => "UINT_16",
        Metadata.ConvertedType.UInt32 => "UINT_32",
        Metadata.ConvertedType.UInt64 => "UINT_64",
        Metadata.ConvertedType.Int8 => "INT_8",
        Metadata.ConvertedType.Int16 => "INT_16",
        Metadata.ConvertedType.Int32 => "INT_32",
        Metadata.ConvertedType.Int64 => "INT_64",
        Metadata.ConvertedType.Json => "JSON",
        Metadata.ConvertedType.Bson => "BSON",
        Metadata.ConvertedType.Interval => "INTERVAL",
        _ => string.Create(CultureInfo.InvariantCulture, $"CONVERTED_TYPE({(int)ct})"),
    };
}
