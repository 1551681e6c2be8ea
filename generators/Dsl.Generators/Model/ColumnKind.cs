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
}
