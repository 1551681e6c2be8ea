using System.Numerics;
using System.Runtime.CompilerServices;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// One batch column's values widened to their <see cref="ValueKind"/> (a long, double or Int128 per row; strings stay in
/// their dictionary), so that each accumulator has one loop per kind rather than one per storage type. The buffers are
/// reused from batch to batch.
/// </summary>
internal sealed class ColumnValues
{
    private long[] _longs = [];
    private double[] _doubles = [];
    private Int128[] _decimals = [];
    private StringColumn? _strings;
    private double _decimalUnit = 1;

    // One bit per row, copied from the column's validity into an array of our own so a row's check is one load and a
    // shift; only a double column with a NaN gets words of its own for presence (valid and not NaN).
    private ulong[] _validWords = [];
    private ulong[] _doubleWords = [];
    private ulong[] _presentWords = [];
    private bool _anyNull;
    private bool _anyAbsent;

    public ColumnValues(ColumnField field)
    {
        Field = field;
        Kind = ValueKinds.Of(field.Type) ?? throw new ArgumentException($"The aggregation does not hold values of type {field.TypeName} (column '{field.Name}').", nameof(field));
        _decimalUnit = field.Type == ColumnType.Decimal ? Math.Pow(10, field.Scale) : 1;
    }

    public ColumnField Field { get; }

    public ValueKind Kind { get; }

    public int Length { get; private set; }

    /// <summary>Reads <paramref name="column"/> (of <see cref="Field"/>'s type) into the buffers.</summary>
    public void Load(Column column)
    {
        int rows = column.Length;
        Length = rows;
        _anyNull = column.NullCount > 0;
        int words = (rows + 63) >> 6;
        if (_validWords.Length < words)
        {
            _validWords = new ulong[words];
        }
        if (_anyNull)
        {
            column.Validity!.Words[..words].CopyTo(_validWords);
        }
        _strings = null;
        switch (column)
        {
            case StringColumn s:
                _strings = s;
                break;
            case PrimitiveColumn<bool> b:
                Widen(b.Values, static v => v ? 1L : 0L);
                break;
            case PrimitiveColumn<sbyte> c:
                Widen(c.Values, static v => v);
                break;
            case PrimitiveColumn<short> c:
                Widen(c.Values, static v => v);
                break;
            case PrimitiveColumn<int> c:
                Widen(c.Values, static v => v);
                break;
            case PrimitiveColumn<long> c:
                Longs(rows);
                c.Values.CopyTo(_longs);
                break;
            case PrimitiveColumn<byte> c:
                Widen(c.Values, static v => v);
                break;
            case PrimitiveColumn<ushort> c:
                Widen(c.Values, static v => v);
                break;
            case PrimitiveColumn<uint> c:
                Widen(c.Values, static v => v);
                break;
            case PrimitiveColumn<ulong> c:
                Widen(c.Values, static v => unchecked((long)v));
                break;
            case PrimitiveColumn<double> c:
                Doubles(rows);
                c.Values.CopyTo(_doubles);
                break;
            case PrimitiveColumn<float> c:
                Doubles(rows);
                ReadOnlySpan<float> floats = c.Values;
                for (int i = 0; i < rows; i++)
                {
                    _doubles[i] = floats[i];
                }
                break;
            case PrimitiveColumn<Half> c:
                Doubles(rows);
                ReadOnlySpan<Half> halves = c.Values;
                for (int i = 0; i < rows; i++)
                {
                    _doubles[i] = (double)halves[i];
                }
                break;
            case PrimitiveColumn<Int128> c:
                if (_decimals.Length < rows)
                {
                    _decimals = new Int128[BitOperations.RoundUpToPowerOf2((uint)rows)];
                }
                c.Values.CopyTo(_decimals);
                break;
            default:
                throw new InvalidOperationException($"The column '{Field.Name}' was declared {Field.TypeName} but the batch holds {column.Type}.");
        }
        MarkPresent(words);
    }

