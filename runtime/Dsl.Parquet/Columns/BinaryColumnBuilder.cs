namespace Dsl;

/// <summary>
/// Builds a <see cref="ColumnType.Binary"/> <see cref="StringColumn"/> from appended byte arrays (the output of a
/// <c>byte[]</c> schema member), one dictionary entry a row.
/// </summary>
public sealed class BinaryColumnBuilder
{
    private byte[] _data = new byte[256];
    private int _length;
    private readonly List<int> _offsets = [0];
    private readonly List<int> _nullRows = [];
    private readonly ColumnType _type;

    /// <summary>Creates a builder; <paramref name="capacity"/> is a hint of the row count.</summary>
    public BinaryColumnBuilder(ColumnType type = ColumnType.Binary, int capacity = 0)
    {
        if (!type.IsByteArray())
        {
            throw new ArgumentException($"A byte-array column cannot have type '{type}'.", nameof(type));
        }
        _type = type;
        _offsets.Capacity = capacity + 1;
    }

    /// <summary>Number of rows appended.</summary>
    public int Count => _offsets.Count - 1;

    /// <summary>Appends a value (copied), or a null row for <see langword="null"/>.</summary>
    public void Append(byte[]? value)
    {
        if (value is null)
        {
            _nullRows.Add(Count);
        }
        else
        {
            if (_length + (long)value.Length > _data.Length)
            {
                Array.Resize(ref _data, (int)Math.Min(Array.MaxLength, Math.Max(_length + (long)value.Length, _data.Length * 2L)));
            }
            value.CopyTo(_data, _length);
            _length += value.Length;
        }
        _offsets.Add(_length);
    }

    /// <summary>Finishes the column.</summary>
    public StringColumn Build()
    {
        int rows = Count;
        ValidityBitmap? validity = null;
        if (_nullRows.Count > 0)
        {
            validity = new ValidityBitmap(rows);
            foreach (int row in _nullRows)
            {
                validity.Set(row, false);
            }
        }
        var indices = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            indices[i] = i;
        }
        var dictionary = new Utf8Dictionary(_data[.._length], [.. _offsets]);
        return new StringColumn(_type, dictionary, indices, rows, validity);
    }
}
