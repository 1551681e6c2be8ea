using nietras.SeparatedValues;

namespace Dsl.Execution.Inputs;

/// <summary>
/// Reads a byte range of a CSV file with Sep. Sep splits records and fields (quoted separators and line ends
/// included); the fields' quoting is checked and undone by <see cref="CsvFields"/>; values are parsed by
/// <see cref="TextColumnBuilder"/>. Line numbers are counted here from the range's first line, so a record that spans
/// lines is reported by the line it starts on.
/// </summary>
internal sealed class CsvBatchReader : TextBatchReader
{
    private readonly StreamReader _text;
    private readonly SepReader _sep;
    private readonly int[] _map;
    private readonly int _headerColumns;
    private char[] _scratch = new char[256];
    private long _line;

    public CsvBatchReader(Partition partition, IReadOnlyList<ColumnField> fields, int sliceRows, string schema)
        : base(partition, fields, sliceRows)
    {
        IReadOnlyList<string> header = ReadHeader(partition.File, partition.Compressed);
        _headerColumns = header.Count;
        _map = TextColumnNames.MapHeader(partition.File, header, fields, schema);
        _text = new StreamReader(TextStreams.OpenRange(partition.File, partition.Compressed, partition.ByteStart, partition.ByteEnd), TextStreams.StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        try
        {
            _sep = CsvFields.Options.From(_text);
        }
        catch
        {
            _text.Dispose();
            throw;
        }
        _line = partition.FirstLine;
    }

    /// <summary>The unquoted names of the file's header row (its first non-empty record).</summary>
    public static IReadOnlyList<string> ReadHeader(string path, bool compressed)
    {
        using var text = new StreamReader(TextStreams.OpenRange(path, compressed, 0, long.MaxValue), TextStreams.StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 12);
        using SepReader sep = CsvFields.Options.From(text);
        long line = 1;
        char[] scratch = [];
        while (sep.MoveNext())
        {
            SepReader.Row row = sep.Current;
            long at = line;
            line += CsvFields.LineEnds(row.Span) + 1;
            if (row.Span.IsEmpty)
            {
                continue;
            }
            var names = new string[row.ColCount];
            for (int c = 0; c < names.Length; c++)
            {
                ReadOnlySpan<char> raw = row[c].Span;
                if (CsvFields.Unescape(raw, ref scratch, out ReadOnlySpan<char> name, out _) is { } problem)
                {
                    throw TextInputError.At(path, at, $"header column {c + 1} {TextInputError.Show(raw)}: {problem}.");
                }
                names[c] = name.ToString();
            }
            return names;
        }
        throw new PipelineExecutionException($"Input file '{path}' has no header row. A CSV input needs a first line naming its columns.");
    }

    protected override bool ReadRecord(out long line)
    {
        while (true)
        {
            if (!MoveNext())
            {
                line = 0;
                return false;
            }
            SepReader.Row row = _sep.Current;
            ReadOnlySpan<char> raw = row.Span;
            line = _line;
            _line += CsvFields.LineEnds(raw) + 1;
            if (raw.IsEmpty && _headerColumns > 1)
            {
                continue; // a blank line (in a one-column file it is a row with an empty field)
            }
            if (row.ColCount != _headerColumns)
            {
                throw TextInputError.At(File, line, $"the record has {row.ColCount} field{(row.ColCount == 1 ? "" : "s")} but the header has {_headerColumns}. Quote fields that contain commas or line ends, and give every record the header's columns.");
            }
            for (int c = 0; c < _map.Length; c++)
            {
                if (_map[c] < 0)
                {
                    AppendNull(c, line, "missing from the file"); // a nullable column the header does not have
                    continue;
                }
                ReadOnlySpan<char> field = row[_map[c]].Span;
                if (CsvFields.Unescape(field, ref _scratch, out ReadOnlySpan<char> value, out bool quoted) is { } problem)
                {
                    throw TextInputError.At(File, line, $"column '{Columns[c].Field.Name}' {TextInputError.Show(field)}: {problem}.");
                }
                // An empty field is null; a quoted empty field ("") is the empty string for text columns.
                if (value.IsEmpty && !(quoted && Columns[c].Field.Type == ColumnType.String))
                {
                    AppendNull(c, line, "empty");
                    continue;
                }
                Append(c, line, value);
            }
            return true;
        }
    }

    // Sep's reads surface I/O and decoding errors; name the file and the line reached.
    private bool MoveNext()
    {
        try
        {
            return _sep.MoveNext();
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw TextInputError.At(File, _line, $"the text is not valid UTF-8 ({e.Message}); expected UTF-8 text.");
        }
    }

    protected override void Close()
    {
        _sep.Dispose();
        _text.Dispose();
    }
}
