using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Reading;

/// <summary>
/// Decodes fixed-width values (BOOLEAN, INT32, INT64, INT96, FLOAT, DOUBLE, FIXED_LEN_BYTE_ARRAY decimals and
/// half floats, and BYTE_ARRAY decimals) into a <see cref="PrimitiveColumn{T}"/>, converting to the logical type.
/// </summary>
internal sealed class PrimitiveDecoder<T> : ColumnDecoder
    where T : unmanaged
{
    private const long JulianDayOfUnixEpoch = 2440588;
    private const long MicrosPerDay = 86_400_000_000L;

    private readonly ValueConversion _conversion;
    private readonly int _storedWidth;
    private ColumnBuilder<T>? _builder;
    private T[]? _dictionary;

    public PrimitiveDecoder(ColumnType type, ValueConversion conversion, int rows, bool nullable, int fixedLength = 0)
    {
        _conversion = conversion;
        _storedWidth = conversion switch
        {
            ValueConversion.Boolean => 0,
            ValueConversion.Int32 or ValueConversion.Float or ValueConversion.UInt32 or ValueConversion.MillisOfDayToNanos or ValueConversion.Int32ToDecimal
                or ValueConversion.Int32ToInt8 or ValueConversion.Int32ToInt16 or ValueConversion.Int32ToUInt8 or ValueConversion.Int32ToUInt16 => 4,
            ValueConversion.Int96ToMicros => 12,
            ValueConversion.Float16 => 2,
            ValueConversion.Uuid => 16,
            ValueConversion.FixedToDecimal => fixedLength > 0 ? fixedLength : throw new ArgumentOutOfRangeException(nameof(fixedLength)),
            // Length-prefixed: at least the 4-byte prefix a value.
            ValueConversion.ByteArrayToDecimal => -4,
            _ => 8,
        };
        _builder = new ColumnBuilder<T>(type, rows, nullable);
    }

    public override void ReadDictionary(ReadOnlySpan<byte> data, int count)
    {
        var dictionary = new T[CheckPlainLength(data, count)];
        DecodePlain(data, dictionary);
        _dictionary = dictionary;
    }

    public override void ReadPage(ParquetEncoding encoding, ReadOnlySpan<byte> values, ReadOnlySpan<int> definitionLevels, int nonNullCount, int rowOffset, int rowCount)
    {
        ColumnBuilder<T> builder = _builder!;
        Span<T> destination = builder.Values.Slice(rowOffset, rowCount);
        bool dense = nonNullCount == rowCount;
        T[]? scratch = dense ? null : ArrayPool<T>.Shared.Rent(Math.Max(nonNullCount, 1));
        try
        {
            Span<T> target = dense ? destination : scratch.AsSpan(0, nonNullCount);
            switch (encoding)
            {
                case ParquetEncoding.Plain:
                    CheckPlainLength(values, nonNullCount);
                    DecodePlain(values, target);
                    break;
                case ParquetEncoding.PlainDictionary:
                case ParquetEncoding.RleDictionary:
                    DecodeDictionary(values, target);
                    break;
                case ParquetEncoding.Rle when _conversion == ValueConversion.Boolean:
                    DecodeRleBooleans(values, target);
                    break;
                case ParquetEncoding.DeltaBinaryPacked when _conversion is not (ValueConversion.Boolean or ValueConversion.Int96ToMicros or ValueConversion.Float or ValueConversion.Double):
                case ParquetEncoding.ByteStreamSplit when _conversion is not (ValueConversion.Boolean or ValueConversion.Int96ToMicros):
                    DecodeThroughPlainLayout(encoding, values, target);
                    break;
                default:
                    throw UnsupportedEncoding(encoding, _conversion switch
                    {
                        ValueConversion.Boolean => "PLAIN, RLE and dictionary encodings",
                        ValueConversion.Int96ToMicros => "PLAIN and dictionary encodings",
                        ValueConversion.Float or ValueConversion.Double => "PLAIN, BYTE_STREAM_SPLIT and dictionary encodings",
                        _ => "PLAIN, DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT and dictionary encodings",
                    });
            }
            if (!dense)
            {
                Scatter(target, destination, definitionLevels, builder.Validity!, rowOffset);
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<T>.Shared.Return(scratch);
            }
        }
    }

    public override Column Build(int rows)
    {
        ColumnBuilder<T> builder = _builder ?? throw new InvalidOperationException("The column was already built.");
        _builder = null;
        return builder.Build(rows);
    }

    public override void Dispose()
    {
        // Building hands the rented buffer to the column; an unbuilt builder's buffer is returned by building and
        // disposing an empty column.
        ColumnBuilder<T>? builder = _builder;
        _builder = null;
        builder?.Build(0).Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(ReadOnlySpan<T> dense, Span<T> destination, ReadOnlySpan<int> levels, ValidityBitmap validity, int rowOffset)
    {
        int v = 0;
        for (int i = 0; i < destination.Length; i++)
        {
            if (levels[i] != 0)
            {
                destination[i] = dense[v++];
            }
            else
            {
                destination[i] = default;
            }
        }
        ValidityScatter.ClearNulls(validity, rowOffset, levels);
    }

    /// <summary>
    /// Decodes DELTA_BINARY_PACKED or BYTE_STREAM_SPLIT values into their PLAIN byte layout, then converts them like
    /// PLAIN values; values stored as they are read decode straight into <paramref name="target"/>.
    /// </summary>
    private void DecodeThroughPlainLayout(ParquetEncoding encoding, ReadOnlySpan<byte> values, Span<T> target)
    {
        int bytes = target.Length * _storedWidth;
        bool direct = _conversion is ValueConversion.Int32 or ValueConversion.Int64 or ValueConversion.Float or ValueConversion.Double
            or ValueConversion.UInt32 or ValueConversion.UInt64;
        byte[]? scratch = direct ? null : ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1));
        try
        {
            Span<byte> plain = direct ? MemoryMarshal.AsBytes(target) : scratch.AsSpan(0, bytes);
            if (encoding == ParquetEncoding.ByteStreamSplit)
            {
                ByteStreamSplit.Decode(values, _storedWidth, target.Length, plain);
            }
            else if (_storedWidth == 4)
            {
                DeltaBinaryPacked.Decode(values, MemoryMarshal.Cast<byte, int>(plain));
            }
            else
            {
                DeltaBinaryPacked.Decode(values, MemoryMarshal.Cast<byte, long>(plain));
            }
            if (!direct)
            {
                DecodePlain(plain, target);
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>PLAIN booleans: one bit each, least significant first, eight to a byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnpackBooleans(ReadOnlySpan<byte> bits, Span<byte> bools)
    {
        int i = 0;
        if (Bmi2.X64.IsSupported)
        {
            // PDEP puts bit k of the byte into the low bit of byte k: eight booleans in one instruction.
            for (int b = 0; b < bools.Length >> 3; b++, i += 8)
            {
                Unsafe.WriteUnaligned(ref bools[i], Bmi2.X64.ParallelBitDeposit(bits[b], 0x0101_0101_0101_0101UL));
            }
        }
        for (; i < bools.Length; i++)
        {
            bools[i] = (byte)((bits[i >> 3] >> (i & 7)) & 1);
        }
    }

    private int CheckPlainLength(ReadOnlySpan<byte> data, int count)
    {
        long needed = _storedWidth == 0 ? ((long)count + 7) / 8 : (long)count * Math.Abs(_storedWidth);
        if (count < 0 || needed > data.Length)
        {
            throw new ParquetFormatException($"PLAIN data for {count} values needs {needed} bytes but the page holds {data.Length}.");
        }
        return count;
    }

    // Not compiled eagerly (unlike the hot loops): the switch is large, its common cases are a single copy, and
    // optimizing it whole for every value type would cost more JIT time than the conversions' loops save.
    private void DecodePlain(ReadOnlySpan<byte> data, Span<T> target)
    {
        switch (_conversion)
        {
            case ValueConversion.Boolean:
                UnpackBooleans(data, MemoryMarshal.AsBytes(target));
                break;
            case ValueConversion.MillisToMicros:
            {
                ReadOnlySpan<long> millis = MemoryMarshal.Cast<byte, long>(data[..(target.Length * 8)]);
                Span<long> micros = MemoryMarshal.Cast<T, long>(target);
                for (int i = 0; i < micros.Length; i++)
                {
                    long m = millis[i];
                    if (m > long.MaxValue / 1000 || m < long.MinValue / 1000)
                    {
                        throw new ParquetFormatException($"Timestamp value {m} ms is outside the range of microsecond timestamps.");
                    }
                    micros[i] = m * 1000;
                }
                break;
            }
            case ValueConversion.Int32ToInt8:
                Narrow(data, MemoryMarshal.Cast<T, sbyte>(target), "INT(8, signed)");
                break;
            case ValueConversion.Int32ToInt16:
                Narrow(data, MemoryMarshal.Cast<T, short>(target), "INT(16, signed)");
                break;
            case ValueConversion.Int32ToUInt8:
                Narrow(data, MemoryMarshal.Cast<T, byte>(target), "INT(8, unsigned)");
                break;
            case ValueConversion.Int32ToUInt16:
                Narrow(data, MemoryMarshal.Cast<T, ushort>(target), "INT(16, unsigned)");
                break;
            case ValueConversion.Int96ToMicros:
            {
                Span<long> micros = MemoryMarshal.Cast<T, long>(target);
                for (int i = 0; i < micros.Length; i++)
                {
                    ReadOnlySpan<byte> v = data.Slice(i * 12, 12);
                    long nanosOfDay = BinaryPrimitives.ReadInt64LittleEndian(v);
                    long julianDay = BinaryPrimitives.ReadInt32LittleEndian(v[8..]);
                    micros[i] = Int96ToMicros(nanosOfDay, julianDay);
                }
                break;
            }
            case ValueConversion.MillisOfDayToNanos:
            {
                ReadOnlySpan<int> millis = MemoryMarshal.Cast<byte, int>(data[..(target.Length * 4)]);
                Span<long> nanos = MemoryMarshal.Cast<T, long>(target);
                for (int i = 0; i < nanos.Length; i++)
                {
                    nanos[i] = millis[i] * 1_000_000L;
                }
                break;
            }
            case ValueConversion.MicrosToNanos:
            {
                ReadOnlySpan<long> micros = MemoryMarshal.Cast<byte, long>(data[..(target.Length * 8)]);
                Span<long> nanos = MemoryMarshal.Cast<T, long>(target);
                for (int i = 0; i < nanos.Length; i++)
                {
                    long m = micros[i];
                    if (m > long.MaxValue / 1000 || m < long.MinValue / 1000)
                    {
                        throw new ParquetFormatException($"Time value {m} µs is outside the range of nanosecond times.");
                    }
                    nanos[i] = m * 1000;
                }
                break;
            }
            case ValueConversion.Int32ToDecimal:
            {
                ReadOnlySpan<int> source = MemoryMarshal.Cast<byte, int>(data[..(target.Length * 4)]);
                Span<Int128> wide = MemoryMarshal.Cast<T, Int128>(target);
                for (int i = 0; i < wide.Length; i++)
                {
                    wide[i] = source[i];
                }
                break;
            }
            case ValueConversion.Int64ToDecimal:
            {
                ReadOnlySpan<long> source = MemoryMarshal.Cast<byte, long>(data[..(target.Length * 8)]);
                Span<Int128> wide = MemoryMarshal.Cast<T, Int128>(target);
                for (int i = 0; i < wide.Length; i++)
                {
                    wide[i] = source[i];
                }
                break;
            }
            case ValueConversion.FixedToDecimal:
            {
                Span<Int128> wide = MemoryMarshal.Cast<T, Int128>(target);
                int width = _storedWidth;
                for (int i = 0; i < wide.Length; i++)
                {
                    wide[i] = BigEndianToInt128(data.Slice(i * width, width));
                }
                break;
            }
            case ValueConversion.ByteArrayToDecimal:
            {
                Span<Int128> wide = MemoryMarshal.Cast<T, Int128>(target);
                int pos = 0;
                for (int i = 0; i < wide.Length; i++)
                {
                    if (data.Length - pos < 4)
                    {
                        throw new ParquetFormatException($"Decimal {i} of {wide.Length} is cut off: its length prefix needs 4 bytes but {data.Length - pos} remain.");
                    }
                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(data[pos..]);
                    pos += 4;
                    if (length > (uint)(data.Length - pos))
                    {
                        throw new ParquetFormatException($"Decimal {i} of {wide.Length} claims {length} bytes but only {data.Length - pos} remain in the page.");
                    }
                    wide[i] = BigEndianToInt128(data.Slice(pos, (int)length));
                    pos += (int)length;
                }
                break;
            }
            case ValueConversion.Uuid:
            {
                Span<Guid> guids = MemoryMarshal.Cast<T, Guid>(target);
                for (int i = 0; i < guids.Length; i++)
                {
                    guids[i] = new Guid(data.Slice(i * 16, 16), bigEndian: true);
                }
                break;
            }
            default:
                MemoryMarshal.Cast<byte, T>(data[..(target.Length * _storedWidth)]).CopyTo(target);
                break;
        }
    }

    // A small integer stored in INT32: the annotation promises the range, so a value outside it means a corrupt file.
    private static void Narrow<TSmall>(ReadOnlySpan<byte> data, Span<TSmall> target, string annotation)
        where TSmall : unmanaged, System.Numerics.INumberBase<TSmall>, System.Numerics.IMinMaxValue<TSmall>
    {
        ReadOnlySpan<int> source = MemoryMarshal.Cast<byte, int>(data[..(target.Length * 4)]);
        int min = int.CreateTruncating(TSmall.MinValue);
        int max = int.CreateTruncating(TSmall.MaxValue);
        for (int i = 0; i < target.Length; i++)
        {
            int v = source[i];
            if (v < min || v > max)
            {
                throw new ParquetFormatException($"Value {v} is outside the range {min} to {max} of its {annotation} annotation.");
            }
            target[i] = TSmall.CreateTruncating(v);
        }
    }

    /// <summary>
    /// A big-endian two's-complement integer of any length as an <see cref="Int128"/>. Longer than 16 bytes is
    /// accepted only when the extra leading bytes merely extend the sign; otherwise the value does not fit 38 digits.
    /// </summary>
    internal static Int128 BigEndianToInt128(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return Int128.Zero;
        }
        if (bytes.Length > 16)
        {
            int extra = bytes.Length - 16;
            byte sign = (bytes[extra] & 0x80) != 0 ? (byte)0xFF : (byte)0;
            for (int i = 0; i < extra; i++)
            {
                if (bytes[i] != sign)
                {
                    throw new ParquetFormatException($"A {bytes.Length}-byte decimal value does not fit in 128 bits (38 digits); such decimals are not supported.");
                }
            }
            bytes = bytes[extra..];
        }
        Span<byte> padded = stackalloc byte[16];
        byte fill = (bytes[0] & 0x80) != 0 ? (byte)0xFF : (byte)0;
        padded[..(16 - bytes.Length)].Fill(fill);
        bytes.CopyTo(padded[(16 - bytes.Length)..]);
        return BinaryPrimitives.ReadInt128BigEndian(padded);
    }

    private static long Int96ToMicros(long nanosOfDay, long julianDay)
    {
        long days = julianDay - JulianDayOfUnixEpoch;
        // Floor division keeps sub-microsecond nanoseconds truncated toward the past, like Timestamps.ToMicros.
        long micros = Math.DivRem(nanosOfDay, 1000, out long rem) - (rem < 0 ? 1 : 0);
        if (days > long.MaxValue / MicrosPerDay || days < long.MinValue / MicrosPerDay)
        {
            throw new ParquetFormatException($"INT96 timestamp with Julian day {julianDay} is outside the range of microsecond timestamps.");
        }
        long dayMicros = days * MicrosPerDay;
        long result = dayMicros + micros;
        if (((dayMicros ^ result) & (micros ^ result)) < 0)
        {
            throw new ParquetFormatException($"INT96 timestamp with Julian day {julianDay} and {nanosOfDay} ns is outside the range of microsecond timestamps.");
        }
        return result;
    }

    private void DecodeDictionary(ReadOnlySpan<byte> values, Span<T> target)
    {
        T[] dictionary = _dictionary ?? throw new ParquetFormatException("A data page is dictionary-encoded but the column chunk has no dictionary page before it.");
        int[] indices = ArrayPool<int>.Shared.Rent(Math.Max(target.Length, 1));
        try
        {
            Span<int> idx = indices.AsSpan(0, target.Length);
            ReadIndices(values, idx, dictionary.Length);
            for (int i = 0; i < idx.Length; i++)
            {
                target[i] = dictionary[idx[i]];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
        }
    }

    private static void DecodeRleBooleans(ReadOnlySpan<byte> values, Span<T> target)
    {
        if (target.Length == 0)
        {
            return;
        }
        if (values.Length < 4)
        {
            throw new ParquetFormatException("RLE-encoded booleans lack their 4-byte length prefix.");
        }
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(values);
        if (length > values.Length - 4)
        {
            throw new ParquetFormatException($"RLE-encoded booleans claim {length} bytes but the page holds {values.Length - 4}.");
        }
        int[] scratch = ArrayPool<int>.Shared.Rent(target.Length);
        try
        {
            Span<int> bits = scratch.AsSpan(0, target.Length);
            new RleBitPackedDecoder(values.Slice(4, (int)length), 1).Read(bits);
            Span<byte> bools = MemoryMarshal.AsBytes(target);
            for (int i = 0; i < bits.Length; i++)
            {
                bools[i] = (byte)bits[i];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(scratch);
        }
    }
}
