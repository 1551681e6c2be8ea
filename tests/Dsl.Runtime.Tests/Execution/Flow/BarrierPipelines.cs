using Dsl.Execution;
using Dsl.Parquet;
using Dsl.Runtime.Tests.Fitting;
using Dsl.Validation;

namespace Dsl.Runtime.Tests.Execution.Flow;

/// <summary>
/// Hand-built pipelines with aggregate, join and split stages, wired as the generator wires them, over the input of
/// <see cref="FitPipelines"/> (T: Id, Amount double?, Count int?, Country string?, Flag bool?) and its filter Keep
/// (Id % 3 != 0):
/// <list type="bullet">
/// <item>Aggregate: Keep → ByCountry (group by Country, null a group of its own) → Label (a map reading the aggregate's
/// output, the sink).</item>
/// <item>Join: Keep → WithRegion (a join with table 'regions' R(Code string, Region string?, Weight int) on Country =
/// Code, the sink).</item>
/// <item>Split: Keep is a sink split 80/20 by Id.</item>
/// </list>
/// </summary>
internal static class BarrierPipelines
{
    public static readonly BatchSchema A = new(
        new ColumnField("Country", ColumnType.String, true),
        new ColumnField("N", ColumnType.Int64, false),
        new ColumnField("Amounts", ColumnType.Int64, false),
        new ColumnField("Total", ColumnType.Double, false),
        new ColumnField("Avg", ColumnType.Double, false),
        new ColumnField("Sd", ColumnType.Double, false),
        new ColumnField("Low", ColumnType.Double, true),
        new ColumnField("Items", ColumnType.Int64, false),
        new ColumnField("Kinds", ColumnType.Int64, false),
        new ColumnField("LastId", ColumnType.Int64, true));

    public static readonly BatchSchema L = new(
        new ColumnField("Country", ColumnType.String, true),
        new ColumnField("N", ColumnType.Int64, false),
        new ColumnField("Avg", ColumnType.Double, false),
        new ColumnField("Busy", ColumnType.Boolean, false));

    public static readonly BatchSchema R = new(
        new ColumnField("Code", ColumnType.String, false),
        new ColumnField("Region", ColumnType.String, true),
        new ColumnField("Weight", ColumnType.Int32, false));

    public static BatchSchema J(JoinKind kind) => kind is JoinKind.Semi or JoinKind.Anti
        ? FitPipelines.T
        : new(
            new ColumnField("Id", ColumnType.Int64, false),
            new ColumnField("Country", ColumnType.String, true),
            new ColumnField("Amount", ColumnType.Double, true),
            new ColumnField("Region", ColumnType.String, true),
            new ColumnField("Weight", ColumnType.Int32, kind == JoinKind.Left));

    /// <summary>Keep → ByCountry → Label (sink); with <paramref name="sinkAggregate"/> the aggregate itself is the sink.</summary>
    public static CompiledPipeline Aggregate(bool sinkAggregate = false)
    {
        var stages = new List<StagePlan>
        {
            new("Keep", StageKind.Filter, "T", "T", null, true, null),
            new("ByCountry", StageKind.Aggregate, "T", "A", "Keep", true, null),
        };
        var segments = new List<SegmentPlan> { new(0, ["Keep"], null, "T", "T", false, ["Id", "Amount", "Count", "Country", "Flag"]) };
        if (!sinkAggregate)
        {
            stages.Add(new StagePlan("Label", StageKind.Map, "A", "L", "ByCountry", true, null));
            segments.Add(new SegmentPlan(1, ["Label"], null, "A", "L", true, ["Country", "N", "Avg"]) { InputBarrier = "ByCountry" });
        }
        AggregateOutput[] outputs =
        [
            new("Country", AggregateFunction.Key, "Country"),
            new("N", AggregateFunction.Count, null),
            new("Amounts", AggregateFunction.CountValues, "Amount"),
            new("Total", AggregateFunction.Sum, "Amount"),
            new("Avg", AggregateFunction.Mean, "Amount"),
            new("Sd", AggregateFunction.StdDev, "Amount"),
            new("Low", AggregateFunction.Min, "Amount"),
            new("Items", AggregateFunction.Sum, "Count"),
            new("Kinds", AggregateFunction.CountDistinct, "Count"),
            new("LastId", AggregateFunction.Last, "Id", "Amount"),
        ];
        var plan = new PipelinePlan("by-country", "T", new Dictionary<string, BatchSchema> { ["T"] = FitPipelines.T, ["A"] = A, ["L"] = L }, stages, segments)
        {
            Aggregates = [new AggregatePlan("ByCountry", "T", "Keep", 0, "A", ["Country"], outputs) { IsSink = sinkAggregate }],
        };
        return new CompiledPipeline(plan, sinkAggregate ? [KeepKernel] : [KeepKernel, LabelKernel]);
    }

