namespace Dsl.Parquet.Writing;

/// <summary>Writes to a stream and counts the bytes, so offsets are known without seeking.</summary>
internal sealed class CountingSink
{
    private readonly Stream _stream;

    public CountingSink(Stream stream, long start)
    {
        _stream = stream;
        Position = start;
    }

    /// <summary>Bytes written so far (the file offset of the next byte).</summary>
    public long Position { get; private set; }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        Position += bytes.Length;
    }

    public void Flush() => _stream.Flush();
}
