using System.Buffers;
using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Writing;

/// <summary>
/// The buffers one writer encodes and compresses its pages in, shared by all its columns (a writer pages one column at
/// a time). Kept for the writer's life, so pages of a megabyte do not each allocate on the large-object heap.
/// </summary>
internal sealed class PageScratch
{
    /// <summary>A page's body as it is compressed: levels and values (v1), or just the levels (v2).</summary>
    public ArrayBufferWriter<byte> Body { get; } = new(4096);

    /// <summary>A page's encoded values.</summary>
    public ArrayBufferWriter<byte> Values { get; } = new(4096);

    /// <summary>A page's RLE repetition levels.</summary>
    public ArrayBufferWriter<byte> Repetition { get; } = new(256);

    /// <summary>A page's RLE definition levels.</summary>
    public ArrayBufferWriter<byte> Definition { get; } = new(256);

    /// <summary>Levels widened to ints for the RLE encoder.</summary>
    public int[] Levels = [];

    /// <summary>Page headers as they are encoded.</summary>
    public ThriftCompactWriter Thrift { get; } = new();

    /// <summary>The compressed page.</summary>
    public byte[] Compressed = [];
}
