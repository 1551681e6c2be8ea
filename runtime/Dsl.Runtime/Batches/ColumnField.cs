namespace Dsl;

/// <summary>A named, typed column slot of a <see cref="BatchSchema"/>.</summary>
/// <param name="Name">The column name (case-sensitive).</param>
/// <param name="Type">The value type.</param>
/// <param name="Nullable">Whether rows may be null.</param>
public sealed record ColumnField(string Name, ColumnType Type, bool Nullable)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Type}{(Nullable ? "?" : "")}";
}
