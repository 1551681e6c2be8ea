using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Dsl.Execution.Commit;
using nietras.SeparatedValues;

namespace Dsl.Execution.Inputs;

/// <summary>A byte range of whole records of a text file: the unit of a text partition.</summary>
/// <param name="Start">Offset of the first record (the start of a line).</param>
/// <param name="End">Offset just past the last record.</param>
/// <param name="FirstLine">The 1-based line number at <paramref name="Start"/>.</param>
/// <param name="Rows">Records in the range (blank lines are not records).</param>
internal sealed record TextRange(long Start, long End, long FirstLine, long Rows);

/// <summary>What one pass over a text file found: its fingerprint, the CSV header, and where it may be split.</summary>
/// <param name="Fingerprint">Size, modification time and SHA-256 of the whole file.</param>
/// <param name="Header">For CSV: the column names of the header row, unquoted.</param>
/// <param name="Ranges">Ranges of data records, in file order, none empty.</param>
internal sealed record TextFileLayout(FileFingerprint Fingerprint, IReadOnlyList<string>? Header, IReadOnlyList<TextRange> Ranges);

/// <summary>
/// Reads a CSV or JSON Lines file once, streaming, before the run: hashes it for the run's fingerprint, checks that it
/// is UTF-8 and that no record is longer than the limit, finds every record boundary (a line end outside quotes, for
/// CSV; quotes are counted the way Sep counts them, so both agree on where records end), counts records, and cuts
/// the file into ranges of whole records so one large file is read by several tasks at once. Errors found here
/// (an unclosed quote, a byte that is not UTF-8, a record too long) name the file and line before any task starts.
/// </summary>
/// <remarks>
/// A CSV file cannot be split at an arbitrary offset: a line end inside a quoted field is not a record end, and
/// whether an offset is inside quotes depends on every quote before it. One scan from the start settles that, at the
/// cost of reading the file twice (once here, once to parse it); the scan runs at memory speed on cached pages and
/// also yields the exact row counts the executor plans with.
/// </remarks>
internal sealed class TextFileScanner
{
    private readonly int _chunkBytes;

    private readonly string _path;
    private readonly bool _csv;
    private readonly long _targetRows;
    private readonly long _targetBytes;
    private readonly int _maxRecordBytes;
    private readonly List<TextRange> _ranges = [];

    private long _line = 1;
    private long _recordStart;
    private long _recordLine = 1;
    private bool _recordContent;
    private bool _inQuote;
    private long _quoteLine;
    private long _rangeStart;
    private long _rangeLine = 1;
    private long _rangeRows;
    private string[]? _header;
    private readonly MemoryStream _headerBytes = new();

    private TextFileScanner(string path, InputFormat format, long targetRows, long targetBytes, int maxRecordBytes, int chunkBytes)
    {
        _chunkBytes = chunkBytes;
        _path = path;
        _csv = format == InputFormat.Csv;
        _targetRows = Math.Max(1, targetRows);
        _targetBytes = Math.Max(1, targetBytes);
        _maxRecordBytes = maxRecordBytes;
    }

    /// <summary>
    /// Scans <paramref name="path"/>; a gzip file is scanned decompressed and yields a single range (it cannot be split).
    /// <paramref name="chunkBytes"/> is the read size (tests make it tiny to put every boundary case at a chunk's edge).
    /// </summary>
    public static TextFileLayout Scan(string path, InputFormat format, bool compressed, long targetRows, long targetBytes, int maxRecordBytes, int chunkBytes = 1 << 20)
    {
        var scanner = new TextFileScanner(path, format, compressed ? long.MaxValue : targetRows, compressed ? long.MaxValue : targetBytes, maxRecordBytes, chunkBytes);
        return scanner.Run(compressed);
    }

