using System.Buffers;
using System.Buffers.Binary;
using Dsl.Validation;

namespace Dsl.Barriers.Keys;

/// <summary>
/// The canonical bytes of each row's key columns: one value after another, each a one-byte tag and a fixed
/// little-endian payload (the table is in docs/splits.md and on <see cref="Splits.SplitKeyHasher"/>). Two keys are
/// equal exactly when their bytes are: an int and a long holding 7 encode alike, so do -0.0 and 0.0, and every NaN;
/// null, "" and "null" differ. Splits hash these bytes after a seed; aggregations group rows by them, joins match by
/// them and both spread rows over buckets by their <see cref="EncodedKeys.Hash"/>, which is the same on every
/// machine and .NET version.
/// </summary>
internal sealed class KeyEncoder
{
    internal const byte NullTag = 0x00;
    internal const byte BooleanTag = 0x01;
    internal const byte IntegerTag = 0x02;
    internal const byte LargeUnsignedTag = 0x03;
    internal const byte FloatingTag = 0x04;
    internal const byte BytesTag = 0x05;
    internal const byte TimestampTag = 0x06;
    internal const byte DateTag = 0x07;
    internal const byte DecimalTag = 0x08;
    internal const byte UuidTag = 0x09;
    internal const byte TimeTag = 0x0A;
    private const long UnixEpochTicks = 621_355_968_000_000_000L;
    private const long CanonicalNaNBits = 0x7FF8000000000000L;

    private readonly string[] _columns;
    private readonly ColumnField[] _fields;
    private readonly string _role;

    /// <summary>An encoder of the <paramref name="key"/> columns of rows of <paramref name="schema"/>.</summary>
    /// <param name="schema">The rows' schema.</param>
    /// <param name="key">The key columns, in order.</param>
    /// <param name="role">What the key is, for messages ("split key", "group key", "join key").</param>
    /// <exception cref="ArgumentException">There is no key column, or one is missing or of a type with no encoding (<see cref="WhyNotKey"/>).</exception>
    public KeyEncoder(BatchSchema schema, IReadOnlyList<string> key, string role)
    {
        _role = role;
        if (key.Count == 0)
        {
            throw new ArgumentException($"A {role} needs at least one column.", nameof(key));
        }
        _columns = [.. key];
        _fields = new ColumnField[key.Count];
        for (int c = 0; c < key.Count; c++)
        {
            int index = schema.IndexOf(key[c]);
            if (index < 0)
            {
                throw new ArgumentException($"The {role} column '{key[c]}' is not a column of {schema}.", nameof(key));
            }
            if (WhyNotKey(schema[index]) is { } why)
            {
                throw new ArgumentException($"The {role} column '{key[c]}' ({schema[index].TypeName}) cannot be a key: {why}.", nameof(key));
            }
            _fields[c] = schema[index];
        }
    }

    /// <summary>The key columns' fields, in key order.</summary>
    public IReadOnlyList<ColumnField> Fields => _fields;

    /// <summary>Why values of <paramref name="field"/> cannot be part of a key, or null when they can.</summary>
    public static string? WhyNotKey(ColumnField field) => field.Type switch
    {
        ColumnType.List or ColumnType.Struct or ColumnType.Map => "a nested value is not a key; use one of its members, copied into a column by a Map stage",
        ColumnType.Boolean or ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64
            or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 or ColumnType.UInt64
            or ColumnType.Float or ColumnType.Double or ColumnType.Float16
            or ColumnType.String or ColumnType.Binary or ColumnType.Timestamp or ColumnType.TimestampNanos
            or ColumnType.Date or ColumnType.Decimal or ColumnType.Uuid or ColumnType.Time => null,
        _ => $"type {field.TypeName} has no key encoding",
    };

    /// <summary>The key columns of <paramref name="batch"/>, in key order.</summary>
    /// <exception cref="InvalidOperationException">The batch lacks a key column or holds it with another type.</exception>
    public Column[] Columns(RecordBatch batch)
    {
        var columns = new Column[_columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            int index = batch.Schema.IndexOf(_columns[c]);
            if (index < 0 || batch.Schema[index].Type != _fields[c].Type)
            {
                string held = index < 0 ? "does not hold it" : $"holds it as {batch.Schema[index].TypeName}";
                throw new InvalidOperationException($"The {_role} column '{_columns[c]}' was declared {_fields[c].TypeName} but the batch {held}.");
            }
            columns[c] = batch[index];
        }
        return columns;
    }

    /// <summary>
    /// Encodes every row's key of <paramref name="batch"/>, each row's bytes starting with <paramref name="prefix"/>
    /// (a split's seed; empty for grouping and joins). The caller disposes the result.
    /// </summary>
    public EncodedKeys Encode(RecordBatch batch, ReadOnlySpan<byte> prefix = default)
    {
        Column[] columns = Columns(batch);
        int rows = batch.RowCount;
        int[] starts = ArrayPool<int>.Shared.Rent(rows + 1);
        Span<int> cursor = starts.AsSpan(0, rows + 1);
        cursor.Fill(prefix.Length);
        foreach (Column column in columns)
        {
            AddLengths(column, cursor[..rows]);
        }
        // Row i's bytes start at the sum of the lengths before it.
        long total = 0;
        for (int row = 0; row < rows; row++)
        {
            int length = cursor[row];
            cursor[row] = checked((int)total);
            total += length;
        }
        cursor[rows] = checked((int)total);
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, total));
        int[] write = ArrayPool<int>.Shared.Rent(rows);
        try
        {
            Span<int> at = write.AsSpan(0, rows);
            for (int row = 0; row < rows; row++)
            {
                prefix.CopyTo(buffer.AsSpan(starts[row]));
                at[row] = starts[row] + prefix.Length;
            }
            for (int c = 0; c < columns.Length; c++)
            {
                Write(columns[c], _fields[c], buffer, at);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(write);
        }
        return new EncodedKeys(buffer, starts, rows, prefix.Length, NullRows(columns, rows));
    }

    // Which rows have a null in some key column (they never match in a join); null when none has.
    private static bool[]? NullRows(Column[] columns, int rows)
    {
        bool[]? nulls = null;
        foreach (Column column in columns)
        {
            if (column.Validity is not { } validity || column.NullCount == 0)
            {
                continue;
            }
            nulls ??= new bool[rows];
            for (int row = 0; row < rows; row++)
            {
                nulls[row] |= !validity.IsValid(row);
            }
        }
        return nulls;
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
                throw new InvalidOperationException($"The key column '{field.Name}' ({field.TypeName}) has no key encoding.");
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
