namespace Dsl.Generators.Model;

/// <summary>
/// The member types a schema column can have. Each maps to one runtime <c>Dsl.ColumnType</c> (see
/// <see cref="ColumnSpec.RuntimeType"/>); most share its name.
/// </summary>
internal enum ColumnKind
{
    Int32,
    Int64,
    Float,
    Double,
    Boolean,
    String,
    /// <summary><c>DateTime</c>, stored as microseconds since 1970-01-01 in a <c>long</c>.</summary>
    Timestamp,
    /// <summary><c>DateOnly</c>, stored as days since 1970-01-01 in an <c>int</c> (<c>Dsl.ColumnType.Date</c>).</summary>
    Date,
    /// <summary><c>sbyte</c>.</summary>
    Int8,
    /// <summary><c>short</c>.</summary>
    Int16,
    /// <summary><c>byte</c>.</summary>
    UInt8,
    /// <summary><c>ushort</c>.</summary>
    UInt16,
    /// <summary><c>uint</c>.</summary>
    UInt32,
    /// <summary><c>ulong</c>.</summary>
    UInt64,
    /// <summary><c>System.Half</c>.</summary>
    Float16,
    /// <summary><c>System.Guid</c>, a Parquet UUID.</summary>
    Uuid,
    /// <summary><c>decimal</c>, stored as the unscaled value in an <c>Int128</c> with the member's precision and scale.</summary>
    Decimal,
    /// <summary><c>Dsl.NanoTimestamp</c>, stored as nanoseconds since 1970-01-01 in a <c>long</c>.</summary>
    TimestampNanos,
    /// <summary><c>TimeOnly</c>, stored as nanoseconds since midnight in a <c>long</c> (<c>Dsl.ColumnType.Time</c>).</summary>
    Time,
    /// <summary><c>DateTimeOffset</c>: an instant, stored like a <c>[Utc]</c> <c>DateTime</c> (<c>Dsl.ColumnType.Timestamp</c>).</summary>
    TimestampOffset,
    /// <summary><c>byte[]</c>, stored like strings (<c>Dsl.ColumnType.Binary</c>).</summary>
    Binary,
    /// <summary>
    /// <c>T[]</c> or <c>IReadOnlyList&lt;T&gt;</c> of a fixed-width number or bool (<see cref="ColumnSpec.Element"/>),
    /// a <c>Dsl.ListColumn</c>.
    /// </summary>
    List,
}
