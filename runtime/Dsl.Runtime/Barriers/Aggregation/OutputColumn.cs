namespace Dsl.Barriers.Aggregation;

/// <summary>
/// Gathers one output column's values, a row at a time, and builds it with the field's storage type. A null appended
/// to a non-nullable field becomes the type's default (0, false, ""), as <see cref="Group{TRow}"/> returns it.
/// </summary>
internal sealed class OutputColumn
{
    private readonly ColumnField _field;
    private readonly long[] _longs;
    private readonly double[] _doubles;
    private readonly Int128[] _decimals;
    private readonly Guid[] _guids;
    private readonly bool[] _nulls;
    private readonly List<byte> _bytes = [];
    private readonly int[] _offsets;
    private int _count;

    public OutputColumn(ColumnField field, int capacity)
    {
        _field = field;
        bool bytes = field.Type.IsByteArray();
        _longs = ValueKinds.Of(field.Type) is ValueKind.Int64 or ValueKind.UInt64 ? new long[capacity] : [];
        _doubles = field.Type is ColumnType.Double or ColumnType.Float or ColumnType.Float16 ? new double[capacity] : [];
        _decimals = field.Type == ColumnType.Decimal ? new Int128[capacity] : [];
        _guids = field.Type == ColumnType.Uuid ? new Guid[capacity] : [];
        _offsets = bytes ? new int[capacity + 1] : [];
        _nulls = new bool[capacity];
    }

    public void AppendNull()
    {
        _nulls[_count] = _field.Nullable;
        Next();
    }

    /// <summary>Appends a whole number, date, timestamp (in the column's unit), time or boolean (0 or 1).</summary>
    public void AppendLong(long value)
    {
        _longs[_count] = value;
        Next();
    }

    public void AppendDouble(double value)
    {
        if (_doubles.Length == 0)
        {
            throw new InvalidOperationException($"The output column '{_field.Name}' ({_field.TypeName}) cannot hold a double.");
        }
        _doubles[_count] = value;
        Next();
    }

    public void AppendDecimal(Int128 unscaled)
    {
        _decimals[_count] = unscaled;
        Next();
    }

    public void AppendGuid(Guid value)
    {
        _guids[_count] = value;
        Next();
    }

    public void AppendBytes(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            _bytes.Add(b);
        }
        Next();
    }

    public void Append(in ScalarValue value)
    {
        if (value.IsNull)
        {
            AppendNull();
            return;
        }
        switch (value.Kind)
        {
            case ValueKind.Int64 or ValueKind.UInt64:
                AppendLong(value.Long);
                break;
            case ValueKind.Double:
                AppendDouble(value.Double);
                break;
            case ValueKind.Decimal:
                AppendDecimal(value.Decimal);
                break;
            default:
                AppendBytes(value.Bytes);
                break;
        }
    }

    public Column Build()
    {
        int rows = _count;
        switch (_field.Type)
        {
            case ColumnType.String or ColumnType.Binary:
                var indices = new int[rows];
                ValidityBitmap? validity = null;
                for (int i = 0; i < rows; i++)
                {
                    indices[i] = i;
                    if (_nulls[i])
                    {
                        validity ??= new ValidityBitmap(rows);
                        validity.Set(i, false);
                    }
                }
                var dictionary = new Utf8Dictionary([.. _bytes], _offsets[..(rows + 1)]);
                return new StringColumn(_field.Type, dictionary, indices, rows, validity);
            case ColumnType.Boolean:
                return Build<bool>(rows, i => _longs[i] != 0);
            case ColumnType.Int8:
                return Build<sbyte>(rows, i => (sbyte)_longs[i]);
            case ColumnType.Int16:
                return Build<short>(rows, i => (short)_longs[i]);
            case ColumnType.Int32 or ColumnType.Date:
                return Build<int>(rows, i => (int)_longs[i]);
            case ColumnType.UInt8:
                return Build<byte>(rows, i => (byte)_longs[i]);
            case ColumnType.UInt16:
                return Build<ushort>(rows, i => (ushort)_longs[i]);
            case ColumnType.UInt32:
                return Build<uint>(rows, i => (uint)_longs[i]);
            case ColumnType.UInt64:
                return Build<ulong>(rows, i => unchecked((ulong)_longs[i]));
            case ColumnType.Int64 or ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Time:
                return Build<long>(rows, i => _longs[i]);
            case ColumnType.Double:
                return Build<double>(rows, i => _doubles[i]);
            case ColumnType.Float:
                return Build<float>(rows, i => (float)_doubles[i]);
            case ColumnType.Float16:
                return Build<Half>(rows, i => (Half)_doubles[i]);
            case ColumnType.Decimal:
                return Build<Int128>(rows, i => _decimals[i]);
            case ColumnType.Uuid:
                return Build<Guid>(rows, i => _guids[i]);
            default:
                throw new InvalidOperationException($"The output column '{_field.Name}' has type {_field.TypeName}, which an aggregation does not produce.");
        }
    }

    private PrimitiveColumn<T> Build<T>(int rows, Func<int, T> value)
        where T : unmanaged
    {
        bool nullable = _nulls.AsSpan(0, rows).Contains(true);
        var builder = new ColumnBuilder<T>(_field.Type, rows, nullable);
        Span<T> values = builder.Values;
        for (int i = 0; i < rows; i++)
        {
            if (_nulls[i])
            {
                builder.Validity!.Set(i, false);
            }
            else
            {
                values[i] = value(i);
            }
        }
        return builder.Build(rows);
    }

    private void Next()
    {
        _count++;
        if (_offsets.Length > 0)
        {
            _offsets[_count] = _bytes.Count;
        }
    }
}
