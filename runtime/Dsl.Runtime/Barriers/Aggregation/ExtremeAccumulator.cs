namespace Dsl.Barriers.Aggregation;

/// <summary><see cref="Group{TRow}.Min{TValue}"/> or <see cref="Group{TRow}.Max{TValue}"/>: nulls and NaN skipped, null when no value is left.</summary>
internal sealed class ExtremeAccumulator(int inputIndex, ValueKind kind, bool max) : Accumulator
{
    private readonly ValueSlots _slots = new(kind);

    public override long EstimatedBytes => _slots.EstimatedBytes;

    public override void Resize(int capacity) => _slots.Resize(capacity);

    public override void Add(BatchInput input, ReadOnlySpan<int> groups)
    {
        ColumnValues values = input.Values(inputIndex);
        switch (kind)
        {
            // Numbers in typed loops (the same order as ValueKinds.Compare); strings and decimals through ScalarValue.
            case ValueKind.Int64 or ValueKind.UInt64:
                _slots.OfferLongs(values, groups, max);
                return;
            case ValueKind.Double:
                _slots.OfferDoubles(values, groups, max);
                return;
        }
        for (int row = 0; row < groups.Length; row++)
        {
            if (values.IsPresent(row))
            {
                Offer(groups[row], values.At(row));
            }
        }
    }

    public override void Write(int group, SpillBuffer to) => _slots.Write(group, to);

    public override void Merge(int group, ref SpillReader from)
    {
        ScalarValue value = _slots.Read(ref from);
        if (!value.IsNull)
        {
            Offer(group, value);
        }
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => _slots.Emit(group, output);

    private void Offer(int group, in ScalarValue value)
    {
        if (!_slots.Has(group))
        {
            _slots.Set(group, value);
            return;
        }
        int order = ValueKinds.Compare(value, _slots.Get(group));
        if (max ? order > 0 : order < 0)
        {
            _slots.Set(group, value);
        }
    }
}
