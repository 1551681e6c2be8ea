using System.Buffers.Binary;
using Dsl.Barriers.Keys;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// <see cref="Group{TRow}.CountDistinct{TValue}"/> of a value type of fixed width (every type but strings, binaries,
/// decimals and UUIDs, which <see cref="DistinctAccumulator"/> counts): a value is told apart by the 8 bytes after its
/// <see cref="KeyEncoder"/> tag, since such a type has one tag per payload (a UInt64 above <see cref="long.MaxValue"/>
/// has a tag of its own and a payload no smaller UInt64 has). Each group's payloads are a list of
/// <see cref="GroupLists"/>, made sorted and distinct before it is counted or spilled.
/// </summary>
internal sealed class FixedDistinctAccumulator(AggregateLayout layout, int column) : Accumulator
{
    private readonly bool _floating = ValueKinds.Of(layout.Columns[column].InputField!.Type) == ValueKind.Double;
    private readonly GroupLists _values = new(layout.Stage);

    public override long EstimatedBytes => _values.EstimatedBytes;

    public override void Resize(int capacity) => _values.Resize(capacity);

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
            ReadOnlySpan<byte> value = encoded.Key(row);
            _values.Append(groups[row], value.Length == 9 ? BinaryPrimitives.ReadUInt64LittleEndian(value[1..]) : value[1]);
        }
    }

    /// <summary>Whether <see cref="FixedDistinctAccumulator"/> counts the values of <paramref name="type"/>.</summary>
    public static bool Counts(ColumnType type) => type is not (ColumnType.String or ColumnType.Binary or ColumnType.Decimal or ColumnType.Uuid);

    /// <summary>The number of distinct values, then their payloads in ascending order.</summary>
    public override void Write(int group, SpillBuffer to)
    {
        ReadOnlySpan<ulong> distinct = _values.Distinct(group);
        to.WriteInt32(distinct.Length);
        foreach (ulong value in distinct)
        {
            to.WriteUInt64(value);
        }
    }

    public override void Merge(int group, ref SpillReader from)
    {
        int count = from.ReadCount(8);
        for (int i = 0; i < count; i++)
        {
            _values.Append(group, from.ReadUInt64());
        }
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output) => output.AppendLong(_values.Distinct(group).Length);
}
