namespace Dsl;

/// <summary>Reads the rows of a <see cref="ListColumn"/> of fixed-width elements into the arrays list members hold.</summary>
public static class Lists
{
    /// <summary>The elements of row <paramref name="row"/> as a new array (the stage may keep or change it).</summary>
    /// <exception cref="InvalidDataException">An element is null, which an array of non-nullable elements cannot hold.</exception>
    public static T[] ToArray<T>(ListColumn column, int row, string columnName)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(column);
        var values = (PrimitiveColumn<T>)column.Values;
        int start = column.Start(row);
        int count = column.Count(row);
        if (values.NullCount > 0)
        {
            for (int e = 0; e < count; e++)
            {
                if (values.IsNull(start + e))
                {
                    throw new InvalidDataException($"Column '{columnName}' holds a null element (element {e} of its row {row}), but the member's elements are not nullable. Drop or fill the null elements before the pipeline.");
                }
            }
        }
        return values.Values.Slice(start, count).ToArray();
    }
}
