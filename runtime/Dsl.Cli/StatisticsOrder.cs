namespace Dsl.Cli;

/// <summary>
/// The sort order Parquet defines for a leaf column's min/max statistics (the <c>ColumnOrder</c> section of the format
/// spec), and the comparison of two PLAIN-encoded statistics values in it, so that the min of the row groups' minimums
/// and the max of their maximums can be taken without decoding to a .NET type first.
/// </summary>
internal enum StatisticsOrder
{
    /// <summary>No order is defined (INT96, INTERVAL, a logical type this reader does not know): min/max are unusable.</summary>
    Undefined,
    /// <summary>BOOLEAN: false before true.</summary>
    Boolean,
    /// <summary>INT32 or INT64 as signed integers (also dates, times, timestamps and decimals stored in them).</summary>
    SignedInteger,
    /// <summary>INT32 or INT64 as unsigned integers (UINT_8 to UINT_64, INT(n, unsigned)).</summary>
    UnsignedInteger,
    /// <summary>FLOAT, DOUBLE or FLOAT16 by value; -0.0 before +0.0; a NaN bound is unusable.</summary>
    Floating,
    /// <summary>A DECIMAL in BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY: big-endian two's complement, by value.</summary>
    SignedBigEndian,
    /// <summary>Other byte arrays (strings, enums, JSON, UUID, binary): unsigned byte by byte, shorter first on a tie.</summary>
    UnsignedBytes,
}
