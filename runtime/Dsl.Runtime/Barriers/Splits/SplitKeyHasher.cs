using System.Buffers;
using System.Buffers.Binary;
using Dsl.Barriers.Keys;
using Dsl.Validation;

namespace Dsl.Barriers.Splits;

/// <summary>
/// The 64-bit split hash of each row's key (a <see cref="SplitAttribute"/>'s <c>Key</c> columns), the same on every
/// machine, operating system, .NET version, partitioning and row order. The bytes hashed for a row are the seed, then
/// each key column's value in <c>Key</c> order, each a one-byte tag and a fixed little-endian payload
/// (docs/splits.md has the table and a worked example):
/// <list type="table">
/// <item><term>seed</term><description>8 bytes: the seed as a little-endian int64 (no tag).</description></item>
/// <item><term>null (any type)</term><description><c>0x00</c>, no payload.</description></item>
/// <item><term>bool</term><description><c>0x01</c>, then <c>0x00</c> or <c>0x01</c>.</description></item>
/// <item><term>integers (8 to 64 bits, signed or not)</term><description><c>0x02</c>, then the value as an int64; a
/// UInt64 above <see cref="long.MaxValue"/> is <c>0x03</c>, then the uint64. An int and a long holding 7 hash alike,
/// so widening a column keeps its split.</description></item>
/// <item><term>float, double, half</term><description><c>0x04</c>, then the IEEE-754 bits of the value as a double,
/// -0.0 written as 0.0 and every NaN as <c>0x7FF8000000000000</c>.</description></item>
/// <item><term>string, binary</term><description><c>0x05</c>, the byte length as an int32, then the bytes (UTF-8 for
/// strings): so ("ab", "c") and ("a", "bc") differ, as do null, "" and "null".</description></item>
/// <item><term>timestamp (micro- or nanoseconds)</term><description><c>0x06</c>, then the .NET <see cref="DateTime"/>
/// ticks (100 ns since 0001-01-01) as an int64: microseconds × 10 + 621,355,968,000,000,000; nanoseconds divided by
/// 100 rounding down, plus the same.</description></item>
/// <item><term>date</term><description><c>0x07</c>, then the days since 1970-01-01 as an int64.</description></item>
/// <item><term>decimal</term><description><c>0x08</c>, the scale as an int32, then the unscaled value as a 16-byte
/// two's complement integer.</description></item>
/// <item><term>UUID</term><description><c>0x09</c>, then its 16 bytes in RFC 4122 (big-endian) order.</description></item>
/// <item><term>time of day</term><description><c>0x0A</c>, then the nanoseconds since midnight as an int64.</description></item>
/// </list>
/// The hash is the first 64-bit word (<c>h1</c>, the first 8 bytes of the digest read little-endian) of MurmurHash3's
/// x64 128-bit function with seed 0 over those bytes (<see cref="KeyHash"/>). Never <see cref="string.GetHashCode()"/>
/// or <see cref="Random"/>, whose values .NET does not promise to keep.
/// </summary>
internal sealed class SplitKeyHasher
{
    private readonly KeyEncoder _encoder;
    private readonly long _seed;

    /// <summary>A hasher of the <paramref name="key"/> columns of rows of <paramref name="schema"/>.</summary>
    /// <exception cref="ArgumentException">A key column is missing or of a type that cannot be hashed (<see cref="WhyNotHashable"/>).</exception>
    public SplitKeyHasher(BatchSchema schema, IReadOnlyList<string> key, long seed)
    {
        _encoder = new KeyEncoder(schema, key, "split key");
        _seed = seed;
    }

    /// <summary>The seed hashed before every key.</summary>
    public long Seed => _seed;

    /// <summary>Why values of <paramref name="field"/> cannot be part of a split key, or null when they can.</summary>
    public static string? WhyNotHashable(ColumnField field) => KeyEncoder.WhyNotKey(field);

    /// <summary>The row's position in [0, 1) that plain splits cut: the top 53 bits of <paramref name="hash"/> × 2^-53, exact in a double.</summary>
    public static double Unit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));

    /// <summary>Writes the split hash of every row of <paramref name="batch"/> to <paramref name="hashes"/>.</summary>
    /// <exception cref="InvalidOperationException">The batch lacks a key column or holds it with another type.</exception>
    public void Hash(RecordBatch batch, Span<ulong> hashes)
    {
        int rows = batch.RowCount;
        if (hashes.Length < rows)
        {
            throw new ArgumentException($"The hash buffer holds {hashes.Length} values but the batch has {rows} rows.", nameof(hashes));
        }
        Column[] columns = _encoder.Columns(batch);
        if (columns is [StringColumn strings] && strings.Dictionary.Count <= rows)
        {
            HashByDictionary(strings, hashes[..rows]);
            return;
        }
        HashRows(batch, hashes);
    }

    // One string column with no more dictionary entries than rows: each entry is hashed once and rows gather.
    private void HashByDictionary(StringColumn column, Span<ulong> hashes)
    {
        Utf8Dictionary dictionary = column.Dictionary;
        ulong[] entries = ArrayPool<ulong>.Shared.Rent(Math.Max(1, dictionary.Count));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            for (int e = 0; e < dictionary.Count; e++)
            {
                ReadOnlySpan<byte> value = dictionary.GetBytes(e);
                int length = 8 + 5 + value.Length;
                if (buffer.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }
                BinaryPrimitives.WriteInt64LittleEndian(buffer, _seed);
                buffer[8] = KeyEncoder.BytesTag;
                BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(9), value.Length);
                value.CopyTo(buffer.AsSpan(13));
                entries[e] = (ulong)KeyHash.Hash(buffer.AsSpan(0, length));
            }
            Span<byte> nullKey = stackalloc byte[9];
            BinaryPrimitives.WriteInt64LittleEndian(nullKey, _seed);
            nullKey[8] = KeyEncoder.NullTag;
            ulong nullHash = (ulong)KeyHash.Hash(nullKey);
            ReadOnlySpan<int> indices = column.Indices;
            ValidityBitmap? validity = column.Validity;
            for (int row = 0; row < hashes.Length; row++)
            {
                hashes[row] = validity is not null && !validity.IsValid(row) ? nullHash : entries[indices[row]];
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(entries);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Every row's seed and key encoded, then each row's bytes hashed.
    private void HashRows(RecordBatch batch, Span<ulong> hashes)
    {
        Span<byte> seed = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(seed, _seed);
        using EncodedKeys keys = _encoder.Encode(batch, seed);
        for (int row = 0; row < keys.Rows; row++)
        {
            hashes[row] = (ulong)KeyHash.Hash(keys.Whole(row));
        }
    }
}
