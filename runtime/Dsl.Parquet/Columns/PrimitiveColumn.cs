using System.Buffers;

namespace Dsl;

/// <summary>A column of fixed-width values stored contiguously (see <see cref="ColumnTypes.StorageType"/>).</summary>
/// <typeparam name="T">The storage type: <see cref="int"/>, <see cref="long"/>, <see cref="float"/>, <see cref="double"/> or <see cref="bool"/>.</typeparam>
public sealed class PrimitiveColumn<T> : Column
    where T : unmanaged
{
    private T[]? _values;
    private readonly bool _pooled;

    internal PrimitiveColumn(ColumnType type, T[] values, int length, ValidityBitmap? validity, bool pooled)
        : base(type, length, validity)
    {
        if (type.IsByteArray() || type.StorageType() != typeof(T))
        {
            throw new ArgumentException($"A column of type '{type}' cannot store values of type '{typeof(T).Name}'.", nameof(type));
        }
        if (values.Length < length)
        {
            throw new ArgumentException($"The value buffer holds {values.Length} values but the column has {length} rows.", nameof(values));
        }
        _values = values;
        _pooled = pooled;
    }

    /// <summary>Wraps an array (not copied, not pooled). Rows whose validity bit is clear still occupy a slot in <paramref name="values"/>.</summary>
    public static PrimitiveColumn<T> FromArray(ColumnType type, T[] values, ValidityBitmap? validity = null) =>
        new(type, values, values.Length, validity, pooled: false);

    /// <summary>The values, one per row. A null row's slot holds an unspecified value.</summary>
    public ReadOnlySpan<T> Values => (_values ?? throw Disposed()).AsSpan(0, Length);

    /// <summary>The value of row <paramref name="row"/> (unspecified when the row is null).</summary>
    public T this[int row] => Values[row];

    /// <inheritdoc />
    public override object? GetValue(int row)
    {
        if (IsNull(row))
        {
            return null;
        }
        T value = Values[row];
        return Type switch
        {
            ColumnType.Timestamp => Timestamps.FromMicros((long)(object)value),
            ColumnType.TimestampNanos => Timestamps.FromNanos((long)(object)value),
            ColumnType.Date => DateOnly.FromDayNumber(Timestamps.UnixEpochDayNumber + (int)(object)value),
            ColumnType.Time => new TimeOnly((long)(object)value / 100),
            _ => value,
        };
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        T[]? values = Interlocked.Exchange(ref _values, null);
        if (values is not null && _pooled)
        {
            ArrayPool<T>.Shared.Return(values);
        }
        ReturnValidity();
    }

    private static ObjectDisposedException Disposed() => new(nameof(PrimitiveColumn<T>), "The column was disposed with its batch; read columns only while their batch is alive.");

    /// <inheritdoc />
    internal override TResult Accept<TResult>(IPrimitiveColumnVisitor<TResult> visitor) => visitor.Visit(this);
}
