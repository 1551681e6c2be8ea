using System.Buffers;
using Dsl.Validation;

namespace Dsl.Barriers.Keys;

/// <summary>The encoded keys of a batch's rows (<see cref="KeyEncoder.Encode"/>), in pooled buffers returned on dispose.</summary>
internal sealed class EncodedKeys : IDisposable
{
    private byte[]? _buffer;
    private int[]? _starts;
    private readonly int _prefix;
    private readonly bool[]? _nulls;

    internal EncodedKeys(byte[] buffer, int[] starts, int rows, int prefix, bool[]? nulls)
    {
        _buffer = buffer;
        _starts = starts;
        Rows = rows;
        _prefix = prefix;
        _nulls = nulls;
    }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>Row <paramref name="row"/>'s key bytes, without the prefix.</summary>
    public ReadOnlySpan<byte> Key(int row) => Whole(row)[_prefix..];

    /// <summary>Row <paramref name="row"/>'s bytes: the prefix, then the key.</summary>
    public ReadOnlySpan<byte> Whole(int row)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        int start = _starts![row];
        return _buffer.AsSpan(start, _starts[row + 1] - start);
    }

    /// <summary>Whether some key column of row <paramref name="row"/> is null.</summary>
    public bool HasNull(int row) => _nulls is not null && _nulls[row];

    /// <summary>
    /// The 64-bit hash of row <paramref name="row"/>'s key bytes (the first word of MurmurHash3 x64 128, seed 0, as
    /// <see cref="KeyHash"/>): what buckets are chosen by, the same in every process.
    /// </summary>
    public ulong Hash(int row) => (ulong)KeyHash.Hash(Key(row));

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            ArrayPool<int>.Shared.Return(_starts!);
            _buffer = null;
            _starts = null;
        }
    }
}
