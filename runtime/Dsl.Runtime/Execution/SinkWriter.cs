using Dsl.Execution.Commit;
using Dsl.Parquet;
using Dsl.Parquet.Writing;

namespace Dsl.Execution;

/// <summary>How one sink's output is laid out in files (docs/partitioned-output.md).</summary>
/// <param name="PartitionBy">The columns whose values name its hive folders, in order; empty when it is not partitioned.</param>
/// <param name="MaxRowsPerFile">A part file is finished once it holds this many rows (0: no limit).</param>
/// <param name="MaxBytesPerFile">A part file is finished once it holds about this many bytes (0: no limit).</param>
/// <param name="MaxOpenFiles">The most part files this sink keeps open in one task; the least recently written is finished first.</param>
/// <param name="HeldBytes">
/// What the open files of a partitioned sink may hold in memory together; past it the largest one writes its row
/// group early.
/// </param>
internal sealed record SinkLayout(IReadOnlyList<string> PartitionBy, long MaxRowsPerFile, long MaxBytesPerFile, int MaxOpenFiles, long HeldBytes)
{
    public bool IsPartitioned => PartitionBy.Count > 0;
}

/// <summary>
/// One sink's part files in one task attempt. Unpartitioned, it writes one file (an empty one when the task has no
/// rows) and starts another whenever <see cref="SinkLayout.MaxRowsPerFile"/> or <see cref="SinkLayout.MaxBytesPerFile"/>
/// is reached. Partitioned, it splits each batch by the partition columns' values, keeps one open file per value, at
/// most <see cref="SinkLayout.MaxOpenFiles"/> of them (finishing the least recently written when a new value comes,
/// and starting a new file, <c>-k</c>, when that value comes back), and keeps what they hold under
/// <see cref="SinkLayout.HeldBytes"/> by writing the largest one's row group early. The partition columns are left
/// out of the files. Files are written flat into the attempt folder under numbered names; their folders exist only
/// in the task's record until the job commit links them into place. They reach the disk together when the task ends
/// (<see cref="DurableFile.FlushAll"/>), before the task's record names them.
/// </summary>
internal sealed class SinkWriter : IDisposable
{
    // With a byte limit, rows go to a file in pieces of at most this many, so a file passes the limit by at most that.
    private const int ByteCheckRows = 1024;

    private readonly int _sink;
    private readonly BatchSchema _fileSchema;
    private readonly int[] _fileColumns;
    private readonly SinkLayout _layout;
    private readonly ParquetWriteOptions _options;
    private readonly string _attemptDir;
    private readonly FaultPlan _faults;
    private readonly PageScratch _scratch = new();
    private readonly PartitionKeys? _keys;
    private readonly Dictionary<string, OpenPart> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _filesPerFolder = new(StringComparer.Ordinal);
    private readonly List<(long Started, PartFile Part)> _finished = [];
    private int[] _order = [];
    private int[] _groupSizes = [];
    private long _clock;
    private int _staged;

    public SinkWriter(int sink, string sinkName, BatchSchema schema, SinkLayout layout, ParquetWriteOptions options, string attemptDir, FaultPlan faults)
    {
        _sink = sink;
        _layout = layout;
        _options = options;
        _attemptDir = attemptDir;
        _faults = faults;
        var partitionColumns = new List<PartitionColumn>();
        foreach (string name in layout.PartitionBy)
        {
            int index = schema.IndexOf(name);
            HivePartitioning.ValueKind kind = HivePartitioning.KindOf(schema[index], out _)
                ?? throw new InvalidOperationException($"Column '{name}' of sink '{sinkName}' cannot partition it; the layout should have been checked.");
            partitionColumns.Add(new PartitionColumn(index, name, kind));
        }
        _fileColumns = Enumerable.Range(0, schema.Count).Where(i => !layout.PartitionBy.Contains(schema[i].Name, StringComparer.Ordinal)).ToArray();
        _fileSchema = layout.IsPartitioned ? new BatchSchema(_fileColumns.Select(i => schema[i])) : schema;
        if (layout.IsPartitioned)
        {
            _keys = new PartitionKeys(sinkName, [.. partitionColumns]);
        }
        else
        {
            // An unpartitioned sink always has a file, so a task without rows still commits an (empty) part.
            Open("", null);
        }
    }

    /// <summary>Rows written.</summary>
    public long Rows { get; private set; }

    /// <summary>The most files open at once.</summary>
    public int PeakOpenFiles { get; private set; }

    /// <summary>The most bytes the open files held together after a batch (before any was made to write early).</summary>
    public long PeakHeldBytes { get; private set; }

    /// <summary>Row groups written early because the open files together held more than <see cref="SinkLayout.HeldBytes"/>.</summary>
    public int EarlyRowGroups { get; private set; }

