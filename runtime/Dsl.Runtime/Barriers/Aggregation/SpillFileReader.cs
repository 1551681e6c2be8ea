using System.Buffers.Binary;

namespace Dsl.Barriers.Aggregation;

/// <summary>Reads the records of one spill file in the order they were written, checking every block.</summary>
internal sealed class SpillFileReader : IDisposable
{
    private const int MaxBlockBytes = 1 << 30;

    private readonly FileStream _stream;
    private byte[] _block = new byte[SpillFile.BlockBytes * 2];
    private int _blockLength;
    private int _position;
    private long _records;
    private bool _ended;

    public SpillFileReader(string path, ulong fingerprint)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            Span<byte> header = stackalloc byte[SpillFile.HeaderBytes];
            if (_stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header[..8].SequenceEqual(SpillFile.Magic))
            {
                throw SpillFile.Damaged(path, "it does not start with the aggregate spill header");
            }
            int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
            if (version != SpillFile.Version)
            {
                throw SpillFile.Damaged(path, $"it has format version {version}, and this runtime reads version {SpillFile.Version}");
            }
            if (BinaryPrimitives.ReadUInt64LittleEndian(header[12..]) != fingerprint)
            {
                throw SpillFile.Damaged(path, "it was written for another aggregate stage or another version of this one");
            }
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>The next record (without its length), or false at the end marker.</summary>
    public bool TryRead(out ReadOnlySpan<byte> record)
    {
        while (_position == _blockLength)
        {
            if (_ended || !ReadBlock())
            {
                record = default;
                return false;
            }
        }
        if (_blockLength - _position < 4)
        {
            throw SpillFile.Damaged(Path, "a record's length is cut off");
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(_block.AsSpan(_position));
        if (length < 0 || length > _blockLength - _position - 4)
        {
            throw SpillFile.Damaged(Path, $"a record claims {length} bytes, more than its block holds");
        }
        record = _block.AsSpan(_position + 4, length);
        _position += 4 + length;
        _records++;
        return true;
    }

    public void Dispose() => _stream.Dispose();

    private bool ReadBlock()
    {
        Span<byte> header = stackalloc byte[SpillFile.BlockHeaderBytes];
        if (_stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
        {
            throw SpillFile.Damaged(Path, $"it ends after {_records} records without its end marker");
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length == 0)
        {
            long written = BinaryPrimitives.ReadInt64LittleEndian(header[4..]);
            if (written != _records)
            {
                throw SpillFile.Damaged(Path, $"its end marker counts {written} records but {_records} were read");
            }
            if (_stream.Position != _stream.Length)
            {
                throw SpillFile.Damaged(Path, "bytes follow its end marker");
            }
            _ended = true;
            return false;
        }
        if (length < 0 || length > MaxBlockBytes)
        {
            throw SpillFile.Damaged(Path, $"a block claims {length} bytes");
        }
        if (_block.Length < length)
        {
            _block = new byte[length];
        }
        if (_stream.ReadAtLeast(_block.AsSpan(0, length), length, throwOnEndOfStream: false) < length)
        {
            throw SpillFile.Damaged(Path, $"a block of {length} bytes is cut off after {_records} records");
        }
        if (SpillFile.Checksum(_block.AsSpan(0, length)) != BinaryPrimitives.ReadUInt64LittleEndian(header[4..]))
        {
            throw SpillFile.Damaged(Path, $"a block after {_records} records does not match its checksum");
        }
        _blockLength = length;
        _position = 0;
        return true;
    }
}
