using System.Buffers;
using Dsl.Barriers.Keys;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;
using Dsl.Parquet.Writing;

namespace Dsl.Barriers.Joins;

/// <summary>
/// Spreads one side's rows of a hash-partitioned join over bucket files by the hash of their key bytes
/// (<see cref="JoinBuckets"/>), so that rows whose keys are equal, on either side, land in buckets of the same number.
/// Each bucket is a Parquet file <c>{side}-{bucket:D5}.parquet</c> in the folder (Snappy pages), holding its rows in
/// the order they were written. Rows with a null key column match nothing: they are kept (in the bucket of their
/// hash) only when asked, for the left side of left and anti joins, whose output has them; otherwise dropped.
/// </summary>
/// <remarks>
/// Not thread-safe: one writer per task and side. Every bucket that has rows keeps a file open and holds up to
/// <see cref="RowGroupBytes"/> of encoded pages before it writes them.
/// </remarks>
internal sealed class JoinBucketWriter : IDisposable
{
    /// <summary>What each open bucket file holds in memory at most before it writes a row group.</summary>
    public const long RowGroupBytes = 4L << 20;

    private readonly BatchSchema _schema;
    private readonly KeyEncoder _keys;
    private readonly int _buckets;
    private readonly int _level;
    private readonly string _folder;
    private readonly string _side;
    private readonly bool _keepNullKeys;
    private readonly FileStream?[] _streams;
    private readonly ParquetFileWriter?[] _writers;
    private readonly PageScratch _scratch = new();
    private readonly ParquetWriteOptions _options = new() { Compression = CompressionCodec.Snappy, RowGroupBytes = RowGroupBytes, RowGroupRows = 1 << 16 };
    private bool _finished;

    /// <summary>A writer of <paramref name="schema"/>'s rows into <paramref name="buckets"/> buckets by the hash of <paramref name="keys"/>.</summary>
    /// <param name="schema">The rows' columns; every one is written.</param>
    /// <param name="keys">The join key columns.</param>
    /// <param name="buckets">The number of buckets (1 to 65,536).</param>
    /// <param name="folder">Where the files go (created if missing).</param>
    /// <param name="side">The files' name prefix, e.g. <c>left</c> or <c>right-task00003</c> (letters, digits, '-', '_').</param>
    /// <param name="keepNullKeys">Whether rows with a null key column are written (else dropped).</param>
    public JoinBucketWriter(BatchSchema schema, IReadOnlyList<string> keys, int buckets, string folder, string side, bool keepNullKeys)
        : this(schema, keys, buckets, folder, side, keepNullKeys, level: 0)
    {
    }

