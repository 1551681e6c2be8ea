using Dsl.Execution;
using Dsl.Parquet;

namespace Dsl.Runtime.Tests.Training;

/// <summary>
/// Committed outputs for the training feed's tests, written by the executor itself: input files of rows whose every
/// value follows from the row's id, run through a pipeline that copies them, so the output has the executor's parts,
/// row groups and manifest.
/// </summary>
internal static class FeedOutputs
{
    public static readonly BatchSchema Rows = new(
        new ColumnField("id", ColumnType.Int64, false),
        new ColumnField("a", ColumnType.Double, true),
        new ColumnField("b", ColumnType.Float, false),
        new ColumnField("c", ColumnType.Int32, false),
        new ColumnField("flag", ColumnType.Boolean, false),
        new ColumnField("label", ColumnType.Boolean, false),
        new ColumnField("name", ColumnType.String, false));

    public static readonly string[] Features = ["id", "a", "b", "c", "flag"];

    public static double? A(long id) => id % 7 == 3 ? null : (id * 0.1) + 1e-9;

    public static float B(long id) => -id / 3f;

    public static int C(long id) => (int)(id % 1000) - 500;

    public static bool Flag(long id) => id % 2 == 1;

    public static bool Label(long id) => id % 3 == 0;

    /// <summary>
    /// Writes one input file per entry of <paramref name="fileRows"/> (ids numbered across them) and runs the copying
    /// pipeline into <paramref name="output"/> with output row groups of <paramref name="rowGroupRows"/> rows.
    /// </summary>
    public static string Write(string root, string output, int[] fileRows, int rowGroupRows, long firstId = 0)
    {
        string input = Path.Combine(root, "in-" + Path.GetFileName(output));
        if (Directory.Exists(input))
        {
            Directory.Delete(input, recursive: true);
        }
        Directory.CreateDirectory(input);
        long id = firstId;
        for (int f = 0; f < fileRows.Length; f++)
        {
            using var writer = new ParquetFileWriter(Path.Combine(input, $"f{f:D2}.parquet"), Rows);
            long[] ids = Enumerable.Range(0, fileRows[f]).Select(i => id + i).ToArray();
            id += fileRows[f];
            writer.WriteBatch(Batch(ids));
        }
        var pipeline = new CompiledPipeline(
            new PipelinePlan(
                "feed-rows",
                "R",
                new Dictionary<string, BatchSchema> { ["R"] = Rows },
                [new StagePlan("Copy", StageKind.Map, "R", "R", null, true, null)],
                [new SegmentPlan(0, ["Copy"], null, "R", "R", true, [.. Rows.Fields.Select(f => f.Name)])]),
            [(batch, _) => Copy(batch)]);
        new LocalExecutor(new ExecutionOptions { Write = new ParquetWriteOptions { RowGroupRows = rowGroupRows } }).Run(pipeline, input, output);
        return output;
    }

    /// <summary>The rows with these ids.</summary>
    public static RecordBatch Batch(long[] ids)
    {
        var a = new ColumnBuilder<double>(ColumnType.Double, ids.Length, nullable: true);
        for (int i = 0; i < ids.Length; i++)
        {
            if (A(ids[i]) is double value)
            {
                a.Values[i] = value;
            }
            else
            {
                a.Validity!.Set(i, false);
            }
        }
        var names = new StringColumnBuilder(ColumnType.String, ids.Length);
        foreach (long id in ids)
        {
            names.Append("n" + (id % 5));
        }
        return new RecordBatch(Rows, [
            PrimitiveColumn<long>.FromArray(ColumnType.Int64, ids),
            a.Build(ids.Length),
            PrimitiveColumn<float>.FromArray(ColumnType.Float, [.. ids.Select(B)]),
            PrimitiveColumn<int>.FromArray(ColumnType.Int32, [.. ids.Select(C)]),
            PrimitiveColumn<bool>.FromArray(ColumnType.Boolean, [.. ids.Select(Flag)]),
            PrimitiveColumn<bool>.FromArray(ColumnType.Boolean, [.. ids.Select(Label)]),
            names.Build(),
        ], ids.Length);
    }

    private static RecordBatch Copy(RecordBatch input)
    {
        int[] all = Enumerable.Range(0, input.RowCount).ToArray();
        return new RecordBatch(Rows, [
            ColumnGather.Gather((PrimitiveColumn<long>)input["id"], all),
            ColumnGather.Gather((PrimitiveColumn<double>)input["a"], all),
            ColumnGather.Gather((PrimitiveColumn<float>)input["b"], all),
            ColumnGather.Gather((PrimitiveColumn<int>)input["c"], all),
            ColumnGather.Gather((PrimitiveColumn<bool>)input["flag"], all),
            ColumnGather.Gather((PrimitiveColumn<bool>)input["label"], all),
            ColumnGather.Gather((StringColumn)input["name"], all),
        ], input.RowCount);
    }
}
