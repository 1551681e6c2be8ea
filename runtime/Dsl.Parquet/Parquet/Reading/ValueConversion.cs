namespace Dsl.Parquet.Reading;

/// <summary>How a leaf column's stored values become batch values.</summary>
internal enum ValueConversion
{
    /// <summary>Not readable.</summary>
    None,
    /// <summary>BOOLEAN bits to <see cref="bool"/>.</summary>
    Boolean,
    /// <summary>INT32 as is (also DATE).</summary>
    Int32,
    /// <summary>INT64 as is (also TIMESTAMP(MICROS), TIMESTAMP(NANOS), TIME(NANOS)).</summary>
    Int64,
    /// <summary>INT32 holding INT(8, signed), narrowed to <see cref="sbyte"/>; a value out of its range is corrupt.</summary>
    Int32ToInt8,
    /// <summary>INT32 holding INT(16, signed), narrowed to <see cref="short"/>; a value out of its range is corrupt.</summary>
    Int32ToInt16,
    /// <summary>INT32 holding INT(8, unsigned), narrowed to <see cref="byte"/>; a value out of its range is corrupt.</summary>
    Int32ToUInt8,
    /// <summary>INT32 holding INT(16, unsigned), narrowed to <see cref="ushort"/>; a value out of its range is corrupt.</summary>
    Int32ToUInt16,
    /// <summary>INT32 bits as an unsigned 32-bit integer (<see cref="uint"/>).</summary>
    UInt32,
    /// <summary>INT64 bits as an unsigned 64-bit integer (<see cref="ulong"/>).</summary>
    UInt64,
    /// <summary>INT64 milliseconds to microseconds.</summary>
    MillisToMicros,
    /// <summary>INT96 (nanoseconds of day, Julian day) to microseconds since the epoch.</summary>
    Int96ToMicros,
    /// <summary>FLOAT as is.</summary>
    Float,
    /// <summary>DOUBLE as is.</summary>
    Double,
    /// <summary>BYTE_ARRAY into a dictionary.</summary>
    ByteArray,
    /// <summary>INT32 TIME(MILLIS) to nanoseconds of the day.</summary>
    MillisOfDayToNanos,
    /// <summary>INT64 TIME(MICROS) to nanoseconds of the day.</summary>
    MicrosToNanos,
    /// <summary>INT32 unscaled decimal, sign-extended to <see cref="Int128"/>.</summary>
    Int32ToDecimal,
    /// <summary>INT64 unscaled decimal, sign-extended to <see cref="Int128"/>.</summary>
    Int64ToDecimal,
    /// <summary>FIXED_LEN_BYTE_ARRAY big-endian two's-complement unscaled decimal to <see cref="Int128"/>.</summary>
    FixedToDecimal,
    /// <summary>BYTE_ARRAY big-endian two's-complement unscaled decimal to <see cref="Int128"/>.</summary>
    ByteArrayToDecimal,
    /// <summary>FIXED_LEN_BYTE_ARRAY(2) IEEE half-precision, as <see cref="Half"/>.</summary>
    Float16,
    /// <summary>FIXED_LEN_BYTE_ARRAY of the column's length into a dictionary.</summary>
    FixedBinary,
    /// <summary>FIXED_LEN_BYTE_ARRAY(16) UUID, big-endian (RFC 4122 order), as <see cref="Guid"/>.</summary>
    Uuid,
}
