using System.Buffers.Binary;
using Dsl.Parquet.Metadata;
using Dsl.Parquet.Reading;

namespace Dsl.Parquet;

/// <summary>
/// Reads a Parquet file into <see cref="RecordBatch"/>es, one row group at a time, with column projection.
/// Supported: BOOLEAN, INT32, INT64, INT96, FLOAT, DOUBLE, FIXED_LEN_BYTE_ARRAY and BYTE_ARRAY leaves with their
/// logical types (integers, DATE, TIME and TIMESTAMP in every unit, DECIMAL in every storage, FLOAT16, UUID, STRING,
/// ENUM, JSON, BSON); nested lists (standard and legacy layouts), maps and structs to any depth; PLAIN, dictionary
/// and RLE encodings; data pages v1 and v2; the UNCOMPRESSED, SNAPPY and GZIP codecs.
/// </summary>
/// <remarks>
/// Opening reads and validates the footer. Malformed or unsupported input fails with
/// <see cref="ParquetFormatException"/> naming the file, column, row group and page. An instance is not safe for
/// concurrent use; open one reader per thread. Batches returned are owned by the caller, who disposes them.
/// </remarks>
public sealed class ParquetFileReader : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;
    private static ReadOnlySpan<byte> EncryptedMagic => "PARE"u8;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly long _dataEnd;
    private readonly List<ParquetColumnInfo> _columns;
    private BatchSchema? _schema;
    private ParquetMetadata? _metadata;

    /// <summary>Opens the file at <paramref name="path"/>.</summary>
    /// <exception cref="ParquetFormatException">The file is not a readable Parquet file.</exception>
    public ParquetFileReader(string path)
        : this(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess), leaveOpen: false, name: path)
    {
    }

    /// <summary>Reads from a seekable <paramref name="stream"/>.</summary>
    /// <param name="stream">A readable, seekable stream positioned anywhere; the file spans the whole stream.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves the stream open.</param>
    /// <param name="name">How errors name the input; defaults to "stream".</param>
    /// <exception cref="ArgumentException">The stream cannot read or seek.</exception>
    /// <exception cref="ParquetFormatException">The stream is not a readable Parquet file.</exception>
    public ParquetFileReader(Stream stream, bool leaveOpen = false, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("The stream must be readable and seekable; copy it to a MemoryStream or a file first.", nameof(stream));
        }
        _stream = stream;
        _ownsStream = !leaveOpen;
        Name = name ?? "stream";
        try
        {
            Footer = ReadFooter(out _dataEnd);
            _columns = MapSchema();
        }
        catch
        {
            if (_ownsStream)
            {
                stream.Dispose();
            }
            throw;
        }
    }

    /// <summary>How errors name the input: the path, or the name given for a stream.</summary>
    public string Name { get; }

    /// <summary>A read-only view of the footer: schema leaves, row groups, column chunks (codec, encodings, sizes, statistics), key-value metadata.</summary>
    public ParquetMetadata Metadata => _metadata ??= new ParquetMetadata(Footer);

    /// <summary>The parsed footer, in the Thrift types.</summary>
    internal FileMetaData Footer { get; }

    /// <summary>The top-level fields, readable or not.</summary>
    public IReadOnlyList<ParquetColumnInfo> Columns => _columns;

    /// <summary>The batch schema of all columns.</summary>
    /// <exception cref="ParquetFormatException">Some column is not supported (see <see cref="ParquetColumnInfo.UnsupportedReason"/>); project the others.</exception>
    public BatchSchema Schema => _schema ??= BuildSchema(null);

    /// <summary>Number of row groups.</summary>
    public int RowGroupCount => Footer.RowGroups.Count;

    /// <summary>Total number of rows, summed over the row groups.</summary>
    public long RowCount
    {
        get
        {
            long total = 0;
            foreach (RowGroup group in Footer.RowGroups)
            {
                total += group.NumRows;
            }
            return total;
        }
    }

    /// <summary>Reads row group <paramref name="index"/>.</summary>
    /// <param name="index">The row group, from 0 to <see cref="RowGroupCount"/> - 1.</param>
    /// <param name="columns">The columns to read, in the order wanted; null for all.</param>
    /// <returns>A batch the caller disposes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A requested column does not exist or is requested twice.</exception>
    /// <exception cref="ParquetFormatException">The data is malformed or a requested column is not supported.</exception>
    public RecordBatch ReadRowGroup(int index, IReadOnlyList<string>? columns = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowGroupCount);
        List<ParquetColumnInfo> selected = Select(columns);
        BatchSchema schema = BuildSchema(selected);
        RowGroup group = Footer.RowGroups[index];
        if (group.NumRows < 0 || group.NumRows > Array.MaxLength)
        {
            throw new ParquetFormatException($"The row group claims {group.NumRows} rows; a row group must have between 0 and {Array.MaxLength} rows to be read into one batch.", Name, null, index, null);
        }
        int rows = (int)group.NumRows;
        var read = new List<Column>(selected.Count);
        try
        {
            foreach (ParquetColumnInfo info in selected)
            {
                read.Add(ReadField(info.Plan!, group, index, rows));
            }
            return new RecordBatch(schema, read, rows);
        }
        catch
        {
            foreach (Column column in read)
            {
                column.Dispose();
            }
            throw;
        }
    }

    private Column ReadField(FieldPlan plan, RowGroup group, int index, int rows)
    {
        if (plan is LeafPlan { IsFlat: true } flat)
        {
            using var flatLevels = new LevelState(flat, nested: false);
            return ColumnChunkReader.Read(_stream, Magic.Length, _dataEnd, Footer.CreatedBy, new ChunkLocation(Name, flat.Path, index), flat, group.Columns[flat.LeafIndex], rows, flatLevels);
        }
        var leaves = new Dictionary<LeafPlan, NestedAssembler.LeafRead>();
        try
        {
            foreach (LeafPlan leaf in plan.Leaves())
            {
                var levels = new LevelState(leaf, nested: true);
                try
                {
                    Column column = ColumnChunkReader.Read(_stream, Magic.Length, _dataEnd, Footer.CreatedBy, new ChunkLocation(Name, leaf.Path, index), leaf, group.Columns[leaf.LeafIndex], rows, levels);
                    leaves.Add(leaf, new NestedAssembler.LeafRead(column, levels));
                }
                finally
                {
                    levels.Dispose();
                }
            }
            return NestedAssembler.Build(plan, leaves, new ChunkLocation(Name, plan.Path, index));
        }
        catch
        {
            foreach (NestedAssembler.LeafRead leaf in leaves.Values)
            {
                leaf.Column.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// Reads row group <paramref name="index"/> as consecutive batches of at most <paramref name="batchRows"/> rows,
    /// streaming its pages: memory follows the batch size, not the row group's size. Flat columns are streamed; a
    /// projection with a nested column reads the row group as one batch. The caller disposes each batch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range, or <paramref name="batchRows"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A requested column does not exist or is requested twice.</exception>
    /// <exception cref="ParquetFormatException">The data is malformed or a requested column is not supported (raised while iterating).</exception>
    public IEnumerable<RecordBatch> ReadRowGroupBatches(int index, IReadOnlyList<string>? columns, int batchRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowGroupCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        List<ParquetColumnInfo> selected = Select(columns);
        BatchSchema schema = BuildSchema(selected);
        return IterateRowGroup(index, columns, selected, schema, batchRows);
    }

    private IEnumerable<RecordBatch> IterateRowGroup(int index, IReadOnlyList<string>? columns, List<ParquetColumnInfo> selected, BatchSchema schema, int batchRows)
    {
        RowGroup group = Footer.RowGroups[index];
        if (group.NumRows <= batchRows || selected.Any(c => c.Plan is not LeafPlan { IsFlat: true }))
        {
            yield return ReadRowGroup(index, columns);
            yield break;
        }
        if (group.NumRows > Array.MaxLength)
        {
            throw new ParquetFormatException($"The row group claims {group.NumRows} rows; at most {Array.MaxLength} are supported.", Name, null, index, null);
        }
        int rows = (int)group.NumRows;
        var cursors = new List<FlatChunkCursor>(selected.Count);
        try
        {
            foreach (ParquetColumnInfo info in selected)
            {
                var leaf = (LeafPlan)info.Plan!;
                // Segments of at least a batch, so a batch spans at most two of them per column.
                cursors.Add(new FlatChunkCursor(_stream, Magic.Length, _dataEnd, Footer.CreatedBy, new ChunkLocation(Name, leaf.Path, index), leaf, group.Columns[leaf.LeafIndex], rows, batchRows));
            }
            var pieces = new List<ColumnPiece>();
            for (int start = 0; start < rows; start += batchRows)
            {
                int count = Math.Min(batchRows, rows - start);
                var built = new List<Column>(cursors.Count);
                try
                {
                    foreach (FlatChunkCursor cursor in cursors)
                    {
                        pieces.Clear();
                        cursor.Take(count, pieces);
                        built.Add(ColumnConcat.Concat(pieces, count));
                        cursor.ReleaseConsumed();
                    }
                }
                catch
                {
                    foreach (Column column in built)
                    {
                        column.Dispose();
                    }
                    throw;
                }
                yield return new RecordBatch(schema, built, count);
            }
        }
        finally
        {
            foreach (FlatChunkCursor cursor in cursors)
            {
                cursor.Dispose();
            }
        }
    }

    /// <summary>Reads the row groups one after another, one batch each (the caller disposes each batch).</summary>
    /// <param name="columns">The columns to read, in the order wanted; null for all.</param>
    public IEnumerable<RecordBatch> ReadBatches(IReadOnlyList<string>? columns = null)
    {
        // Validate the projection eagerly so that a bad column name fails at the call, not at the first MoveNext.
        BuildSchema(Select(columns));
        return Iterate(columns);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    private IEnumerable<RecordBatch> Iterate(IReadOnlyList<string>? columns)
    {
        for (int i = 0; i < RowGroupCount; i++)
        {
            yield return ReadRowGroup(i, columns);
        }
    }

    private List<ParquetColumnInfo> Select(IReadOnlyList<string>? columns)
    {
        if (columns is null)
        {
            return _columns;
        }
        var selected = new List<ParquetColumnInfo>(columns.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in columns)
        {
            ParquetColumnInfo? info = _columns.Find(c => c.Name == name);
            if (info is null)
            {
                throw new ArgumentException($"File '{Name}' has no column '{name}'; its columns are {string.Join(", ", _columns.Select(c => $"'{c.Name}'"))}.", nameof(columns));
            }
            if (!seen.Add(name))
            {
                throw new ArgumentException($"Column '{name}' is requested twice; list each column once.", nameof(columns));
            }
            selected.Add(info);
        }
        return selected;
    }

    private BatchSchema BuildSchema(List<ParquetColumnInfo>? selected)
    {
        selected ??= _columns;
        var fields = new List<ColumnField>(selected.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParquetColumnInfo info in selected)
        {
            if (info.Field is null)
            {
                throw new ParquetFormatException(info.UnsupportedReason!, Name, info.Name, null, null);
            }
            if (!names.Add(info.Name))
            {
                throw new ParquetFormatException($"The schema has two top-level columns named '{info.Name}'; column names must be unique.", Name, null, null, null);
            }
            fields.Add(info.Field);
        }
        try
        {
            return new BatchSchema(fields);
        }
        catch (ArgumentException ex)
        {
            // ArgumentException appends " (Parameter 'name')" to its message; the sentence ends before that.
            string problem = ex.ParamName is { } param ? ex.Message.Replace($" (Parameter '{param}')", "", StringComparison.Ordinal) : ex.Message;
            throw new ParquetFormatException($"The schema cannot be read as a batch schema: {problem}", Name, null, null, null, ex);
        }
    }

    private FileMetaData ReadFooter(out long dataEnd)
    {
        long length = _stream.Length;
        if (length < 12)
        {
            throw new ParquetFormatException($"The file is {length} bytes long, too short to be Parquet (at least 12 bytes: magic, footer length, magic).", Name, null, null, null);
        }
        Span<byte> head = stackalloc byte[4];
        _stream.Seek(0, SeekOrigin.Begin);
        _stream.ReadExactly(head);
        Span<byte> tail = stackalloc byte[8];
        _stream.Seek(length - 8, SeekOrigin.Begin);
        _stream.ReadExactly(tail);
        if (tail[4..].SequenceEqual(EncryptedMagic))
        {
            throw new ParquetFormatException("The file has an encrypted footer (magic 'PARE'); Parquet modular encryption is not supported.", Name, null, null, null);
        }
        if (!head.SequenceEqual(Magic) || !tail[4..].SequenceEqual(Magic))
        {
            throw new ParquetFormatException("The file does not start and end with the Parquet magic bytes 'PAR1'; it is not a Parquet file or it is truncated.", Name, null, null, null);
        }
        uint footerLength = BinaryPrimitives.ReadUInt32LittleEndian(tail);
        if (footerLength == 0 || footerLength > length - 12)
        {
            throw new ParquetFormatException($"The footer claims {footerLength} bytes but the file has room for at most {length - 12}; the file is truncated or corrupt.", Name, null, null, null);
        }
        var footer = new byte[footerLength];
        _stream.Seek(length - 8 - footerLength, SeekOrigin.Begin);
        _stream.ReadExactly(footer);
        dataEnd = length - 8 - footerLength;
        FileMetaData metadata;
        try
        {
            metadata = FileMetaData.Parse(footer);
        }
        catch (ParquetFormatException ex)
        {
            throw new ParquetFormatException($"The footer metadata is corrupt: {ex.Message}", Name, null, null, null, ex);
        }
        if (metadata.IsEncrypted)
        {
            throw new ParquetFormatException("The file's columns are encrypted; Parquet modular encryption is not supported.", Name, null, null, null);
        }
        return metadata;
    }

    private List<ParquetColumnInfo> MapSchema()
    {
        List<ParquetColumnInfo> columns;
        int leaves;
        try
        {
            columns = SchemaMapper.Map(Footer.Schema, out leaves);
        }
        catch (ParquetFormatException ex)
        {
            throw new ParquetFormatException($"The schema is malformed: {ex.Message}", Name, null, null, null, ex);
        }
        for (int i = 0; i < Footer.RowGroups.Count; i++)
        {
            int chunks = Footer.RowGroups[i].Columns.Count;
            if (chunks != leaves)
            {
                throw new ParquetFormatException($"The row group has {chunks} column chunks but the schema has {leaves} leaf columns.", Name, null, i, null);
            }
        }
        return columns;
    }
}
