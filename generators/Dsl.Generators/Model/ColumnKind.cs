namespace Dsl.Generators.Model;

/// <summary>The runtime column types a schema member can map to (mirrors <c>Dsl.ColumnType</c>).</summary>
internal enum ColumnKind
{
    Int32,
    Int64,
    Float,
    Double,
    Boolean,
    String,
    Timestamp,
    /// <summary><c>DateOnly</c>, stored as days since 1970-01-01 in an <c>int</c> (<c>Dsl.ColumnType.Date</c>).</summary>
    Date,
}
