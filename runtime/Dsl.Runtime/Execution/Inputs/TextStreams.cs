using System.IO.Compression;
using System.Text;

namespace Dsl.Execution.Inputs;

/// <summary>Opening the bytes of a text input file: a byte range of the file, or of its decompressed content for gzip.</summary>
internal static class TextStreams
{
    /// <summary>UTF-8 that throws on invalid bytes instead of replacing them with U+FFFD (which would be a silently wrong value).</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The byte order mark some editors put at the start of UTF-8 files.</summary>
    public static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// A read-only stream of bytes <paramref name="start"/> to <paramref name="end"/> of the (decompressed) file. At
    /// offset 0 a UTF-8 byte order mark is skipped. A gzip file is decompressed from its start and the bytes before
    /// <paramref name="start"/> are discarded (gzip cannot seek), which is why a gzip file is never split.
    /// </summary>
    public static Stream OpenRange(string path, bool compressed, long start, long end)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        try
        {
            Stream source = file;
            if (compressed)
            {
                source = new GZipStream(file, CompressionMode.Decompress);
                Skip(source, start);
            }
            else
            {
                file.Position = start;
            }
            var range = new RangeStream(source, end - start);
            if (start == 0)
            {
                SkipBom(range);
            }
            return range;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static void Skip(Stream stream, long count)
    {
        byte[] scratch = new byte[Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            int read = stream.Read(scratch, 0, (int)Math.Min(count, scratch.Length));
            if (read == 0)
            {
                throw new IOException("The file ended before the planned range; it changed since the run was planned.");
            }
            count -= read;
        }
    }

    private static void SkipBom(RangeStream range)
    {
        Span<byte> head = stackalloc byte[3];
        int got = range.Peek(head);
        if (got == 3 && head.SequenceEqual(Bom))
        {
            range.Discard(3);
        }
    }

    /// <summary>At most <c>length</c> bytes of an inner stream, read forwards, with a small look-ahead for the BOM check.</summary>
    private sealed class RangeStream(Stream inner, long length) : ForwardReadStream
    {
        private long _left = length;
        private readonly byte[] _ahead = new byte[3];
        private int _aheadStart;
        private int _aheadCount;

        public int Peek(Span<byte> into)
        {
            while (_aheadCount < into.Length && _left > _aheadCount)
            {
                int read = inner.Read(_ahead, _aheadCount, Math.Min(into.Length, (int)Math.Min(_left, _ahead.Length)) - _aheadCount);
                if (read == 0)
                {
                    break;
                }
                _aheadCount += read;
            }
            _ahead.AsSpan(0, _aheadCount).CopyTo(into);
            return _aheadCount;
        }

        public void Discard(int count)
        {
            _aheadStart += count;
            _aheadCount -= count;
            _left -= count;
        }

        public override int Read(Span<byte> buffer)
        {
            if (_left <= 0 || buffer.IsEmpty)
            {
                return 0;
            }
            if (_aheadCount > 0)
            {
                int n = Math.Min(_aheadCount, buffer.Length);
                _ahead.AsSpan(_aheadStart, n).CopyTo(buffer);
                _aheadStart += n;
                _aheadCount -= n;
                _left -= n;
                return n;
            }
            int read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= read;
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
