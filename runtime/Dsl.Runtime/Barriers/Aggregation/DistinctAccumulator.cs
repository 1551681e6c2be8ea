using System.Buffers.Binary;
using Dsl.Barriers.Keys;
using Dsl.Validation;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// <see cref="Group{TRow}.CountDistinct{TValue}"/>: the exact number of distinct non-null, non-NaN values. Values are
/// told apart by their <see cref="KeyEncoder"/> bytes (so -0.0 and 0.0 are one value); one table holds every
/// (group, value) pair. A value of a fixed-width type (a tag and at most 8 bytes) is held inline in a
/// <see cref="GroupValueSet"/>; other values in a <see cref="ByteKeyTable"/>, each group's pairs linked so that they
/// can be spilled with the group. Either way a group's values are spilled as their encoded bytes.
/// </summary>
internal sealed class DistinctAccumulator(AggregateLayout layout, int column) : Accumulator
{
    private const ulong GroupMix = 0xC2B2AE3D27D4EB4FUL;

    private readonly ByteKeyTable _pairs = new();
    private readonly GroupValueSet? _fixed = FixedWidth(layout.Columns[column].InputField!.Type) > 0 ? new GroupValueSet() : null;
    private readonly int _width = FixedWidth(layout.Columns[column].InputField!.Type);
    private readonly bool _floating = ValueKinds.Of(layout.Columns[column].InputField!.Type) == ValueKind.Double;
    private long[] _counts = [];
    private int[] _heads = [];
    private int[] _next = new int[16];
    private byte[] _scratch = new byte[64];

    public override long EstimatedBytes => (_counts.Length * 12L) + _pairs.EstimatedBytes + (_next.Length * 4L) + (_fixed?.EstimatedBytes ?? 0);

    public override void Resize(int capacity)
    {
        Array.Resize(ref _counts, capacity);
        if (_fixed is null)
        {
            Array.Resize(ref _heads, capacity);
        }
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
            if (_fixed is not null)
            {
                InsertFixed(groups[row], encoded.Key(row));
            }
            else
            {
                Insert(groups[row], encoded.Key(row), encoded.Hash(row));
            }
        }
    }

    public override void Write(int group, SpillBuffer to)
    {
        to.WriteInt64(_counts[group]);
        if (_fixed is not null)
        {
            Span<byte> value = stackalloc byte[9];
            foreach (GroupValueSet.Slot pair in _fixed.ByGroup(group, _counts))
            {
                value[0] = (byte)pair.Tag;
                BinaryPrimitives.WriteUInt64LittleEndian(value[1..], pair.Value);
                to.WriteBytes(value[.._width]);
            }
            return;
        }
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
            if (_fixed is null)
            {
                Insert(group, value, (ulong)KeyHash.Hash(value));
            }
            else if (value.Length == _width)
            {
                InsertFixed(group, value);
            }
            else
            {
                throw SpillFile.Damaged(from.Path, $"a distinct value takes {value.Length} bytes, not {_width}");
            }
        }
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => output.AppendLong(_counts[group]);

    // The encoded width of every non-null value of the type when it fits a tag and 8 bytes; 0 otherwise.
    private static int FixedWidth(ColumnType type) => type switch
    {
        ColumnType.String or ColumnType.Binary or ColumnType.Decimal or ColumnType.Uuid => 0,
        ColumnType.Boolean => 2, // The tag and 0 or 1.
        _ => 9,
    };

    private void InsertFixed(int group, ReadOnlySpan<byte> value)
    {
        ulong payload = value.Length == 9 ? BinaryPrimitives.ReadUInt64LittleEndian(value[1..]) : value[1];
        if (_fixed!.Add(group, payload, value[0]))
        {
            _counts[group]++;
        }
    }

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