    private TextFileLayout Run(bool compressed)
    {
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        long length = file.Length;
        DateTime lastWrite = File.GetLastWriteTimeUtc(_path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var hashed = new HashingStream(file, hash);
        using Stream text = compressed ? new GZipStream(hashed, CompressionMode.Decompress, leaveOpen: true) : hashed;
        Decoder utf8 = TextStreams.StrictUtf8.GetDecoder();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(_chunkBytes, 3) + 1);
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Min(Math.Max(_chunkBytes, 3) + 1, 1 << 16));
        try
        {
            long offset = 0; // offset of buffer[0] in the (decompressed) text
            int carried = 0; // a '\r' held back from the previous chunk, to see whether '\n' follows
            bool first = true;
            while (true)
            {
                int read;
                // The first read holds at least the 3 bytes of a byte order mark.
                int want = first ? Math.Max(3, _chunkBytes) : _chunkBytes;
                try
                {
                    read = text.ReadAtLeast(buffer.AsSpan(carried, want), want, throwOnEndOfStream: false);
                }
                catch (InvalidDataException e)
                {
                    throw new PipelineExecutionException($"Input file '{_path}' is not a valid gzip file ({e.Message}). Decompress it, or remove the .gz from its name if it is not compressed.", e);
                }
                bool end = read < want;
                int count = carried + read;
                Span<byte> chunk = buffer.AsSpan(0, count);
                int start = 0;
                if (first)
                {
                    first = false;
                    if (chunk.StartsWith(TextStreams.Bom))
                    {
                        start = 3;
                        _recordStart = 3;
                    }
                }
                CheckUtf8(utf8, chars, chunk[carried..], offset + carried, end);
                carried = !end && count > 0 && chunk[^1] == '\r' ? 1 : 0;
                Process(chunk[start..(count - carried)], offset + start);
                if (!end && offset + count - carried - _recordStart > _maxRecordBytes)
                {
                    throw TooLong();
                }
                if (end)
                {
                    Finish(offset + count);
                    break;
                }
                if (carried == 1)
                {
                    buffer[0] = (byte)'\r';
                }
                offset += count - carried;
            }
            // Gzip may stop reading before the file's end (trailing bytes): hash the whole file all the same.
            hashed.CopyTo(Stream.Null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
        var fingerprint = new FileFingerprint(Path.GetFullPath(_path), length, lastWrite, Convert.ToHexStringLower(hash.GetHashAndReset())) { WholeFile = true };
        return new TextFileLayout(fingerprint, _header, _ranges);
    }

    // Bytes [offset, offset + chunk.Length) of the text, none of them a '\r' whose '\n' may be in the next chunk.
    private void Process(ReadOnlySpan<byte> chunk, long offset)
    {
        ReadOnlySpan<byte> specials = _csv ? "\"\r\n"u8 : "\n"u8;
        int i = 0;
        while (i < chunk.Length)
        {
            int rel = chunk[i..].IndexOfAny(specials);
            ReadOnlySpan<byte> plain = rel < 0 ? chunk[i..] : chunk.Slice(i, rel);
            if (!_recordContent && !plain.IsEmpty)
            {
                _recordContent = _csv || plain.IndexOfAnyExcept(" \t\r"u8) >= 0;
            }
            if (rel < 0)
            {
                CaptureHeader(chunk[i..]);
                return;
            }
            int at = i + rel;
            byte c = chunk[at];
            if (c == '"')
            {
                _inQuote = !_inQuote;
                if (_inQuote)
                {
                    _quoteLine = _line;
                }
                _recordContent = true;
                CaptureHeader(chunk.Slice(i, rel + 1));
                i = at + 1;
                continue;
            }
            int terminator = c == '\r' && at + 1 < chunk.Length && chunk[at + 1] == '\n' ? 2 : 1;
            _line++;
            if (_inQuote)
            {
                // A line end inside a quoted field is part of the value, not the end of the record.
                _recordContent = true;
                CaptureHeader(chunk.Slice(i, rel + terminator));
                i = at + terminator;
                continue;
            }
            CaptureHeader(chunk.Slice(i, rel));
            EndRecord(offset + at, offset + at + terminator);
            i = at + terminator;
        }
    }

    // The header's bytes, kept until the header record ends (it may span chunks).
    private void CaptureHeader(ReadOnlySpan<byte> bytes)
    {
        if (_csv && _header is null)
        {
            _headerBytes.Write(bytes);
        }
    }

    private void EndRecord(long end, long next)
    {
        if (end - _recordStart > _maxRecordBytes)
        {
            throw TooLong();
        }
        // In a one-column CSV an empty line is a row whose one field is empty (DuckDB reads it so); elsewhere it is skipped.
        bool record = _recordContent || (_csv && _header is { Length: 1 });
        if (record && _csv && _header is null)
        {
            _header = ParseHeader();
            _rangeStart = next;
            _rangeLine = _line;
        }
        else if (record)
        {
            _rangeRows++;
            if (_rangeRows >= _targetRows || next - _rangeStart >= _targetBytes)
            {
                _ranges.Add(new TextRange(_rangeStart, next, _rangeLine, _rangeRows));
                _rangeStart = next;
                _rangeLine = _line;
                _rangeRows = 0;
            }
        }
        else if (_csv && _header is null)
        {
            _headerBytes.SetLength(0); // a blank line before the header
        }
        _recordStart = next;
        _recordLine = _line;
        _recordContent = false;
    }

    private void Finish(long length)
    {
        if (_inQuote)
        {
            throw TextInputError.At(_path, _recordLine, $"the quoted field opened on line {_quoteLine} is never closed: the file ends inside it. Close the quote, or double the quote characters inside the field.");
        }
        if (_recordContent)
        {
            EndRecord(length, length); // a last record without a line end
        }
        if (_rangeRows > 0)
        {
            _ranges.Add(new TextRange(_rangeStart, length, _rangeLine, _rangeRows));
        }
        if (_csv && _header is null)
        {
            throw new PipelineExecutionException($"Input file '{_path}' has no header row{(length == 0 ? " (it is empty)" : "")}. A CSV input needs a first line naming its columns.");
        }
    }

    private string[] ParseHeader()
    {
        string text = Encoding.UTF8.GetString(_headerBytes.GetBuffer(), 0, (int)_headerBytes.Length);
        using var reader = CsvFields.Options.FromText(text);
        var names = new List<string>();
        char[] scratch = [];
        if (reader.MoveNext())
        {
            ReadHeaderRow(reader, names, ref scratch);
        }
        return [.. names];
    }

    private void ReadHeaderRow(nietras.SeparatedValues.SepReader reader, List<string> names, ref char[] scratch)
    {
        nietras.SeparatedValues.SepReader.Row row = reader.Current;
        for (int c = 0; c < row.ColCount; c++)
        {
            ReadOnlySpan<char> raw = row[c].Span;
            if (CsvFields.Unescape(raw, ref scratch, out ReadOnlySpan<char> name, out _) is { } problem)
            {
                throw TextInputError.At(_path, _recordLine, $"header column {c + 1} {TextInputError.Show(raw)}: {problem}.");
            }
            names.Add(name.ToString());
        }
    }

    private PipelineExecutionException TooLong() => TextInputError.At(
        _path,
        _recordLine,
        $"the record is longer than {_maxRecordBytes / (1 << 20)} MiB{(_inQuote ? $" (the quoted field opened on line {_quoteLine} may be missing its closing quote)" : "")}. Records are read whole, so their length is bounded; raise maxRecordBytes in pipeline.yaml if such long records are expected.");

    // Validates the chunk as UTF-8, statefully across chunks (a character split between two reads is whole again), by
    // decoding it into scratch space; the line of a bad byte is counted from the chunk's start.
    private void CheckUtf8(Decoder utf8, char[] scratch, ReadOnlySpan<byte> chunk, long offset, bool end)
    {
        int done = 0;
        try
        {
            while (true)
            {
                utf8.Convert(chunk[done..], scratch, flush: end, out int used, out _, out bool completed);
                done += used;
                if (completed && done == chunk.Length)
                {
                    return;
                }
            }
        }
        catch (DecoderFallbackException e)
        {
            int at = done + e.Index; // negative when the bad sequence began in the previous chunk
            long line = _line + LineEnds(chunk[..Math.Clamp(at, 0, chunk.Length)]);
            int count = e.BytesUnknown?.Length ?? 0;
            throw TextInputError.At(_path, line, $"byte{(count > 1 ? "s" : "")} 0x{Convert.ToHexString(e.BytesUnknown ?? [])} at offset {offset + at} {(count > 1 ? "are" : "is")} not valid UTF-8; expected UTF-8 text. Convert the file to UTF-8 (for example: iconv -f latin1 -t utf-8).");
        }
    }

    // Physical lines ended in the bytes (before any CSV quoting is applied: a bad byte is reported by physical line).
    private long LineEnds(ReadOnlySpan<byte> bytes)
    {
        long count = bytes.Count((byte)'\n');
        if (_csv)
        {
            // Lone carriage returns end lines too.
            for (int i = bytes.IndexOf((byte)'\r'); i >= 0;)
            {
                if (i + 1 >= bytes.Length || bytes[i + 1] != '\n')
                {
                    count++;
                }
                int rel = bytes[(i + 1)..].IndexOf((byte)'\r');
                i = rel < 0 ? -1 : i + 1 + rel;
            }
        }
        return count;
    }

    /// <summary>Passes reads through and hashes every byte read.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : ForwardReadStream
    {
        public override int Read(Span<byte> buffer)
        {
            int read = inner.Read(buffer);
            hash.AppendData(buffer[..read]);
            return read;
        }
    }
}
