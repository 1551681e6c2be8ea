using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Writing;

/// <summary>
/// Buffers a fixed-width column and writes it PLAIN (booleans bit-packed), integers optionally DELTA_BINARY_PACKED
/// and floating point optionally BYTE_STREAM_SPLIT (see <see cref="ParquetWriteOptions"/>).
/// </summary>
/// <remarks>
/// <typeparamref name="T"/> is the stored layout, which the column's values are converted into as they arrive:
/// 8- and 16-bit integers and <see cref="uint"/> as <see cref="int"/> (INT32), <see cref="ulong"/> as <see cref="long"/>
/// (INT64), <see cref="Guid"/> as a big-endian <see cref="UInt128"/> (UUID's byte order, so that numeric order is the
/// unsigned byte order its statistics need). Unsigned columns keep their statistics in unsigned order.
/// </remarks>
internal sealed class PrimitiveChunkBuffer<T> : ColumnChunkBuffer
    where T : unmanaged
{
    private T[] _values = new T[256];
    private ArrayBufferWriter<byte>? _deltaScratch;
    private bool _deltaLostInChunk;

    // The chunk's min and max so far over the paged values (NaN skipped); booleans as "any false" / "any true".
    private bool _anyBounds;
    private T _min;
    private T _max;
    private readonly bool _unsigned;

    public PrimitiveChunkBuffer(ColumnField field, ParquetWriteOptions options, PageScratch scratch)
        : base(field, options, scratch)
    {
        _unsigned = field.Type is ColumnType.UInt32 or ColumnType.UInt64;
    }

    public override PhysicalType PhysicalType => Field.Type switch
    {
        ColumnType.Boolean => PhysicalType.Boolean,
        ColumnType.Int32 or ColumnType.Date or ColumnType.Int8 or ColumnType.Int16 or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 => PhysicalType.Int32,
        ColumnType.Float => PhysicalType.Float,
        ColumnType.Double => PhysicalType.Double,
        ColumnType.Float16 or ColumnType.Uuid => PhysicalType.FixedLenByteArray,
        _ => PhysicalType.Int64,
    };

    private int Width => Field.Type == ColumnType.Boolean ? 1 : System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    protected override void AppendValues(Column column, int start, int count, int values)
    {
        if (ValueCount + values > _values.Length)
        {
            Array.Resize(ref _values, (int)Math.Min(Array.MaxLength, Math.Max(ValueCount + values, (long)_values.Length * 2)));
        }
        Span<T> target = _values.AsSpan(ValueCount, values);
        if (column is not PrimitiveColumn<T> same)
        {
            AppendConverted(column, start, count, values == count ? null : column.Validity, target);
            return;
        }
        ReadOnlySpan<T> source = same.Values.Slice(start, count);
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

    // Values whose column type is stored in another layout (see the remarks), null rows skipped.
    private static void AppendConverted(Column column, int start, int count, ValidityBitmap? validity, Span<T> target)
    {
        switch (column)
        {
            case PrimitiveColumn<sbyte> c: Convert(c.Values.Slice(start, count), validity, start, MemoryMarshal.Cast<T, int>(target), v => v); break;
            case PrimitiveColumn<short> c: Convert(c.Values.Slice(start, count), validity, start, MemoryMarshal.Cast<T, int>(target), v => v); break;
            case PrimitiveColumn<byte> c: Convert(c.Values.Slice(start, count), validity, start, MemoryMarshal.Cast<T, int>(target), v => v); break;
            case PrimitiveColumn<ushort> c: Convert(c.Values.Slice(start, count), validity, start, MemoryMarshal.Cast<T, int>(target), v => v); break;
            case PrimitiveColumn<uint> c: Convert(c.Values.Slice(start, count), validity, start, MemoryMarshal.Cast<T, int>(target), v => (int)v); break;
            case PrimitiveColumn<ulong> c: Convert(c.Values.Slice(start, count), validity, start, MemoryMarshal.Cast<T, long>(target), v => (long)v); break;
            case PrimitiveColumn<Guid> c: Convert(c.Values.Slice(start, count), validity, start, MemoryMarshal.Cast<T, UInt128>(target), BigEndian); break;
            default: throw new ArgumentException($"A {column.Type} column cannot be written as {typeof(T).Name}.", nameof(column));
        }
    }

    private static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> source, ValidityBitmap? validity, int start, Span<TTo> target, Func<TFrom, TTo> convert)
    {
        int v = 0;
        for (int i = 0; i < source.Length; i++)
        {
            if (validity is null || validity.IsValid(start + i))
            {
                target[v++] = convert(source[i]);
            }
        }
    }

    private static UInt128 BigEndian(Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes, bigEndian: true, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    protected override int ChoosePageRows(int row, int value, bool dictionary)
    {
        // Pending values take Width bytes each (a boolean one byte, though it is written as a bit).
        long perPage = Options.DataPageSize / Width;
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
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                // 32 booleans to 4 bytes at once: the lanes' "not zero" masks, least significant bit first, are
                // Parquet's bit order.
                for (; i <= bools.Length - 32; i += 32)
                {
                    Vector256<byte> set = ~Vector256.Equals(Vector256.Create(bools.Slice(i, 32)), Vector256<byte>.Zero);
                    BinaryPrimitives.WriteUInt32LittleEndian(dest[(i >> 3)..], set.ExtractMostSignificantBits());
                }
            }
            for (; i < bools.Length; i++)
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
            // Auto: keep the delta encoding only where it beats PLAIN (sorted ids, small ranges), and never for dates and
            // times, which Parquet.Net 6 cannot decode delta-encoded: defaults must be read by every mainstream reader.
            if (Field.Type is ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Date or ColumnType.Time)
            {
                output.Write(MemoryMarshal.AsBytes(values));
                return ParquetEncoding.Plain;
            }
            // A page whose delta encoding is no smaller than PLAIN (random ids, hashes) says the rest of the chunk is
            // alike: its other pages skip the trial encoding, which cost 2% of the sample pipeline's time.
            if (!_deltaLostInChunk)
            {
                _deltaScratch ??= new ArrayBufferWriter<byte>(4096);
                _deltaScratch.Clear();
                DeltaBinaryPacked.Encode(values, _deltaScratch);
                if (_deltaScratch.WrittenCount < (long)count * Width * 7 / 8)
                {
                    output.Write(_deltaScratch.WrittenSpan);
                    return ParquetEncoding.DeltaBinaryPacked;
                }
                _deltaLostInChunk = _deltaScratch.WrittenCount >= (long)count * Width;
            }
        }
        if (typeof(T) == typeof(UInt128))
        {
            // UUIDs: each value's 16 bytes in big-endian order.
            Span<byte> dest = output.GetSpan(Math.Max(count * 16, 1))[..(count * 16)];
            ReadOnlySpan<UInt128> uuids = MemoryMarshal.Cast<T, UInt128>(values);
            for (int i = 0; i < uuids.Length; i++)
            {
                BinaryPrimitives.WriteUInt128BigEndian(dest[(i * 16)..], uuids[i]);
            }
            output.Advance(count * 16);
            return ParquetEncoding.Plain;
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

    protected override long EstimatePendingBytes() => (long)RowCount * Width;

    protected override void ObserveValues(int start, int count)
    {
        ReadOnlySpan<T> values = _values.AsSpan(start, count);
        if (values.IsEmpty)
        {
            return;
        }
        (T Min, T Max)? page = typeof(T) == typeof(int) && _unsigned ? Cast(IntegerBounds(MemoryMarshal.Cast<T, uint>(values)))
            : typeof(T) == typeof(long) && _unsigned ? Cast(IntegerBounds(MemoryMarshal.Cast<T, ulong>(values)))
            : typeof(T) == typeof(int) ? Cast(IntegerBounds(MemoryMarshal.Cast<T, int>(values)))
            : typeof(T) == typeof(long) ? Cast(IntegerBounds(MemoryMarshal.Cast<T, long>(values)))
            : typeof(T) == typeof(UInt128) ? Cast(IntegerBounds(MemoryMarshal.Cast<T, UInt128>(values)))
            : typeof(T) == typeof(Half) ? Cast(FloatingBounds(MemoryMarshal.Cast<T, Half>(values)))
            : typeof(T) == typeof(float) ? Cast(FloatingBounds(MemoryMarshal.Cast<T, float>(values)))
            : typeof(T) == typeof(double) ? Cast(FloatingBounds(MemoryMarshal.Cast<T, double>(values)))
            : Cast(BooleanBounds(MemoryMarshal.AsBytes(values)));
        if (page is not (T min, T max))
        {
            return;
        }
        if (!_anyBounds)
        {
            (_min, _max, _anyBounds) = (min, max, true);
            return;
        }
        _min = Compare(min, _min) < 0 ? min : _min;
        _max = Compare(max, _max) > 0 ? max : _max;
    }

    // Values in the column's sort order: unsigned integers stored in int and long compare as unsigned.
    private int Compare(T a, T b)
    {
        if (_unsigned && typeof(T) == typeof(int))
        {
            return ((uint)(int)(object)a).CompareTo((uint)(int)(object)b);
        }
        if (_unsigned && typeof(T) == typeof(long))
        {
            return ((ulong)(long)(object)a).CompareTo((ulong)(long)(object)b);
        }
        return Comparer<T>.Default.Compare(a, b);
    }

    protected override Statistics BuildStatistics()
    {
        var stats = new Statistics();
        if (!_anyBounds)
        {
            return stats;
        }
        int width = Field.Type == ColumnType.Boolean ? 1 : Width;
        stats.MinValue = new byte[width];
        stats.MaxValue = new byte[width];
        T min = _min;
        T max = _max;
        if (typeof(T) == typeof(UInt128))
        {
            BinaryPrimitives.WriteUInt128BigEndian(stats.MinValue, (UInt128)(object)min);
            BinaryPrimitives.WriteUInt128BigEndian(stats.MaxValue, (UInt128)(object)max);
            return stats;
        }
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half))
        {
            // The spec asks for -0.0 as a zero minimum and +0.0 as a zero maximum, so readers pruning on "x > 0" or
            // "x < 0" stay correct whichever zero the data holds.
            // (Equals is true for either zero.)
            if (min.Equals(default(T)))
            {
                min = NegativeZero();
            }
            if (max.Equals(default(T)))
            {
                max = default;
            }
        }
        // Little-endian PLAIN bytes of the value (booleans: one byte, 0 or 1).
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in min)).CopyTo(stats.MinValue);
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in max)).CopyTo(stats.MaxValue);
        return stats;
    }

    protected override void DiscardValues(int count) => _values.AsSpan(count, ValueCount - count).CopyTo(_values);

    protected override void ResetValues()
    {
        // The array is kept for the next row group.
        _anyBounds = false;
        _deltaLostInChunk = false;
    }

    private static (T, T)? Cast<TFrom>((TFrom, TFrom)? bounds)
        where TFrom : unmanaged =>
        bounds is (TFrom min, TFrom max) ? (System.Runtime.CompilerServices.Unsafe.As<TFrom, T>(ref min), System.Runtime.CompilerServices.Unsafe.As<TFrom, T>(ref max)) : null;

    private static T NegativeZero() => typeof(T) == typeof(float) ? (T)(object)(-0.0f) : typeof(T) == typeof(Half) ? (T)(object)Half.NegativeZero : (T)(object)(-0.0);

    internal static (TInt Min, TInt Max)? IntegerBounds<TInt>(ReadOnlySpan<TInt> values)
        where TInt : unmanaged, System.Numerics.INumber<TInt>
    {
        TInt min = values[0];
        TInt max = values[0];
        int i = 0;
        if (typeof(TInt) != typeof(UInt128) && Vector256.IsHardwareAccelerated && values.Length >= Vector256<TInt>.Count)
        {
            // Lane by lane, then the lanes folded: the statistics ran scalar at ~1 value per cycle.
            ref TInt start = ref MemoryMarshal.GetReference(values);
            Vector256<TInt> lowest = Vector256.Create(min), highest = lowest;
            for (; i <= values.Length - Vector256<TInt>.Count; i += Vector256<TInt>.Count)
            {
                Vector256<TInt> v = Vector256.LoadUnsafe(ref start, (nuint)i);
                lowest = Vector256.Min(lowest, v);
                highest = Vector256.Max(highest, v);
            }
            for (int lane = 0; lane < Vector256<TInt>.Count; lane++)
            {
                min = TInt.Min(min, lowest[lane]);
                max = TInt.Max(max, highest[lane]);
            }
        }
        for (; i < values.Length; i++)
        {
            min = TInt.Min(min, values[i]);
            max = TInt.Max(max, values[i]);
        }
        return (min, max);
    }

    // Booleans as bytes: min is 0 when any value is false, max is 1 when any is true.
    private static (byte Min, byte Max)? BooleanBounds(ReadOnlySpan<byte> bools) =>
        ((byte)(bools.IndexOf((byte)0) >= 0 ? 0 : 1), (byte)(bools.IndexOfAnyExcept((byte)0) >= 0 ? 1 : 0));

    // Min and max ignoring NaN (null when every value is NaN).
    internal static (TFloat Min, TFloat Max)? FloatingBounds<TFloat>(ReadOnlySpan<TFloat> values)
        where TFloat : unmanaged, System.Numerics.IFloatingPointIeee754<TFloat>
    {
        TFloat min = TFloat.PositiveInfinity, max = TFloat.NegativeInfinity;
        int i = 0;
        if (typeof(TFloat) != typeof(Half) && Vector256.IsHardwareAccelerated && values.Length >= Vector256<TFloat>.Count)
        {
            // Lane by lane, NaN lanes keeping what they had (v == v is false only for NaN), then the lanes folded.
            // Which zero a lane keeps does not matter: BuildStatistics writes a zero minimum as -0.0, a maximum as +0.0.
            ref TFloat start = ref MemoryMarshal.GetReference(values);
            Vector256<TFloat> lowest = Vector256.Create(min), highest = Vector256.Create(max);
            for (; i <= values.Length - Vector256<TFloat>.Count; i += Vector256<TFloat>.Count)
            {
                Vector256<TFloat> v = Vector256.LoadUnsafe(ref start, (nuint)i);
                Vector256<TFloat> number = Vector256.Equals(v, v);
                lowest = Vector256.ConditionalSelect(number, Vector256.Min(lowest, v), lowest);
                highest = Vector256.ConditionalSelect(number, Vector256.Max(highest, v), highest);
            }
            for (int lane = 0; lane < Vector256<TFloat>.Count; lane++)
            {
                min = TFloat.Min(min, lowest[lane]);
                max = TFloat.Max(max, highest[lane]);
            }
        }
        for (; i < values.Length; i++)
        {
            TFloat v = values[i];
            if (!TFloat.IsNaN(v))
            {
                min = TFloat.Min(min, v);
                max = TFloat.Max(max, v);
            }
        }
        // Only a span of NaN leaves the starting infinities crossed.
        return min <= max ? (min, max) : null;
    }
}
