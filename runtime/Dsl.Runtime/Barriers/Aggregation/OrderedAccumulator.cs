namespace Dsl.Barriers.Aggregation;

/// <summary>
/// <see cref="Group{TRow}.First{TValue, TOrder}"/> (and ArgMin) or <see cref="Group{TRow}.Last{TValue, TOrder}"/>
/// (and ArgMax): the value on the row whose order column is smallest (largest), rows with a null or NaN order left
/// out; ties go to the smallest (largest) value, a null value counting as smaller than any other. Each group keeps its
/// best (order, value) pair, so the result never depends on the rows' order.
/// </summary>
internal sealed class OrderedAccumulator(int valueIndex, ValueKind valueKind, int orderIndex, ValueKind orderKind, bool last) : Accumulator
{
    private readonly ValueSlots _orders = new(orderKind);
    private readonly ValueSlots _values = new(valueKind);

    public override long EstimatedBytes => _orders.EstimatedBytes + _values.EstimatedBytes;

    public override void Resize(int capacity)
    {
        _orders.Resize(capacity);
        _values.Resize(capacity);
    }

    public override void Add(BatchInput input, ReadOnlySpan<int> groups)
    {
        ColumnValues orders = input.Values(orderIndex);
        ColumnValues values = input.Values(valueIndex);
        for (int row = 0; row < groups.Length; row++)
        {
            if (orders.IsPresent(row))
            {
                Offer(groups[row], orders.At(row), values.At(row));
            }
        }
    }

    public override void Write(int group, SpillBuffer to)
    {
        _orders.Write(group, to);
        if (_orders.Has(group))
        {
            _values.Write(group, to);
        }
    }

    public override void Merge(int group, ref SpillReader from)
    {
        ScalarValue order = _orders.Read(ref from);
        if (!order.IsNull)
        {
            ScalarValue value = _values.Read(ref from);
            Offer(group, order, value);
        }
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => _values.Emit(group, output);

    private void Offer(int group, in ScalarValue order, in ScalarValue value)
    {
        if (_orders.Has(group))
        {
            int compared = ValueKinds.Compare(order, _orders.Get(group));
            if (compared == 0)
            {
                compared = CompareNullable(value, _values.Get(group));
            }
            if (last ? compared <= 0 : compared >= 0)
            {
                return;
            }
        }
        _orders.Set(group, order);
        _values.Set(group, value);
    }

    private static int CompareNullable(in ScalarValue a, in ScalarValue b) =>
        a.IsNull || b.IsNull ? (!a.IsNull).CompareTo(!b.IsNull) : ValueKinds.Compare(a, b);
}
