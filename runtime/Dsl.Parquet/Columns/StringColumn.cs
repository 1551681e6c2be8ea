using System.Buffers;

namespace Dsl;

/// <summary>
/// A <see cref="ColumnType.String"/> or <see cref="ColumnType.Binary"/> column: one index per row into a shared
/// <see cref="Utf8Dictionary"/>. Dictionary-encoded Parquet pages map onto it directly, and kernels evaluate
/// string expressions once per dictionary entry and gather by index.
/// </summary>
public sealed class StringColumn : Column
{
    private int[]? _indices;
    private readonly bool _pooledIndices;

    /// <summary>Creates a column over <paramref name="dictionary"/>; <paramref name="indices"/> is not copied.</summary>
    /// <exception cref="ArgumentException">An index of a non-null row is outside the dictionary.</exception>
    public StringColumn(ColumnType type, Utf8Dictionary dictionary, int[] indices, int length, ValidityBitmap? validity)
        : base(type, length, validity)
    {
        if (!type.IsByteArray())
        {
            throw new ArgumentException($"A string column cannot have type '{type}'.", nameof(type));
        }
        if (indices.Length < length)
        {
            throw new ArgumentException($"The index buffer holds {indices.Length} indices but the column has {length} rows.", nameof(indices));
        }
        for (int i = 0; i < length; i++)
        {
            if ((uint)indices[i] >= (uint)dictionary.Count && (validity is null || validity.IsValid(i)))
            {
                throw new ArgumentException($"Row {i} refers to dictionary entry {indices[i]} but the dictionary has {dictionary.Count} entries.", nameof(indices));
            }
        }
        Dictionary = dictionary;
        _indices = indices;
    }

    /// <summary>
    /// Wraps indices a decoder rented from <see cref="ArrayPool{T}.Shared"/> and checked against the dictionary
    /// itself; the column returns them when disposed.
    /// </summary>
    internal StringColumn(ColumnType type, Utf8Dictionary dictionary, int[] pooledIndices, int length, ValidityBitmap? validity, bool pooled)
        : base(type, length, validity)
    {
        Dictionary = dictionary;
        _indices = pooledIndices;
        _pooledIndices = pooled;
    }

    /// <summary>The entries rows refer to.</summary>
    public Utf8Dictionary Dictionary { get; }

    /// <summary>One dictionary index per row; a null row's index is unspecified.</summary>
    public ReadOnlySpan<int> Indices => (_indices ?? throw Disposed()).AsSpan(0, Length);

    /// <summary>The string of row <paramref name="row"/>, or null.</summary>
    public string? GetString(int row) => IsNull(row) ? null : Dictionary.GetString(Indices[row]);

    /// <summary>The bytes of row <paramref name="row"/> (empty for a null row; check <see cref="Column.IsNull"/>).</summary>
    public ReadOnlySpan<byte> GetBytes(int row) => IsNull(row) ? default : Dictionary.GetBytes(Indices[row]);

    /// <inheritdoc />
    public override object? GetValue(int row) =>
        IsNull(row) ? null : Type == ColumnType.String ? Dictionary.GetString(Indices[row]) : Dictionary.GetBytes(Indices[row]).ToArray();

    /// <inheritdoc />
    public override void Dispose()
    {
        // Only pooled indices go back; the dictionary may be shared with other columns and stays with the GC.
        if (_pooledIndices && Interlocked.Exchange(ref _indices, null) is { } indices)
        {
            ArrayPool<int>.Shared.Return(indices);
        }
        ReturnValidity();
    }

    private static ObjectDisposedException Disposed() => new(nameof(StringColumn), "The column was disposed with its batch; read columns only while their batch is alive.");
}
