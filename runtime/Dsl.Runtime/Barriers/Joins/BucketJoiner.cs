using Dsl.Execution;
using Dsl.Parquet;

namespace Dsl.Barriers.Joins;

/// <summary>
/// Joins one bucket of a hash-partitioned join: the right bucket's rows go into a <see cref="BroadcastHashTable"/>
/// and the left bucket's rows probe it, file after file, row after row. A right bucket that does not fit in
/// <c>memoryBytes</c> is split again, both sides, by other bits of the key hash into <see cref="Fanout"/> sub-buckets
/// (at most <see cref="MaxDepth"/> times), which are joined one after another. When splitting cannot help (every
/// right row of the bucket has one key, or hash, or the depth limit is reached) the right side is joined in chunks
/// that each fit: every chunk is probed with all the left rows, and a flag per left row records whether it matched
/// any chunk, so that left, semi and anti joins keep their meaning.
/// </summary>
/// <remarks>
/// Output order, deterministic for given files and memory: when the right bucket fits, left rows in file order and row
/// order, each row's matches in right order (the right files in order). A split bucket's output comes sub-bucket by
/// sub-bucket, each in that order. A chunked join's comes chunk by chunk (each in left order), then, for a left join,
/// the left rows that matched nothing, in left order; semi and anti joins produce their left rows in left order.
/// </remarks>
internal static class BucketJoiner
{
    /// <summary>How many sub-buckets a bucket that does not fit is split into.</summary>
    public const int Fanout = 16;

    /// <summary>How many times a bucket is split at most before its right side is joined in chunks.</summary>
    public const int MaxDepth = 3;

