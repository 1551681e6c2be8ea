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

    /// <summary>A string column holding rows <paramref name="selection"/> of <paramref name="source"/>, sharing its dictionary.</summary>
    public static StringColumn Gather(StringColumn source, ReadOnlySpan<int> selection)
    {
        ArgumentNullException.ThrowIfNull(source);
        return StringColumnBuilder.GatherFrom(source, selection);
    }
}
