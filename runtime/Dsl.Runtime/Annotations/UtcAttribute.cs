namespace Dsl;

/// <summary>
/// Marks a <see cref="DateTime"/> schema member as an instant: its column is a Parquet TIMESTAMP adjusted to UTC
/// (DuckDB's TIMESTAMPTZ, Spark's TIMESTAMP, pandas' tz-aware columns), read as <see cref="DateTime"/> values of kind
/// <see cref="DateTimeKind.Utc"/> and written back adjusted to UTC. Apply it as <c>[property: Utc]</c> on a positional
/// parameter of a <see cref="SchemaAttribute"/> record.
/// </summary>
/// <remarks>
/// Without it a <see cref="DateTime"/> member is a local date-time (TIMESTAMP without time zone), and an input column
/// adjusted to UTC is refused with a message naming the column, rather than read and written back as a local time.
/// A value of kind <see cref="DateTimeKind.Local"/> is converted to UTC when stored; the generator reports DSL1007
/// for the attribute on a member that is not a <see cref="DateTime"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public sealed class UtcAttribute : Attribute
{
}
