namespace Dsl.Barriers.Aggregation;

/// <summary><see cref="Group{TRow}.Sum(Func{TRow, long?}, string)"/> of a whole-number column: a checked <see cref="long"/>.</summary>
internal sealed class IntegerSumAccumulator(AggregateLayout layout, AggregateColumn column) : Accumulator
{
    private long[] _sums = [];

    public override long EstimatedBytes => _sums.Length * 8L;

    public override void Resize(int capacity) => Array.Resize(ref _sums, capacity);

    public override void Add(BatchInput input, ReadOnlySpan<int> groups)
    {
        ColumnValues values = input.Values(column.InputIndex);
        bool unsigned = values.Kind == ValueKind.UInt64;
        for (int row = 0; row < groups.Length; row++)
        {
            if (!values.IsValid(row))
            {
                continue;
            }
            long value = values.LongAt(row);
            if (unsigned && value < 0)
            {
                throw Overflow(null);
            }
            Accumulate(groups[row], value);
        }
    }

    public override void Write(int group, SpillBuffer to) => to.WriteInt64(_sums[group]);

    public override void Merge(int group, ref SpillReader from) => Accumulate(group, from.ReadInt64());

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => output.AppendLong(_sums[group]);

    private void Accumulate(int group, long value)
    {
        try
        {
            _sums[group] = checked(_sums[group] + value);
        }
        catch (OverflowException ex)
        {
            throw Overflow(ex);
        }
    }

    private OverflowException Overflow(Exception? inner) =>
        new($"The aggregate stage '{layout.Stage}': output member '{column.Output.Member}' (Sum of '{column.Output.Column}', {column.InputField!.TypeName}) does not fit a 64-bit integer (long) for one group. Sum the column as a double (convert it in a Map stage before the aggregation) or group more finely.", inner);
}
