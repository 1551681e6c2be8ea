namespace Dsl.Parquet;

/// <summary>How a <see cref="ParquetFileWriter"/> encodes INT32, INT64 and timestamp values.</summary>
public enum IntegerEncoding
{
    /// <summary>
    /// Per page, DELTA_BINARY_PACKED where it is clearly smaller than PLAIN, PLAIN otherwise (after a page where it was
    /// no smaller at all, PLAIN for the rest of that column chunk without trying); timestamp, date and time
    /// columns always PLAIN, because Parquet.Net cannot read them delta-encoded (choose
    /// <see cref="DeltaBinaryPacked"/> to have them delta-encoded anyway).
    /// </summary>
    Auto,

    /// <summary>Always PLAIN.</summary>
    Plain,

    /// <summary>Always DELTA_BINARY_PACKED.</summary>
    DeltaBinaryPacked,
}
