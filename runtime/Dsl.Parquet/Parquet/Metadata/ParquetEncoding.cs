namespace Dsl.Parquet.Metadata;

/// <summary>How values or levels are encoded in a page (Thrift <c>Encoding</c>).</summary>
public enum ParquetEncoding
{
    /// <summary>Values back to back.</summary>
    Plain = 0,
    /// <summary>Deprecated dictionary encoding (Parquet 1.0 name of <see cref="RleDictionary"/>).</summary>
    PlainDictionary = 2,
    /// <summary>RLE/bit-packed hybrid.</summary>
    Rle = 3,
    /// <summary>Deprecated bit packing of levels (most significant bit first).</summary>
    BitPacked = 4,
    /// <summary>Delta encoding of integers.</summary>
    DeltaBinaryPacked = 5,
    /// <summary>Delta-encoded lengths followed by the bytes.</summary>
    DeltaLengthByteArray = 6,
    /// <summary>Incremental (prefix) encoding of byte arrays.</summary>
    DeltaByteArray = 7,
    /// <summary>Dictionary indices, RLE/bit-packed hybrid encoded.</summary>
    RleDictionary = 8,
    /// <summary>The bytes of each value split into streams.</summary>
    ByteStreamSplit = 9,
}
