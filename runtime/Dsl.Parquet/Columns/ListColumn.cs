namespace Dsl;

/// <summary>
/// A <see cref="ColumnType.List"/> or <see cref="ColumnType.Map"/> column: row <c>i</c> holds the child rows
/// <c>Offsets[i] .. Offsets[i + 1]</c> of <see cref="Values"/> (Arrow's layout). A map's values are a
/// <see cref="StructColumn"/> of two children, the keys then the values.
/// </summary>
public sealed class ListColumn : Column
{
    private readonly int[] _offsets;

    /// <summary>Creates a column; <paramref name="offsets"/> (length + 1 of them, non-decreasing, first 0, last at most the child's length) is not copied.</summary>
    /// <exception cref="ArgumentException">The offsets do not fit the child, or a map's child is not a two-member struct.</exception>
    public ListColumn(ColumnType type, int[] offsets, int length, Column values, ValidityBitmap? validity)
        : base(type, length, validity)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (type is not (ColumnType.List or ColumnType.Map))
        {
            throw new ArgumentException($"A list column cannot have type '{type}'.", nameof(type));
        }
        if (offsets.Length < length + 1 || offsets[0] != 0 || offsets[length] > values.Length)
        {
            throw new ArgumentException($"A list column of {length} rows needs {length + 1} offsets starting at 0 and ending within the {values.Length} child rows.", nameof(offsets));
        }
        for (int i = 0; i < length; i++)
        {
            if (offsets[i + 1] < offsets[i])
            {
                throw new ArgumentException($"List offset {i + 1} ({offsets[i + 1]}) is less than offset {i} ({offsets[i]}).", nameof(offsets));
            }
        }
        if (type == ColumnType.Map && values is not StructColumn { Children.Count: 2 })
        {
            throw new ArgumentException("A map column's values must be a struct column of two children: the keys, then the values.", nameof(values));
        }
        _offsets = offsets;
        Values = values;
    }

    /// <summary>Where each row's elements start in <see cref="Values"/>, <see cref="Column.Length"/> + 1 of them.</summary>
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, Length + 1);

    /// <summary>The elements of every row, concatenated.</summary>
    public Column Values { get; }

    /// <summary>The first element of row <paramref name="row"/> in <see cref="Values"/>.</summary>
    public int Start(int row) => _offsets[row];

    /// <summary>How many elements row <paramref name="row"/> holds (0 for a null row).</summary>
    public int Count(int row) => _offsets[row + 1] - _offsets[row];

    /// <summary>For a map: the keys (child 0 of <see cref="Values"/>).</summary>
    public Column Keys => Type == ColumnType.Map ? ((StructColumn)Values).Children[0] : throw new InvalidOperationException("Only a map column has keys.");

    /// <summary>For a map: the values (child 1 of <see cref="Values"/>).</summary>
    public Column Items => Type == ColumnType.Map ? ((StructColumn)Values).Children[1] : throw new InvalidOperationException("Only a map column has items.");

    /// <inheritdoc />
    public override object? GetValue(int row)
    {
        if (IsNull(row))
        {
            return null;
        }
        var items = new object?[Count(row)];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = Values.GetValue(_offsets[row] + i);
        }
        return items;
    }

    /// <inheritdoc />
    public override void Dispose() => Values.Dispose();
}