    /// <summary>Writes the rows of <paramref name="batch"/>, a batch of the sink's output schema.</summary>
    public void Write(RecordBatch batch)
    {
        int rows = batch.RowCount;
        if (_keys is null)
        {
            if (_layout.MaxRowsPerFile == 0 && _layout.MaxBytesPerFile == 0)
            {
                OpenPart part = Part("", null);
                part.Writer.WriteBatch(batch);
                part.Rows += rows;
                Rows += rows;
            }
            else
            {
                ParquetFileWriter.CheckBatch(_fileSchema, batch);
                WriteRange("", null, batch, 0, rows);
            }
            return;
        }
        if (rows == 0)
        {
            return;
        }
        // The files' columns, without the partition columns: a view over the batch's own columns, not a copy.
        using var projected = new ProjectedBatch(new RecordBatch(_fileSchema, _fileColumns.Select(i => batch[i]).ToArray(), rows), owns: false);
        ParquetFileWriter.CheckBatch(_fileSchema, projected.Batch);
        _keys.Compute(batch);
        List<(string Folder, string Json)> groups = _keys.Groups;
        if (groups.Count == 1)
        {
            WriteRange(groups[0].Folder, groups[0].Json, projected.Batch, 0, rows);
        }
        else if (Permute(projected.Batch, rows, groups.Count) is { } permuted)
        {
            // Rows reordered so that each group's rows are consecutive (stable): one gather per column, then one
            // range per group.
            using (permuted)
            {
                int start = 0;
                for (int g = 0; g < groups.Count; g++)
                {
                    int count = _groupSizes[g];
                    WriteRange(groups[g].Folder, groups[g].Json, permuted.Batch, start, count);
                    start += count;
                }
            }
        }
        else
        {
            // A nested column cannot be gathered here: write each run of rows of one group where it lies.
            ReadOnlySpan<int> groupOfRow = _keys.GroupOfRow;
            int start = 0;
            while (start < rows)
            {
                int end = start + 1;
                while (end < rows && groupOfRow[end] == groupOfRow[start])
                {
                    end++;
                }
                (string folder, string json) = groups[groupOfRow[start]];
                WriteRange(folder, json, projected.Batch, start, end - start);
                start = end;
            }
        }
        KeepHeldBytesUnderLimit();
    }

    /// <summary>Finishes every open file; returns every part written, in the order they were started.</summary>
    public IReadOnlyList<PartFile> Finish()
    {
        foreach (OpenPart part in _open.Values.OrderBy(p => p.Started).ToArray())
        {
            Close(part);
        }
        // Closed files were handed to the operating system; they reach the disk here, together, before the task's
        // record names them.
        PartFile[] parts = _finished.OrderBy(p => p.Started).Select(p => p.Part).ToArray();
        DurableFile.FlushAll(parts.Select(p => p.Path).ToArray(), _attemptDir, folders: false, _faults);
        return parts;
    }

    /// <summary>Closes what is still open after a failure; the caller deletes the attempt folder.</summary>
    public void Dispose()
    {
        foreach (OpenPart part in _open.Values)
        {
            try
            {
                part.Writer.Dispose();
            }
            catch (IOException)
            {
                // Already failing: a writer whose stream broke fails again writing its footer, and the first error
                // is the one to report.
            }
            part.File.Dispose();
        }
        _open.Clear();
    }

    private void WriteRange(string folder, string? json, RecordBatch batch, int start, int count)
    {
        while (count > 0)
        {
            OpenPart part = Part(folder, json);
            long take = count;
            if (_layout.MaxRowsPerFile > 0)
            {
                take = Math.Min(take, _layout.MaxRowsPerFile - part.Rows);
            }
            if (_layout.MaxBytesPerFile > 0)
            {
                take = Math.Min(take, ByteCheckRows);
            }
            part.Writer.WriteRows(batch, start, (int)take);
            part.Rows += take;
            Rows += take;
            start += (int)take;
            count -= (int)take;
            if ((_layout.MaxRowsPerFile > 0 && part.Rows >= _layout.MaxRowsPerFile)
                || (_layout.MaxBytesPerFile > 0 && part.Writer.BytesWritten + part.Writer.BufferedBytes >= _layout.MaxBytesPerFile))
            {
                Close(part); // full: the next rows of this folder start its next file
            }
        }
    }

    // The open file of a folder, opening one (and finishing the least recently written if too many are open).
    private OpenPart Part(string folder, string? json)
    {
        if (_open.TryGetValue(folder, out OpenPart? part))
        {
            part.LastUsed = ++_clock;
            return part;
        }
        if (_open.Count >= _layout.MaxOpenFiles)
        {
            Close(_open.Values.MinBy(p => p.LastUsed)!);
        }
        return Open(folder, json);
    }