    /// <summary>
    /// The join of the rows in <paramref name="leftFiles"/> (the layout's left schema) with those in
    /// <paramref name="rightFiles"/> (its right schema): one bucket of each side as <see cref="JoinBucketWriter"/>
    /// wrote it, from every task, in a fixed order. Batches of the output schema (none empty), which the caller disposes.
    /// </summary>
    /// <param name="layout">The join.</param>
    /// <param name="leftFiles">The left bucket's files, in order.</param>
    /// <param name="rightFiles">The right bucket's files, in order.</param>
    /// <param name="memoryBytes">The most bytes the right side's hash table may hold.</param>
    /// <param name="scratchFolder">Where sub-buckets are written (each deleted once joined).</param>
    /// <param name="batchRows">The most rows read at a time from a file.</param>
    public static IEnumerable<RecordBatch> Join(JoinLayout layout, IReadOnlyList<string> leftFiles, IReadOnlyList<string> rightFiles, long memoryBytes, string scratchFolder, int batchRows = 8192)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(leftFiles);
        ArgumentNullException.ThrowIfNull(rightFiles);
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryBytes, 1);
        ArgumentException.ThrowIfNullOrEmpty(scratchFolder);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        return JoinFiles(new Context(layout, memoryBytes, scratchFolder, batchRows, new JoinTrace()), leftFiles, rightFiles, depth: 0);
    }

    /// <summary><see cref="Join(JoinLayout, IReadOnlyList{string}, IReadOnlyList{string}, long, string, int)"/>, counting what it did in <paramref name="trace"/>.</summary>
    internal static IEnumerable<RecordBatch> Join(JoinLayout layout, IReadOnlyList<string> leftFiles, IReadOnlyList<string> rightFiles, long memoryBytes, string scratchFolder, int batchRows, JoinTrace trace) =>
        JoinFiles(new Context(layout, memoryBytes, scratchFolder, batchRows, trace), leftFiles, rightFiles, depth: 0);

    private sealed class Context(JoinLayout layout, long memoryBytes, string scratch, int batchRows, JoinTrace trace)
    {
        public JoinLayout Layout { get; } = layout;
        public long MemoryBytes { get; } = memoryBytes;
        public int BatchRows { get; } = batchRows;
        private int _splits;

        /// <summary>A new folder for one split's sub-buckets.</summary>
        public string NextSplitFolder(int depth) => Path.Combine(scratch, $"join-split-d{depth}-{_splits++:D6}");

        public JoinTrace Trace { get; } = trace;
    }

    /// <summary>What a join did, counted: buckets split, chunked joins and their chunks.</summary>
    internal sealed class JoinTrace
    {
        public int Splits { get; set; }

        public int ChunkedJoins { get; set; }

        public int Chunks { get; set; }
    }

    private static IEnumerable<RecordBatch> JoinFiles(Context context, IReadOnlyList<string> left, IReadOnlyList<string> right, int depth)
    {
        JoinLayout layout = context.Layout;
        BroadcastHashTable? table = BroadcastHashTable.TryBuild(layout, ReadSide(right, layout.Right, context.BatchRows), context.MemoryBytes);
        if (table is not null)
        {
            using (table)
            {
                foreach (RecordBatch batch in ReadSide(left, layout.Left, context.BatchRows))
                {
                    RecordBatch output;
                    using (batch)
                    {
                        output = table.Probe(batch);
                    }
                    if (Empty(output))
                    {
                        continue;
                    }
                    yield return output;
                }
            }
            yield break;
        }
        if (depth < MaxDepth)
        {
            string folder = context.NextSplitFolder(depth + 1);
            try
            {
                IReadOnlyList<JoinBucketFile> rightParts = Split(context, right, layout.Right, layout.Plan.RightKeys, folder, "right", keepNullKeys: false, depth + 1);
                // All right rows in one sub-bucket: they share a key (or a hash), and splitting again would not help.
                if (rightParts.Count > 1)
                {
                    context.Trace.Splits++;
                    IReadOnlyList<JoinBucketFile> leftParts = Split(context, left, layout.Left, layout.Plan.LeftKeys, folder, "left", layout.KeepsUnmatchedLeft, depth + 1);
                    for (int sub = 0; sub < Fanout; sub++)
                    {
                        string[] subLeft = [.. leftParts.Where(p => p.Bucket == sub).Select(p => p.Path)];
                        string[] subRight = [.. rightParts.Where(p => p.Bucket == sub).Select(p => p.Path)];
                        if (subLeft.Length == 0 || (subRight.Length == 0 && !layout.KeepsUnmatchedLeft))
                        {
                            continue;
                        }
                        foreach (RecordBatch batch in JoinFiles(context, subLeft, subRight, depth + 1))
                        {
                            yield return batch;
                        }
                        foreach (string file in subLeft.Concat(subRight))
                        {
                            File.Delete(file);
                        }
                    }
                    yield break;
                }
            }
            finally
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
        foreach (RecordBatch batch in Chunked(context, left, right))
        {
            yield return batch;
        }
    }

    private static IReadOnlyList<JoinBucketFile> Split(Context context, IReadOnlyList<string> files, BatchSchema schema, IReadOnlyList<string> keys, string folder, string side, bool keepNullKeys, int level)
    {
        using var writer = new JoinBucketWriter(schema, keys, Fanout, folder, side, keepNullKeys, level);
        foreach (RecordBatch batch in ReadSide(files, schema, context.BatchRows))
        {
            using (batch)
            {
                writer.Write(batch);
            }
        }
        return writer.Finish();
    }

    // The right side in chunks that each fit in memory, every chunk probed with all the left rows.
    private static IEnumerable<RecordBatch> Chunked(Context context, IReadOnlyList<string> left, IReadOnlyList<string> right)
    {
        JoinLayout layout = context.Layout;
        context.Trace.ChunkedJoins++;
        long leftRows = left.Sum(RowCount);
        if (leftRows > Array.MaxLength)
        {
            throw new PipelineExecutionException($"Join stage '{layout.Plan.Stage}': a bucket of {leftRows:N0} left rows whose right rows share one key is more than one join pass can track; use more buckets.");
        }
        bool[]? matched = layout.Kind == JoinKind.Inner ? null : new bool[leftRows];
        using (IEnumerator<RecordBatch> rightBatches = ReadSide(right, layout.Right, context.BatchRows).GetEnumerator())
        {
            bool more = true;
            while (more)
            {
                BroadcastHashTable table;
                using (var builder = new BroadcastHashTable.Builder(layout))
                {
                    // At least one batch per chunk, however small the memory.
                    int added = 0;
                    while ((added == 0 || builder.Bytes < context.MemoryBytes) && (more = rightBatches.MoveNext()))
                    {
                        builder.Add(rightBatches.Current);
                        added++;
                    }
                    if (added == 0)
                    {
                        break;
                    }
                    table = builder.Finish();
                }
                context.Trace.Chunks++;
                using (table)
                {
                    int offset = 0;
                    foreach (RecordBatch batch in ReadSide(left, layout.Left, context.BatchRows))
                    {
                        RecordBatch? output = null;
                        using (batch)
                        {
                            Span<bool> flags = matched is null ? default : matched.AsSpan(offset, batch.RowCount);
                            if (layout.Kind is JoinKind.Inner or JoinKind.Left)
                            {
                                output = table.Probe(batch, JoinKind.Inner, flags);
                            }
                            else
                            {
                                table.Mark(batch, flags);
                            }
                            offset += batch.RowCount;
                        }
                        if (output is not null && !Empty(output))
                        {
                            yield return output;
                        }
                    }
                }
            }
        }
        if (matched is null)
        {
            yield break;
        }
        // The rows whose output depends on all chunks: unmatched rows (left, anti) or matched ones (semi), in left order.
        bool wanted = layout.Kind == JoinKind.Semi;
        int at = 0;
        foreach (RecordBatch batch in ReadSide(left, layout.Left, context.BatchRows))
        {
            RecordBatch output;
            using (batch)
            using (var rows = new RowList(batch.RowCount))
            {
                for (int row = 0; row < batch.RowCount; row++)
                {
                    if (matched[at + row] == wanted)
                    {
                        rows.Add(row);
                    }
                }
                at += batch.RowCount;
                output = JoinOutputs.Assemble(layout, batch, rows.Span, null, default);
            }
            if (!Empty(output))
            {
                yield return output;
            }
        }
    }

    // An output batch without rows is disposed rather than passed on.
    private static bool Empty(RecordBatch output)
    {
        if (output.RowCount > 0)
        {
            return false;
        }
        output.Dispose();
        return true;
    }

    private static long RowCount(string file)
    {
        using var reader = new ParquetFileReader(file);
        return reader.RowCount;
    }

    /// <summary>The rows of bucket files written with <paramref name="schema"/>, as batches of it, file after file.</summary>
    internal static IEnumerable<RecordBatch> ReadSide(IReadOnlyList<string> files, BatchSchema schema, int batchRows)
    {
        string[] columns = [.. schema.Fields.Select(f => f.Name)];
        foreach (string file in files)
        {
            using var reader = new ParquetFileReader(file);
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                foreach (RecordBatch read in reader.ReadRowGroupBatches(rg, columns, batchRows))
                {
                    // The file's schema is the bucket writer's; this gives the batch the layout's field objects.
                    yield return new RecordBatch(schema, read.Columns, read.RowCount);
                }
            }
        }
    }
}
