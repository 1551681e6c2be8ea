namespace Dsl.Execution;

/// <summary>
/// Reading a column into a wider member type where no value can change: INT32 into <c>long</c> or <c>double</c>,
/// FLOAT into <c>double</c>. DuckDB's INTEGER and pandas' float32 columns then read into the <c>long</c> and
/// <c>double</c> members a schema usually has, instead of stopping the job; anything narrower stays an error.
/// </summary>
internal static class ColumnWidening
{
    /// <summary>Whether a column stored as <paramref name="stored"/> reads exactly into a member of <paramref name="member"/>.</summary>
    public static bool CanWiden(ColumnType stored, ColumnType member) => (stored, member) switch
    {
        (ColumnType.Int32, ColumnType.Int64) => true,
        (ColumnType.Int32, ColumnType.Double) => true,
        (ColumnType.Float, ColumnType.Double) => true,
        _ => false,
    };

    /// <summary>
    /// <paramref name="input"/> with each column whose type differs from <paramref name="expected"/> widened; the same
    /// batch when none does. The widened columns are new (returned in <paramref name="created"/> for the caller to
    /// dispose); the others are shared with <paramref name="input"/>.
    /// </summary>
    public static RecordBatch Apply(RecordBatch input, BatchSchema expected, List<Column> created)
    {
        Column[]? columns = null;
        ColumnField[]? fields = null;
        for (int i = 0; i < input.Schema.Count; i++)
        {
            ColumnField want = expected[expected.IndexOf(input.Schema[i].Name)];
            if (input[i].Type == want.Type)
            {
                continue;
            }
            columns ??= [.. input.Columns];
            fields ??= [.. input.Schema.Fields];
            Column widened = Widen(input[i], want.Type);
            created.Add(widened);
            columns[i] = widened;
            fields[i] = input.Schema[i] with { Type = want.Type };
        }
        return columns is null ? input : new RecordBatch(new BatchSchema(fields!), columns, input.RowCount);
    }

    /// <summary>A new column of <paramref name="type"/> holding <paramref name="column"/>'s values and nulls.</summary>
    public static Column Widen(Column column, ColumnType type) => (column, type) switch
    {
        (PrimitiveColumn<int> ints, ColumnType.Int64) => Convert<int, long>(ints, type),
        (PrimitiveColumn<int> ints, ColumnType.Double) => Convert<int, double>(ints, type),
        (PrimitiveColumn<float> floats, ColumnType.Double) => Convert<float, double>(floats, type),
        _ => throw new ArgumentException($"A {column.Type} column cannot be widened to {type}.", nameof(type)),
    };

    // Each pair above widens exactly (every int is a long and a double, every float a double, NaN and -0.0 kept).
    private static PrimitiveColumn<TTo> Convert<TFrom, TTo>(PrimitiveColumn<TFrom> column, ColumnType type)
        where TFrom : unmanaged, System.Numerics.INumberBase<TFrom>
        where TTo : unmanaged, System.Numerics.INumberBase<TTo>
    {
        var values = new TTo[column.Length];
        ReadOnlySpan<TFrom> source = column.Values;
        for (int r = 0; r < values.Length; r++)
        {
            values[r] = TTo.CreateTruncating(source[r]);
        }
        return PrimitiveColumn<TTo>.FromArray(type, values, CopyValidity(column));
    }

    private static ValidityBitmap? CopyValidity(Column column)
    {
        if (column.Validity is not { } source || column.NullCount == 0)
        {
            return null;
        }
        var copy = new ValidityBitmap(column.Length);
        for (int r = 0; r < column.Length; r++)
        {
            if (!source.IsValid(r))
            {
                copy.Set(r, false);
            }
        }
        return copy;
    }
}
