namespace Dsl.Execution.Inputs;

/// <summary>
/// Reads the records of one text partition into batches of at most a slice of rows, typed as the pipeline's input
/// schema says, streaming: it holds one batch and a read buffer, never the file.
/// </summary>
internal abstract class TextBatchReader : IDisposable
{
    private readonly TextColumnBuilder[] _columns;
    private readonly long[] _lines;
    private long _rows;

    private protected TextBatchReader(Partition partition, IReadOnlyList<ColumnField> fields, int sliceRows)
    {
        Partition = partition;
        SliceRows = sliceRows;
        _lines = new long[sliceRows];
        Schema = new BatchSchema(fields);
        _columns = fields.Select(f => TextColumnBuilder.Create(f, sliceRows) ?? throw new ArgumentException($"Column '{f.Name}' of type {f.TypeName} cannot be read from text.", nameof(fields))).ToArray();
    }

    /// <summary>The partition read.</summary>
    protected Partition Partition { get; }

    /// <summary>The file, for messages.</summary>
    protected string File => Partition.File;

    /// <summary>The most rows a batch holds.</summary>
    protected int SliceRows { get; }

    /// <summary>The columns of each batch, in the order the fields were given.</summary>
    public BatchSchema Schema { get; }

    /// <summary>One builder per field.</summary>
    protected IReadOnlyList<TextColumnBuilder> Columns => _columns;

    /// <summary>The line the last batch's first record starts on.</summary>
    public long BatchFirstLine { get; private set; }

    /// <summary>The line the last batch's last record starts on.</summary>
    public long BatchLastLine { get; private set; }

    /// <summary>The line each record of the last batch starts on (valid until the next batch).</summary>
    public ReadOnlySpan<long> BatchLines => _lines.AsSpan(0, BatchRows);

    /// <summary>The records in the last batch.</summary>
    public int BatchRows { get; private set; }

    /// <summary>Opens the reader for <paramref name="partition"/>'s format.</summary>
    public static TextBatchReader Open(Partition partition, IReadOnlyList<ColumnField> fields, IReadOnlyList<string> partitionColumns, int sliceRows, int maxRecordBytes, string schema) =>
        partition.Format switch
        {
            InputFormat.Csv => new CsvBatchReader(partition, fields, sliceRows, schema),
            InputFormat.JsonLines => new JsonLinesBatchReader(partition, fields, partitionColumns, sliceRows, maxRecordBytes),
            _ => throw new ArgumentException($"Partition {partition.Index} is {partition.Format}, not text.", nameof(partition)),
        };

    /// <summary>The next batch, or null after the last record of the range.</summary>
    /// <exception cref="PipelineExecutionException">A record does not parse; the message names the file, line and column.</exception>
    public RecordBatch? Next()
    {
        int rows = 0;
        long first = 0;
        long last = 0;
        try
        {
            while (rows < SliceRows && ReadRecord(out long line))
            {
                if (rows == 0)
                {
                    first = line;
                }
                last = line;
                _lines[rows] = line;
                rows++;
            }
        }
        catch
        {
            foreach (TextColumnBuilder column in _columns)
            {
                column.Discard();
            }
            throw;
        }
        _rows += rows;
        if (rows == 0)
        {
            if (_rows != Partition.Rows)
            {
                throw new PipelineExecutionException($"Input file '{File}' changed while the run was reading it: the range from line {Partition.FirstLine} held {Partition.Rows} records when the run was planned and {_rows} now. Run again once the file is no longer being written.");
            }
            return null;
        }
        (BatchFirstLine, BatchLastLine, BatchRows) = (first, last, rows);
        var built = new Column[_columns.Length];
        for (int c = 0; c < built.Length; c++)
        {
            built[c] = _columns[c].Build();
        }
        return new RecordBatch(Schema, built, rows);
    }

    /// <summary>Reads one record into the builders (one value each); false at the end of the range.</summary>
    /// <param name="line">The 1-based line the record starts on.</param>
    protected abstract bool ReadRecord(out long line);

    /// <summary>Appends a null to column <paramref name="column"/>, or fails when it is not nullable.</summary>
    protected void AppendNull(int column, long line, string what)
    {
        TextColumnBuilder builder = _columns[column];
        if (!builder.Field.Nullable)
        {
            throw TextInputError.Empty(File, line, builder.Field, what);
        }
        builder.AppendNull();
    }

    /// <summary>Parses and appends <paramref name="text"/> to column <paramref name="column"/>, or fails naming the line, column, text and what was expected.</summary>
    protected void Append(int column, long line, ReadOnlySpan<char> text)
    {
        TextColumnBuilder builder = _columns[column];
        if (!builder.TryAppend(text))
        {
            throw TextInputError.Value(File, line, builder, text);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (TextColumnBuilder column in _columns)
        {
            column.Discard();
        }
        Close();
    }

    /// <summary>Closes the file.</summary>
    protected abstract void Close();
}
