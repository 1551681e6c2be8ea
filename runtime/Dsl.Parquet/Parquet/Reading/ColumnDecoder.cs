using System.Runtime.CompilerServices;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Reading;

/// <summary>
/// Accumulates the decoded pages of one column chunk into a batch column. Pages arrive in order; each fills rows
/// <c>rowOffset .. rowOffset + rowCount</c>.
/// </summary>
internal abstract class ColumnDecoder : IDisposable
{
    /// <summary>Decodes a PLAIN dictionary page of <paramref name="count"/> entries.</summary>
    public abstract void ReadDictionary(ReadOnlySpan<byte> data, int count);

    /// <summary>
    /// Decodes one data page's values. <paramref name="definitionLevels"/> holds one level per row (0 = null,
    /// 1 = value) for nullable columns and is empty for required ones; <paramref name="nonNullCount"/> values are
    /// stored in <paramref name="values"/>.
    /// </summary>
    public abstract void ReadPage(ParquetEncoding encoding, ReadOnlySpan<byte> values, ReadOnlySpan<int> definitionLevels, int nonNullCount, int rowOffset, int rowCount);

    /// <summary>
    /// A hint before the pages: the chunk's PLAIN and dictionary pages hold at most <paramref name="values"/> values
    /// in at most <paramref name="bytes"/> uncompressed bytes. Decoders that grow buffers size them once from it.
    /// </summary>
    public virtual void Reserve(long values, long bytes)
    {
    }

    /// <summary>Finishes the column; ownership of the buffers passes to it.</summary>
    public abstract Column Build(int rows);

    /// <summary>Returns pooled buffers when <see cref="Build"/> was not reached.</summary>
    public abstract void Dispose();

    /// <summary>The name of an encoding as the spec spells it.</summary>
    public static string EncodingName(ParquetEncoding encoding) => encoding switch
    {
        ParquetEncoding.Plain => "PLAIN",
        ParquetEncoding.PlainDictionary => "PLAIN_DICTIONARY",
        ParquetEncoding.Rle => "RLE",
        ParquetEncoding.BitPacked => "BIT_PACKED",
        ParquetEncoding.DeltaBinaryPacked => "DELTA_BINARY_PACKED",
        ParquetEncoding.DeltaLengthByteArray => "DELTA_LENGTH_BYTE_ARRAY",
        ParquetEncoding.DeltaByteArray => "DELTA_BYTE_ARRAY",
        ParquetEncoding.RleDictionary => "RLE_DICTIONARY",
        ParquetEncoding.ByteStreamSplit => "BYTE_STREAM_SPLIT",
        _ => $"#{(int)encoding}",
    };

    /// <summary>The error for a value encoding this decoder cannot read.</summary>
    protected static ParquetFormatException UnsupportedEncoding(ParquetEncoding encoding, string supported) =>
        new($"Values are encoded with {EncodingName(encoding)}, which is not supported for this column yet; supported are {supported}.");

    /// <summary>Reads the dictionary indices of a dictionary-encoded page (bit width byte, then RLE/bit-packed hybrid).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static void ReadIndices(ReadOnlySpan<byte> values, Span<int> indices, int dictionaryCount)
    {
        if (indices.Length == 0)
        {
            return;
        }
        if (values.Length == 0)
        {
            throw new ParquetFormatException("A dictionary-encoded page has no bit-width byte.");
        }
        var decoder = new Encodings.RleBitPackedDecoder(values[1..], values[0]);
        decoder.Read(indices);
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)dictionaryCount)
            {
                throw new ParquetFormatException($"Value {i} of the page refers to dictionary entry {indices[i]} but the dictionary has {dictionaryCount} entries.");
            }
        }
    }
}
