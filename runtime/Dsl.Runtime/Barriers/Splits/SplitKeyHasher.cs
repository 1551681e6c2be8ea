using System.Buffers;
using System.Buffers.Binary;
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
    private const byte NullTag = 0x00;
    private const byte BooleanTag = 0x01;
    private const byte IntegerTag = 0x02;
    private const byte LargeUnsignedTag = 0x03;
    private const byte FloatingTag = 0x04;
    private const byte BytesTag = 0x05;
    private const byte TimestampTag = 0x06;
    private const byte DateTag = 0x07;
    private const byte DecimalTag = 0x08;
    private const byte UuidTag = 0x09;
    private const byte TimeTag = 0x0A;
    private const long UnixEpochTicks = 621_355_968_000_000_000L;
    private const long CanonicalNaNBits = 0x7FF8000000000000L;

    private readonly string[] _columns;
    private readonly ColumnField[] _fields;
    private readonly long _seed;

    /// <summary>A hasher of the <paramref name="key"/> columns of rows of <paramref name="schema"/>.</summary>
    /// <exception cref="ArgumentException">A key column is missing or of a type that cannot be hashed (<see cref="WhyNotHashable"/>).</exception>
    public SplitKeyHasher(BatchSchema schema, IReadOnlyList<string> key, long seed)
    {
        if (key.Count == 0)
        {
            throw new ArgumentException("A split key needs at least one column.", nameof(key));
        }
        _columns = [.. key];
        _fields = new ColumnField[key.Count];
        for (int c = 0; c < key.Count; c++)
        {
            int index = schema.IndexOf(key[c]);
            if (index < 0)
            {
                throw new ArgumentException($"The split key column '{key[c]}' is not a column of {schema}.", nameof(key));
            }
            if (WhyNotHashable(schema[index]) is { } why)
            {
                throw new ArgumentException($"The split key column '{key[c]}' ({schema[index].TypeName}) cannot be hashed: {why}.", nameof(key));
            }
            _fields[c] = schema[index];
        }
        _seed = seed;
    }

    /// <summary>The seed hashed before every key.</summary>
    public long Seed => _seed;

    /// <summary>Why values of <paramref name="field"/> cannot be part of a split key, or null when they can.</summary>
    public static string? WhyNotHashable(ColumnField field) => field.Type switch
    {
        ColumnType.List or ColumnType.Struct or ColumnType.Map => "a nested value is not a key; use one of its members, copied into a column by a Map stage",
        ColumnType.Boolean or ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64
            or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 or ColumnType.UInt64
            or ColumnType.Float or ColumnType.Double or ColumnType.Float16
            or ColumnType.String or ColumnType.Binary or ColumnType.Timestamp or ColumnType.TimestampNanos
            or ColumnType.Date or ColumnType.Decimal or ColumnType.Uuid or ColumnType.Time => null,
        _ => $"type {field.TypeName} has no split-hash encoding",
    };

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
        var columns = new Column[_columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            int index = batch.Schema.IndexOf(_columns[c]);
            if (index < 0 || batch.Schema[index].Type != _fields[c].Type)
            {
                string held = index < 0 ? "does not hold it" : $"holds it as {batch.Schema[index].TypeName}";
                throw new InvalidOperationException($"The split key column '{_columns[c]}' was declared {_fields[c].TypeName} but the batch {held}; the split must see the sink's schema.");
            }
            columns[c] = batch[index];
        }
        if (columns is [StringColumn strings] && strings.Dictionary.Count <= rows)
        {
            HashByDictionary(strings, hashes[..rows]);
            return;
        }
        HashRows(columns, rows, hashes);
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
                buffer[8] = BytesTag;
                BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(9), value.Length);
                value.CopyTo(buffer.AsSpan(13));
                entries[e] = (ulong)KeyHash.Hash(buffer.AsSpan(0, length));
            }
            Span<byte> nullKey = stackalloc byte[9];
            BinaryPrimitives.WriteInt64LittleEndian(nullKey, _seed);
            nullKey[8] = NullTag;
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

    // Column by column: first each row's encoded length, then each column writes its values at every row's cursor,
    // then each row's bytes are hashed.
    private void HashRows(Column[] columns, int rows, Span<ulong> hashes)
    {
        int[] offsets = ArrayPool<int>.Shared.Rent(rows + 1);
        byte[]? buffer = null;
        try
        {
            Span<int> cursor = offsets.AsSpan(0, rows + 1);
            cursor.Fill(8);
            foreach (Column column in columns)
            {
                AddLengths(column, cursor[..rows]);
            }
            // Row i's bytes start at the sum of the lengths before it; cursor[i] becomes that start.
            long total = 0;
            for (int row = 0; row < rows; row++)
            {
                int length = cursor[row];
                cursor[row] = checked((int)total);
                total += length;
            }
            cursor[rows] = checked((int)total);
            buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, total));
            int[] starts = ArrayPool<int>.Shared.Rent(rows + 1);
            try
            {
                cursor.CopyTo(starts);
                for (int row = 0; row < rows; row++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(cursor[row]), _seed);
                    cursor[row] += 8;
                }
                for (int c = 0; c < columns.Length; c++)
                {
                    Write(columns[c], _fields[c], buffer, cursor[..rows]);
                }
                for (int row = 0; row < rows; row++)
                {
                    hashes[row] = (ulong)KeyHash.Hash(buffer.AsSpan(starts[row], starts[row + 1] - starts[row]));
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(starts);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(offsets);
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static void AddLengths(Column column, Span<int> lengths)
    {
        ValidityBitmap? validity = column.Validity;
        if (column is StringColumn strings)
        {
            Utf8Dictionary dictionary = strings.Dictionary;
            ReadOnlySpan<int> offsets = dictionary.Offsets;
            ReadOnlySpan<int> indices = strings.Indices;
            for (int row = 0; row < lengths.Length; row++)
            {
                if (validity is not null && !validity.IsValid(row))
                {
                    lengths[row] += 1;
                }
                else
                {
                    int e = indices[row];
                    lengths[row] += 5 + offsets[e + 1] - offsets[e];
                }
            }
            return;
        }
        int width = column.Type switch
        {
            ColumnType.Boolean => 2,
            ColumnType.Decimal => 21,
            ColumnType.Uuid => 17,
            _ => 9,
        };
        for (int row = 0; row < lengths.Length; row++)
        {
            lengths[row] += validity is not null && !validity.IsValid(row) ? 1 : width;
        }
    }

    private static void Write(Column column, ColumnField field, byte[] buffer, Span<int> cursor)
    {
        switch (column)
        {
            case StringColumn strings:
                WriteBytes(strings, buffer, cursor);
                break;
            case PrimitiveColumn<bool> b:
                WriteEach(b, buffer, cursor, static (Span<byte> to, bool v) => { to[0] = BooleanTag; to[1] = v ? (byte)1 : (byte)0; return 2; });
                break;
            case PrimitiveColumn<sbyte> i8:
                WriteEach(i8, buffer, cursor, static (Span<byte> to, sbyte v) => Integer(to, v));
                break;
            case PrimitiveColumn<short> i16:
                WriteEach(i16, buffer, cursor, static (Span<byte> to, short v) => Integer(to, v));
                break;
            case PrimitiveColumn<byte> u8:
                WriteEach(u8, buffer, cursor, static (Span<byte> to, byte v) => Integer(to, v));
                break;
            case PrimitiveColumn<ushort> u16:
                WriteEach(u16, buffer, cursor, static (Span<byte> to, ushort v) => Integer(to, v));
                break;
            case PrimitiveColumn<uint> u32:
                WriteEach(u32, buffer, cursor, static (Span<byte> to, uint v) => Integer(to, v));
                break;
            case PrimitiveColumn<ulong> u64:
                WriteEach(u64, buffer, cursor, static (Span<byte> to, ulong v) => v <= long.MaxValue ? Integer(to, (long)v) : Tagged(to, LargeUnsignedTag, (long)v));
                break;
            case PrimitiveColumn<int> i32 when field.Type == ColumnType.Date:
                WriteEach(i32, buffer, cursor, static (Span<byte> to, int v) => Tagged(to, DateTag, v));
                break;
            case PrimitiveColumn<int> i32:
                WriteEach(i32, buffer, cursor, static (Span<byte> to, int v) => Integer(to, v));
                break;
            case PrimitiveColumn<long> i64 when field.Type == ColumnType.Timestamp:
                WriteEach(i64, buffer, cursor, static (Span<byte> to, long micros) => Tagged(to, TimestampTag, unchecked((micros * 10) + UnixEpochTicks)));
                break;
            case PrimitiveColumn<long> i64 when field.Type == ColumnType.TimestampNanos:
                WriteEach(i64, buffer, cursor, static (Span<byte> to, long nanos) => Tagged(to, TimestampTag, unchecked(FloorDiv100(nanos) + UnixEpochTicks)));
                break;
            case PrimitiveColumn<long> i64 when field.Type == ColumnType.Time:
                WriteEach(i64, buffer, cursor, static (Span<byte> to, long nanos) => Tagged(to, TimeTag, nanos));
                break;
            case PrimitiveColumn<long> i64:
                WriteEach(i64, buffer, cursor, static (Span<byte> to, long v) => Integer(to, v));
                break;
            case PrimitiveColumn<double> d:
                WriteEach(d, buffer, cursor, static (Span<byte> to, double v) => Floating(to, v));
                break;
            case PrimitiveColumn<float> f:
                WriteEach(f, buffer, cursor, static (Span<byte> to, float v) => Floating(to, v));
                break;
            case PrimitiveColumn<Half> h:
                WriteEach(h, buffer, cursor, static (Span<byte> to, Half v) => Floating(to, (double)v));
                break;
            case PrimitiveColumn<Int128> m:
                int scale = field.Scale;
                var values = m.Values;
                ValidityBitmap? validity = m.Validity;
                for (int row = 0; row < cursor.Length; row++)
                {
                    Span<byte> to = buffer.AsSpan(cursor[row]);
                    if (validity is not null && !validity.IsValid(row))
                    {
                        to[0] = NullTag;
                        cursor[row] += 1;
                        continue;
                    }
                    to[0] = DecimalTag;
                    BinaryPrimitives.WriteInt32LittleEndian(to[1..], scale);
                    BinaryPrimitives.WriteInt128LittleEndian(to[5..], values[row]);
                    cursor[row] += 21;
                }
                break;
            case PrimitiveColumn<Guid> g:
                WriteEach(g, buffer, cursor, static (Span<byte> to, Guid v) => { to[0] = UuidTag; v.TryWriteBytes(to[1..], bigEndian: true, out _); return 17; });
                break;
            default:
                throw new InvalidOperationException($"The split key column '{field.Name}' ({field.TypeName}) has no split-hash encoding.");
        }
    }

    private delegate int Encoder<T>(Span<byte> to, T value);

    private static void WriteEach<T>(PrimitiveColumn<T> column, byte[] buffer, Span<int> cursor, Encoder<T> encode)
        where T : unmanaged
    {
        ReadOnlySpan<T> values = column.Values;
        ValidityBitmap? validity = column.Validity;
        for (int row = 0; row < cursor.Length; row++)
        {
            Span<byte> to = buffer.AsSpan(cursor[row]);
            if (validity is not null && !validity.IsValid(row))
            {
                to[0] = NullTag;
                cursor[row] += 1;
            }
            else
            {
                cursor[row] += encode(to, values[row]);
            }
        }
    }

    private static void WriteBytes(StringColumn column, byte[] buffer, Span<int> cursor)
    {
        ReadOnlySpan<int> indices = column.Indices;
        Utf8Dictionary dictionary = column.Dictionary;
        ValidityBitmap? validity = column.Validity;
        for (int row = 0; row < cursor.Length; row++)
        {
            Span<byte> to = buffer.AsSpan(cursor[row]);
            if (validity is not null && !validity.IsValid(row))
            {
                to[0] = NullTag;
                cursor[row] += 1;
                continue;
            }
            ReadOnlySpan<byte> value = dictionary.GetBytes(indices[row]);
            to[0] = BytesTag;
            BinaryPrimitives.WriteInt32LittleEndian(to[1..], value.Length);
            value.CopyTo(to[5..]);
            cursor[row] += 5 + value.Length;
        }
    }

    private static int Integer(Span<byte> to, long value) => Tagged(to, IntegerTag, value);

    private static int Tagged(Span<byte> to, byte tag, long value)
    {
        to[0] = tag;
        BinaryPrimitives.WriteInt64LittleEndian(to[1..], value);
        return 9;
    }

    private static int Floating(Span<byte> to, double value)
    {
        long bits = double.IsNaN(value) ? CanonicalNaNBits : value == 0 ? 0 : BitConverter.DoubleToInt64Bits(value);
        return Tagged(to, FloatingTag, bits);
    }

    private static long FloorDiv100(long nanos)
    {
        long quotient = Math.DivRem(nanos, 100, out long remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }
}