    /// <summary>The rows' values as longs (Int64 and the bits of UInt64), nulls included as whatever they hold.</summary>
    public ReadOnlySpan<long> LongValues => _longs.AsSpan(0, Length);

    /// <summary>The rows' values as doubles (Double), nulls included as whatever they hold.</summary>
    public ReadOnlySpan<double> DoubleValues => _doubles.AsSpan(0, Length);

    // Present = valid and, for doubles, not NaN; _anyAbsent false means every row is present.
    private void MarkPresent(int words)
    {
        _presentWords = _validWords;
        _anyAbsent = _anyNull;
        if (Kind != ValueKind.Double)
        {
            return;
        }
        ReadOnlySpan<double> doubles = DoubleValues;
        int row = 0;
        while (row < doubles.Length && !double.IsNaN(doubles[row]))
        {
            row++;
        }
        if (row == doubles.Length)
        {
            return;
        }
        if (_doubleWords.Length < words)
        {
            _doubleWords = new ulong[words];
        }
        Span<ulong> present = _doubleWords.AsSpan(0, words);
        if (_anyNull)
        {
            _validWords.AsSpan(0, words).CopyTo(present);
        }
        else
        {
            present.Fill(ulong.MaxValue);
        }
        for (; row < doubles.Length; row++)
        {
            if (double.IsNaN(doubles[row]))
            {
                present[row >> 6] &= ~(1UL << row);
            }
        }
        _presentWords = _doubleWords;
        _anyAbsent = true;
    }

    /// <summary>Whether row <paramref name="row"/> has a value (not null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsValid(int row) => !_anyNull || (_validWords[row >> 6] & (1UL << row)) != 0;

    /// <summary>Whether row <paramref name="row"/> counts for a statistic: not null and not NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsPresent(int row) => !_anyAbsent || (_presentWords[row >> 6] & (1UL << row)) != 0;

    /// <summary>Row <paramref name="row"/>'s value.</summary>
    public ScalarValue At(int row)
    {
        if (!IsValid(row))
        {
            return new ScalarValue(Kind, isNull: true);
        }
        return Kind switch
        {
            ValueKind.Int64 or ValueKind.UInt64 => new ScalarValue(Kind, false, @long: _longs[row]),
            ValueKind.Double => new ScalarValue(Kind, false, @double: _doubles[row]),
            ValueKind.Decimal => new ScalarValue(Kind, false, @decimal: _decimals[row]),
            _ => new ScalarValue(Kind, false, bytes: _strings!.Dictionary.GetBytes(_strings.Indices[row])),
        };
    }

    /// <summary>Row <paramref name="row"/>'s value as a double, for the numeric statistics (a decimal divided by 10^scale).</summary>
    public double AsDouble(int row) => Kind switch
    {
        ValueKind.Int64 => _longs[row],
        ValueKind.UInt64 => (ulong)_longs[row],
        ValueKind.Double => _doubles[row],
        ValueKind.Decimal => (double)_decimals[row] / _decimalUnit,
        _ => throw new InvalidOperationException($"The column '{Field.Name}' ({Field.TypeName}) is not a number."),
    };

    /// <summary>Row <paramref name="row"/>'s raw long (for <see cref="ValueKind.Int64"/> and the bits of <see cref="ValueKind.UInt64"/>).</summary>
    public long LongAt(int row) => _longs[row];

    private delegate long Widening<T>(T value);

    private void Widen<T>(ReadOnlySpan<T> values, Widening<T> widen)
    {
        Longs(values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            _longs[i] = widen(values[i]);
        }
    }

    private void Longs(int rows)
    {
        if (_longs.Length < rows)
        {
            _longs = new long[BitOperations.RoundUpToPowerOf2((uint)rows)];
        }
    }

    private void Doubles(int rows)
    {
        if (_doubles.Length < rows)
        {
            _doubles = new double[BitOperations.RoundUpToPowerOf2((uint)rows)];
        }
    }
}
