using System.Buffers;
using System.Buffers.Binary;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Writing;

/// <summary>
/// Buffers a <see cref="ColumnType.Decimal"/> column and writes it PLAIN in the narrowest storage the spec suggests
/// for its precision: INT32 up to 9 digits, INT64 up to 18, else FIXED_LEN_BYTE_ARRAY of the fewest bytes that hold
/// every value of the precision (big-endian two's complement).
/// </summary>
/// <remarks>A value with more digits than the field's precision is refused, never truncated.</remarks>
internal sealed class DecimalChunkBuffer : ColumnChunkBuffer
{
    private Int128[] _values = new Int128[256];
    private readonly Int128 _limit;
    private bool _anyBounds;
    private Int128 _min;
    private Int128 _max;

    public DecimalChunkBuffer(ColumnField field, ParquetWriteOptions options, PageScratch scratch)
        : base(field, options, scratch)
    {
        if (field.Precision is < 1 or > 38 || field.Scale < 0 || field.Scale > field.Precision)
        {
            throw new ArgumentException($"Column '{field.Name}' is Decimal({field.Precision},{field.Scale}); a decimal needs a precision from 1 to 38 and a scale from 0 to the precision.", nameof(field));
        }
        _limit = Decimals.Pow10(field.Precision);
        ByteWidth = field.Precision <= 9 ? 4 : field.Precision <= 18 ? 8 : BytesFor(field.Precision);
    }

    /// <summary>The bytes a stored value takes.</summary>
    public int ByteWidth { get; }

    public override PhysicalType PhysicalType => Field.Precision <= 9 ? PhysicalType.Int32 : Field.Precision <= 18 ? PhysicalType.Int64 : PhysicalType.FixedLenByteArray;

    /// <summary>The fewest bytes whose two's complement holds ±(10^precision - 1).</summary>
    public static int BytesFor(int precision)
    {
        Int128 limit = Decimals.Pow10(precision);
        int bytes = 1;
        while (bytes < 16 && (Int128.One << ((8 * bytes) - 1)) < limit)
        {
            bytes++;
        }
        return bytes;
    }

    protected override void AppendValues(Column column, int start, int count, int values)
    {
        ReadOnlySpan<Int128> source = ((PrimitiveColumn<Int128>)column).Values.Slice(start, count);
        if (ValueCount + values > _values.Length)
        {
            Array.Resize(ref _values, (int)Math.Min(Array.MaxLength, Math.Max(ValueCount + values, (long)_values.Length * 2)));
        }
        Span<Int128> target = _values.AsSpan(ValueCount, values);
        ValidityBitmap? validity = values == count ? null : column.Validity;
        int v = 0;
        for (int i = 0; i < source.Length; i++)
        {
            if (validity is not null && !validity.IsValid(start + i))
            {
                continue;
            }
            Int128 value = source[i];
            if (value >= _limit || value <= -_limit)
            {
                throw new ArgumentException($"Row {start + i} of column '{Field.Name}' holds the unscaled value {value}, which has more than the {Field.Precision} digits of Decimal({Field.Precision},{Field.Scale}).", nameof(column));
            }
            target[v++] = value;
        }
    }

    protected override int ChoosePageRows(int row, int value, bool dictionary) =>
        (int)Math.Clamp(Options.DataPageSize / ByteWidth, 1, RowCount - row);

    protected override ParquetEncoding EncodeValues(int start, int count, bool dictionary, ArrayBufferWriter<byte> output)
    {
        Span<byte> dest = output.GetSpan(Math.Max(count * ByteWidth, 1))[..(count * ByteWidth)];
        ReadOnlySpan<Int128> values = _values.AsSpan(start, count);
        for (int i = 0; i < values.Length; i++)
        {
            Encode(values[i], dest.Slice(i * ByteWidth, ByteWidth));
        }
        output.Advance(count * ByteWidth);
        return ParquetEncoding.Plain;
    }

    protected override long EstimatePendingBytes() => (long)RowCount * ByteWidth;

    protected override void ObserveValues(int start, int count)
    {
        foreach (Int128 v in _values.AsSpan(start, count))
        {
            _min = _anyBounds ? Int128.Min(_min, v) : v;
            _max = _anyBounds ? Int128.Max(_max, v) : v;
            _anyBounds = true;
        }
    }

    protected override Statistics BuildStatistics()
    {
        var stats = new Statistics();
        if (!_anyBounds)
        {
            return stats;
        }
        stats.MinValue = new byte[ByteWidth];
        stats.MaxValue = new byte[ByteWidth];
        Encode(_min, stats.MinValue);
        Encode(_max, stats.MaxValue);
        return stats;
    }

    protected override void DiscardValues(int count) => _values.AsSpan(count, ValueCount - count).CopyTo(_values);

    protected override void ResetValues()
    {
        // The array is kept for the next row group.
        _anyBounds = false;
    }

    private void Encode(Int128 value, Span<byte> dest)
    {
        switch (PhysicalType)
        {
            case PhysicalType.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(dest, (int)value);
                break;
            case PhysicalType.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(dest, (long)value);
                break;
            default:
            {
                Span<byte> full = stackalloc byte[16];
                BinaryPrimitives.WriteInt128BigEndian(full, value);
                full[(16 - dest.Length)..].CopyTo(dest);
                break;
            }
        }
    }
}
