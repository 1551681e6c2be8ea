using System.Buffers;

namespace Dsl.Execution;

/// <summary>
/// Copies a range of rows of a flat batch into a new batch (values and indices by block copy, validity by whole words),
/// so the kernel can run on a slice of a large row group and its output stays the size of a slice.
/// </summary>
internal static class BatchSlicer
{
    /// <summary>
    /// Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> of <paramref name="batch"/>,
    /// or null when a column is not a flat primitive or string column. <paramref name="start"/> is a multiple of 64.
    /// </summary>
    public static RecordBatch? TrySlice(RecordBatch batch, int start, int count)
    {
        if (start % 64 != 0)
        {
            throw new ArgumentException("Slices start at a multiple of 64 rows, where validity words begin.", nameof(start));
        }
        var columns = new List<Column>(batch.Columns.Count);
        foreach (Column column in batch.Columns)
        {
            Column? slice = column switch
            {
                PrimitiveColumn<bool> c => Slice(c, start, count),
                PrimitiveColumn<int> c => Slice(c, start, count),
                PrimitiveColumn<long> c => Slice(c, start, count),
                PrimitiveColumn<float> c => Slice(c, start, count),
                PrimitiveColumn<double> c => Slice(c, start, count),
                PrimitiveColumn<Int128> c => Slice(c, start, count),
                StringColumn c => Slice(c, start, count),
                _ => null,
            };
            if (slice is null)
            {
                foreach (Column built in columns)
                {
                    built.Dispose();
                }
                return null;
            }
            columns.Add(slice);
        }
        return new RecordBatch(batch.Schema, columns, count);
    }

    private static PrimitiveColumn<T> Slice<T>(PrimitiveColumn<T> source, int start, int count)
        where T : unmanaged
    {
        var builder = new ColumnBuilder<T>(source.Type, count, nullable: source.Validity is not null);
        source.Values.Slice(start, count).CopyTo(builder.Values);
        if (source.Validity is { } validity)
        {
            CopyValidity(validity, start, count, builder.Validity!);
        }
        return builder.Build(count);
    }

    private static StringColumn Slice(StringColumn source, int start, int count)
    {
        int[] indices = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        source.Indices.Slice(start, count).CopyTo(indices);
        ValidityBitmap? validity = null;
        if (source.Validity is { } sourceValidity)
        {
            validity = new ValidityBitmap(count, allValid: true, pooled: true);
            CopyValidity(sourceValidity, start, count, validity);
        }
        return new StringColumn(source.Type, source.Dictionary, indices, count, validity, pooled: true);
    }

    private static void CopyValidity(ValidityBitmap source, int start, int count, ValidityBitmap target)
    {
        int whole = count / 64;
        source.Words.Slice(start / 64, whole).CopyTo(target.Words);
        for (int row = whole * 64; row < count; row++)
        {
            target.Set(row, source.IsValid(start + row));
        }
    }
}
