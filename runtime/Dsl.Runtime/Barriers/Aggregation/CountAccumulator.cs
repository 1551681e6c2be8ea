namespace Dsl.Barriers.Aggregation;

/// <summary><see cref="Group{TRow}.Count"/> (no column: every row) or <see cref="Group{TRow}.CountValues{TValue}"/> (rows whose value is neither null nor NaN).</summary>
internal sealed class CountAccumulator(int inputIndex) : Accumulator
{
    private long[] _counts = [];

    public override long EstimatedBytes => _counts.Length * 8L;

    public override void Resize(int capacity) => Array.Resize(ref _counts, capacity);

    public override void Add(BatchInput input, ReadOnlySpan<int> groups)
    {
        if (inputIndex < 0)
        {
            foreach (int group in groups)
            {
                _counts[group]++;
            }
            return;
        }
        ColumnValues values = input.Values(inputIndex);
        for (int row = 0; row < groups.Length; row++)
        {
            if (values.IsPresent(row))
            {
                _counts[groups[row]]++;
            }
        }
    }

    public override void Write(int group, SpillBuffer to) => to.WriteInt64(_counts[group]);

    public override void Merge(int group, ref SpillReader from) => _counts[group] += from.ReadInt64();

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => output.AppendLong(_counts[group]);
}
