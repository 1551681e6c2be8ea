namespace Dsl;

/// <summary>Builds a <see cref="ColumnType.List"/> column of fixed-width elements from appended lists (the output of a list member).</summary>
/// <typeparam name="T">The element storage type (<see cref="ColumnTypes.StorageType"/> of <c>elementType</c>).</typeparam>
public sealed class ListColumnBuilder<T>
    where T : unmanaged
{
    private readonly ColumnType _elementType;
    private readonly List<int> _offsets = [0];
    private T[] _elements = new T[64];
    private int _count;
    private readonly List<int> _nullRows = [];

    /// <summary>Creates a builder of lists of <paramref name="elementType"/>; <paramref name="capacity"/> is a hint of the row count.</summary>
    public ListColumnBuilder(ColumnType elementType, int capacity = 0)
    {
        if (elementType.IsByteArray() || elementType.IsNested() || elementType.StorageType() != typeof(T))
        {
            throw new ArgumentException($"A list of {elementType} cannot be built from {typeof(T).Name} elements.", nameof(elementType));
        }
        _elementType = elementType;
        _offsets.Capacity = capacity + 1;
    }

    /// <summary>Appends a row's elements (copied), or a null row for <see langword="null"/>.</summary>
    public void Append(IReadOnlyList<T>? values)
    {
        if (values is null)
        {
            _nullRows.Add(_offsets.Count - 1);
        }
        else
        {
            if (_count + values.Count > _elements.Length)
            {
                Array.Resize(ref _elements, (int)Math.Min(Array.MaxLength, Math.Max(_count + (long)values.Count, _elements.Length * 2L)));
            }
            if (values is T[] array)
            {
                array.CopyTo(_elements, _count);
                _count += array.Length;
            }
            else
            {
                foreach (T value in values)
                {
                    _elements[_count++] = value;
                }
            }
        }
        _offsets.Add(_count);
    }

    /// <summary>Finishes the column.</summary>
    public ListColumn Build()
    {
        int rows = _offsets.Count - 1;
        ValidityBitmap? validity = null;
        if (_nullRows.Count > 0)
        {
            validity = new ValidityBitmap(rows);
            foreach (int row in _nullRows)
            {
                validity.Set(row, false);
            }
        }
        PrimitiveColumn<T> elements = PrimitiveColumn<T>.FromArray(_elementType, _elements[.._count], null);
        return new ListColumn(ColumnType.List, [.. _offsets], rows, elements, validity);
    }
}
