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
        return Copy(Rows, input, output, rowGroupRows);
    }

    /// <summary>Runs a pipeline that copies every row of <paramref name="input"/> (of <paramref name="schema"/>) into <paramref name="output"/>.</summary>
    public static string Copy(BatchSchema schema, string input, string output, int rowGroupRows = 1 << 20)
    {
        var pipeline = new CompiledPipeline(
            new PipelinePlan(
                "feed-rows",
                "R",
                new Dictionary<string, BatchSchema> { ["R"] = schema },
                [new StagePlan("Copy", StageKind.Map, "R", "R", null, true, null)],
                [new SegmentPlan(0, ["Copy"], null, "R", "R", true, [.. schema.Fields.Select(f => f.Name)])]),
            [(batch, _) => CopyRows(schema, batch)]);
        new LocalExecutor(new ExecutionOptions { Write = new ParquetWriteOptions { RowGroupRows = rowGroupRows } }).Run(pipeline, input, output);
        return output;
    }

    /// <summary>
    /// Value <paramref name="row"/> of a column of <paramref name="type"/> in <see cref="Typed"/>, as C#'s (float) cast
    /// makes it; null where the row is null.
    /// </summary>
    public static float? TypedValue(ColumnType type, int row) => row % 11 == 5 ? null : type switch
    {
        ColumnType.Float => (row * 0.37f) - 20,
        ColumnType.Double => (float)((row * 1e-3) + (1 / 3.0)),
        ColumnType.Float16 => (float)(Half)(row * 0.5),
        ColumnType.Boolean => row % 2 == 0 ? 1f : 0f,
        ColumnType.Int8 => (sbyte)((row % 256) - 128),
        ColumnType.Int16 => (short)((row * 100) - 15_000),
        ColumnType.Int32 => (row * 1_000_003) - 7,
        ColumnType.Int64 => row * 123_456_789_012L,
        ColumnType.UInt8 => (byte)(row % 256),
        ColumnType.UInt16 => (ushort)(row * 211),
        ColumnType.UInt32 => (uint)row * 14_000_000u,
        ColumnType.UInt64 => ulong.MaxValue - ((ulong)row * 1_000_000_007UL),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary><paramref name="rows"/> rows of <paramref name="schema"/>'s nullable number and bool columns, as <see cref="TypedValue"/> says.</summary>
    public static RecordBatch Typed(BatchSchema schema, int rows) =>
        new(schema, [.. schema.Fields.Select(f => TypedColumn(f.Type, rows))], rows);

    private static Column TypedColumn(ColumnType type, int rows) => type switch
    {
        ColumnType.Float => Build(type, rows, r => (r * 0.37f) - 20),
        ColumnType.Double => Build(type, rows, r => (r * 1e-3) + (1 / 3.0)),
        ColumnType.Float16 => Build(type, rows, r => (Half)(r * 0.5)),
        ColumnType.Boolean => Build(type, rows, r => r % 2 == 0),
        ColumnType.Int8 => Build(type, rows, r => (sbyte)((r % 256) - 128)),
        ColumnType.Int16 => Build(type, rows, r => (short)((r * 100) - 15_000)),
        ColumnType.Int32 => Build(type, rows, r => (r * 1_000_003) - 7),
        ColumnType.Int64 => Build(type, rows, r => r * 123_456_789_012L),
        ColumnType.UInt8 => Build(type, rows, r => (byte)(r % 256)),
        ColumnType.UInt16 => Build(type, rows, r => (ushort)(r * 211)),
        ColumnType.UInt32 => Build(type, rows, r => (uint)r * 14_000_000u),
        ColumnType.UInt64 => Build(type, rows, r => ulong.MaxValue - ((ulong)r * 1_000_000_007UL)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static PrimitiveColumn<T> Build<T>(ColumnType type, int rows, Func<int, T> value)
        where T : unmanaged
    {
        var builder = new ColumnBuilder<T>(type, rows, nullable: true);
        for (int r = 0; r < rows; r++)
        {
            builder.Values[r] = value(r);
            builder.Validity!.Set(r, r % 11 != 5);
        }
        return builder.Build(rows);
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

    private static RecordBatch CopyRows(BatchSchema schema, RecordBatch input)
    {
        int[] all = Enumerable.Range(0, input.RowCount).ToArray();
        return new RecordBatch(schema, [.. schema.Fields.Select(f => Gather(input[f.Name], all))], input.RowCount);
    }

    private static Column Gather(Column column, int[] rows) => column switch
    {
        PrimitiveColumn<long> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<int> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<short> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<sbyte> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<ulong> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<uint> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<ushort> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<byte> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<double> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<float> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<Half> c => ColumnGather.Gather(c, rows),
        PrimitiveColumn<bool> c => ColumnGather.Gather(c, rows),
        StringColumn c => ColumnGather.Gather(c, rows),
        _ => throw new NotSupportedException(column.Type.ToString()),
    };
}
