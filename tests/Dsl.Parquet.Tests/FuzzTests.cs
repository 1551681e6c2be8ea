using System.Text;
using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Tests;

/// <summary>
/// Seeded mutations (truncations, byte flips, spliced ranges, extreme integers over headers) of a few good files:
/// every variant must read or throw <see cref="ParquetFormatException"/>, finish quickly, and allocate no more than
/// a small multiple of its size.
/// </summary>
public class FuzzTests
{
    // DSL_FUZZ_VARIANTS and DSL_FUZZ_SEED widen a local run; the default keeps the suite fast and deterministic.
    private static readonly int Variants = int.TryParse(Environment.GetEnvironmentVariable("DSL_FUZZ_VARIANTS"), out int n) ? n : 2000;
    private static readonly int BaseSeed = int.TryParse(Environment.GetEnvironmentVariable("DSL_FUZZ_SEED"), out int s) ? s : 20261122;
    private const long AllocationLimit = 64L << 20;

    private static readonly string[] Seeds =
    [
        "alltypes_plain.parquet",
        "alltypes_plain.snappy.parquet",
        "alltypes_dictionary.parquet",
        "nation.dict-malformed.parquet",
        "rle_boolean_encoding.parquet",
        "int32_with_null_pages.parquet",
        "datapage_v2_empty_datapage.snappy.parquet",
        "concatenated_gzip_members.parquet",
        // Nested: repetition and definition levels, lists, maps and structs to several levels.
        "nullable.impala.parquet",
        "nested_lists.snappy.parquet",
        "nested_maps.snappy.parquet",
        "list_columns.parquet",
        "repeated_no_annotation.parquet",
        // Logical types stored as FIXED_LEN_BYTE_ARRAY and BYTE_ARRAY.
        "fixed_length_decimal.parquet",
        "byte_array_decimal.parquet",
        "float16_nonzeros_and_nans.parquet",
        "delta_length_byte_array.parquet",
        "delta_encoding_required_column.parquet",
        "byte_stream_split.zstd.parquet",
        "lz4_raw_compressed.parquet",
        "hadoop_lz4_compressed.parquet",
        "non_hadoop_lz4_compressed.parquet",
        "datapage_v1-snappy-compressed-checksum.parquet",
    ];

