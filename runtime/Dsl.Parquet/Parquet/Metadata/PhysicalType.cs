namespace Dsl.Parquet.Metadata;

/// <summary>The physical (storage) type of a Parquet column (Thrift <c>Type</c>).</summary>
public enum PhysicalType
{
    /// <summary>One bit a value.</summary>
    Boolean = 0,
    /// <summary>32-bit signed integer.</summary>
    Int32 = 1,
    /// <summary>64-bit signed integer.</summary>
    Int64 = 2,
    /// <summary>96-bit legacy timestamp (nanoseconds of day, then Julian day).</summary>
    Int96 = 3,
    /// <summary>32-bit IEEE float.</summary>
    Float = 4,
    /// <summary>64-bit IEEE float.</summary>
    Double = 5,
    /// <summary>Variable-length bytes.</summary>
    ByteArray = 6,
    /// <summary>Fixed-length bytes.</summary>
    FixedLenByteArray = 7,
}
