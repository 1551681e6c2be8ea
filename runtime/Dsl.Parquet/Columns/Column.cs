namespace Dsl;

/// <summary>
/// One column of a <see cref="RecordBatch"/>: <see cref="Length"/> values of one <see cref="ColumnType"/>, with an
/// optional <see cref="ValidityBitmap"/> (absent when the column has no nulls). Columns are immutable once built;
/// build them with <see cref="ColumnBuilder{T}"/> or <see cref="StringColumnBuilder"/>.
/// </summary>
/// <remarks>A column owns its buffers; the <see cref="RecordBatch"/> holding it disposes it.</remarks>
public abstract class Column : IDisposable
{
    private protected Column(ColumnType type, int length, ValidityBitmap? validity)
    {
        if (validity is not null && validity.Length != length)
        {
            throw new ArgumentException($"The validity bitmap covers {validity.Length} rows but the column has {length}.", nameof(validity));
        }
        Type = type;
        Length = length;
        Validity = validity;
    }

    /// <summary>The logical type of the values.</summary>
    public ColumnType Type { get; }

    /// <summary>Number of rows.</summary>
    public int Length { get; }

    /// <summary>Which rows hold a value; <see langword="null"/> when every row does.</summary>
    public ValidityBitmap? Validity { get; }

    /// <summary>Whether row <paramref name="row"/> is null.</summary>
    public bool IsNull(int row) => Validity is { } v && !v.IsValid(row);

    /// <summary>Number of null rows.</summary>
    public int NullCount => Validity?.CountNulls() ?? 0;

    /// <summary>The value of row <paramref name="row"/> as an object (<see cref="DateTime"/> for timestamps, <see cref="DateOnly"/> for dates, <see cref="TimeOnly"/> for times, the unscaled <see cref="Int128"/> for decimals, <see cref="byte"/>[] for binary, <see cref="object"/>[] for lists and structs), or null. For tests and tools, not for kernels.</summary>
    public abstract object? GetValue(int row);

    /// <summary>Returns pooled buffers. The column must not be used afterwards.</summary>
    public abstract void Dispose();

    /// <summary>
    /// Calls <paramref name="visitor"/> with this column's element type when it is a <see cref="PrimitiveColumn{T}"/>,
    /// so code that treats every fixed-width type alike has one generic method instead of a switch per type.
    /// </summary>
    /// <exception cref="NotSupportedException">The column is not a primitive column.</exception>
    internal virtual TResult Accept<TResult>(IPrimitiveColumnVisitor<TResult> visitor) =>
        throw new NotSupportedException($"A {GetType().Name} of type {Type} is not a primitive column.");

    /// <summary>
    /// Returns the validity words to the pool when the runtime rented them for this column (a builder's or a
    /// gather's bitmap); a bitmap the caller created stays theirs.
    /// </summary>
    private protected void ReturnValidity() => Validity?.ReturnToPool();
}
