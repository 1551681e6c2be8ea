using Dsl.Execution;
using Dsl.Parquet;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>Hand-written kernels over one Int64 column "x" and input files of consecutive numbers, for executor tests.</summary>
internal static class TestPipelines
{
    public static readonly BatchSchema Numbers = new(new ColumnField("x", ColumnType.Int64, false));

    public static CompiledPipeline Pipeline(SegmentKernel kernel, string name = "doubling") => new(
        new PipelinePlan(
            name,
            "N",
            new Dictionary<string, BatchSchema> { ["N"] = Numbers },
            [new StagePlan("Double", StageKind.Map, "N", "N", null, true, null)],
            [new SegmentPlan(0, ["Double"], null, "N", "N", true, ["x"])]),
        [kernel]);

    public static SegmentKernel Doubling() => Map(x => 2 * x);

    /// <summary>A kernel over column "x": null from the function drops the row (a filter), a value replaces it.</summary>
    public static SegmentKernel Map(Func<long, long?> f) => (input, _) =>
    {
        ReadOnlySpan<long> x = input.GetPrimitive<long>("x", ColumnType.Int64).Values;
        var output = new ColumnBuilder<long>(ColumnType.Int64, x.Length, nullable: false);
        int n = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (f(x[i]) is long v)
            {
                output.Values[n++] = v;
            }
        }
        return new RecordBatch(Numbers, [output.Build(n)], n);
    };

    /// <summary>Doubling, counting the batches it sees by their first value (to tell which partitions were computed).</summary>
    public static SegmentKernel CountingDoubling(System.Collections.Concurrent.ConcurrentBag<long> firstValues)
    {
        SegmentKernel doubling = Doubling();
        return (batch, _) =>
        {
            ReadOnlySpan<long> x = batch.GetPrimitive<long>("x", ColumnType.Int64).Values;
            if (x.Length > 0)
            {
                firstValues.Add(x[0]);
            }
            return doubling(batch);
        };
    }

    /// <summary>Writes <paramref name="rowGroups"/> row groups of consecutive numbers from <paramref name="start"/> to <paramref name="path"/>.</summary>
    public static string WriteFile(string path, int rowGroups, int rowsPerGroup, long start)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new ParquetFileWriter(path, Numbers, new ParquetWriteOptions { RowGroupRows = Math.Max(1, rowsPerGroup) });
        for (int g = 0; g < rowGroups; g++)
        {
            long[] values = Enumerable.Range(0, rowsPerGroup).Select(i => start + (g * rowsPerGroup) + i).ToArray();
            writer.WriteBatch(new RecordBatch(Numbers, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, values)], values.Length));
        }
        return path;
    }

    /// <summary>Column "x" of every <c>*.parquet</c> file directly in <paramref name="folder"/>, files in name order.</summary>
    public static List<long> ReadLongs(string folder, string column = "x")
    {
        var values = new List<long>();
        foreach (string file in Directory.GetFiles(folder, "*.parquet").Order(StringComparer.Ordinal))
        {
            using var reader = new ParquetFileReader(file);
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                using RecordBatch batch = reader.ReadRowGroup(rg, [column]);
                values.AddRange(batch.GetPrimitive<long>(column, ColumnType.Int64).Values.ToArray());
            }
        }
        return values;
    }

    /// <summary>Every file under <paramref name="folder"/> with its bytes, to compare an output before and after.</summary>
    public static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes)
            : [];
}
