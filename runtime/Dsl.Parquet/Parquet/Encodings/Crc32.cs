namespace Dsl.Parquet.Encodings;

/// <summary>
/// CRC-32 (the ISO-HDLC / zlib polynomial 0xEDB88320) that Parquet page headers carry over a page's stored bytes.
/// System.IO.Hashing folds 64 bytes at a time with carry-less multiplies where the CPU has them; sliced tables, which
/// this replaced, spent 13% of the sample pipeline's single-thread time on checksums (docs/benchmarks/pipeline.md).
/// </summary>
internal static class Crc32
{
    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);

    /// <summary>The CRC-32 of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(first);
        crc.Append(second);
        return crc.GetCurrentHashAsUInt32();
    }
}
