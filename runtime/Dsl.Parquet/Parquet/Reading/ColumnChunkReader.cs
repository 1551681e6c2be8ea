using System.Buffers;
using System.Buffers.Binary;
using Dsl.Parquet.Compression;
using Dsl.Parquet.Encodings;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Reading;

/// <summary>
/// Reads one column chunk into a batch column: reads the chunk's bytes, walks its page headers (checking
/// every size against the chunk and the value counts against the row group before allocating), then decodes
/// the dictionary and data pages (v1 and v2) in order. For a nested leaf the column holds one slot per element of
/// its nearest enclosing list, and the chunk's levels are kept in the <see cref="LevelState"/> for assembly.
/// </summary>
internal static class ColumnChunkReader
{
    // Old parquet-mr (before 1.2.9) left the dictionary page header out of total_compressed_size (PARQUET-816);
    // reading this much more, where the file has it, lets the last page header be parsed.
    private const int LegacyDictionaryHeaderPadding = 100;

    internal readonly record struct PageRef(PageHeader Header, int BodyOffset, int Index);

    public static Column Read(Stream stream, long dataStart, long dataEnd, string? createdBy, ChunkLocation location, LeafPlan info, ColumnChunk chunk, int rows, LevelState levels)
    {
        try
        {
            return ReadCore(stream, dataStart, dataEnd, createdBy, location, info, chunk, rows, levels);
        }
        catch (ParquetFormatException ex) when (ex.FilePath is null)
        {
            throw location.Error(ex.Message, ex);
        }
        catch (Exception ex) when (ex is not ParquetFormatException and not OutOfMemoryException and not IOException and not ObjectDisposedException)
        {
            throw location.Error($"The column chunk is corrupt: {ex.Message.TrimEnd('.')}.", ex);
        }
    }

    /// <summary>Checks a leaf's chunk against what this reader supports and returns its metadata.</summary>
    internal static ColumnMetaData CheckChunk(ChunkLocation location, LeafPlan info, ColumnChunk chunk)
    {
        if (chunk.IsEncrypted)
        {
            throw location.Error("The column chunk is encrypted; Parquet modular encryption is not supported.");
        }
        if (chunk.FilePath is not null)
        {
            throw location.Error($"The column chunk is stored in another file ('{chunk.FilePath}'); external column chunks are not supported.");
        }
        ColumnMetaData meta = chunk.MetaData ?? throw location.Error("The column chunk has no metadata.");
        PhysicalType expectedType = info.Element.Type!.Value;
        if (meta.Type != expectedType)
        {
            throw location.Error($"The column chunk stores {meta.Type} values but the schema declares {expectedType}.");
        }
        if (!PageCompression.IsSupported(meta.Codec))
        {
            throw location.Error($"The column chunk is compressed with {PageCompression.CodecName(meta.Codec)}, which is not supported; supported codecs are {PageCompression.SupportedNames}.");
        }
        return meta;
    }

    /// <summary>The bytes of a chunk to read (start and length, legacy padding included), checked against the file's page data.</summary>
    internal static (long Start, long Length) ChunkRange(ColumnMetaData meta, long dataStart, long dataEnd, string? createdBy, ChunkLocation location)
    {
        long start = meta.DataPageOffset;
        if (meta.DictionaryPageOffset is > 0 and { } dictOffset && dictOffset < start)
        {
            start = dictOffset;
        }
        long length = meta.TotalCompressedSize;
        if (start < dataStart || length <= 0 || start > dataEnd || length > dataEnd - start)
        {
            throw location.Error($"The column chunk claims bytes {start} to {start + length} but the file's page data lies between {dataStart} and {dataEnd}.");
        }
        if (IsLegacyParquetMr(createdBy))
        {
            length += Math.Min(LegacyDictionaryHeaderPadding, dataEnd - (start + length));
        }
        return (start, length);
    }