    private OpenPart Open(string folder, string? json)
    {
        int sequence = _filesPerFolder.GetValueOrDefault(folder);
        _filesPerFolder[folder] = sequence + 1;
        string path = Path.Combine(_attemptDir, $"sink-{_sink}-{_staged}.parquet.inprogress");
        var file = new DurableFile(path, _faults);
        ParquetFileWriter writer;
        try
        {
            writer = new ParquetFileWriter(file, _fileSchema, _options, leaveOpen: true, _scratch);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        var part = new OpenPart(file, writer, path, folder, sequence, json, _staged) { LastUsed = ++_clock };
        _staged++;
        _open[folder] = part;
        PeakOpenFiles = Math.Max(PeakOpenFiles, _open.Count);
        return part;
    }

    private void Close(OpenPart part)
    {
        _open.Remove(part.Folder);
        try
        {
            part.Writer.Dispose(); // writes the last row group and the footer
            (long bytes, string sha) = part.File.Finish();
            _finished.Add((part.Started, new PartFile(part.Path, bytes, sha, part.Rows) { Sink = _sink, Folder = part.Folder, Sequence = part.Sequence, Partition = part.Json }));
        }
        finally
        {
            part.File.Dispose();
        }
    }

    private void KeepHeldBytesUnderLimit()
    {
        long held = 0;
        foreach (OpenPart part in _open.Values)
        {
            held += part.Writer.BufferedBytes;
        }
        PeakHeldBytes = Math.Max(PeakHeldBytes, held);
        while (held > _layout.HeldBytes)
        {
            OpenPart largest = _open.Values.MaxBy(p => p.Writer.BufferedBytes)!;
            long before = largest.Writer.BufferedBytes;
            largest.Writer.FlushRowGroup();
            largest.Writer.ReleaseSpool();
            long after = largest.Writer.BufferedBytes;
            if (after >= before)
            {
                break; // nothing left to give back
            }
            EarlyRowGroups++;
            held -= before - after;
        }
    }

    // The batch's rows reordered by group (stable), or null when a column cannot be gathered (nested types).
    private ProjectedBatch? Permute(RecordBatch batch, int rows, int groupCount)
    {
        if (!batch.Columns.All(c => c is StringColumn or PrimitiveColumn<bool> or PrimitiveColumn<int> or PrimitiveColumn<long> or PrimitiveColumn<float> or PrimitiveColumn<double> or PrimitiveColumn<Int128>))
        {
            return null;
        }
        if (_groupSizes.Length < groupCount)
        {
            _groupSizes = new int[Math.Max(groupCount, _groupSizes.Length * 2)];
        }
        if (_order.Length < rows)
        {
            _order = new int[rows];
        }
        Span<int> sizes = _groupSizes.AsSpan(0, groupCount);
        sizes.Clear();
        ReadOnlySpan<int> groupOfRow = _keys!.GroupOfRow[..rows];
        foreach (int g in groupOfRow)
        {
            sizes[g]++;
        }
        var next = new int[groupCount];
        for (int g = 1; g < groupCount; g++)
        {
            next[g] = next[g - 1] + sizes[g - 1];
        }
        Span<int> order = _order.AsSpan(0, rows);
        for (int r = 0; r < rows; r++)
        {
            order[next[groupOfRow[r]]++] = r;
        }
        var columns = new Column[batch.Schema.Count];
        try
        {
            for (int c = 0; c < columns.Length; c++)
            {
                columns[c] = batch[c] switch
                {
                    StringColumn s => ColumnGather.Gather(s, order),
                    PrimitiveColumn<bool> p => ColumnGather.Gather(p, order),
                    PrimitiveColumn<int> p => ColumnGather.Gather(p, order),
                    PrimitiveColumn<long> p => ColumnGather.Gather(p, order),
                    PrimitiveColumn<float> p => ColumnGather.Gather(p, order),
                    PrimitiveColumn<double> p => ColumnGather.Gather(p, order),
                    PrimitiveColumn<Int128> p => ColumnGather.Gather(p, order),
                    Column other => throw new InvalidOperationException($"A {other.GetType().Name} cannot be gathered."),
                };
            }
            return new ProjectedBatch(new RecordBatch(batch.Schema, columns, rows), owns: true);
        }
        catch
        {
            foreach (Column? column in columns)
            {
                column?.Dispose();
            }
            throw;
        }
    }

    // A batch this writer made: a view over another batch's columns (not disposed) or gathered copies (disposed).
    private sealed class ProjectedBatch(RecordBatch batch, bool owns) : IDisposable
    {
        public RecordBatch Batch { get; } = batch;

        public void Dispose()
        {
            if (owns)
            {
                Batch.Dispose();
            }
        }
    }

    private sealed class OpenPart(DurableFile file, ParquetFileWriter writer, string path, string folder, int sequence, string? json, long started)
    {
        public DurableFile File { get; } = file;

        public ParquetFileWriter Writer { get; } = writer;

        public string Path { get; } = path;

        public string Folder { get; } = folder;

        public int Sequence { get; } = sequence;

        public string? Json { get; } = json;

        public long Started { get; } = started;

        public long Rows { get; set; }

        public long LastUsed { get; set; }
    }
}
