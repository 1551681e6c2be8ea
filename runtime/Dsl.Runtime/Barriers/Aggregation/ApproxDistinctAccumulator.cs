using Dsl.Barriers.Keys;
using Dsl.Validation.Statistics;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// <see cref="Group{TRow}.ApproxCountDistinct{TValue}"/>: per group, a sketch over the hashes of the non-null, non-NaN
/// values' <see cref="KeyEncoder"/> bytes: the set of the hashes while it holds at most <see cref="ExactLimit"/> of
/// them (so a small group is counted exactly, barring hash collisions), then a <see cref="HyperLogLog"/> of 2^14
/// registers (16 KiB; relative standard error 0.81%). Both forms depend only on the set of hashes added, not on their
/// order or how the inputs were split. Every group's exact set is a list of <see cref="GroupLists"/>, so a group
/// costs no object until it turns into registers.
/// </summary>
internal sealed class ApproxDistinctAccumulator(AggregateLayout layout, int column) : Accumulator
{
    /// <summary>The most hashes kept exactly.</summary>
    public const int ExactLimit = 256;

    private readonly bool _floating = ValueKinds.Of(layout.Columns[column].InputField!.Type) == ValueKind.Double;
    private readonly GroupLists _hashes = new(layout.Stage);

    // The registers of the groups past the limit; such a group's list is closed with their index.
    private readonly List<HyperLogLog> _dense = [];

    public override long EstimatedBytes => _hashes.EstimatedBytes + ((long)_dense.Count << HyperLogLog.Precision);

    public override void Resize(int capacity) => _hashes.Resize(capacity);

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
            AddHash(groups[row], encoded.Hash(row));
        }
    }

    /// <summary>A flag (0: no value, 1: a sketch); then the sketch's form (0: hashes, 1: registers) and the sorted hashes with their count, or the registers.</summary>
    public override void Write(int group, SpillBuffer to)
    {
        if (Dense(group) is { } dense)
        {
            to.WriteByte(1);
            to.WriteByte(1);
            to.WriteRaw(dense.Registers);
            return;
        }
        ReadOnlySpan<ulong> hashes = _hashes.Distinct(group);
        if (hashes.Length == 0)
        {
            to.WriteByte(0);
            return;
        }
        to.WriteByte(1);
        to.WriteByte(0);
        to.WriteInt32(hashes.Length);
        foreach (ulong hash in hashes)
        {
            to.WriteUInt64(hash);
        }
    }

    public override void Merge(int group, ref SpillReader from)
    {
        byte present = from.ReadByte();
        if (present > 1)
        {
            throw SpillFile.Damaged(from.Path, $"a distinct-count flag is {present}");
        }
        if (present == 0)
        {
            return;
        }
        byte form = from.ReadByte();
        if (form == 0)
        {
            int count = from.ReadCount(8);
            for (int i = 0; i < count; i++)
            {
                AddHash(group, from.ReadUInt64());
            }
            return;
        }
        if (form != 1)
        {
            throw SpillFile.Damaged(from.Path, $"a distinct-count sketch has the unknown form {form}");
        }
        ReadOnlySpan<byte> registers = from.Take(1 << HyperLogLog.Precision);
        if (!Densify(group).TryMerge(registers))
        {
            throw SpillFile.Damaged(from.Path, "a distinct-count sketch holds a register out of range");
        }
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) =>
        output.AppendLong(Dense(group) is { } dense ? (long)Math.Round(dense.Estimate()) : _hashes.Distinct(group).Length);

    private void AddHash(int group, ulong hash)
    {
        if (_hashes.IsClosed(group, out int dense))
        {
            _dense[dense].Add(hash);
            return;
        }
        _hashes.Append(group, hash);
        // The list may repeat hashes: past the limit, count the distinct ones.
        if (_hashes.Length(group) > ExactLimit && _hashes.Distinct(group).Length > ExactLimit)
        {
            Densify(group);
        }
    }

    // The group's registers, or null while its hashes are exact and at most the limit.
    private HyperLogLog? Dense(int group)
    {
        if (_hashes.IsClosed(group, out int dense))
        {
            return _dense[dense];
        }
        return _hashes.Length(group) > ExactLimit && _hashes.Distinct(group).Length > ExactLimit ? Densify(group) : null;
    }

    // The group's registers, made from its exact hashes the first time.
    private HyperLogLog Densify(int group)
    {
        if (_hashes.IsClosed(group, out int index))
        {
            return _dense[index];
        }
        var dense = new HyperLogLog();
        foreach (ulong hash in _hashes.Distinct(group))
        {
            dense.Add(hash);
        }
        _hashes.Close(group, _dense.Count);
        _dense.Add(dense);
        return dense;
    }
}
