using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Execution;

/// <summary>
/// What processing one row group holds in memory, estimated from its footer before it is read. Flat row groups larger
/// than a batch are streamed (<see cref="ParquetFileReader.ReadRowGroupBatches"/>): per column, the stored bytes of
/// about two batches of pages, a decoded segment and the batch copied from it; then each segment's output batch. Other
/// row groups are read whole: every chunk's stored and decoded bytes.
/// </summary>
internal static class RowGroupCost
{
    public static long Estimate(PipelinePlan plan, ParquetFileReader reader, int rowGroup, IReadOnlyList<string> readColumns)
    {
        RowGroup group = reader.Footer.RowGroups[rowGroup];
        long rows = Math.Max(group.NumRows, 0);
        BatchSchema input = plan.Schemas[plan.InputSchema];
        long slice = Math.Min(rows, PartitionTask.SliceRows);
        bool streamed = rows > PartitionTask.SliceRows && readColumns.All(c => !input[input.IndexOf(c)].Type.IsNested());
        long held = streamed ? 2 * slice : rows; // rows decoded at once: a segment and the batch copied out of it
        long bytes = 0;
        foreach (string name in readColumns)
        {
            ColumnField field = input[input.IndexOf(name)];
            int leaf = reader.Columns.FirstOrDefault(c => c.Name == name)?.LeafIndex ?? -1;
            ColumnMetaData? meta = leaf >= 0 && leaf < group.Columns.Count ? group.Columns[leaf].MetaData : null;
            bytes += Share(meta?.TotalCompressedSize ?? 0, held, rows, streamed);
            bytes += held * Width(field.Type) + (field.Nullable ? held / 8 : 0);
            if (field.Type is ColumnType.String or ColumnType.Binary)
            {
                // The dictionary (or the PLAIN values) decoded: at most the chunk's uncompressed size.
                bytes += Share(meta?.TotalUncompressedSize ?? 0, held, rows, streamed);
            }
        }
        foreach (SegmentPlan segment in plan.Segments)
        {
            bytes += slice * plan.Schemas[segment.OutputSchema].Fields.Sum(f => (long)Width(f.Type) + 1);
        }
        return bytes;
    }

    /// <summary>
    /// What reading a text partition holds at once: a batch of parsed columns (strings at an assumed 32 bytes each), the
    /// read buffers and the longest record, and each segment's output batch.
    /// </summary>
    public static long EstimateText(PipelinePlan plan, IReadOnlyList<string> readColumns, int maxRecordBytes)
    {
        BatchSchema input = plan.Schemas[plan.InputSchema];
        long slice = PartitionTask.SliceRows;
        long bytes = (2L << 20) + (2L * maxRecordBytes); // file and decoder buffers; a record held as bytes and as chars
        foreach (string name in readColumns)
        {
            ColumnField field = input[input.IndexOf(name)];
            bytes += slice * (Width(field.Type) + 1 + (field.Type.IsByteArray() ? 32 : 0));
        }
        foreach (SegmentPlan segment in plan.Segments)
        {
            bytes += slice * plan.Schemas[segment.OutputSchema].Fields.Sum(f => (long)Width(f.Type) + 1);
        }
        return bytes;
    }

    // The part of a chunk's bytes that a streamed read holds at once (plus a page's worth), or all of them.
    private static long Share(long chunkBytes, long held, long rows, bool streamed) =>
        streamed && rows > 0 ? Math.Min(chunkBytes, (chunkBytes * held / rows) + (1 << 20)) : chunkBytes;

    private static int Width(ColumnType type) => type switch
    {
        ColumnType.Boolean or ColumnType.Int8 or ColumnType.UInt8 => 1,
        ColumnType.Int16 or ColumnType.UInt16 or ColumnType.Float16 => 2,
        ColumnType.Int32 or ColumnType.UInt32 or ColumnType.Date or ColumnType.Float => 4,
        ColumnType.String or ColumnType.Binary => 4, // an index into the dictionary
        ColumnType.Decimal or ColumnType.Uuid => 16,
        _ => 8,
    };
}
