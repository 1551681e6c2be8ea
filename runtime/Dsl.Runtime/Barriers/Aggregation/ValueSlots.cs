namespace Dsl.Barriers.Aggregation;

/// <summary>
/// One value per group, of one <see cref="ValueKind"/>, or none: what Min, Max, First and Last keep. Fixed-width
/// values live in arrays; a group's bytes value has its own buffer, replaced only when a longer value arrives.
/// </summary>
internal sealed class ValueSlots
{
    private readonly ValueKind _kind;
    private bool[] _has = [];
    private long[] _longs = [];
    private double[] _doubles = [];
    private Int128[] _decimals = [];
    private byte[]?[] _bytes = [];
    private int[] _lengths = [];
    private long _bytesHeld;

    public ValueSlots(ValueKind kind) => _kind = kind;

    public long EstimatedBytes => _has.Length + (_kind switch
    {
        ValueKind.Decimal => 16L,
        ValueKind.Bytes => 12L + 24,
        _ => 8L,
    } * _has.Length) + _bytesHeld;

    public void Resize(int capacity)
    {
        Array.Resize(ref _has, capacity);
        switch (_kind)
        {
            case ValueKind.Int64 or ValueKind.UInt64:
                Array.Resize(ref _longs, capacity);
                break;
            case ValueKind.Double:
                Array.Resize(ref _doubles, capacity);
                break;
            case ValueKind.Decimal:
                Array.Resize(ref _decimals, capacity);
                break;
            default:
                Array.Resize(ref _bytes, capacity);
                Array.Resize(ref _lengths, capacity);
                break;
        }
    }

    public bool Has(int group) => _has[group];

    public ScalarValue Get(int group) => !_has[group]
        ? new ScalarValue(_kind, isNull: true)
        : _kind switch
        {
            ValueKind.Int64 or ValueKind.UInt64 => new ScalarValue(_kind, false, @long: _longs[group]),
            ValueKind.Double => new ScalarValue(_kind, false, @double: _doubles[group]),
            ValueKind.Decimal => new ScalarValue(_kind, false, @decimal: _decimals[group]),
            _ => new ScalarValue(_kind, false, bytes: _bytes[group].AsSpan(0, _lengths[group])),
        };

    /// <summary>
    /// Keeps in each row's group the smallest (or, with <paramref name="max"/>, largest) of its present longs, compared
    /// signed for Int64 and unsigned for UInt64, as <see cref="ValueKinds.Compare"/> orders them.
    /// </summary>
    public void OfferLongs(ColumnValues values, ReadOnlySpan<int> groups, bool max)
    {
        ReadOnlySpan<long> longs = values.LongValues;
        bool unsigned = _kind == ValueKind.UInt64;
        for (int row = 0; row < groups.Length; row++)
        {
            if (!values.IsPresent(row))
            {
                continue;
            }
            int group = groups[row];
            long value = longs[row];
            if (!_has[group])
            {
                _has[group] = true;
                _longs[group] = value;
                continue;
            }
            int order = unsigned ? ((ulong)value).CompareTo((ulong)_longs[group]) : value.CompareTo(_longs[group]);
            if (max ? order > 0 : order < 0)
            {
                _longs[group] = value;
            }
        }
    }

    /// <summary>The same for doubles (NaN is never present; -0.0 orders below 0.0, as in <see cref="ValueKinds.Compare"/>).</summary>
    public void OfferDoubles(ColumnValues values, ReadOnlySpan<int> groups, bool max)
    {
        ReadOnlySpan<double> doubles = values.DoubleValues;
        for (int row = 0; row < groups.Length; row++)
        {
            if (!values.IsPresent(row))
            {
                continue;
            }
            int group = groups[row];
            double value = doubles[row];
            if (!_has[group])
            {
                _has[group] = true;
                _doubles[group] = value;
                continue;
            }
            int order = ValueKinds.CompareDoubles(value, _doubles[group]);
            if (max ? order > 0 : order < 0)
            {
                _doubles[group] = value;
            }
        }
    }

    /// <summary>Sets group <paramref name="group"/>'s value (none when <paramref name="value"/> is null).</summary>
    public void Set(int group, in ScalarValue value)
    {
        _has[group] = !value.IsNull;
        if (value.IsNull)
        {
            return;
        }
        switch (_kind)
        {
            case ValueKind.Int64 or ValueKind.UInt64:
                _longs[group] = value.Long;
                break;
            case ValueKind.Double:
                _doubles[group] = value.Double;
                break;
            case ValueKind.Decimal:
                _decimals[group] = value.Decimal;
                break;
            default:
                byte[]? buffer = _bytes[group];
                if (buffer is null || buffer.Length < value.Bytes.Length)
                {
                    _bytesHeld += value.Bytes.Length - (buffer?.Length ?? 0);
                    buffer = new byte[value.Bytes.Length];
                    _bytes[group] = buffer;
                }
                value.Bytes.CopyTo(buffer);
                _lengths[group] = value.Bytes.Length;
                break;
        }
    }

    /// <summary>Writes group <paramref name="group"/>'s value: a flag, then the value when there is one.</summary>
    public void Write(int group, SpillBuffer to)
    {
        to.WriteByte(_has[group] ? (byte)1 : (byte)0);
        if (_has[group])
        {
            switch (_kind)
            {
                case ValueKind.Int64 or ValueKind.UInt64:
                    to.WriteInt64(_longs[group]);
                    break;
                case ValueKind.Double:
                    to.WriteDouble(_doubles[group]);
                    break;
                case ValueKind.Decimal:
                    to.WriteInt128(_decimals[group]);
                    break;
                default:
                    to.WriteBytes(_bytes[group].AsSpan(0, _lengths[group]));
                    break;
            }
        }
    }

    /// <summary>Reads a value written by <see cref="Write"/> (the span, for bytes, points into the record).</summary>
    public ScalarValue Read(ref SpillReader from)
    {
        byte flag = from.ReadByte();
        if (flag > 1)
        {
            throw SpillFile.Damaged(from.Path, $"a value's flag is {flag}");
        }
        if (flag == 0)
        {
            return new ScalarValue(_kind, isNull: true);
        }
        return _kind switch
        {
            ValueKind.Int64 or ValueKind.UInt64 => new ScalarValue(_kind, false, @long: from.ReadInt64()),
            ValueKind.Double => new ScalarValue(_kind, false, @double: from.ReadDouble()),
            ValueKind.Decimal => new ScalarValue(_kind, false, @decimal: from.ReadInt128()),
            _ => new ScalarValue(_kind, false, bytes: from.ReadBytes()),
        };
    }

    /// <summary>Appends group <paramref name="group"/>'s value (or null) to <paramref name="output"/>.</summary>
    public void Emit(int group, OutputColumn output) => output.Append(Get(group));
}
