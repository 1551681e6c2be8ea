using System.Buffers;

namespace Dsl;

/// <summary>
/// Fills a <see cref="PrimitiveColumn{T}"/> of at most <see cref="Capacity"/> rows in place: write
/// <see cref="Values"/> (and <see cref="Validity"/> for nullable columns), then <see cref="Build"/> with the row count.
/// The buffer is rented from <see cref="ArrayPool{T}"/>; ownership passes to the built column.
/// </summary>
public sealed class ColumnBuilder<T>
    where T : unmanaged
{
    private T[]? _values;

    /// <summary>Reserves space for <paramref name="capacity"/> rows.</summary>
    /// <param name="type">The column type; its storage type must be <typeparamref name="T"/>.</param>
    /// <param name="capacity">The most rows that will be written.</param>
    /// <param name="nullable">Whether to allocate a validity bitmap (initially all valid).</param>
    public ColumnBuilder(ColumnType type, int capacity, bool nullable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        // Checked here rather than only by PrimitiveColumn at Build time, so that a mismatch fails before a buffer
        // is rented and before values are written into a builder that could never be built.
        if (type.IsByteArray())
        {
            throw new ArgumentException($"A column of type '{type}' cannot store values of type '{typeof(T).Name}'; build {type} columns with StringColumnBuilder.", nameof(type));
        }
        if (type.StorageType() != typeof(T))
        {
            throw new ArgumentException($"A column of type '{type}' cannot store values of type '{typeof(T).Name}'; use ColumnBuilder<{type.StorageType().Name}> for it.", nameof(type));
        }
        Type = type;
        Capacity = capacity;
        _values = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 1));
        Validity = nullable ? new ValidityBitmap(capacity, allValid: true, pooled: true) : null;
    }

    /// <summary>The column type being built.</summary>
    public ColumnType Type { get; }

    /// <summary>The most rows this builder holds.</summary>
    public int Capacity { get; }

    /// <summary>The writable value slots, <see cref="Capacity"/> of them.</summary>
    public Span<T> Values => (_values ?? throw Built()).AsSpan(0, Capacity);

    /// <summary>
    /// The validity bitmap for nullable columns (all valid to start with), else null. Its words are rented: the built
    /// column returns them when disposed (or <see cref="Build"/> does, when it drops a bitmap without nulls).
    /// </summary>
    public ValidityBitmap? Validity { get; }

    /// <summary>Finishes the column with its first <paramref name="length"/> rows. A bitmap with no nulls is dropped.</summary>
    public PrimitiveColumn<T> Build(int length)
    {
        T[] values = _values ?? throw Built();
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Capacity);
        _values = null;
        ValidityBitmap? validity = Validity;
        if (validity is not null)
        {
            validity.Truncate(length);
            if (validity.CountNulls() == 0)
            {
                validity.ReturnToPool();
                validity = null;
            }
        }
        return new PrimitiveColumn<T>(Type, values, length, validity, pooled: true);
    }

    private static InvalidOperationException Built() => new("The column was already built; create a new builder for the next column.");
}
