namespace Dsl;

/// <summary>
/// Overrides the column name a <see cref="SchemaAttribute"/> member is stored under
/// (by default the property name). Apply it as <c>[property: Column("user_id")]</c> on a positional record parameter.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public sealed class ColumnAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The column name in batches and Parquet files.</param>
    public ColumnAttribute(string name) => Name = name;

    /// <summary>The column name in batches and Parquet files.</summary>
    public string Name { get; }
}
