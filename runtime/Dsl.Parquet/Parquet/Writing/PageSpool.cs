namespace Dsl.Parquet.Writing;

/// <summary>
/// A column chunk's finished pages (headers and stored bytes), held until the row group is written: the chunks of a
/// row group lie one after another in the file, so a column's pages wait for the columns before it. Blocks of 64 KiB
/// stay off the large-object heap and are kept for the next chunk.
/// </summary>
internal sealed class PageSpool
{
    private const int BlockSize = 64 << 10;
    private readonly List<byte[]> _blocks = [];

    /// <summary>Bytes held.</summary>
    public long Length { get; private set; }

    /// <summary>Bytes of the blocks allocated, in use or kept for the next chunk.</summary>
    public long Capacity => (long)_blocks.Count * BlockSize;

    /// <summary>Gives the kept blocks back to the GC when nothing is held (a writer that is not the only one open).</summary>
    public void Release()
    {
        if (Length == 0)
        {
            _blocks.Clear();
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int block = (int)(Length / BlockSize);
            int offset = (int)(Length % BlockSize);
            if (block == _blocks.Count)
            {
                _blocks.Add(new byte[BlockSize]);
            }
            int n = Math.Min(BlockSize - offset, data.Length);
            data[..n].CopyTo(_blocks[block].AsSpan(offset));
            data = data[n..];
            Length += n;
        }
    }

    /// <summary>Writes the held bytes to <paramref name="sink"/> and empties the spool (its blocks are kept).</summary>
    public void MoveTo(CountingSink sink)
    {
        long left = Length;
        for (int i = 0; left > 0; i++)
        {
            int n = (int)Math.Min(BlockSize, left);
            sink.Write(_blocks[i].AsSpan(0, n));
            left -= n;
        }
        Length = 0;
    }
}
