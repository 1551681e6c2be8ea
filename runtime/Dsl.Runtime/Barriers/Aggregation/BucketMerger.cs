namespace Dsl.Barriers.Aggregation;

/// <summary>
/// The reduce side of an aggregation: merges one bucket's partial files into its output rows. The files are read in
/// the order given, and each file's records in the order written, so a group's floating-point sums add up the same
/// way every time for the same files. When the merged groups' estimated bytes pass <c>memoryBytes</c> (and there are
/// two or more), the bucket's records are instead re-partitioned by the next four high bits of the key hash into 16
/// sub-buckets in the scratch folder and each is merged on its own, recursively up to <see cref="MaxDepth"/> levels
/// (the last merges in memory whatever its size). A single hot key is one group and never needs splitting.
/// </summary>
internal static class BucketMerger
{
    /// <summary>The most levels of re-partitioning.</summary>
    public const int MaxDepth = 4;

    /// <summary>Sub-buckets per re-partitioning.</summary>
    public const int Fanout = 16;

    /// <summary>
    /// The bucket's output rows, of <see cref="AggregateLayout.Output"/>, in batches of at most <paramref name="batchRows"/>,
    /// ordered by the key's 64-bit hash and then its bytes (the same rows in the same order however the bucket was
    /// split). The files are read as the result is enumerated; they are not deleted.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is damaged, truncated, or of another layout (the message names it).</exception>
    public static IEnumerable<RecordBatch> Merge(AggregateLayout layout, IReadOnlyList<string> files, long memoryBytes, string scratchFolder, int batchRows = 8192)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchRows);
        ArgumentException.ThrowIfNullOrEmpty(scratchFolder);
        return MergeLevel(layout, [.. files], memoryBytes, scratchFolder, batchRows, depth: 0);
    }

    private static IEnumerable<RecordBatch> MergeLevel(AggregateLayout layout, string[] files, long memoryBytes, string scratchFolder, int batchRows, int depth)
    {
        GroupTable? table = MergeInMemory(layout, files, depth < MaxDepth ? memoryBytes : long.MaxValue);
        if (table is not null)
        {
            foreach (RecordBatch batch in table.Emit(batchRows))
            {
                yield return batch;
            }
            yield break;
        }
        string folder = Path.Combine(scratchFolder, $"merge-d{depth}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string?[] parts = Repartition(layout, files, folder, depth);
            for (int sub = 0; sub < Fanout; sub++)
            {
                if (parts[sub] is not { } part)
                {
                    continue;
                }
                foreach (RecordBatch batch in MergeLevel(layout, [part], memoryBytes, scratchFolder, batchRows, depth + 1))
                {
                    yield return batch;
                }
                File.Delete(part);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // The merged groups, or null when they passed the budget.
    private static GroupTable? MergeInMemory(AggregateLayout layout, string[] files, long memoryBytes)
    {
        var table = new GroupTable(layout);
        int sinceCheck = 0;
        foreach (string file in files)
        {
            using var reader = new SpillFileReader(file, layout.Fingerprint);
            while (reader.TryRead(out ReadOnlySpan<byte> record))
            {
                table.Merge(record, file);
                // Estimating walks every accumulator; every 256 records is often enough.
                if (++sinceCheck == 256)
                {
                    sinceCheck = 0;
                    if (table.Count > 1 && table.EstimatedBytes > memoryBytes)
                    {
                        return null;
                    }
                }
            }
        }
        return table.Count > 1 && table.EstimatedBytes > memoryBytes ? null : table;
    }

    // Copies each record, in order, to the file of its sub-bucket: hash bits 63-60 at depth 0, 59-56 at depth 1, ...
    private static string?[] Repartition(AggregateLayout layout, string[] files, string folder, int depth)
    {
        var writers = new SpillFileWriter?[Fanout];
        var paths = new string?[Fanout];
        int shift = 60 - (4 * depth);
        try
        {
            foreach (string file in files)
            {
                using var reader = new SpillFileReader(file, layout.Fingerprint);
                while (reader.TryRead(out ReadOnlySpan<byte> record))
                {
                    int sub = (int)((SpillFile.RecordHash(record, file) >> shift) & (Fanout - 1));
                    if (writers[sub] is not { } writer)
                    {
                        writer = new SpillFileWriter(Path.Combine(folder, $"sub-{sub:D2}.agg"), layout.Fingerprint);
                        writers[sub] = writer;
                        paths[sub] = writer.Path;
                    }
                    writer.WriteRecord(record);
                }
            }
            foreach (SpillFileWriter? writer in writers)
            {
                // Scratch files live only for this merge: no need to wait for the disk.
                writer?.Finish(durable: false);
            }
            return paths;
        }
        finally
        {
            foreach (SpillFileWriter? writer in writers)
            {
                writer?.Dispose();
            }
        }
    }
}
