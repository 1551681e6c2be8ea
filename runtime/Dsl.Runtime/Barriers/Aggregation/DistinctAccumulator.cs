using System.Buffers.Binary;
using Dsl.Barriers.Keys;
using Dsl.Validation;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// <see cref="Group{TRow}.CountDistinct{TValue}"/>: the exact number of distinct non-null, non-NaN values. Values are
/// told apart by their <see cref="KeyEncoder"/> bytes (so -0.0 and 0.0 are one value); one table holds every
/// (group, value) pair, each group's pairs linked so that they can be spilled with the group. Values of a fixed-width
/// type are counted by <see cref="FixedDistinctAccumulator"/> instead.
/// </summary>
internal sealed class DistinctAccumulator(AggregateLayout layout, int column) : Accumulator
{
    private const ulong GroupMix = 0xC2B2AE3D27D4EB4FUL;

    private readonly ByteKeyTable _pairs = new();
    private readonly bool _floating = ValueKinds.Of(layout.Columns[column].InputField!.Type) == ValueKind.Double;
    private long[] _counts = [];
    private int[] _heads = [];
    private int[] _next = new int[16];
    private byte[] _scratch = new byte[64];

    public override long EstimatedBytes => (_counts.Length * 12L) + _pairs.EstimatedBytes + (_next.Length * 4L);

    public override void Resize(int capacity)
    {
        Array.Resize(ref _counts, capacity);
        Array.Resize(ref _heads, capacity);
    }

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
            Insert(groups[row], encoded.Key(row), encoded.Hash(row));
        }
    }

    public override void Write(int group, SpillBuffer to)
    {
        to.WriteInt64(_counts[group]);
        for (int pair = _heads[group] - 1; pair >= 0; pair = _next[pair] - 1)
        {
            to.WriteBytes(_pairs.Key(pair)[4..]);
        }
    }

    public override void Merge(int group, ref SpillReader from)
    {
        long count = from.ReadInt64();
        if (count < 0 || count > int.MaxValue)
        {
            throw SpillFile.Damaged(from.Path, $"a distinct count holds {count} values");
        }
        for (long i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> value = from.ReadBytes();
            Insert(group, value, (ulong)KeyHash.Hash(value));
        }
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => output.AppendLong(_counts[group]);

    private void Insert(int group, ReadOnlySpan<byte> value, ulong valueHash)
    {
        int length = 4 + value.Length;
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }
        BinaryPrimitives.WriteInt32LittleEndian(_scratch, group);
        value.CopyTo(_scratch.AsSpan(4));
        int pair = _pairs.FindOrAdd(_scratch.AsSpan(0, length), valueHash ^ ((ulong)(group + 1) * GroupMix), out bool added);
        if (!added)
        {
            return;
        }
        if (pair == _next.Length)
        {
            Array.Resize(ref _next, pair * 2);
        }
        _next[pair] = _heads[group];
        _heads[group] = pair + 1;
        _counts[group]++;
    }
}
