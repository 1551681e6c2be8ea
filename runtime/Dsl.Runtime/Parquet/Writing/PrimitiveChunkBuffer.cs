using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Writing;

/// <summary>
/// Buffers a fixed-width column and writes it PLAIN (booleans bit-packed), integers optionally DELTA_BINARY_PACKED
/// and floating point optionally BYTE_STREAM_SPLIT (see <see cref="ParquetWriteOptions"/>).
/// </summary>
internal sealed class PrimitiveChunkBuffer<T> : ColumnChunkBuffer
    where T : unmanaged
{
    private T[] _values = new T[256];
    private ArrayBufferWriter<byte>? _deltaScratch;

    public PrimitiveChunkBuffer(ColumnField field, ParquetWriteOptions options)
        : base(field, options)
    {
    }

    public override PhysicalType PhysicalType => Field.Type switch
    {
        ColumnType.Boolean => PhysicalType.Boolean,
        ColumnType.Int32 or ColumnType.Date => PhysicalType.Int32,
        ColumnType.Float => PhysicalType.Float,
        ColumnType.Double => PhysicalType.Double,
        _ => PhysicalType.Int64,
    };

    private int Width => Field.Type == ColumnType.Boolean ? 1 : System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    protected override void AppendValues(Column column, int start, int count, int values)
    {
        ReadOnlySpan<T> source = ((PrimitiveColumn<T>)column).Values.Slice(start, count);
        if (ValueCount + values > _values.Length)
        {
            Array.Resize(ref _values, (int)Math.Min(Array.MaxLength, Math.Max(ValueCount + values, (long)_values.Length * 2)));
        }
        Span<T> target = _values.AsSpan(ValueCount, values);
        if (values == count)
        {
            source.CopyTo(target);
            return;
        }
        ValidityBitmap validity = column.Validity!;
        int v = 0;
        for (int i = 0; i < source.Length; i++)
        {
            if (validity.IsValid(start + i))
            {
                target[v++] = source[i];
            }
        }
    }

    protected override int ChoosePageRows(int row, int value, bool dictionary)
    {
        long perPage = Field.Type == ColumnType.Boolean ? (long)Options.DataPageSize * 8 : Options.DataPageSize / Width;
        return (int)Math.Clamp(perPage, 1, RowCount - row);
    }

    protected override ParquetEncoding EncodeValues(int start, int count, bool dictionary, ArrayBufferWriter<byte> output)
    {
        ReadOnlySpan<T> values = _values.AsSpan(start, count);
        if (Field.Type == ColumnType.Boolean)
        {
            ReadOnlySpan<byte> bools = MemoryMarshal.AsBytes(values);
            int bytes = (count + 7) / 8;
            Span<byte> dest = output.GetSpan(Math.Max(bytes, 1))[..bytes];
            dest.Clear();
            for (int i = 0; i < bools.Length; i++)
            {
                if (bools[i] != 0)
                {
                    dest[i >> 3] |= (byte)(1 << (i & 7));
                }
            }
            output.Advance(bytes);
            return ParquetEncoding.Plain;
        }
        if ((typeof(T) == typeof(int) || typeof(T) == typeof(long)) && Options.IntegerEncoding != IntegerEncoding.Plain)
        {
            if (Options.IntegerEncoding == IntegerEncoding.DeltaBinaryPacked)
            {
                DeltaBinaryPacked.Encode(values, output);
                return ParquetEncoding.DeltaBinaryPacked;
            }
            // Auto: keep the delta encoding only where it beats PLAIN (sorted ids, timestamps, small ranges).
            _deltaScratch ??= new ArrayBufferWriter<byte>(4096);
            _deltaScratch.Clear();
            DeltaBinaryPacked.Encode(values, _deltaScratch);
            if (_deltaScratch.WrittenCount < (long)count * Width * 7 / 8)
            {
                output.Write(_deltaScratch.WrittenSpan);
                return ParquetEncoding.DeltaBinaryPacked;
            }
        }
        ReadOnlySpan<byte> plain = MemoryMarshal.AsBytes(values);
        if ((typeof(T) == typeof(float) || typeof(T) == typeof(double)) && Options.FloatingPointEncoding == FloatingPointEncoding.ByteStreamSplit)
        {
            Span<byte> streams = output.GetSpan(Math.Max(plain.Length, 1))[..plain.Length];
            ByteStreamSplit.Encode(plain, Width, streams);
            output.Advance(plain.Length);
            return ParquetEncoding.ByteStreamSplit;
        }
        output.Write(plain);
        return ParquetEncoding.Plain;
    }

    protected override Statistics BuildStatistics()
    {
        var stats = new Statistics();
        ReadOnlySpan<T> values = _values.AsSpan(0, ValueCount);
        if (values.Length == 0)
        {
            return stats;
        }
        if (typeof(T) == typeof(int))
        {
            ReadOnlySpan<int> ints = MemoryMarshal.Cast<T, int>(values);
            int min = int.MaxValue, max = int.MinValue;
            foreach (int v in ints)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            stats.MinValue = new byte[4];
            stats.MaxValue = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(stats.MinValue, min);
            BinaryPrimitives.WriteInt32LittleEndian(stats.MaxValue, max);
        }
        else if (typeof(T) == typeof(long))
        {
            ReadOnlySpan<long> longs = MemoryMarshal.Cast<T, long>(values);
            long min = long.MaxValue, max = long.MinValue;
            foreach (long v in longs)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            stats.MinValue = new byte[8];
            stats.MaxValue = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(stats.MinValue, min);
            BinaryPrimitives.WriteInt64LittleEndian(stats.MaxValue, max);
        }
        else if (typeof(T) == typeof(float))
        {
            if (FloatingBounds(MemoryMarshal.Cast<T, float>(values)) is (float min, float max))
            {
                stats.MinValue = new byte[4];
                stats.MaxValue = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(stats.MinValue, min);
                BinaryPrimitives.WriteSingleLittleEndian(stats.MaxValue, max);
            }
        }
        else if (typeof(T) == typeof(double))
        {
            if (FloatingBounds(MemoryMarshal.Cast<T, double>(values)) is (double min, double max))
            {
                stats.MinValue = new byte[8];
                stats.MaxValue = new byte[8];
                BinaryPrimitives.WriteDoubleLittleEndian(stats.MinValue, min);
                BinaryPrimitives.WriteDoubleLittleEndian(stats.MaxValue, max);
            }
        }
        else if (typeof(T) == typeof(bool))
        {
            ReadOnlySpan<byte> bools = MemoryMarshal.AsBytes(values);
            bool anyTrue = bools.IndexOfAnyExcept((byte)0) >= 0;
            bool anyFalse = bools.IndexOf((byte)0) >= 0;
            stats.MinValue = [anyFalse ? (byte)0 : (byte)1];
            stats.MaxValue = [anyTrue ? (byte)1 : (byte)0];
        }
        return stats;
    }

    protected override void ResetValues()
    {
        // Values are overwritten by the next row group; the array is kept for reuse.
    }

    // Min and max ignoring NaN (null when every value is NaN); the spec asks for -0.0 as a zero minimum and +0.0 as a
    // zero maximum, so readers pruning on "x > 0" or "x < 0" stay correct whichever zero the data holds.
    private static (TFloat Min, TFloat Max)? FloatingBounds<TFloat>(ReadOnlySpan<TFloat> values)
        where TFloat : System.Numerics.IFloatingPointIeee754<TFloat>
    {
        TFloat min = TFloat.PositiveInfinity, max = TFloat.NegativeInfinity;
        bool any = false;
        foreach (TFloat v in values)
        {
            if (TFloat.IsNaN(v))
            {
                continue;
            }
            any = true;
            min = TFloat.Min(min, v);
            max = TFloat.Max(max, v);
        }
        if (!any)
        {
            return null;
        }
        return (TFloat.IsZero(min) ? TFloat.NegativeZero : min, TFloat.IsZero(max) ? TFloat.Zero : max);
    }
}
