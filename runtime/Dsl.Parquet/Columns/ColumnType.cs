namespace Dsl;

/// <summary>The logical type of a column in a <see cref="RecordBatch"/>.</summary>
public enum ColumnType
{
    /// <summary>32-bit signed integer (<see cref="int"/>).</summary>
    Int32,
    /// <summary>64-bit signed integer (<see cref="long"/>).</summary>
    Int64,
    /// <summary>32-bit IEEE float (<see cref="float"/>).</summary>
    Float,
    /// <summary>64-bit IEEE float (<see cref="double"/>).</summary>
    Double,
    /// <summary>Boolean (<see cref="bool"/>), one byte a value so kernels can load it as a vector.</summary>
    Boolean,
    /// <summary>UTF-8 text (<see cref="string"/>), stored as dictionary indices over UTF-8 entries.</summary>
    String,
    /// <summary>Opaque bytes, stored like <see cref="String"/>.</summary>
    Binary,
    /// <summary>
    /// A point in time (<see cref="DateTime"/>) without time zone, stored as microseconds since 1970-01-01T00:00:00
    /// in a <see cref="long"/>.
    /// </summary>
    Timestamp,
    /// <summary>A calendar date without time zone, stored as days since 1970-01-01 in an <see cref="int"/>.</summary>
    Date,
    /// <summary>
    /// A time of day, stored as nanoseconds since midnight in a <see cref="long"/> (every Parquet TIME unit fits
    /// exactly); <see cref="ColumnField.IsAdjustedToUtc"/> marks a UTC time.
    /// </summary>
    Time,
    /// <summary>
    /// A point in time stored as nanoseconds since 1970-01-01T00:00:00 in a <see cref="long"/> (years 1677 to 2262);
    /// Parquet TIMESTAMP(NANOS) reads as this type so that no digit is lost.
    /// </summary>
    TimestampNanos,
    /// <summary>
    /// A decimal number: the unscaled value in an <see cref="Int128"/> (so at most 38 digits), worth
    /// <c>unscaled / 10^Scale</c>; <see cref="ColumnField.Precision"/> and <see cref="ColumnField.Scale"/> describe it.
    /// </summary>
    Decimal,
    /// <summary>A list per row (<see cref="ListColumn"/>); the element field is <see cref="ColumnField.Children"/>[0].</summary>
    List,
    /// <summary>A struct per row (<see cref="StructColumn"/>); the member fields are <see cref="ColumnField.Children"/>.</summary>
    Struct,
    /// <summary>
    /// A map per row, stored as a <see cref="ListColumn"/> of key/value structs; <see cref="ColumnField.Children"/>
    /// holds the key field then the value field.
    /// </summary>
    Map,
    /// <summary>8-bit signed integer (<see cref="sbyte"/>), Parquet INT(8, signed).</summary>
    Int8,
    /// <summary>16-bit signed integer (<see cref="short"/>), Parquet INT(16, signed).</summary>
    Int16,
    /// <summary>8-bit unsigned integer (<see cref="byte"/>), Parquet INT(8, unsigned).</summary>
    UInt8,
    /// <summary>16-bit unsigned integer (<see cref="ushort"/>), Parquet INT(16, unsigned).</summary>
    UInt16,
    /// <summary>32-bit unsigned integer (<see cref="uint"/>), Parquet INT(32, unsigned).</summary>
    UInt32,
    /// <summary>64-bit unsigned integer (<see cref="ulong"/>), Parquet INT(64, unsigned).</summary>
    UInt64,
    /// <summary>16-bit IEEE float (<see cref="Half"/>), Parquet FLOAT16.</summary>
    Float16,
    /// <summary>A UUID (<see cref="Guid"/>), Parquet UUID: 16 bytes in RFC 4122 (big-endian) order.</summary>
    Uuid,
}

/// <summary>Helpers over <see cref="ColumnType"/>.</summary>
public static class ColumnTypes
{
    /// <summary>Whether values of this type are stored in a <see cref="StringColumn"/>.</summary>
    public static bool IsByteArray(this ColumnType type) => type is ColumnType.String or ColumnType.Binary;

    /// <summary>Whether values of this type are nested (<see cref="ListColumn"/> or <see cref="StructColumn"/>).</summary>
    public static bool IsNested(this ColumnType type) => type is ColumnType.List or ColumnType.Struct or ColumnType.Map;

    /// <summary>The CLR element type a <see cref="PrimitiveColumn{T}"/> of this type stores.</summary>
    public static Type StorageType(this ColumnType type) => type switch
    {
        ColumnType.Int32 or ColumnType.Date => typeof(int),
        ColumnType.Int64 or ColumnType.Timestamp or ColumnType.Time or ColumnType.TimestampNanos => typeof(long),
        ColumnType.Decimal => typeof(Int128),
        ColumnType.Float => typeof(float),
        ColumnType.Double => typeof(double),
        ColumnType.Boolean => typeof(bool),
        ColumnType.Int8 => typeof(sbyte),
        ColumnType.Int16 => typeof(short),
        ColumnType.UInt8 => typeof(byte),
        ColumnType.UInt16 => typeof(ushort),
        ColumnType.UInt32 => typeof(uint),
        ColumnType.UInt64 => typeof(ulong),
        ColumnType.Float16 => typeof(Half),
        ColumnType.Uuid => typeof(Guid),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, $"Column type '{type}' is not stored as a primitive column."),
    };
}
