using System.Buffers.Binary;
using System.Reflection;
using Dsl.Parquet.Metadata;
using Dsl.Parquet.Thrift;
using Dsl.Parquet.Writing;

namespace Dsl.Parquet;

/// <summary>
/// Writes <see cref="RecordBatch"/>es to a Parquet file: rows are buffered up to
/// <see cref="ParquetWriteOptions.RowGroupRows"/> and written as a row group; <see cref="Dispose"/> (or
/// <see cref="Close"/>) writes the last row group and the footer. Integers and timestamps are DELTA_BINARY_PACKED
/// where that is smaller (see <see cref="ParquetWriteOptions.IntegerEncoding"/>), FLOAT and DOUBLE PLAIN or
/// BYTE_STREAM_SPLIT (<see cref="ParquetWriteOptions.FloatingPointEncoding"/>), booleans PLAIN,
/// strings and binary dictionary-encoded (PLAIN when the dictionary grows too large); nullable columns carry RLE
/// definition levels; pages are version 1 or 2 (<see cref="ParquetWriteOptions.DataPageVersion"/>), optionally with
/// CRC-32 checksums; every column chunk has min/max/null-count statistics. Dates, times (TIME(NANOS)), timestamps
/// (MICROS or NANOS, with their UTC flag), decimals (INT32/INT64/FIXED_LEN_BYTE_ARRAY by precision) and fixed-length
/// binary are written with their logical types, JSON strings (<see cref="ColumnField.IsJson"/>) annotated JSON.
/// Lists, maps and structs are written as standard 3-level lists, MAP groups and plain groups, with repetition and definition levels.
/// </summary>
/// <remarks>Not safe for concurrent use. Batches passed in stay owned by the caller; their data is copied.</remarks>
public sealed class ParquetFileWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly ParquetWriteOptions _options;
    private readonly CountingSink _sink;
    // Per schema field: its buffer (flat) or its shredder (nested); _leaves lists every leaf buffer in chunk order.
    private readonly ColumnChunkBuffer?[] _columns;
    private readonly NestedShredder?[] _nested;
    private readonly List<ColumnChunkBuffer> _leaves = [];
    private readonly ThriftCompactWriter _thrift = new();
    private readonly PageScratch _scratch;
    private readonly List<RowGroup> _rowGroups = [];
    private int _bufferedRows;
    private bool _closed;

    /// <summary>Creates (or overwrites) the file at <paramref name="path"/>.</summary>
    public ParquetFileWriter(string path, BatchSchema schema, ParquetWriteOptions? options = null)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), schema, options, leaveOpen: false)
    {
    }

    /// <summary>Writes to <paramref name="stream"/> from its current position (it need not be seekable).</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="schema">The columns every batch must have.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="leaveOpen">Whether closing the writer leaves the stream open.</param>
    public ParquetFileWriter(Stream stream, BatchSchema schema, ParquetWriteOptions? options = null, bool leaveOpen = false)
        : this(stream, schema, options, leaveOpen, new PageScratch())
    {
    }

    /// <summary>
    /// A writer whose page buffers are <paramref name="scratch"/>, shared with other writers used from the same thread
    /// one at a time (a partitioned output's open files): what a page is encoded and compressed in is transient, so
    /// one set serves them all instead of a megabyte or more per open file.
    /// </summary>
    internal ParquetFileWriter(Stream stream, BatchSchema schema, ParquetWriteOptions? options, bool leaveOpen, PageScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _scratch = scratch;
        ArgumentNullException.ThrowIfNull(schema);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }
        _options = options ?? new ParquetWriteOptions();
        _options.Validate();
        _stream = stream;
        _ownsStream = !leaveOpen;
        Schema = schema;
        _columns = new ColumnChunkBuffer?[schema.Count];
        _nested = new NestedShredder?[schema.Count];
        for (int i = 0; i < schema.Count; i++)
        {
            if (schema[i].Type.IsNested())
            {
                var shredder = new NestedShredder(schema[i], leaf => CreateBuffer(leaf, _options, _scratch));
                _nested[i] = shredder;
                _leaves.AddRange(shredder.Buffers);
            }
            else
            {
                _columns[i] = CreateBuffer(schema[i], _options, _scratch);
                _leaves.Add(_columns[i]!);
            }
        }
        _sink = new CountingSink(stream, 0);
        _sink.Write("PAR1"u8);
    }

    /// <summary>The schema every batch must match.</summary>
    public BatchSchema Schema { get; }

    /// <summary>Rows accepted so far (written or buffered).</summary>
    public long RowCount { get; private set; }

    /// <summary>The <c>created_by</c> text written to the footer: <c>Dsl &lt;version&gt;</c>.</summary>
    public static string CreatedBy { get; } = "Dsl " + (typeof(ParquetFileWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary>Buffers the rows of <paramref name="batch"/>, writing row groups as they fill.</summary>
    /// <exception cref="ArgumentException">The batch's columns do not match <see cref="Schema"/> (names, types, or nulls in a non-nullable column).</exception>
    /// <exception cref="InvalidOperationException">The writer was closed.</exception>
    public void WriteBatch(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_closed, this);
        CheckBatch(Schema, batch);
        AppendRows(batch, 0, batch.RowCount);
    }

    /// <summary>
    /// Buffers rows <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> of
    /// <paramref name="batch"/>, which the caller has checked against <see cref="Schema"/> (<see cref="CheckBatch"/>)
    /// once for all the ranges it writes of it.
    /// </summary>
    internal void WriteRows(RecordBatch batch, int start, int count)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if ((uint)start > (uint)batch.RowCount || (uint)count > (uint)(batch.RowCount - start))
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows {start} to {start + count} are outside the batch of {batch.RowCount} rows.");
        }
        AppendRows(batch, start, count);
    }

    private void AppendRows(RecordBatch batch, int start, int count)
    {
        int end = start + count;
        while (start < end)
        {
            // Rows go in pieces so that a row group is cut soon after what the writer holds reaches RowGroupBytes.
            int take = Math.Min(Math.Min(end - start, _options.RowGroupRows - _bufferedRows), PieceRows);
            for (int c = 0; c < _columns.Length; c++)
            {
                if (_nested[c] is { } shredder)
                {
                    shredder.Append(batch[c], start, take);
                }
                else
                {
                    _columns[c]!.Append(batch[c], start, take);
                }
            }
            _bufferedRows += take;
            start += take;
            RowCount += take;
            if (_bufferedRows == _options.RowGroupRows || HeldTotal >= _options.RowGroupBytes)
            {
                FlushRowGroup();
            }
        }
    }

    /// <summary>
    /// What the writer holds for its current row group: the rows not yet in a page (less than a page per column, about)
    /// and the finished pages, compressed, that wait for the row group to be written.
    /// </summary>
    internal (long PendingBytes, long SpooledBytes) HeldBytes => (_leaves.Sum(l => l.PendingBytes), _leaves.Sum(l => l.SpooledBytes));

    /// <summary>
    /// What the writer holds in memory as it counts it: the pending rows and the page spool's blocks, including those
    /// kept, empty, for the next row group (<see cref="ReleaseSpool"/> gives them back).
    /// </summary>
    internal long BufferedBytes => _leaves.Sum(l => l.PendingBytes + l.SpoolCapacity);

    /// <summary>The bytes written to the stream so far (row groups already written, and the leading magic).</summary>
    internal long BytesWritten => _sink.Position;

    /// <summary>Drops the page spool's kept blocks (after <see cref="FlushRowGroup"/>, they hold nothing).</summary>
    internal void ReleaseSpool()
    {
        foreach (ColumnChunkBuffer leaf in _leaves)
        {
            leaf.ReleaseSpool();
        }
    }

    // The most rows appended between two looks at what the writer holds.
    private const int PieceRows = 8192;

    private long HeldTotal
    {
        get
        {
            (long pending, long spooled) = HeldBytes;
            return pending + spooled;
        }
    }


    /// <summary>Writes the buffered rows as a row group now, even if it is not full (nothing happens when none are buffered).</summary>
    public void FlushRowGroup()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_bufferedRows == 0)
        {
            return;
        }
        long start = _sink.Position;
        var group = new RowGroup { NumRows = _bufferedRows, FileOffset = start, Ordinal = (short)Math.Min(_rowGroups.Count, short.MaxValue) };
        long uncompressed = 0;
        foreach (ColumnChunkBuffer column in _leaves)
        {
            ColumnChunk chunk = column.WriteChunk(_sink);
            uncompressed += chunk.MetaData!.TotalUncompressedSize;
            group.Columns.Add(chunk);
        }
        group.TotalByteSize = uncompressed;
        group.TotalCompressedSize = _sink.Position - start;
        _rowGroups.Add(group);
        _bufferedRows = 0;
    }

    /// <summary>Writes the remaining rows and the footer, and closes the stream unless it was left open.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }
        try
        {
            FlushRowGroup();
            FileMetaData footer = BuildFooter();
            _thrift.Reset();
            footer.Write(_thrift);
            _sink.Write(_thrift.WrittenSpan);
            Span<byte> tail = stackalloc byte[8];
            BinaryPrimitives.WriteInt32LittleEndian(tail, _thrift.WrittenSpan.Length);
            "PAR1"u8.CopyTo(tail[4..]);
            _sink.Write(tail);
            _sink.Flush();
        }
        finally
        {
            _closed = true;
            if (_ownsStream)
            {
                _stream.Dispose();
            }
        }
    }

    /// <inheritdoc cref="Close"/>
    public void Dispose() => Close();

    private FileMetaData BuildFooter()
    {
        var schema = new List<SchemaElement>(Schema.Count + 1)
        {
            new() { Name = "schema", NumChildren = Schema.Count },
        };
        for (int i = 0; i < Schema.Count; i++)
        {
            if (_nested[i] is { } shredder)
            {
                shredder.AddSchemaElements(schema, ToSchemaElement);
            }
            else
            {
                schema.Add(ToSchemaElement(Schema[i]));
            }
        }
        var footer = new FileMetaData
        {
            Version = 2,
            Schema = schema,
            NumRows = RowCount,
            RowGroups = _rowGroups,
            CreatedBy = CreatedBy,
            ColumnOrders = [.. Enumerable.Repeat(ColumnOrder.TypeDefined, _leaves.Count)],
        };
        if (_options.KeyValueMetadata.Count > 0)
        {
            footer.KeyValueMetadata = [.. _options.KeyValueMetadata.Select(kv => new KeyValue { Key = kv.Key, Value = kv.Value })];
        }
        return footer;
    }

    private static SchemaElement ToSchemaElement(ColumnField field)
    {
        var e = new SchemaElement
        {
            Name = field.Name,
            Repetition = field.Nullable ? FieldRepetition.Optional : FieldRepetition.Required,
        };
        switch (field.Type)
        {
            case ColumnType.Boolean:
                e.Type = PhysicalType.Boolean;
                break;
            case ColumnType.Int32:
                e.Type = PhysicalType.Int32;
                break;
            case ColumnType.Int64:
                e.Type = PhysicalType.Int64;
                break;
            case ColumnType.Int8 or ColumnType.Int16 or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 or ColumnType.UInt64:
            {
                (int bits, bool signed, ConvertedType converted) = field.Type switch
                {
                    ColumnType.Int8 => (8, true, ConvertedType.Int8),
                    ColumnType.Int16 => (16, true, ConvertedType.Int16),
                    ColumnType.UInt8 => (8, false, ConvertedType.UInt8),
                    ColumnType.UInt16 => (16, false, ConvertedType.UInt16),
                    ColumnType.UInt32 => (32, false, ConvertedType.UInt32),
                    _ => (64, false, ConvertedType.UInt64),
                };
                e.Type = bits == 64 ? PhysicalType.Int64 : PhysicalType.Int32;
                e.LogicalType = new LogicalType { Kind = LogicalTypeKind.Integer, BitWidth = bits, IsSigned = signed };
                e.ConvertedType = converted;
                break;
            }
            case ColumnType.Float16:
                e.Type = PhysicalType.FixedLenByteArray;
                e.TypeLength = 2;
                e.LogicalType = new LogicalType { Kind = LogicalTypeKind.Float16 };
                break;
            case ColumnType.Uuid:
                e.Type = PhysicalType.FixedLenByteArray;
                e.TypeLength = 16;
                e.LogicalType = new LogicalType { Kind = LogicalTypeKind.Uuid };
                break;
            case ColumnType.Float:
                e.Type = PhysicalType.Float;
                break;
            case ColumnType.Double:
                e.Type = PhysicalType.Double;
                break;
            case ColumnType.String when field.IsJson:
                e.Type = PhysicalType.ByteArray;
                e.ConvertedType = ConvertedType.Json;
                e.LogicalType = new LogicalType { Kind = LogicalTypeKind.Json };
                break;
            case ColumnType.String:
                e.Type = PhysicalType.ByteArray;
                e.ConvertedType = ConvertedType.Utf8;
                e.LogicalType = LogicalType.String();
                break;
            case ColumnType.Binary when field.FixedLength > 0:
                e.Type = PhysicalType.FixedLenByteArray;
                e.TypeLength = field.FixedLength;
                break;
            case ColumnType.Binary:
                e.Type = PhysicalType.ByteArray;
                break;
            case ColumnType.Timestamp:
            case ColumnType.TimestampNanos:
                // Local (not UTC-adjusted) timestamps carry no converted type: TIMESTAMP_MICROS means UTC-adjusted,
                // and nanoseconds have none.
                e.Type = PhysicalType.Int64;
                e.LogicalType = LogicalType.Timestamp(field.Type == ColumnType.Timestamp ? TimeUnit.Micros : TimeUnit.Nanos, field.IsAdjustedToUtc);
                if (field.Type == ColumnType.Timestamp && field.IsAdjustedToUtc)
                {
                    e.ConvertedType = ConvertedType.TimestampMicros;
                }
                break;
            case ColumnType.Date:
                e.Type = PhysicalType.Int32;
                e.LogicalType = new LogicalType { Kind = LogicalTypeKind.Date };
                e.ConvertedType = ConvertedType.Date;
                break;
            case ColumnType.Time:
                // Stored in nanoseconds, so written as TIME(NANOS), which has no converted type.
                e.Type = PhysicalType.Int64;
                e.LogicalType = new LogicalType { Kind = LogicalTypeKind.Time, Unit = TimeUnit.Nanos, IsAdjustedToUtc = field.IsAdjustedToUtc };
                break;
            case ColumnType.Decimal:
                e.Type = field.Precision <= 9 ? PhysicalType.Int32 : field.Precision <= 18 ? PhysicalType.Int64 : PhysicalType.FixedLenByteArray;
                if (e.Type == PhysicalType.FixedLenByteArray)
                {
                    e.TypeLength = DecimalChunkBuffer.BytesFor(field.Precision);
                }
                e.LogicalType = new LogicalType { Kind = LogicalTypeKind.Decimal, Precision = field.Precision, Scale = field.Scale };
                e.ConvertedType = ConvertedType.Decimal;
                e.Precision = field.Precision;
                e.Scale = field.Scale;
                break;
            default:
                throw new ArgumentException($"Column '{field.Name}' has type {field.Type}, which cannot be written to Parquet yet.", nameof(field));
        }
        return e;
    }

    private static ColumnChunkBuffer CreateBuffer(ColumnField field, ParquetWriteOptions options, PageScratch scratch) => field.Type switch
    {
        ColumnType.Boolean => new PrimitiveChunkBuffer<bool>(field, options, scratch),
        ColumnType.Int32 or ColumnType.Date or ColumnType.Int8 or ColumnType.Int16 or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32
            => new PrimitiveChunkBuffer<int>(field, options, scratch),
        ColumnType.Int64 or ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Time or ColumnType.UInt64 => new PrimitiveChunkBuffer<long>(field, options, scratch),
        ColumnType.Float16 => new PrimitiveChunkBuffer<Half>(field, options, scratch),
        ColumnType.Uuid => new PrimitiveChunkBuffer<UInt128>(field, options, scratch),
        ColumnType.Decimal => new DecimalChunkBuffer(field, options, scratch),
        ColumnType.Float => new PrimitiveChunkBuffer<float>(field, options, scratch),
        ColumnType.Double => new PrimitiveChunkBuffer<double>(field, options, scratch),
        ColumnType.String or ColumnType.Binary => new ByteArrayChunkBuffer(field, options, scratch),
        _ => throw new ArgumentException($"Column '{field.Name}' has type {field.Type}, which cannot be written to Parquet yet.", nameof(field)),
    };

    /// <summary>Checks that <paramref name="batch"/> can be written to a file of <paramref name="schema"/>.</summary>
    /// <exception cref="ArgumentException">Its columns do not match (names, types, or nulls in a non-nullable column).</exception>
    internal static void CheckBatch(BatchSchema schema, RecordBatch batch)
    {
        if (batch.Schema.Count != schema.Count)
        {
            throw new ArgumentException($"The batch has {batch.Schema.Count} columns but the file's schema has {schema.Count}: {schema}.", nameof(batch));
        }
        for (int i = 0; i < schema.Count; i++)
        {
            ColumnField expected = schema[i];
            ColumnField actual = batch.Schema[i];
            if (actual.Name != expected.Name || actual.Type != expected.Type || actual.Precision != expected.Precision || actual.Scale != expected.Scale
                || actual.FixedLength != expected.FixedLength || actual.IsAdjustedToUtc != expected.IsAdjustedToUtc || !actual.Children.SequenceEqual(expected.Children))
            {
                throw new ArgumentException($"Batch column {i} is '{actual.Name}' of type {actual.TypeName} but the file expects '{expected.Name}' of type {expected.TypeName}.", nameof(batch));
            }
            if (!expected.Nullable && batch[i].NullCount > 0)
            {
                throw new ArgumentException($"Column '{expected.Name}' is not nullable in the file's schema but the batch holds {batch[i].NullCount} nulls in it.", nameof(batch));
            }
        }
    }
}
