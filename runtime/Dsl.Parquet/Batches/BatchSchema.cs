namespace Dsl;

/// <summary>The ordered columns of a <see cref="RecordBatch"/>. Compared by value.</summary>
public sealed class BatchSchema : IEquatable<BatchSchema>
{
    private readonly ColumnField[] _fields;
    private readonly Dictionary<string, int> _byName;

    /// <summary>Creates a schema; names must be unique.</summary>
    public BatchSchema(IEnumerable<ColumnField> fields)
    {
        _fields = [.. fields];
        _byName = new Dictionary<string, int>(_fields.Length, StringComparer.Ordinal);
        for (int i = 0; i < _fields.Length; i++)
        {
            if (!_byName.TryAdd(_fields[i].Name, i))
            {
                throw new ArgumentException($"Column '{_fields[i].Name}' appears twice in the schema; column names must be unique.", nameof(fields));
            }
        }
    }

    /// <summary>Creates a schema from fields.</summary>
    public BatchSchema(params ColumnField[] fields)
        : this((IEnumerable<ColumnField>)fields)
    {
    }

    /// <summary>The columns, in order.</summary>
    public IReadOnlyList<ColumnField> Fields => _fields;

    /// <summary>Number of columns.</summary>
    public int Count => _fields.Length;

    /// <summary>The column at <paramref name="index"/>.</summary>
    public ColumnField this[int index] => _fields[index];

    /// <summary>The index of column <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => _byName.TryGetValue(name, out int i) ? i : -1;

    /// <inheritdoc />
    public bool Equals(BatchSchema? other) => other is not null && _fields.AsSpan().SequenceEqual(other._fields);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BatchSchema);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (ColumnField f in _fields)
        {
            hash.Add(f);
        }
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => "(" + string.Join(", ", _fields.Select(f => f.ToString())) + ")";
}
