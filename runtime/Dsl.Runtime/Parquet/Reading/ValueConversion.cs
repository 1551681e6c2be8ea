namespace Dsl.Parquet.Reading;

/// <summary>How a leaf column's stored values become batch values.</summary>
internal enum ValueConversion
{
    /// <summary>Not readable.</summary>
    None,
    /// <summary>BOOLEAN bits to <see cref="bool"/>.</summary>
    Boolean,
    /// <summary>INT32 as is.</summary>
    Int32,
    /// <summary>INT64 as is (also TIMESTAMP(MICROS)).</summary>
    Int64,
    /// <summary>INT32 holding an unsigned 32-bit integer, widened to <see cref="long"/>.</summary>
    UInt32ToInt64,
    /// <summary>INT64 holding an unsigned 64-bit integer; values above <see cref="long.MaxValue"/> are rejected.</summary>
    UInt64Checked,
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
}
