namespace Dsl;

/// <summary>
/// A <see cref="ColumnType.Struct"/> column: one child column per member, each of the struct's length. A null
/// struct row's children hold unspecified values (usually null).
/// </summary>
public sealed class StructColumn : Column
{
    private readonly Column[] _children;

    /// <summary>Creates a column over <paramref name="children"/> (not copied), each <paramref name="length"/> rows long.</summary>
    /// <exception cref="ArgumentException">A child's length differs from <paramref name="length"/>.</exception>
    public StructColumn(int length, IReadOnlyList<Column> children, ValidityBitmap? validity)
        : base(ColumnType.Struct, length, validity)
    {
        ArgumentNullException.ThrowIfNull(children);
        for (int i = 0; i < children.Count; i++)
        {
            if (children[i].Length != length)
            {
                throw new ArgumentException($"Struct member {i} has {children[i].Length} rows but the struct has {length}.", nameof(children));
            }
        }
        _children = [.. children];
    }

    /// <summary>The member columns, in field order.</summary>
    public IReadOnlyList<Column> Children => _children;

    /// <inheritdoc />
    public override object? GetValue(int row)
    {
        if (IsNull(row))
        {
            return null;
        }
        var members = new object?[_children.Length];
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = _children[i].GetValue(row);
        }
        return members;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        foreach (Column child in _children)
        {
            child.Dispose();
        }
    }
}
