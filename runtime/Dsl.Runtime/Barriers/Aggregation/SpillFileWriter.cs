using System.Buffers.Binary;

namespace Dsl.Barriers.Aggregation;

/// <summary>Appends group records to one spill file (<see cref="SpillFile"/>), a block at a time.</summary>
internal sealed class SpillFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly SpillBuffer _block = new();
    private int _recordStart = -1;
    private bool _finished;

    public SpillFileWriter(string path, ulong fingerprint)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        Span<byte> header = stackalloc byte[SpillFile.HeaderBytes];
        SpillFile.WriteHeader(header, fingerprint);
        _stream.Write(header);
    }

    public string Path { get; }

    /// <summary>The records written.</summary>
    public long Records { get; private set; }

    /// <summary>Starts a record of <paramref name="key"/>; write its states into the returned buffer, then call <see cref="EndRecord"/>.</summary>
    public SpillBuffer BeginRecord(ReadOnlySpan<byte> key, ulong hash)
    {
        _recordStart = _block.ReserveLength();
        _block.WriteBytes(key);
        _block.WriteUInt64(hash);
        return _block;
    }

    public void EndRecord()
    {
        _block.PatchLength(_recordStart);
        _recordStart = -1;
        Records++;
        if (_block.Length >= SpillFile.BlockBytes)
        {
            FlushBlock();
        }
    }

    /// <summary>Copies a record read from another spill file of the same layout.</summary>
    public void WriteRecord(ReadOnlySpan<byte> record)
    {
        _block.WriteInt32(record.Length);
        _block.WriteRaw(record);
        Records++;
        if (_block.Length >= SpillFile.BlockBytes)
        {
            FlushBlock();
        }
    }

    /// <summary>Writes the last block and the end marker and closes the file, flushed to the disk when <paramref name="durable"/>.</summary>
    /// <returns>The file's length.</returns>
    public long Finish(bool durable)
    {
        FlushBlock();
        Span<byte> end = stackalloc byte[SpillFile.BlockHeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(end, 0);
        BinaryPrimitives.WriteInt64LittleEndian(end[4..], Records);
        _stream.Write(end);
        _stream.Flush(flushToDisk: durable);
        long length = _stream.Length;
        _stream.Dispose();
        _finished = true;
        return length;
    }

    /// <summary>Closes the file; one not finished is deleted, as its end marker is missing.</summary>
    public void Dispose()
    {
        if (!_finished)
        {
            _finished = true;
            _stream.Dispose();
            File.Delete(Path);
        }
    }

    private void FlushBlock()
    {
        if (_block.Length == 0)
        {
            return;
        }
        Span<byte> header = stackalloc byte[SpillFile.BlockHeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(header, _block.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(header[4..], SpillFile.Checksum(_block.Written));
        _stream.Write(header);
        _stream.Write(_block.Written);
        _block.Clear();
    }
}