    /// <summary>A writer that splits one bucket at partitioning level <paramref name="level"/> (0 for the first split).</summary>
    internal JoinBucketWriter(BatchSchema schema, IReadOnlyList<string> keys, int buckets, string folder, string side, bool keepNullKeys, int level)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buckets, 65_536);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (string.IsNullOrEmpty(side) || !side.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"The bucket files' prefix '{side}' must be letters, digits, '-' and '_'.", nameof(side));
        }
        _schema = schema;
        _keys = new KeyEncoder(schema, keys, "join key");
        _buckets = buckets;
        _level = level;
        _folder = folder;
        _side = side;
        _keepNullKeys = keepNullKeys;
        _streams = new FileStream?[buckets];
        _writers = new ParquetFileWriter?[buckets];
        Directory.CreateDirectory(folder);
    }

    /// <summary>The rows written so far (dropped null-key rows not counted).</summary>
    public long Rows { get; private set; }

    /// <summary>The rows dropped because a key column was null.</summary>
    public long DroppedNullKeys { get; private set; }

    /// <summary>Adds <paramref name="batch"/>'s rows to their buckets; the batch stays the caller's.</summary>
    /// <exception cref="ArgumentException">The batch's columns are not the writer's schema.</exception>
    public void Write(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_finished, this);
        ParquetFileWriter.CheckBatch(_schema, batch);
        int rows = batch.RowCount;
        if (rows == 0)
        {
            return;
        }
        int[] bucketOf = ArrayPool<int>.Shared.Rent(rows);
        int[] starts = new int[_buckets + 1];
        try
        {
            int kept = 0;
            using (EncodedKeys keys = _keys.Encode(batch))
            {
                for (int row = 0; row < rows; row++)
                {
                    if (!_keepNullKeys && keys.HasNull(row))
                    {
                        bucketOf[row] = -1;
                        continue;
                    }
                    int bucket = JoinBuckets.Of(keys.Hash(row), _level, _buckets);
                    bucketOf[row] = bucket;
                    starts[bucket + 1]++;
                    kept++;
                }
            }
            DroppedNullKeys += rows - kept;
            if (kept == 0)
            {
                return;
            }
            for (int b = 0; b < _buckets; b++)
            {
                starts[b + 1] += starts[b];
            }
            // The rows in bucket order (a stable counting sort), so each bucket's rows are one run of the sorted batch.
            int[] order = ArrayPool<int>.Shared.Rent(kept);
            try
            {
                int[] next = starts[..^1];
                for (int row = 0; row < rows; row++)
                {
                    if (bucketOf[row] >= 0)
                    {
                        order[next[bucketOf[row]]++] = row;
                    }
                }
                using RecordBatch sorted = Take(batch, order.AsSpan(0, kept));
                for (int b = 0; b < _buckets; b++)
                {
                    int count = starts[b + 1] - starts[b];
                    if (count > 0)
                    {
                        WriterFor(b).WriteRows(sorted, starts[b], count);
                    }
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(order);
            }
            Rows += kept;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(bucketOf);
        }
    }

    /// <summary>
    /// Writes the buckets' last rows and footers and flushes each file to the disk (fsync), then lists the buckets
    /// that have rows, in bucket order (a bucket without rows has no file).
    /// </summary>
    public IReadOnlyList<JoinBucketFile> Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        var files = new List<JoinBucketFile>();
        for (int b = 0; b < _buckets; b++)
        {
            if (_writers[b] is not { } writer)
            {
                continue;
            }
            FileStream stream = _streams[b]!;
            writer.Close();
            stream.Flush(flushToDisk: true);
            files.Add(new JoinBucketFile(b, stream.Name, writer.RowCount, stream.Length));
            stream.Dispose();
            _writers[b] = null;
            _streams[b] = null;
        }
        return files;
    }

    /// <summary>Without <see cref="Finish"/> (a failed task): closes and deletes the files written so far.</summary>
    public void Dispose()
    {
        for (int b = 0; b < _buckets; b++)
        {
            if (_streams[b] is not { } stream)
            {
                continue;
            }
            string path = stream.Name;
            stream.Dispose();
            File.Delete(path);
            _streams[b] = null;
            _writers[b] = null;
        }
        _finished = true;
    }

    /// <summary>The file name of bucket <paramref name="bucket"/> of side <paramref name="side"/>.</summary>
    public static string FileName(string side, int bucket) => $"{side}-{bucket:D5}.parquet";

    private ParquetFileWriter WriterFor(int bucket)
    {
        if (_writers[bucket] is { } writer)
        {
            return writer;
        }
        var stream = new FileStream(Path.Combine(_folder, FileName(_side, bucket)), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _streams[bucket] = stream;
        // The page buffers are shared: the writers page one at a time, from this thread.
        return _writers[bucket] = new ParquetFileWriter(stream, _schema, _options, leaveOpen: true, _scratch);
    }

    private RecordBatch Take(RecordBatch batch, ReadOnlySpan<int> rows)
    {
        var columns = new List<Column>(batch.Schema.Count);
        try
        {
            foreach (Column column in batch.Columns)
            {
                columns.Add(JoinGather.Gather(column, rows));
            }
            return new RecordBatch(_schema, columns, rows.Length);
        }
        catch
        {
            columns.ForEach(c => c.Dispose());
            throw;
        }
    }
}
