using System.Collections.Concurrent;
using Dsl.Execution;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>Pipelines over any schema for input tests: a kernel that copies every column it reads to the output unchanged.</summary>
internal static class TextInputPipelines
{
    /// <summary>
    /// Reads every column of <paramref name="schema"/> and writes it as read; <paramref name="seen"/> collects each
    /// batch's row count, to check batch sizes.
    /// </summary>
    public static CompiledPipeline Copy(BatchSchema schema, string name = "copy", ConcurrentBag<int>? seen = null, IReadOnlyList<ScanPredicate>? predicates = null) => new(
        new PipelinePlan(
            name,
            "In",
            new Dictionary<string, BatchSchema> { ["In"] = schema },
            [new StagePlan("Copy", predicates is null ? StageKind.Map : StageKind.Filter, "In", "In", null, true, null, predicates)],
            [new SegmentPlan(0, ["Copy"], null, "In", "In", true, schema.Fields.Select(f => f.Name).ToArray())]),
        [(batch, _) =>
        {
            seen?.Add(batch.RowCount);
            var columns = schema.Fields.Select(f => ColumnConcat.Concat([new ColumnPiece(batch[f.Name], 0, batch.RowCount)], batch.RowCount)).ToArray();
            return new RecordBatch(schema, columns, batch.RowCount);
        }]);

    /// <summary>Every row of the Parquet parts directly in <paramref name="folder"/>, as objects (<see cref="Column.GetValue"/>), parts in name order.</summary>
    public static List<object?[]> ReadRows(string folder)
    {
        var rows = new List<object?[]>();
        foreach (string file in Directory.GetFiles(folder, "*.parquet").Order(StringComparer.Ordinal))
        {
            using var reader = new Dsl.Parquet.ParquetFileReader(file);
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                using RecordBatch batch = reader.ReadRowGroup(rg);
                for (int r = 0; r < batch.RowCount; r++)
                {
                    rows.Add(batch.Columns.Select(c => c.GetValue(r)).ToArray());
                }
            }
        }
        return rows;
    }
}
