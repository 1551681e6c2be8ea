namespace Dsl;

/// <summary>
/// Copies selected rows of a column into a new column: what generated filter kernels use to produce their output
/// from the surviving row positions.
/// </summary>
public static class ColumnGather
{
    /// <summary>A column holding rows <paramref name="selection"/> of <paramref name="source"/>, in that order.</summary>
    public static PrimitiveColumn<T> Gather<T>(PrimitiveColumn<T> source, ReadOnlySpan<int> selection)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        ValidityBitmap? sourceValidity = source.Validity;
        var builder = new ColumnBuilder<T>(source.Type, selection.Length, nullable: sourceValidity is not null);
        Span<T> values = builder.Values;
        ReadOnlySpan<T> input = source.Values;
        for (int i = 0; i < selection.Length; i++)
        {
            int row = selection[i];
            values[i] = input[row];
            if (sourceValidity is not null && !sourceValidity.IsValid(row))
            {
                builder.Validity!.Set(i, false);
            }
        }
        return builder.Build(selection.Length);
    }

    /// <summary>A list column holding rows <paramref name="selection"/> of <paramref name="source"/> (rows may repeat), its elements copied.</summary>
    public static ListColumn Gather(ListColumn source, ReadOnlySpan<int> selection)
    {
        ArgumentNullException.ThrowIfNull(source);
        var offsets = new int[selection.Length + 1];
        // A selection may repeat rows (a join's matches), so it can hold more elements than the source.
        long total = 0;
        foreach (int row in selection)
        {
            total += source.Count(row);
        }
        var elements = new int[checked((int)total)];
        int count = 0;
        ValidityBitmap? validity = source.NullCount > 0 ? new ValidityBitmap(selection.Length) : null;
        for (int i = 0; i < selection.Length; i++)
        {
            int row = selection[i];
            for (int e = 0; e < source.Count(row); e++)
            {
                elements[count++] = source.Start(row) + e;
            }
            offsets[i + 1] = count;
            if (validity is not null && source.IsNull(row))
            {
                validity.Set(i, false);
            }
        }
        Column values = source.Values.Accept(new ElementGather(elements.AsSpan(0, count).ToArray()));
        return new ListColumn(source.Type, offsets, selection.Length, values, validity);
    }

    private sealed class ElementGather(int[] elements) : IPrimitiveColumnVisitor<Column>
    {
        public Column Visit<T>(PrimitiveColumn<T> column)
            where T : unmanaged => Gather(column, elements);
    }

    /// <summary>A string column holding rows <paramref name="selection"/> of <paramref name="source"/>, sharing its dictionary.</summary>
    public static StringColumn Gather(StringColumn source, ReadOnlySpan<int> selection)
    {
        ArgumentNullException.ThrowIfNull(source);
        return StringColumnBuilder.GatherFrom(source, selection);
    }
}
