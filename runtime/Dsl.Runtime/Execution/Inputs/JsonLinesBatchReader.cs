using System.Text;
using System.Text.Json;

namespace Dsl.Execution.Inputs;

/// <summary>
/// Reads a byte range of a JSON Lines file: one JSON object a line, read with <see cref="Utf8JsonReader"/> (no
/// serializer, no reflection). Members are matched by name; unknown members are skipped whatever they hold; an
/// absent member or JSON null is a null value. Each value must be of the JSON kind its column reads
/// (<see cref="JsonKind"/>), and numbers must fit the column's type exactly.
/// </summary>
internal sealed class JsonLinesBatchReader : TextBatchReader
{
    private readonly Stream _stream;
    private readonly byte[][] _names;
    private readonly byte[][] _partitionColumns;
    private readonly bool[] _seen;
    private readonly int _maxRecordBytes;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;
    private char[] _chars = new char[256];
    private long _line;

    public JsonLinesBatchReader(Partition partition, IReadOnlyList<ColumnField> fields, IReadOnlyList<string> partitionColumns, int sliceRows, int maxRecordBytes)
        : base(partition, fields, sliceRows)
    {
        _names = fields.Select(f => Encoding.UTF8.GetBytes(f.Name)).ToArray();
        _partitionColumns = partitionColumns.Select(Encoding.UTF8.GetBytes).ToArray();
        _seen = new bool[fields.Count];
        _maxRecordBytes = maxRecordBytes;
        _stream = TextStreams.OpenRange(partition.File, partition.Compressed, partition.ByteStart, partition.ByteEnd);
        _line = partition.FirstLine;
    }

    protected override bool ReadRecord(out long line)
    {
        while (TryReadLine(out ReadOnlySpan<byte> text))
        {
            line = _line++;
            if (text.IndexOfAnyExcept(" \t\r"u8) < 0)
            {
                continue; // a blank line
            }
            ReadObject(text, line);
            return true;
        }
        line = 0;
        return false;
    }

    private void ReadObject(ReadOnlySpan<byte> text, long line)
    {
        Array.Clear(_seen);
        var json = new Utf8JsonReader(text, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        try
        {
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                throw TextInputError.At(File, line, $"expected a JSON object ({{...}}), found {Describe(ref json)}. Each line of a JSON Lines file holds one object.");
            }
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                int column = Match(ref json, line);
                json.Read();
                if (column < 0)
                {
                    json.Skip(); // a member the pipeline does not read, whatever its value
                    continue;
                }
                if (_seen[column])
                {
                    throw TextInputError.At(File, line, $"the object has member '{Columns[column].Field.Name}' twice, so which value to read is ambiguous.");
                }
                _seen[column] = true;
                ReadValue(ref json, column, line);
            }
            // The object has ended; anything after it on the line is an error the reader reports on this Read.
            if (json.Read())
            {
                throw TextInputError.At(File, line, "the line holds more than one JSON value; a JSON Lines file holds one object a line.");
            }
        }
        catch (JsonException e)
        {
            throw TextInputError.At(File, line, $"not valid JSON at byte {e.BytePositionInLine + 1} of the line: {Trimmed(e.Message)}");
        }
        for (int c = 0; c < _seen.Length; c++)
        {
            if (!_seen[c])
            {
                AppendNull(c, line, "absent from the object");
            }
        }
    }

    private int Match(ref Utf8JsonReader json, long line)
    {
        for (int c = 0; c < _names.Length; c++)
        {
            if (json.ValueTextEquals(_names[c]))
            {
                return c;
            }
        }
        foreach (byte[] name in _partitionColumns)
        {
            if (json.ValueTextEquals(name))
            {
                string column = Encoding.UTF8.GetString(name);
                throw TextInputError.At(File, line, $"the object has member '{column}', which is also a partition folder key of the file ('{column}=...'); which value the column holds is ambiguous. Remove the member from the data, or rename the folder or the schema member.");
            }
        }
        return -1;
    }

    private void ReadValue(ref Utf8JsonReader json, int column, long line)
    {
        TextColumnBuilder builder = Columns[column];
        JsonTokenType token = json.TokenType;
        if (token == JsonTokenType.Null)
        {
            AppendNull(column, line, "null");
            return;
        }
        bool accepted = (builder.Json, token) switch
        {
            (JsonKind.Number or JsonKind.Floating or JsonKind.NumberOrString, JsonTokenType.Number) => true,
            (JsonKind.String or JsonKind.NumberOrString, JsonTokenType.String) => true,
            (JsonKind.Floating, JsonTokenType.String) => TextValues.IsNamedFloat(Chars(ref json)),
            (JsonKind.Boolean, JsonTokenType.True or JsonTokenType.False) => true,
            _ => false,
        };
        if (!accepted)
        {
            string what = builder.Json switch
            {
                JsonKind.Number => "a JSON number",
                JsonKind.Floating => "a JSON number (or the string \"NaN\", \"Infinity\" or \"-Infinity\")",
                JsonKind.Boolean => "true or false",
                JsonKind.NumberOrString => "a JSON number or a string holding one",
                _ => "a JSON string",
            };
            throw TextInputError.At(File, line, $"column '{builder.Field.Name}' ({builder.Field.TypeName}): found {Describe(ref json)}; expected {what}: {builder.Expected}.");
        }
        ReadOnlySpan<char> text = token switch
        {
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => Chars(ref json),
        };
        Append(column, line, text);
    }

    // The token's text: a string unescaped, a number as written.
    private ReadOnlySpan<char> Chars(ref Utf8JsonReader json)
    {
        int most = json.HasValueSequence ? (int)json.ValueSequence.Length : json.ValueSpan.Length;
        if (_chars.Length < most)
        {
            _chars = new char[Math.Max(most, _chars.Length * 2)];
        }
        int written = json.TokenType == JsonTokenType.String
            ? json.CopyString(_chars)
            : Encoding.UTF8.GetChars(json.ValueSpan, _chars);
        return _chars.AsSpan(0, written);
    }

    private string Describe(ref Utf8JsonReader json) => json.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "the string " + TextInputError.Show(Chars(ref json)),
        JsonTokenType.Number => "the number " + Chars(ref json).ToString(),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    // Utf8JsonReader's messages end with "LineNumber: 0 | BytePositionInLine: n."; the position is given separately.
    private static string Trimmed(string message)
    {
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        string text = (at < 0 ? message : message[..at]).Trim();
        return text.EndsWith('.') ? text : text + ".";
    }

    // The next line without its '\n', from the buffer; the buffer grows to hold the longest line (bounded by the
    // limit the planning scan already checked).
    private bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        int searched = 0;
        while (true)
        {
            int rel = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf((byte)'\n');
            if (rel >= 0)
            {
                int at = _start + searched + rel;
                line = _buffer.AsSpan(_start, at - _start);
                _start = at + 1;
                return true;
            }
            searched = _end - _start;
            if (_eof)
            {
                line = _buffer.AsSpan(_start, _end - _start);
                _start = _end;
                return !line.IsEmpty;
            }
            if (searched > _maxRecordBytes)
            {
                throw TextInputError.At(File, _line, $"the line is longer than {_maxRecordBytes / (1 << 20)} MiB. Lines are read whole, so their length is bounded; raise maxRecordBytes in pipeline.yaml if such long records are expected.");
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            byte[] bigger = new byte[_buffer.Length * 2];
            _buffer.AsSpan(0, _end).CopyTo(bigger);
            _buffer = bigger;
        }
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        _eof = read == 0;
    }

    protected override void Close() => _stream.Dispose();
}
