namespace Dsl.Parquet.Metadata;

/// <summary>Which member of the Thrift <c>LogicalType</c> union is set.</summary>
internal enum LogicalTypeKind
{
    /// <summary>A logical type this reader does not know; the field is read by its physical type.</summary>
    Unknown = 0,
    /// <summary>UTF-8 text.</summary>
    String = 1,
    /// <summary>A map group.</summary>
    Map = 2,
    /// <summary>A list group.</summary>
    List = 3,
    /// <summary>Enumeration text.</summary>
    Enum = 4,
    /// <summary>Decimal with <see cref="LogicalType.Scale"/> and <see cref="LogicalType.Precision"/>.</summary>
    Decimal = 5,
    /// <summary>Days since the Unix epoch.</summary>
    Date = 6,
    /// <summary>Time of day in <see cref="LogicalType.Unit"/>.</summary>
    Time = 7,
    /// <summary>Timestamp in <see cref="LogicalType.Unit"/>.</summary>
    Timestamp = 8,
    /// <summary>Integer of <see cref="LogicalType.BitWidth"/> bits, signed or not.</summary>
    Integer = 10,
    /// <summary>Always null (Thrift <c>UNKNOWN</c>/<c>NullType</c>).</summary>
    Null = 11,
    /// <summary>JSON text.</summary>
    Json = 12,
    /// <summary>BSON document.</summary>
    Bson = 13,
    /// <summary>16-byte UUID.</summary>
    Uuid = 14,
    /// <summary>Half-precision float in 2 bytes.</summary>
    Float16 = 15,
}
