using System.Security.Cryptography;

namespace Dsl.Execution.Commit;

/// <summary>
/// A file written for the commit protocol: every write goes through the <see cref="FaultPlan"/>, the bytes are hashed
/// (SHA-256) on the way out, and <see cref="Complete"/> flushes them to disk before the file is named anywhere.
/// </summary>
internal sealed class DurableFile : Stream
{
    private readonly FileStream _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly FaultPlan _faults;
    private readonly string _path;
    private bool _writeChecked;

    public DurableFile(string path, FaultPlan faults)
    {
        _path = path;
        _faults = faults;
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    /// <summary>Writes <paramref name="bytes"/> to a new file at <paramref name="path"/> and makes it durable.</summary>
    public static (long Bytes, string Sha256) WriteAll(string path, ReadOnlySpan<byte> bytes, FaultPlan faults)
    {
        using var file = new DurableFile(path, faults);
        file.Write(bytes);
        return file.Complete();
    }

    /// <summary>Flushes the file to disk; returns its length and SHA-256 (lowercase hex).</summary>
    public (long Bytes, string Sha256) Complete()
    {
        _file.Flush();
        _faults.Check(StorageOperation.Fsync, _path);
        _file.Flush(flushToDisk: true);
        return (_file.Length, Convert.ToHexStringLower(_hash.GetHashAndReset()));
    }

    /// <summary>
    /// Hands the bytes to the operating system without waiting for the disk; returns the length and SHA-256. The file
    /// must go through <see cref="FlushAll"/> before anything names it.
    /// </summary>
    public (long Bytes, string Sha256) Finish()
    {
        _file.Flush();
        return (_file.Length, Convert.ToHexStringLower(_hash.GetHashAndReset()));
    }

    /// <summary>When more files or folders than this are to be flushed at once, one syncfs of their file system does it.</summary>
    public const int SyncFileSystemAbove = 32;

    /// <summary>
    /// Makes <paramref name="paths"/> (files that <see cref="Finish"/>ed, or folders) durable: each is fsynced, or,
    /// when there are more than <see cref="SyncFileSystemAbove"/>, their file system is flushed in one call (at
    /// 6 ms an fsync here, 10,000 partition folders would otherwise take a minute). All must lie on the file system
    /// of <paramref name="root"/>.
    /// </summary>
    public static void FlushAll(IReadOnlyCollection<string> paths, string root, bool folders, FaultPlan faults)
    {
        if (paths.Count > SyncFileSystemAbove)
        {
            faults.Check(StorageOperation.Fsync, root);
            if (NativeFileSystem.TrySyncFileSystem(root))
            {
                return;
            }
        }
        foreach (string path in paths)
        {
            if (folders)
            {
                faults.Check(StorageOperation.Fsync, path);
                NativeFileSystem.FsyncDirectory(path);
            }
            else
            {
                faults.Check(StorageOperation.Fsync, path);
                using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
                file.Flush(flushToDisk: true);
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!_writeChecked)
        {
            // One check per file, at its first write (where a full disk shows): a fault plan counts files, not buffers.
            _writeChecked = true;
            _faults.Check(StorageOperation.Write, _path);
        }
        _hash.AppendData(buffer);
        _file.Write(buffer);
    }

    public override void Flush() => _file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
