using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Execution;

/// <summary>
/// What processing one row group holds in memory, estimated from its footer before it is read: the stored bytes of
/// the chunks read (read whole, then decoded), the decoded input columns, and the sink batches of one kernel slice
/// (the kernel runs on slices of <see cref="PartitionTask.SliceRows"/> rows, so its output does not grow with the row group).
/// </summary>
internal static class RowGroupCost
{
    public static long Estimate(PipelinePlan plan, ParquetFileReader reader, int rowGroup, IReadOnlyList<string> readColumns)
    {
        RowGroup group = reader.Metadata.RowGroups[rowGroup];
        long rows = group.NumRows;
        BatchSchema input = plan.Schemas[plan.InputSchema];
        long bytes = 0;
        foreach (string name in readColumns)
        {
            ColumnField field = input[input.IndexOf(name)];
            int leaf = reader.Columns.FirstOrDefault(c => c.Name == name)?.LeafIndex ?? -1;
            ColumnMetaData? meta = leaf >= 0 && leaf < group.Columns.Count ? group.Columns[leaf].MetaData : null;
            long stored = meta?.TotalCompressedSize ?? 0;
            bytes += stored;
            bytes += rows * Width(field.Type) + (field.Nullable ? rows / 8 : 0);
            if (field.Type is ColumnType.String or ColumnType.Binary)
            {
                // The dictionary (or the PLAIN values) decoded: at most the chunk's uncompressed size.
                bytes += meta?.TotalUncompressedSize ?? stored;
            }
        }
        long slice = Math.Min(rows, PartitionTask.SliceRows);
        foreach (SegmentPlan segment in plan.Segments)
        {
            // Each segment's output slice, and the copied input slice of the first.
            bytes += slice * plan.Schemas[segment.OutputSchema].Fields.Sum(f => (long)Width(f.Type) + 1);
        }
        return bytes + (slice * input.Fields.Sum(f => (long)Width(f.Type)));
    }

    private static int Width(ColumnType type) => type switch
    {
        ColumnType.Boolean => 1,
        ColumnType.Int32 or ColumnType.Date or ColumnType.Float => 4,
        ColumnType.String or ColumnType.Binary => 4, // an index into the dictionary
        ColumnType.Decimal => 16,
        _ => 8,
    };
}
