namespace Dsl.Parquet.Metadata;

/// <summary>The legacy logical annotation of a schema field (Thrift <c>ConvertedType</c>).</summary>
internal enum ConvertedType
{
    /// <summary>UTF-8 text.</summary>
    Utf8 = 0,
    /// <summary>A map group.</summary>
    Map = 1,
    /// <summary>A map's key/value group.</summary>
    MapKeyValue = 2,
    /// <summary>A list group.</summary>
    List = 3,
    /// <summary>An enumeration stored as text.</summary>
    Enum = 4,
    /// <summary>A decimal number.</summary>
    Decimal = 5,
    /// <summary>Days since the Unix epoch.</summary>
    Date = 6,
    /// <summary>Milliseconds since midnight.</summary>
    TimeMillis = 7,
    /// <summary>Microseconds since midnight.</summary>
    TimeMicros = 8,
    /// <summary>Milliseconds since the Unix epoch (UTC).</summary>
    TimestampMillis = 9,
    /// <summary>Microseconds since the Unix epoch (UTC).</summary>
    TimestampMicros = 10,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 11,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 12,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 13,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 14,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 15,
    /// <summary>Signed 16-bit integer.</summary>
    Int16 = 16,
    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 17,
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 18,
    /// <summary>JSON text.</summary>
    Json = 19,
    /// <summary>BSON document.</summary>
    Bson = 20,
    /// <summary>An interval (months, days, milliseconds).</summary>
    Interval = 21,
}
