using System.Buffers;
using System.Runtime.InteropServices;

namespace Dsl;

/// <summary>
/// Builds a <see cref="StringColumn"/> from appended strings, de-duplicating them into a dictionary as it goes.
/// For gathering rows of an existing column (filters, pass-through maps) use <see cref="GatherFrom"/> instead:
/// it reuses the source dictionary and copies only indices.
/// </summary>
public sealed class StringColumnBuilder
{
    private readonly Dictionary<string, int> _lookup = new(StringComparer.Ordinal);
    private readonly List<string> _entries = [];
    private readonly List<int> _indices;
    private ValidityBitmap? _validity;
    private readonly ColumnType _type;

    /// <summary>Creates a builder; <paramref name="capacity"/> is a hint.</summary>
    public StringColumnBuilder(ColumnType type = ColumnType.String, int capacity = 0)
    {
        if (!type.IsByteArray())
        {
            throw new ArgumentException($"A string column cannot have type '{type}'.", nameof(type));
        }
        _type = type;
        _indices = new List<int>(capacity);
    }

    /// <summary>Number of rows appended.</summary>
    public int Count => _indices.Count;

    /// <summary>Appends a value, or a null row for <see langword="null"/>.</summary>
    public void Append(string? value)
    {
        int row = _indices.Count;
        if (value is null)
        {
            _validity ??= GrowValidity(row);
            EnsureValidityCapacity(row + 1);
            _validity.Set(row, false);
            _indices.Add(0);
            return;
        }
        if (_validity is not null)
        {
            EnsureValidityCapacity(row + 1);
            _validity.Set(row, true);
        }
        ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, value, out bool exists);
        if (!exists)
        {
            slot = _entries.Count;
            _entries.Add(value);
        }
        _indices.Add(slot);
    }

    /// <summary>Finishes the column.</summary>
    public StringColumn Build()
    {
        int length = _indices.Count;
        ValidityBitmap? validity = null;
        if (_validity is not null)
        {
            validity = new ValidityBitmap(length, allValid: false);
            for (int i = 0; i < length; i++)
            {
                validity.Set(i, _validity.IsValid(i));
            }
        }
        return new StringColumn(_type, Utf8Dictionary.FromStrings(_entries), [.. _indices], length, validity);
    }

    /// <summary>
    /// A column holding rows <paramref name="selection"/> of <paramref name="source"/>, in that order,
    /// sharing its dictionary.
    /// </summary>
    public static StringColumn GatherFrom(StringColumn source, ReadOnlySpan<int> selection)
    {
        ReadOnlySpan<int> indices = source.Indices;
        ValidityBitmap? sourceValidity = source.Validity;
        // The indices and the validity words are rented: the gathered column returns them when disposed.
        int[] gathered = ArrayPool<int>.Shared.Rent(selection.Length);
        ValidityBitmap? validity = sourceValidity is null ? null : new ValidityBitmap(selection.Length, allValid: true, pooled: true);
        try
        {
            for (int i = 0; i < selection.Length; i++)
            {
                int row = selection[i];
                if ((uint)row >= (uint)indices.Length)
                {
                    throw new ArgumentOutOfRangeException(nameof(selection), row, $"Selection entry {i} refers to row {row} but the source column has {indices.Length} rows.");
                }
                gathered[i] = indices[row];
                if (validity is not null && !sourceValidity!.IsValid(row))
                {
                    validity.Set(i, false);
                }
            }
        }
        catch
        {
            ArrayPool<int>.Shared.Return(gathered);
            validity?.ReturnToPool();
            throw;
        }
        if (validity is not null && validity.CountNulls() == 0)
        {
            validity.ReturnToPool();
            validity = null;
        }
        // The indices come from the source column, which checked them against the same dictionary.
        return new StringColumn(source.Type, source.Dictionary, gathered, selection.Length, validity, pooled: true);
    }

    private ValidityBitmap GrowValidity(int validRows)
    {
        var bitmap = new ValidityBitmap(Math.Max(16, validRows * 2));
        return bitmap;
    }

    private void EnsureValidityCapacity(int rows)
    {
        if (_validity!.Length >= rows)
        {
            return;
        }
        var bigger = new ValidityBitmap(Math.Max(rows, _validity.Length * 2));
        _validity.Words.CopyTo(bigger.Words);
        _validity = bigger;
    }
}
