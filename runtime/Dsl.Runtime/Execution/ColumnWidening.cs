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
    public static Column Widen(Column column, ColumnType type)
    {
        ValidityBitmap? validity = CopyValidity(column);
        switch (column, type)
        {
            case (PrimitiveColumn<int> ints, ColumnType.Int64):
            {
                var values = new long[ints.Length];
                ReadOnlySpan<int> source = ints.Values;
                for (int r = 0; r < values.Length; r++)
                {
                    values[r] = source[r];
                }
                return PrimitiveColumn<long>.FromArray(ColumnType.Int64, values, validity);
            }
            case (PrimitiveColumn<int> ints, ColumnType.Double):
            {
                var values = new double[ints.Length];
                ReadOnlySpan<int> source = ints.Values;
                for (int r = 0; r < values.Length; r++)
                {
                    values[r] = source[r];
                }
                return PrimitiveColumn<double>.FromArray(ColumnType.Double, values, validity);
            }
            case (PrimitiveColumn<float> floats, ColumnType.Double):
            {
                var values = new double[floats.Length];
                ReadOnlySpan<float> source = floats.Values;
                for (int r = 0; r < values.Length; r++)
                {
                    values[r] = source[r];
                }
                return PrimitiveColumn<double>.FromArray(ColumnType.Double, values, validity);
            }
            default:
                throw new ArgumentException($"A {column.Type} column cannot be widened to {type}.", nameof(type));
        }
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
