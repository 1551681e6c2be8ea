namespace Dsl.Barriers.Aggregation;

/// <summary>
/// <see cref="Group{TRow}.Sum(Func{TRow, double?}, string)"/> (a double, added in row order within a batch and state
/// by state when merging) or, with the count, <see cref="Group{TRow}.Mean"/> (NaN for no values).
/// </summary>
internal sealed class FloatSumAccumulator(int inputIndex, bool mean) : Accumulator
{
    private double[] _sums = [];
    private long[] _counts = [];

    public override long EstimatedBytes => _sums.Length * 16L;

    public override void Resize(int capacity)
    {
        Array.Resize(ref _sums, capacity);
        Array.Resize(ref _counts, capacity);
    }

    public override void Add(BatchInput input, ReadOnlySpan<int> groups)
    {
        ColumnValues values = input.Values(inputIndex);
        for (int row = 0; row < groups.Length; row++)
        {
            if (values.IsPresent(row))
            {
                int group = groups[row];
                _sums[group] += values.AsDouble(row);
                _counts[group]++;
            }
        }
    }

    public override void Write(int group, SpillBuffer to)
    {
        to.WriteDouble(_sums[group]);
        to.WriteInt64(_counts[group]);
    }

    public override void Merge(int group, ref SpillReader from)
    {
        _sums[group] += from.ReadDouble();
        _counts[group] += from.ReadInt64();
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) =>
        output.AppendDouble(!mean ? _sums[group] : _counts[group] == 0 ? double.NaN : _sums[group] / _counts[group]);
}