    /// <summary>Keep → WithRegion (sink), a join of the kept rows with table 'regions'.</summary>
    public static CompiledPipeline Join(JoinKind kind)
    {
        BatchSchema output = J(kind);
        JoinOutput[] outputs = kind is JoinKind.Semi or JoinKind.Anti
            ? [.. FitPipelines.T.Fields.Select(f => new JoinOutput(f.Name, JoinSide.Left, f.Name))]
            : [new("Id", JoinSide.Left, "Id"), new("Country", JoinSide.Left, "Country"), new("Amount", JoinSide.Left, "Amount"), new("Region", JoinSide.Right, "Region"), new("Weight", JoinSide.Right, "Weight")];
        string outputName = kind is JoinKind.Semi or JoinKind.Anti ? "T" : "J";
        var plan = new PipelinePlan(
            "with-region",
            "T",
            new Dictionary<string, BatchSchema> { ["T"] = FitPipelines.T, ["R"] = R, ["J"] = J(JoinKind.Left) },
            [new StagePlan("Keep", StageKind.Filter, "T", "T", null, true, null), new StagePlan("WithRegion", StageKind.Join, "T", outputName, "Keep", true, null)],
            [new SegmentPlan(0, ["Keep"], null, "T", "T", false, ["Id", "Amount", "Count", "Country", "Flag"])])
        {
            Joins = [new JoinPlan("WithRegion", "T", "R", "regions", "Keep", 0, outputName, kind, ["Country"], ["Code"], outputs) { IsSink = true }],
        };
        if (kind is JoinKind.Inner)
        {
            plan = plan with { Schemas = new Dictionary<string, BatchSchema> { ["T"] = FitPipelines.T, ["R"] = R, ["J"] = output } };
        }
        return new CompiledPipeline(plan, [KeepKernel]);
    }

    /// <summary>Keep as the sink, split into train (0.8) and test (0.2) by a hash of Id with seed 7 (stratified by <paramref name="stratifyBy"/> when given).</summary>
    public static CompiledPipeline Split(string? stratifyBy = null)
    {
        var plan = new PipelinePlan(
            "split-kept",
            "T",
            new Dictionary<string, BatchSchema> { ["T"] = FitPipelines.T },
            [new StagePlan("Keep", StageKind.Filter, "T", "T", null, true, null)],
            [new SegmentPlan(0, ["Keep"], null, "T", "T", true, ["Id", "Amount", "Count", "Country", "Flag"])])
        {
            Splits = [new SplitPlan("Keep", ["Id"], ["train", "test"], [0.8, 0.2], 7, stratifyBy)],
        };
        return new CompiledPipeline(plan, [KeepKernel]);
    }

    /// <summary>Writes the regions table: codes DE, FR, IT and XX (no input row has XX), FR twice (two matches each).</summary>
    public static string WriteRegions(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        (string Code, string? Region, int Weight)[] rows = [("DE", "Central", 3), ("FR", "West", 2), ("FR", "Southwest", 5), ("IT", null, 1), ("XX", "Nowhere", 9)];
        var code = new StringColumnBuilder();
        var region = new StringColumnBuilder();
        var weight = new ColumnBuilder<int>(ColumnType.Int32, rows.Length, nullable: false);
        for (int i = 0; i < rows.Length; i++)
        {
            code.Append(rows[i].Code);
            region.Append(rows[i].Region);
            weight.Values[i] = rows[i].Weight;
        }
        using var writer = new ParquetFileWriter(path, R, new ParquetWriteOptions());
        using var batch = new RecordBatch(R, [code.Build(), region.Build(), weight.Build(rows.Length)], rows.Length);
        writer.WriteBatch(batch);
        return path;
    }

    private static RecordBatch KeepKernel(RecordBatch input, RowViolations? violations)
    {
        ReadOnlySpan<long> id = input.GetPrimitive<long>("Id", ColumnType.Int64).Values;
        var keep = new List<int>(id.Length);
        for (int i = 0; i < id.Length; i++)
        {
            if (FitPipelines.Keeps(id[i]))
            {
                keep.Add(i);
            }
        }
        int[] rows = [.. keep];
        return new RecordBatch(input.Schema, input.Columns.Select(c => RowGather.Gather(c, rows)).ToArray(), rows.Length);
    }

    // Label: the aggregate's Country, N and Avg, and Busy = N > 100.
    private static RecordBatch LabelKernel(RecordBatch input, RowViolations? violations)
    {
        int n = input.RowCount;
        int[] all = Enumerable.Range(0, n).ToArray();
        ReadOnlySpan<long> count = input.GetPrimitive<long>("N", ColumnType.Int64).Values;
        var busy = new ColumnBuilder<bool>(ColumnType.Boolean, n, nullable: false);
        for (int i = 0; i < n; i++)
        {
            busy.Values[i] = count[i] > 100;
        }
        return new RecordBatch(L, [RowGather.Gather(input["Country"], all), RowGather.Gather(input["N"], all), RowGather.Gather(input["Avg"], all), busy.Build(n)], n);
    }
}
