using Dsl.Barriers.Keys;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// <see cref="Group{TRow}.ApproxCountDistinct{TValue}"/>: a <see cref="DistinctSketch"/> per group over the hashes of
/// the non-null, non-NaN values' <see cref="KeyEncoder"/> bytes.
/// </summary>
internal sealed class ApproxDistinctAccumulator(AggregateLayout layout, int column) : Accumulator
{
    private readonly bool _floating = ValueKinds.Of(layout.Columns[column].InputField!.Type) == ValueKind.Double;
    private DistinctSketch?[] _sketches = [];
    private long _sketchBytes;

    public override long EstimatedBytes => (_sketches.Length * 8L) + _sketchBytes;

    public override void Resize(int capacity) => Array.Resize(ref _sketches, capacity);

    public override void Add(BatchInput input, ReadOnlySpan<int> groups)
    {
        ColumnValues? values = _floating ? input.Values(layout.Columns[column].InputIndex) : null;
        using EncodedKeys encoded = layout.DistinctEncoder(column).Encode(input.Batch);
        for (int row = 0; row < groups.Length; row++)
        {
            if (encoded.HasNull(row) || (values is not null && !values.IsPresent(row)))
            {
                continue;
            }
            DistinctSketch sketch = Sketch(groups[row]);
            long before = sketch.EstimatedBytes;
            sketch.Add(encoded.Hash(row));
            _sketchBytes += sketch.EstimatedBytes - before;
        }
    }

    public override void Write(int group, SpillBuffer to)
    {
        if (_sketches[group] is { } sketch)
        {
            to.WriteByte(1);
            sketch.Write(to);
        }
        else
        {
            to.WriteByte(0);
        }
    }

    public override void Merge(int group, ref SpillReader from)
    {
        byte present = from.ReadByte();
        if (present > 1)
        {
            throw SpillFile.Damaged(from.Path, $"a distinct-count flag is {present}");
        }
        if (present == 1)
        {
            DistinctSketch sketch = Sketch(group);
            long before = sketch.EstimatedBytes;
            sketch.Merge(ref from);
            _sketchBytes += sketch.EstimatedBytes - before;
        }
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => output.AppendLong(_sketches[group]?.Estimate ?? 0);

    private DistinctSketch Sketch(int group)
    {
        if (_sketches[group] is not { } sketch)
        {
            sketch = new DistinctSketch();
            _sketches[group] = sketch;
            _sketchBytes += sketch.EstimatedBytes;
        }
        return sketch;
    }
}
