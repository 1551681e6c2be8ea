using Dsl.Barriers.Keys;
using static Dsl.Runtime.Tests.Barriers.SplitTestData;

namespace Dsl.Runtime.Tests.Barriers;

/// <summary>The key bytes that aggregations group by and joins match on (<see cref="KeyEncoder"/>).</summary>
public sealed class KeyEncoderTests
{
    [Fact]
    public void EqualValues_EncodeAlike_AcrossIntegerWidthsZerosAndNaNs()
    {
        using RecordBatch left = Batch(("K", Ints([7, null, 0])), ("D", Doubles([-0.0, double.NaN, 1.5])));
        using RecordBatch right = Batch(("K", Longs([7, null, 0])), ("D", Doubles([0.0, BitConverter.Int64BitsToDouble(0x7FF0000000000123), 1.5])));
        using EncodedKeys a = new KeyEncoder(left.Schema, ["K", "D"], "join key").Encode(left);
        using EncodedKeys b = new KeyEncoder(right.Schema, ["K", "D"], "join key").Encode(right);
        for (int row = 0; row < 3; row++)
        {
            Assert.True(a.Key(row).SequenceEqual(b.Key(row)), $"row {row}");
            Assert.Equal(a.Hash(row), b.Hash(row));
        }
        Assert.False(a.HasNull(0));
        Assert.True(a.HasNull(1));
        Assert.False(a.HasNull(2));
    }

    [Fact]
    public void DifferentKeys_EncodeApart_NullEmptyAndTextualNull()
    {
        using RecordBatch batch = Batch(("S", Strings([null, "", "null", "ab", "a"])), ("T", Strings(["c", "c", "c", "c", "bc"])));
        using EncodedKeys keys = new KeyEncoder(batch.Schema, ["S", "T"], "group key").Encode(batch);
        var distinct = Enumerable.Range(0, keys.Rows).Select(r => Convert.ToHexString(keys.Key(r))).Distinct().Count();
        Assert.Equal(5, distinct);
        Assert.True(keys.HasNull(0));
        Assert.False(keys.HasNull(1));
    }

    [Fact]
    public void Prefix_IsWrittenBeforeEveryKey_AndLeftOutOfKey()
    {
        using RecordBatch batch = Batch(("K", Longs([1, 2])));
        using EncodedKeys plain = new KeyEncoder(batch.Schema, ["K"], "group key").Encode(batch);
        using EncodedKeys seeded = new KeyEncoder(batch.Schema, ["K"], "split key").Encode(batch, [9, 8, 7]);
        Assert.Equal(new byte[] { 9, 8, 7 }, seeded.Whole(1)[..3].ToArray());
        Assert.True(plain.Key(1).SequenceEqual(seeded.Key(1)));
        Assert.Equal(plain.Hash(1), seeded.Hash(1));
    }

    [Fact]
    public void MissingOrNestedColumn_IsRefusedWithItsRole()
    {
        using RecordBatch batch = Batch(("K", Longs([1])));
        var e = Assert.Throws<ArgumentException>(() => new KeyEncoder(batch.Schema, ["Nope"], "join key"));
        Assert.Contains("join key column 'Nope'", e.Message);
        Assert.Throws<ArgumentException>(() => new KeyEncoder(batch.Schema, [], "group key"));
    }
}
