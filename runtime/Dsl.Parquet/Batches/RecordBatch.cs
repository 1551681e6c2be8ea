namespace Dsl;

/// <summary>
/// A slice of a dataset in columnar form: one <see cref="Column"/> per <see cref="BatchSchema"/> field, all of
/// <see cref="RowCount"/> rows. Immutable once built.
/// </summary>
/// <remarks>The batch owns its columns: whoever created it (or received it as a kernel's result) disposes it.</remarks>
public sealed class RecordBatch : IDisposable
{
    private readonly Column[] _columns;

    /// <summary>Creates a batch; each column must match its field's type and the row count.</summary>
    public RecordBatch(BatchSchema schema, IReadOnlyList<Column> columns, int rowCount)
    {
        if (columns.Count != schema.Count)
        {
            throw new ArgumentException($"The schema has {schema.Count} columns but {columns.Count} were given.", nameof(columns));
        }
        for (int i = 0; i < columns.Count; i++)
        {
            ColumnField field = schema[i];
            Column column = columns[i];
            if (column.Type != field.Type)
            {
                throw new ArgumentException($"Column '{field.Name}' is declared {field.Type} but its data is {column.Type}.", nameof(columns));
            }
            if (column.Length != rowCount)
            {
                throw new ArgumentException($"Column '{field.Name}' has {column.Length} rows but the batch has {rowCount}.", nameof(columns));
            }
            if (!field.Nullable && column.Validity is not null && column.NullCount > 0)
            {
                throw new ArgumentException($"Column '{field.Name}' is not nullable but holds {column.NullCount} null rows.", nameof(columns));
            }
        }
        Schema = schema;
        _columns = [.. columns];
        RowCount = rowCount;
    }

    /// <summary>The columns' names and types.</summary>
    public BatchSchema Schema { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The columns, in schema order.</summary>
    public IReadOnlyList<Column> Columns => _columns;

    /// <summary>The column at <paramref name="index"/>.</summary>
    public Column this[int index] => _columns[index];

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public Column this[string name] => _columns[IndexOfRequired(name)];

    /// <summary>
    /// The column named <paramref name="name"/> as a <see cref="PrimitiveColumn{T}"/> of type
    /// <paramref name="type"/>, checked, with an error naming the column and both types when it does not match.
    /// </summary>
    public PrimitiveColumn<T> GetPrimitive<T>(string name, ColumnType type)
        where T : unmanaged
    {
        Column column = this[name];
        if (column.Type != type || column is not PrimitiveColumn<T> typed)
        {
            throw new InvalidOperationException($"Column '{name}' was expected to be {type} but the batch holds {column.Type}. Declare the schema member with the matching type or convert the input.");
        }
        return typed;
    }

    /// <summary>The column named <paramref name="name"/> as a <see cref="StringColumn"/> of type <paramref name="type"/>, checked.</summary>
    public StringColumn GetString(string name, ColumnType type = ColumnType.String)
    {
        Column column = this[name];
        if (column.Type != type || column is not StringColumn typed)
        {
            throw new InvalidOperationException($"Column '{name}' was expected to be {type} but the batch holds {column.Type}. Declare the schema member with the matching type or convert the input.");
        }
        return typed;
    }

    /// <summary>
    /// The column named <paramref name="name"/> as a <see cref="ColumnType.List"/> column whose elements are
    /// <paramref name="elementType"/>, checked.
    /// </summary>
    public ListColumn GetList(string name, ColumnType elementType)
    {
        Column column = this[name];
        if (column is not ListColumn { Type: ColumnType.List } typed || typed.Values.Type != elementType)
        {
            string held = column is ListColumn list ? $"a list of {list.Values.Type}" : column.Type.ToString();
            throw new InvalidOperationException($"Column '{name}' was expected to be a list of {elementType} but the batch holds {held}. Declare the schema member with the matching element type.");
        }
        return typed;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (Column column in _columns)
        {
            column.Dispose();
        }
    }

    private int IndexOfRequired(string name)
    {
        int index = Schema.IndexOf(name);
        if (index < 0)
        {
            throw new KeyNotFoundException($"The batch has no column '{name}'; its columns are {Schema}.");
        }
        return index;
    }
}