    [Fact]
    public async Task MutatedFiles_ReadOrThrowParquetFormatException()
    {
        var seeds = new List<byte[]>(Seeds.Select(name => File.ReadAllBytes(TestFiles.Path(name))))
        {
            WrittenSeed(CompressionCodec.Gzip),
            WrittenSeed(CompressionCodec.Snappy),
            WrittenNestedSeed(),
            WrittenSeed(CompressionCodec.Zstd, pageVersion: 2, checksums: true, IntegerEncoding.DeltaBinaryPacked),
            WrittenSeed(CompressionCodec.Brotli, pageVersion: 1, checksums: false, IntegerEncoding.DeltaBinaryPacked),
            WrittenSeed(CompressionCodec.Lz4Raw, pageVersion: 2, checksums: false, IntegerEncoding.Auto),
        };
        var failures = new List<string>();
        int formatErrors = 0;
        int reads = 0;
        for (int i = 0; i < Variants; i++)
        {
            var random = new Random(BaseSeed + i);
            int seedIndex = random.Next(seeds.Count);
            byte[] variant = Mutate(seeds[seedIndex], random, out string how);
            string what = $"variant {i} (seed {seedIndex}, {how})";
            long allocated = 0;
            try
            {
                ParquetFormatException? error = await Guard.ReadOrFormatError(
                    () =>
                    {
                        long before = GC.GetAllocatedBytesForCurrentThread();
                        try
                        {
                            using var reader = new ParquetFileReader(new MemoryStream(variant), name: "fuzz");
                            ParquetAssert.ReadAll(reader);
                        }
                        finally
                        {
                            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                        }
                    },
                    TimeSpan.FromSeconds(10),
                    what);
                if (error is null)
                {
                    reads++;
                }
                else
                {
                    formatErrors++;
                    if (!error.Message.EndsWith('.'))
                    {
                        failures.Add($"{what}: message does not end with a period: {error.Message}");
                    }
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                failures.Add($"{what}: {ex.GetType().Name}: {ex.Message}");
            }
            if (allocated > AllocationLimit + (variant.Length * 1100L))
            {
                failures.Add($"{what}: allocated {allocated} bytes for a {variant.Length}-byte file.");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Variants} variants failed:\n" + string.Join("\n", failures.Take(20)));
        // The mutations must exercise both outcomes, or the test proves little.
        Assert.True(reads > Variants / 40, $"Only {reads} variants were readable.");
        Assert.True(formatErrors > Variants / 4, $"Only {formatErrors} variants were rejected.");
    }

    private static byte[] Mutate(byte[] seed, Random random, out string how)
    {
        byte[] data = (byte[])seed.Clone();
        int footerLength = BitConverter.ToInt32(seed, seed.Length - 8);
        int footerStart = seed.Length - 8 - footerLength;
        switch (random.Next(6))
        {
            case 0:
            {
                int length = random.Next(data.Length);
                how = $"truncated to {length}";
                return data[..length];
            }
            case 1:
            {
                var sb = new StringBuilder("flipped");
                int flips = 1 + random.Next(4);
                for (int f = 0; f < flips; f++)
                {
                    int at = random.Next(data.Length);
                    data[at] ^= (byte)(1 << random.Next(8));
                    sb.Append(' ').Append(at);
                }
                how = sb.ToString();
                return data;
            }
            case 2:
            {
                int flips = 1 + random.Next(3);
                var sb = new StringBuilder("footer flipped");
                for (int f = 0; f < flips; f++)
                {
                    int at = footerStart + random.Next(footerLength);
                    data[at] = (byte)random.Next(256);
                    sb.Append(' ').Append(at);
                }
                how = sb.ToString();
                return data;
            }
            case 3:
            {
                int flips = 1 + random.Next(3);
                var sb = new StringBuilder("pages flipped");
                for (int f = 0; f < flips; f++)
                {
                    int at = 4 + random.Next(Math.Max(1, footerStart - 4));
                    data[at] = (byte)random.Next(256);
                    sb.Append(' ').Append(at);
                }
                how = sb.ToString();
                return data;
            }
            case 4:
            {
                // A varint-sized window overwritten with a huge or negative number, as a lying length would be.
                byte[][] extremes = [[0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0xFE, 0xFF, 0xFF, 0xFF, 0x0F], [0x80, 0x80, 0x80, 0x80, 0x08], [0xFF, 0xFF, 0xFF, 0x7F], [0x00]];
                byte[] value = extremes[random.Next(extremes.Length)];
                int at = random.Next(Math.Max(1, data.Length - value.Length));
                value.CopyTo(data, at);
                how = $"extreme at {at}";
                return data;
            }
            default:
            {
                // Remove a range from the middle: every offset after it now points elsewhere.
                int start = 4 + random.Next(Math.Max(1, data.Length - 16));
                int length = 1 + random.Next(Math.Min(64, data.Length - start - 1));
                how = $"removed {length} at {start}";
                return [.. data.AsSpan(0, start), .. data.AsSpan(start + length)];
            }
        }
    }

    // nullable.impala rewritten by our writer: nested levels across many small pages.
    private static byte[] WrittenNestedSeed()
    {
        using var reader = new ParquetFileReader(TestFiles.Path("nullable.impala.parquet"));
        using var stream = new MemoryStream();
        using (var writer = new ParquetFileWriter(stream, reader.Schema, new ParquetWriteOptions { DataPageSize = 40, RowGroupRows = 4 }, leaveOpen: true))
        {
            foreach (RecordBatch batch in reader.ReadBatches())
            {
                using (batch)
                {
                    writer.WriteBatch(batch);
                }
            }
        }
        return stream.ToArray();
    }

    private static byte[] WrittenSeed(CompressionCodec codec, int pageVersion = 1, bool checksums = false, IntegerEncoding integers = IntegerEncoding.Auto)
    {
        using var stream = new MemoryStream();
        var options = new ParquetWriteOptions
        {
            Compression = codec,
            RowGroupRows = 20,
            DataPageSize = 40,
            DataPageVersion = pageVersion,
            WritePageChecksums = checksums,
            IntegerEncoding = integers,
        };
        using (var writer = new ParquetFileWriter(stream, BatchFactory.AllTypes, options, leaveOpen: true))
        {
            using RecordBatch batch = BatchFactory.Create(0, 45, 3, distinctStrings: 5);
            writer.WriteBatch(batch);
        }
        return stream.ToArray();
    }
}
