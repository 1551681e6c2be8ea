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
}

/// <summary>Helpers over <see cref="ColumnType"/>.</summary>
public static class ColumnTypes
{
    /// <summary>Whether values of this type are stored in a <see cref="StringColumn"/>.</summary>
    public static bool IsByteArray(this ColumnType type) => type is ColumnType.String or ColumnType.Binary;

    /// <summary>The CLR element type a <see cref="PrimitiveColumn{T}"/> of this type stores.</summary>
    public static Type StorageType(this ColumnType type) => type switch
    {
        ColumnType.Int32 => typeof(int),
        ColumnType.Int64 or ColumnType.Timestamp => typeof(long),
        ColumnType.Float => typeof(float),
        ColumnType.Double => typeof(double),
        ColumnType.Boolean => typeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, $"Column type '{type}' is not stored as a primitive column."),
    };
}
