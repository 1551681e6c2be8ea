namespace Dsl.Parquet;

/// <summary>How a <see cref="ParquetFileWriter"/> encodes INT32, INT64 and timestamp values.</summary>
public enum IntegerEncoding
{
    /// <summary>Per page, DELTA_BINARY_PACKED where it is clearly smaller than PLAIN, PLAIN otherwise.</summary>
    Auto,

    /// <summary>Always PLAIN.</summary>
    Plain,

    /// <summary>Always DELTA_BINARY_PACKED.</summary>
    DeltaBinaryPacked,
}