    private static Column ReadCore(Stream stream, long dataStart, long dataEnd, string? createdBy, ChunkLocation location, LeafPlan info, ColumnChunk chunk, int rows, LevelState levels)
    {
        ColumnMetaData meta = CheckChunk(location, info, chunk);
        if (rows == 0)
        {
            using ColumnDecoder empty = CreateDecoder(info, 0, levels.IsFlat);
            return empty.Build(0);
        }
        (long start, long length) = ChunkRange(meta, dataStart, dataEnd, createdBy, location);
        // A flat chunk holds one level entry a row; a nested one as many as its metadata says, checked below
        // against the pages and the rows they start.
        long entries = levels.IsFlat ? rows : meta.NumValues;
        if (entries < rows || entries > Array.MaxLength)
        {
            throw location.Error($"The column chunk claims {meta.NumValues} values for {rows} rows; a nested column needs at least one value a row and at most {Array.MaxLength}.");
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, (int)length);
            var memory = new ReadOnlyMemory<byte>(buffer, 0, (int)length);
            List<PageRef> pages = ScanPages(memory.Span, (int)entries, levels.IsFlat, location);
            // Only now, with the page headers' value counts adding up to the row count, is the row count trusted
            // enough to allocate from.
            using ColumnDecoder decoder = CreateDecoder(info, (int)entries, levels.IsFlat);
            (long plainValues, long plainBytes) = PlainPagesBound(memory.Span, pages, meta.Codec);
            decoder.Reserve(plainValues, plainBytes);
            DecodePages(memory, pages, meta.Codec, decoder, levels, location);
            location.Page = null;
            if (levels.RowCount != rows)
            {
                throw location.Error($"The column chunk's levels start {levels.RowCount} rows but the row group has {rows}.");
            }
            return decoder.Build(levels.SlotCount);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static bool IsLegacyParquetMr(string? createdBy)
    {
        // "parquet-mr version 1.2.8 (build ...)"; a bare "parquet-mr" (no version) is old too.
        const string prefix = "parquet-mr version ";
        if (createdBy is null || !createdBy.StartsWith("parquet-mr", StringComparison.Ordinal))
        {
            return false;
        }
        if (!createdBy.StartsWith(prefix, StringComparison.Ordinal))
        {
            return true;
        }
        string rest = createdBy[prefix.Length..];
        int space = rest.IndexOf(' ');
        string number = space < 0 ? rest : rest[..space];
        int dash = number.IndexOf('-');
        if (dash >= 0)
        {
            number = number[..dash];
        }
        return !Version.TryParse(number, out Version? v) || v < new Version(1, 2, 9);
    }

    internal static ColumnDecoder CreateDecoder(LeafPlan leaf, int rows, bool flat)
    {
        ColumnType type = leaf.Field.Type;
        // A nested leaf can be null under a null parent even when the leaf itself is required.
        bool nullable = leaf.Field.Nullable || !flat;
        ValueConversion conversion = leaf.Conversion;
        int fixedLength = leaf.Element.TypeLength ?? 0;
        return type switch
        {
            ColumnType.String or ColumnType.Binary => new ByteArrayDecoder(type, rows, nullable, conversion == ValueConversion.ByteArray ? 0 : fixedLength),
            ColumnType.Boolean => new PrimitiveDecoder<bool>(type, conversion, rows, nullable, fixedLength),
            ColumnType.Int32 or ColumnType.Date => new PrimitiveDecoder<int>(type, conversion, rows, nullable, fixedLength),
            ColumnType.Int64 or ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Time => new PrimitiveDecoder<long>(type, conversion, rows, nullable, fixedLength),
            ColumnType.Float => new PrimitiveDecoder<float>(type, conversion, rows, nullable, fixedLength),
            ColumnType.Double => new PrimitiveDecoder<double>(type, conversion, rows, nullable, fixedLength),
            ColumnType.Decimal => new PrimitiveDecoder<Int128>(type, conversion, rows, nullable, fixedLength),
            ColumnType.Int8 => new PrimitiveDecoder<sbyte>(type, conversion, rows, nullable, fixedLength),
            ColumnType.Int16 => new PrimitiveDecoder<short>(type, conversion, rows, nullable, fixedLength),
            ColumnType.UInt8 => new PrimitiveDecoder<byte>(type, conversion, rows, nullable, fixedLength),
            ColumnType.UInt16 => new PrimitiveDecoder<ushort>(type, conversion, rows, nullable, fixedLength),
            ColumnType.UInt32 => new PrimitiveDecoder<uint>(type, conversion, rows, nullable, fixedLength),
            ColumnType.UInt64 => new PrimitiveDecoder<ulong>(type, conversion, rows, nullable, fixedLength),
            ColumnType.Float16 => new PrimitiveDecoder<Half>(type, conversion, rows, nullable, fixedLength),
            ColumnType.Uuid => new PrimitiveDecoder<Guid>(type, conversion, rows, nullable, fixedLength),
            _ => throw new ParquetFormatException($"Column type {type} has no leaf decoder."),
        };
    }

    /// <summary>
    /// Parses the page headers up to the row group's row count, checking each body against the chunk's bytes and
    /// the value counts against the row count, so nothing is allocated from a count the data cannot back.
    /// </summary>
    private static List<PageRef> ScanPages(ReadOnlySpan<byte> chunk, int rows, bool flat, ChunkLocation location)
    {
        var pages = new List<PageRef>();
        long values = 0;
        int pos = 0;
        int index = 0;
        bool sawData = false;
        bool sawDictionary = false;
        while (values < rows)
        {
            location.Page = index;
            if (pos >= chunk.Length)
            {
                throw location.Error($"The column chunk ends after {values} values but the row group has {rows} rows.");
            }
            PageHeader header;
            int consumed;
            try
            {
                header = PageHeader.Parse(chunk[pos..], out consumed);
            }
            catch (ParquetFormatException ex)
            {
                throw location.Error($"The page header is corrupt: {ex.Message}", ex);
            }
            pos += consumed;
            int count = CheckPage(header, chunk.Length - pos, flat, rows - values, rows, ref sawData, ref sawDictionary, location);
            if (header.Type is PageType.DictionaryPage or PageType.DataPage or PageType.DataPageV2)
            {
                pages.Add(new PageRef(header, pos, index));
            }
            values += count;
            int size = header.CompressedPageSize;
            pos += size;
            index++;
        }
        return pages;
    }

    /// <summary>
    /// Checks one page header against the bytes left in its chunk (<paramref name="bytesLeft"/>, after the header) and
    /// the values still due (<paramref name="valuesLeft"/> of <paramref name="total"/>): sizes, the dictionary page
    /// coming first and once, a data page's value count. Returns the data page's values (0 for any other page).
    /// </summary>
    internal static int CheckPage(PageHeader header, long bytesLeft, bool flat, long valuesLeft, long total, ref bool sawData, ref bool sawDictionary, ChunkLocation location)
    {
        int size = header.CompressedPageSize;
        if (size < 0 || size > bytesLeft)
        {
            throw location.Error($"The page claims {size} stored bytes but {bytesLeft} remain in the column chunk.");
        }
        if (header.UncompressedPageSize < 0)
        {
            throw location.Error($"The page claims a negative uncompressed size ({header.UncompressedPageSize}).");
        }
        switch (header.Type)
        {
            case PageType.DictionaryPage:
                if (header.DictionaryPageHeader is null)
                {
                    throw location.Error("The dictionary page has no dictionary_page_header.");
                }
                if (sawData || sawDictionary)
                {
                    throw location.Error("A dictionary page appears after the first page of the column chunk; it must come first and only once.");
                }
                sawDictionary = true;
                return 0;
            case PageType.DataPage:
            case PageType.DataPageV2:
            {
                int count;
                if (header.Type == PageType.DataPage)
                {
                    count = header.DataPageHeader?.NumValues ?? throw location.Error("The data page has no data_page_header.");
                }
                else
                {
                    DataPageHeaderV2 v2 = header.DataPageHeaderV2 ?? throw location.Error("The version 2 data page has no data_page_header_v2.");
                    count = v2.NumValues;
                    if (flat && v2.NumRows != v2.NumValues)
                    {
                        throw location.Error($"The version 2 data page has {v2.NumValues} values in {v2.NumRows} rows; a flat column has one value per row.");
                    }
                }
                if (count < 0 || count > valuesLeft)
                {
                    throw location.Error(flat
                        ? $"The data page claims {count} values but only {valuesLeft} of the row group's {total} rows are left."
                        : $"The data page claims {count} values but only {valuesLeft} of the column chunk's {total} values are left.");
                }
                sawData = true;
                return count;
            }
            default:
                // Index pages and page types added after this reader carry nothing it needs.
                return 0;
        }
    }

    // A reservation is only a hint, so it never exceeds this multiple of the chunk's stored bytes: many pages with
    // lying uncompressed sizes cannot add up to one huge allocation before any of them is decompressed and checked.
    private const int MaxReservationPerStoredByte = 8;

    /// <summary>
    /// How many values, and about how many uncompressed bytes, the dictionary page and the data pages that are not
    /// dictionary-encoded hold. Each page's bytes are capped by what its stored bytes can decompress to, and the total
    /// by <see cref="MaxReservationPerStoredByte"/> times the chunk's size: a decoder that needs more grows later.
    /// </summary>
    private static (long Values, long Bytes) PlainPagesBound(ReadOnlySpan<byte> chunk, List<PageRef> pages, CompressionCodec codec)
    {
        long values = 0;
        long bytes = 0;
        foreach (PageRef page in pages)
        {
            PageHeader header = page.Header;
            (ParquetEncoding encoding, int count) = header.Type switch
            {
                PageType.DictionaryPage => (ParquetEncoding.Plain, header.DictionaryPageHeader!.NumValues),
                PageType.DataPage => (header.DataPageHeader!.Encoding, header.DataPageHeader.NumValues),
                _ => (header.DataPageHeaderV2!.Encoding, header.DataPageHeaderV2.NumValues),
            };
            if (encoding is ParquetEncoding.PlainDictionary or ParquetEncoding.RleDictionary)
            {
                continue;
            }
            values += Math.Max(count, 0);
            ReadOnlySpan<byte> body = chunk.Slice(page.BodyOffset, header.CompressedPageSize);
            bytes += Math.Min(header.UncompressedPageSize, PageCompression.MaxDecompressedLength(codec, body));
        }
        return (values, Math.Min(bytes, (long)chunk.Length * MaxReservationPerStoredByte));
    }

    internal static void DecodePages(ReadOnlyMemory<byte> chunk, List<PageRef> pages, CompressionCodec codec, ColumnDecoder decoder, LevelState levels, ChunkLocation location)
    {
        foreach (PageRef page in pages)
        {
            location.Page = page.Index;
            PageHeader header = page.Header;
            ReadOnlyMemory<byte> body = chunk.Slice(page.BodyOffset, header.CompressedPageSize);
            if (header.Crc is { } crc)
            {
                VerifyChecksum(body.Span, crc, location);
            }
            switch (header.Type)
            {
                case PageType.DictionaryPage:
                {
                    DictionaryPageHeader dict = header.DictionaryPageHeader!;
                    if (dict.Encoding is not (ParquetEncoding.Plain or ParquetEncoding.PlainDictionary))
                    {
                        throw location.Error($"The dictionary page is encoded with {ColumnDecoder.EncodingName(dict.Encoding)}; expected PLAIN or PLAIN_DICTIONARY.");
                    }
                    WithDecompressed(codec, body, header.UncompressedPageSize, location, (data, _) => decoder.ReadDictionary(data, dict.NumValues));
                    break;
                }
                case PageType.DataPage:
                {
                    DataPageHeader dph = header.DataPageHeader!;
                    int count = dph.NumValues;
                    WithDecompressed(codec, body, header.UncompressedPageSize, location, (data, _) => DecodeV1(data, dph, count, decoder, levels));
                    break;
                }
                case PageType.DataPageV2:
                {
                    DataPageHeaderV2 v2 = header.DataPageHeaderV2!;
                    DecodeV2(body, header, v2, codec, decoder, levels, location);
                    break;
                }
            }
        }
    }

    private static void VerifyChecksum(ReadOnlySpan<byte> body, int expected, ChunkLocation location)
    {
        uint actual = Crc32.Compute(body);
        if (actual != (uint)expected)
        {
            throw location.Error($"The page's CRC-32 checksum does not match: the header says 0x{(uint)expected:X8} but its {body.Length} stored bytes hash to 0x{actual:X8}; the page is corrupt.");
        }
    }

    private delegate void PageAction(ReadOnlySpan<byte> data, int unused);

    private static void WithDecompressed(CompressionCodec codec, ReadOnlyMemory<byte> body, int uncompressedSize, ChunkLocation location, PageAction action)
    {
        if (codec == CompressionCodec.Uncompressed)
        {
            action(body.Span, 0);
            return;
        }
        if (uncompressedSize > PageCompression.MaxDecompressedLength(codec, body.Span))
        {
            throw location.Error($"The page claims {uncompressedSize} uncompressed bytes, more than {body.Length} bytes of {PageCompression.CodecName(codec)} data can hold.");
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(uncompressedSize, 1));
        try
        {
            Span<byte> target = buffer.AsSpan(0, uncompressedSize);
            PageCompression.Decompress(codec, body, target);
            action(target, 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void DecodeV1(ReadOnlySpan<byte> data, DataPageHeader header, int count, ColumnDecoder decoder, LevelState levels)
    {
        int pos = 0;
        if (levels.RepBitWidth > 0)
        {
            pos += ReadV1Levels(data, header.RepetitionLevelEncoding, levels.RepBitWidth, levels.RepetitionTarget(count), "Repetition");
        }
        if (levels.DefBitWidth > 0)
        {
            pos += ReadV1Levels(data[pos..], header.DefinitionLevelEncoding, levels.DefBitWidth, levels.DefinitionTarget(count), "Definition");
        }
        ReadOnlySpan<int> validity = levels.Commit(count, out int nonNull, out int slotOffset, out int slotCount);
        decoder.ReadPage(header.Encoding, data[pos..], validity, nonNull, slotOffset, slotCount);
    }

    /// <summary>Decodes one level section of a version 1 page; returns the bytes it took.</summary>
    private static int ReadV1Levels(ReadOnlySpan<byte> data, ParquetEncoding encoding, int bitWidth, Span<int> target, string kind)
    {
        switch (encoding)
        {
            case ParquetEncoding.Rle:
            {
                if (data.Length < 4)
                {
                    throw new ParquetFormatException($"The page's {kind.ToLowerInvariant()} levels lack their 4-byte length prefix.");
                }
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(data);
                if (length > data.Length - 4)
                {
                    throw new ParquetFormatException($"The page's {kind.ToLowerInvariant()} levels claim {length} bytes but the page holds {data.Length - 4} after the prefix.");
                }
                new RleBitPackedDecoder(data.Slice(4, (int)length), bitWidth).Read(target);
                return 4 + (int)length;
            }
            case ParquetEncoding.BitPacked:
                BitPackedLevelDecoder.Decode(data, bitWidth, target);
                return (int)BitPackedLevelDecoder.ByteLength(target.Length, bitWidth);
            default:
                throw new ParquetFormatException($"{kind} levels are encoded with {ColumnDecoder.EncodingName(encoding)}; expected RLE or BIT_PACKED.");
        }
    }

    private static void DecodeV2(ReadOnlyMemory<byte> body, PageHeader header, DataPageHeaderV2 v2, CompressionCodec codec, ColumnDecoder decoder, LevelState levels, ChunkLocation location)
    {
        int repLength = v2.RepetitionLevelsByteLength;
        int defLength = v2.DefinitionLevelsByteLength;
        if (repLength < 0 || defLength < 0 || (long)repLength + defLength > body.Length)
        {
            throw location.Error($"The version 2 page's level sections ({repLength} + {defLength} bytes) do not fit its {body.Length} stored bytes.");
        }
        int levelBytes = repLength + defLength;
        int count = v2.NumValues;
        if (levels.RepBitWidth > 0)
        {
            new RleBitPackedDecoder(body.Span[..repLength], levels.RepBitWidth).Read(levels.RepetitionTarget(count));
        }
        if (levels.DefBitWidth > 0)
        {
            new RleBitPackedDecoder(body.Span.Slice(repLength, defLength), levels.DefBitWidth).Read(levels.DefinitionTarget(count));
        }
        int rowsBefore = levels.RowCount;
        ReadOnlySpan<int> validity = levels.Commit(count, out int nonNull, out int slotOffset, out int slotCount);
        if (!levels.IsFlat && levels.RowCount - rowsBefore != v2.NumRows)
        {
            throw location.Error($"The version 2 page header counts {v2.NumRows} rows but its repetition levels start {levels.RowCount - rowsBefore}.");
        }
        int leafNulls = slotCount - nonNull;
        if (levels.IsFlat && leafNulls != v2.NumNulls)
        {
            throw location.Error($"The version 2 page header counts {v2.NumNulls} nulls but its definition levels hold {leafNulls}.");
        }
        ReadOnlyMemory<byte> values = body[levelBytes..];
        int valuesSize = header.UncompressedPageSize - levelBytes;
        if (valuesSize < 0)
        {
            throw location.Error($"The version 2 page's uncompressed size {header.UncompressedPageSize} is smaller than its {levelBytes} level bytes.");
        }
        bool compressed = v2.IsCompressed && codec != CompressionCodec.Uncompressed;
        if (!compressed || (valuesSize == 0 && values.Length == 0))
        {
            decoder.ReadPage(v2.Encoding, values.Span, validity, nonNull, slotOffset, slotCount);
            return;
        }
        // The callback cannot capture a span: hand it the validity in a pooled copy.
        int[] copy = ArrayPool<int>.Shared.Rent(Math.Max(validity.Length, 1));
        try
        {
            validity.CopyTo(copy);
            int length = validity.Length;
            WithDecompressed(codec, values, valuesSize, location, (data, _) =>
                decoder.ReadPage(v2.Encoding, data, copy.AsSpan(0, length), nonNull, slotOffset, slotCount));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(copy);
        }
    }
}
