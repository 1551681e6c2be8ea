namespace Dsl.Barriers.Aggregation;

/// <summary>
/// The map side of an aggregation: one task's batches combined into partial groups in a hash table keyed by the
/// group's key bytes. When the groups' estimated bytes pass <c>memoryBytes</c> (checked after each batch) every group
/// is written to its bucket's file and the table starts empty, so a task holds at most its budget plus one batch's
/// groups whatever the number of groups; <see cref="Finish"/> writes the rest. A key may therefore have several records
/// in one file; the <see cref="BucketMerger"/> merges them in the order they were written.
/// </summary>
internal sealed class PartialAggregator : IDisposable
{
    private readonly AggregateLayout _layout;
    private readonly int _buckets;
    private readonly string _spillFolder;
    private readonly long _memoryBytes;
    private readonly SpillFileWriter?[] _writers;
    private GroupTable _table;
    private bool _finished;

    /// <param name="layout">The aggregation.</param>
    /// <param name="buckets">The number of buckets the groups are spread over (key hash modulo buckets).</param>
    /// <param name="spillFolder">The folder of this aggregator's files <c>bucket-NNNNN.agg</c>, created when missing; it must hold none yet.</param>
    /// <param name="memoryBytes">The budget of the partial groups.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="buckets"/> or <paramref name="memoryBytes"/> is not positive.</exception>
    /// <exception cref="IOException"><paramref name="spillFolder"/> already holds bucket files.</exception>
    public PartialAggregator(AggregateLayout layout, int buckets, string spillFolder, long memoryBytes)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBytes);
        ArgumentException.ThrowIfNullOrEmpty(spillFolder);
        Directory.CreateDirectory(spillFolder);
        if (Directory.EnumerateFiles(spillFolder, "bucket-*.agg").FirstOrDefault() is { } existing)
        {
            throw new IOException($"The aggregate stage '{layout.Stage}' spills to '{spillFolder}', which already holds '{Path.GetFileName(existing)}'; give each task's aggregator a folder of its own.");
        }
        _layout = layout;
        _buckets = buckets;
        _spillFolder = spillFolder;
        _memoryBytes = memoryBytes;
        _writers = new SpillFileWriter?[buckets];
        _table = new GroupTable(layout);
    }

    /// <summary>How many times the groups passed the budget and were spilled before <see cref="Finish"/>.</summary>
    public int Spills { get; private set; }

    /// <summary>The groups now in memory.</summary>
    public int Groups => _table.Count;

    /// <summary>Adds a batch of the layout's input schema.</summary>
    /// <exception cref="OverflowException">A whole-number sum passed <see cref="long.MaxValue"/> (the message names the stage and member).</exception>
    public void Add(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_finished, this);
        _table.Add(batch);
        if (_table.EstimatedBytes > _memoryBytes)
        {
            SpillTable();
            Spills++;
        }
    }

    /// <summary>
    /// Writes the groups in memory, closes every bucket file flushed to the disk, and lists them by bucket (a bucket
    /// with no group has no file). The aggregator takes no more batches.
    /// </summary>
    public IReadOnlyList<AggregateSpill> Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        SpillTable();
        var spills = new List<AggregateSpill>();
        for (int bucket = 0; bucket < _buckets; bucket++)
        {
            if (_writers[bucket] is { } writer)
            {
                long bytes = writer.Finish(durable: true);
                spills.Add(new AggregateSpill(bucket, writer.Path, writer.Records, bytes));
            }
        }
        _finished = true;
        return spills;
    }

    /// <summary>Closes the files; when <see cref="Finish"/> was not called they are deleted.</summary>
    public void Dispose()
    {
        foreach (SpillFileWriter? writer in _writers)
        {
            writer?.Dispose();
        }
        _finished = true;
    }

    private void SpillTable()
    {
        GroupTable table = _table;
        for (int group = 0; group < table.Count; group++)
        {
            int bucket = (int)(table.Hash(group) % (ulong)_buckets);
            SpillFileWriter writer = _writers[bucket] ??= new SpillFileWriter(Path.Combine(_spillFolder, $"bucket-{bucket:D5}.agg"), _layout.Fingerprint);
            table.Write(group, writer);
        }
        if (table.Count > 0)
        {
            _table = new GroupTable(_layout);
        }
    }
}
