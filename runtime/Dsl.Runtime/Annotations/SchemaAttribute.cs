namespace Dsl;

/// <summary>
/// Marks a <c>partial record</c> as a columnar schema. The generator maps each positional property to a
/// column (name, <see cref="ColumnType"/>, nullability), emits the matching <see cref="BatchSchema"/>,
/// typed column accessors over a <see cref="RecordBatch"/>, and row conversion helpers.
/// </summary>
/// <remarks>
/// Supported member types: <see cref="int"/>, <see cref="long"/>, <see cref="float"/>, <see cref="double"/>,
/// <see cref="bool"/>, <see cref="string"/>, <see cref="DateTime"/> (a <see cref="ColumnType.Timestamp"/>) and
/// <see cref="DateOnly"/> (a <see cref="ColumnType.Date"/>), each optionally nullable.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class SchemaAttribute : Attribute
{
}
