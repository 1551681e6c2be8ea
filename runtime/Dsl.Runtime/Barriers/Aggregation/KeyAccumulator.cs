namespace Dsl.Barriers.Aggregation;

/// <summary><see cref="Group{TRow}.Key"/>: the group's value of a grouping column, read back from its key bytes.</summary>
internal sealed class KeyAccumulator(int keyIndex, ColumnType type) : Accumulator
{
    public override long EstimatedBytes => 0;

    public override void Resize(int capacity)
    {
    }

    public override void Add(BatchInput input, ReadOnlySpan<int> groups)
    {
    }

    public override void Write(int group, SpillBuffer to)
    {
    }

    public override void Merge(int group, ref SpillReader from)
    {
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => KeyDecoder.Append(key, keyIndex, type, output);
}
