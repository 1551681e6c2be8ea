using Dsl.Execution;
using Dsl.Fitting;
using Dsl.Parquet;
using Dsl.Validation;

namespace Dsl.Runtime.Tests.Fitting;

/// <summary>
/// Hand-built pipelines with a fit stage, wired as the generator wires them: input T(Id long, Amount double?,
/// Count int?, Country string?, Flag bool?); a filter 'Keep' (Id % 3 != 0); a map 'Score' taking the fitted
/// 'AmountStats(Mean, Std, Edges double[], Vocab string[])' into S(Id, Z = (Amount - Mean) / Std, Bucket = edges
/// below Amount, Code = Country's index in Vocab or -1); and the fit 'FitStats' over Keep's rows, observed through
/// a first-pass segment that re-runs Keep (or, with <c>raw</c>, over the input as read). The kernels count their
/// calls so tests can tell whether a first pass ran.
/// </summary>
internal static class FitPipelines
{
    public const string FitStage = "FitStats";
    public const string ParametersType = "AmountStats";

    public static readonly BatchSchema T = new(
        new ColumnField("Id", ColumnType.Int64, false),
        new ColumnField("Amount", ColumnType.Double, true),
        new ColumnField("Count", ColumnType.Int32, true),
        new ColumnField("Country", ColumnType.String, true),
        new ColumnField("Flag", ColumnType.Boolean, true));

    public static readonly BatchSchema S = new(
        new ColumnField("Id", ColumnType.Int64, false),
        new ColumnField("Z", ColumnType.Double, true),
        new ColumnField("Bucket", ColumnType.Int32, false),
        new ColumnField("Code", ColumnType.Int32, false));

    public static readonly StageParametersPlan AmountStats = new(ParametersType, [
        new StageParameterMember("Mean", ParameterType.Double),
        new StageParameterMember("Std", ParameterType.Double),
        new StageParameterMember("Edges", ParameterType.DoubleArray),
        new StageParameterMember("Vocab", ParameterType.StringArray),
    ]);

    /// <summary>One input row.</summary>
    public sealed record Row(long Id, double? Amount, int? Count, string? Country, bool? Flag);

    /// <summary>A request of the fit, its selector text written as the C# compiler passes it.</summary>
    public static FitRequest Request(FitStatistic statistic, string column, params double[] arguments) =>
        new(statistic, column, column.Length == 0 ? "" : $"t => t.{column}", arguments);

    /// <summary>What the fit method reads: the answers that become AmountStats.</summary>
    public static readonly FitRequest[] Needed =
    [
        Request(FitStatistic.Mean, "Amount"),
        Request(FitStatistic.StdDev, "Amount"),
        Request(FitStatistic.QuantileBoundaries, "Amount", 4),
        Request(FitStatistic.Vocabulary, "Country", 3, 1),
    ];

    /// <summary>Counts kernel calls per segment (0: Keep+Score, 1: the first pass's Keep).</summary>
    public sealed class Calls
    {
        private readonly int[] _calls = new int[2];

        public int Score => Volatile.Read(ref _calls[0]);

        public int FirstPass => Volatile.Read(ref _calls[1]);

        public void Add(int segment) => Interlocked.Increment(ref _calls[segment]);
    }

    /// <summary>The pipeline; <paramref name="extra"/> requests are gathered too (their answers land in the fitted state).</summary>
    /// <param name="minId">When above 0, Keep also requires Id &gt;= minId and says so as a scan predicate, so row groups below it are pruned.</param>
    public static CompiledPipeline Pipeline(Calls? calls = null, bool raw = false, IEnumerable<FitRequest>? extra = null, string name = "fit-stats", FitEvaluator? fitter = null, long minId = 0)
    {
        calls ??= new Calls();
        FitRequest[] requests = [.. Needed, .. extra ?? []];
        var stages = new List<StagePlan>
        {
            new("Keep", StageKind.Filter, "T", "T", null, true, null, minId > 0 ? [new ScanPredicate("Id", ScanOperator.GreaterThanOrEqual, minId)] : null),
            new("Score", StageKind.Map, "T", "S", "Keep", true, null, Parameters: AmountStats),
            new(FitStage, StageKind.Fit, "T", "T", raw ? null : "Keep", true, null),
        };
        var segments = new List<SegmentPlan>
        {
            new(0, ["Keep", "Score"], null, "T", "S", true, ["Id", "Amount", "Country"]),
        };
        if (!raw)
        {
            segments.Add(new SegmentPlan(1, ["Keep"], null, "T", "T", true, ["Id", "Amount", "Count", "Country", "Flag"]) { FitOnly = true });
        }
        var plan = new PipelinePlan(name, "T", new Dictionary<string, BatchSchema> { ["T"] = T, ["S"] = S }, stages, segments)
        {
            Fits = [new FitPlan(FitStage, "T", raw ? null : "Keep", raw ? null : 1, ParametersType, requests)],
        };
        return new CompiledPipeline(plan, values => Kernels(values, calls, raw, minId)) { Fitter = fitter ?? Fitter };
    }

    /// <summary>A scoring pipeline without fits that takes the same AmountStats: its values come from a fitted-state file.</summary>
    public static CompiledPipeline Scoring(Calls? calls = null)
    {
        calls ??= new Calls();
        var plan = new PipelinePlan(
            "scoring",
            "T",
            new Dictionary<string, BatchSchema> { ["T"] = T, ["S"] = S },
            [new StagePlan("Keep", StageKind.Filter, "T", "T", null, true, null), new StagePlan("Score", StageKind.Map, "T", "S", "Keep", true, null, Parameters: AmountStats)],
            [new SegmentPlan(0, ["Keep", "Score"], null, "T", "S", true, ["Id", "Amount", "Country"])]);
        return new CompiledPipeline(plan, values => Kernels(values, calls, raw: true));
    }

    /// <summary>The fit method: AmountStats from the merged answers, as generated code builds the record.</summary>
    public static void Fitter(FitResults results, StageParameterValues into)
    {
        var data = new FitData<Row>(results, FitStage);
        into.Set(ParametersType, "Mean", data.Mean(t => t.Amount));
        into.Set(ParametersType, "Std", data.Std(t => t.Amount));
        into.Set(ParametersType, "Edges", data.QuantileBoundaries(t => t.Amount, 4));
        into.Set(ParametersType, "Vocab", data.Vocabulary(t => t.Country, 3, 1));
    }

    private static IReadOnlyList<SegmentKernel> Kernels(StageParameterValues values, Calls calls, bool raw, long minId = 0)
    {
        double mean = values.Get<double>(ParametersType, "Mean");
        double std = values.Get<double>(ParametersType, "Std");
        double[] edges = values.Get<double[]>(ParametersType, "Edges");
        string[] vocab = values.Get<string[]>(ParametersType, "Vocab");
        SegmentKernel score = (input, _) =>
        {
            calls.Add(0);
            int[] keep = Kept(input, minId);
            ReadOnlySpan<long> id = input.GetPrimitive<long>("Id", ColumnType.Int64).Values;
            PrimitiveColumn<double> amount = input.GetPrimitive<double>("Amount", ColumnType.Double);
            StringColumn country = input.GetString("Country");
            var ids = new ColumnBuilder<long>(ColumnType.Int64, keep.Length, nullable: false);
            var z = new ColumnBuilder<double>(ColumnType.Double, keep.Length, nullable: true);
            var bucket = new ColumnBuilder<int>(ColumnType.Int32, keep.Length, nullable: false);
            var code = new ColumnBuilder<int>(ColumnType.Int32, keep.Length, nullable: false);
            for (int i = 0; i < keep.Length; i++)
            {
                int row = keep[i];
                ids.Values[i] = id[row];
                double a = amount[row];
                if (amount.IsNull(row))
                {
                    z.Validity!.Set(i, false);
                }
                else
                {
                    z.Values[i] = (a - mean) / std;
                }
                bucket.Values[i] = amount.IsNull(row) ? -1 : edges.Count(e => e < a);
                code.Values[i] = country.GetString(row) is { } c ? Array.IndexOf(vocab, c) : -1;
            }
            return new RecordBatch(S, [ids.Build(keep.Length), z.Build(keep.Length), bucket.Build(keep.Length), code.Build(keep.Length)], keep.Length);
        };
        SegmentKernel keepOnly = (input, _) =>
        {
            calls.Add(1);
            int[] keep = Kept(input, minId);
            return new RecordBatch(input.Schema, input.Columns.Select(c => RowGather.Gather(c, keep)).ToArray(), keep.Length);
        };
        return raw ? [score] : [score, keepOnly];
    }

    /// <summary>The rows Keep keeps: Id % 3 != 0 (and Id &gt;= <paramref name="minId"/>).</summary>
    public static bool Keeps(long id, long minId = 0) => id % 3 != 0 && id >= minId;

    private static int[] Kept(RecordBatch input, long minId)
    {
        ReadOnlySpan<long> id = input.GetPrimitive<long>("Id", ColumnType.Int64).Values;
        var keep = new List<int>(id.Length);
        for (int i = 0; i < id.Length; i++)
        {
            if (Keeps(id[i], minId))
            {
                keep.Add(i);
            }
        }
        return [.. keep];
    }

    /// <summary>
    /// Deterministic rows from <paramref name="firstId"/>: Amount normal-ish (mean 50, sd 20) with a null every 11th
    /// row and NaN every 13th, Count 0..9 with a null every 7th, Country one of six codes with a null every 9th,
    /// Flag true on every third row with a null every 5th.
    /// </summary>
    public static Row[] Rows(int count, long firstId, int seed)
    {
        var random = new Random(seed);
        string[] countries = ["DE", "FR", "IT", "ES", "NL", "BE"];
        var rows = new Row[count];
        for (int i = 0; i < count; i++)
        {
            long id = firstId + i;
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            double? amount = id % 11 == 0 ? null : id % 13 == 0 ? double.NaN : Math.Round(50 + (20 * gaussian), 3);
            int? n = id % 7 == 0 ? null : (int)(random.Next() % 10);
            string? country = id % 9 == 0 ? null : countries[random.Next(countries.Length)];
            bool? flag = id % 5 == 0 ? null : id % 3 == 1;
            rows[i] = new Row(id, amount, n, country, flag);
        }
        return rows;
    }

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> in row groups of <paramref name="rowGroupRows"/>.</summary>
    public static void Write(string path, IReadOnlyList<Row> rows, int rowGroupRows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new ParquetFileWriter(path, T, new ParquetWriteOptions { RowGroupRows = rowGroupRows });
        for (int start = 0; start < rows.Count; start += rowGroupRows)
        {
            int n = Math.Min(rowGroupRows, rows.Count - start);
            var id = new ColumnBuilder<long>(ColumnType.Int64, n, nullable: false);
            var amount = new ColumnBuilder<double>(ColumnType.Double, n, nullable: true);
            var count = new ColumnBuilder<int>(ColumnType.Int32, n, nullable: true);
            var country = new StringColumnBuilder();
            var flag = new ColumnBuilder<bool>(ColumnType.Boolean, n, nullable: true);
            for (int i = 0; i < n; i++)
            {
                Row row = rows[start + i];
                id.Values[i] = row.Id;
                Set(amount, i, row.Amount);
                Set(count, i, row.Count);
                country.Append(row.Country);
                Set(flag, i, row.Flag);
            }
            using var batch = new RecordBatch(T, [id.Build(n), amount.Build(n), count.Build(n), country.Build(), flag.Build(n)], n);
            writer.WriteBatch(batch);
            writer.FlushRowGroup();
        }
    }

    /// <summary>Writes <paramref name="files"/> files of <paramref name="rowsPerFile"/> rows each into <paramref name="folder"/> and returns every row, in file order.</summary>
    public static Row[] WriteInput(string folder, int files, int rowsPerFile, int rowGroupRows, int seed = 7)
    {
        var all = new List<Row>();
        for (int f = 0; f < files; f++)
        {
            Row[] rows = Rows(rowsPerFile, (long)f * rowsPerFile, seed + f);
            Write(Path.Combine(folder, $"part-{f}.parquet"), rows, rowGroupRows);
            all.AddRange(rows);
        }
        return [.. all];
    }

    /// <summary>The answer the fitted state recorded for <paramref name="request"/>.</summary>
    public static object Answer(FittedState state, FitRequest request) =>
        state.Fits.Single(f => f.Stage == FitStage).Answers.First(a =>
            a.Request.Statistic == request.Statistic && a.Request.Expression == request.Expression && a.Request.Arguments.SequenceEqual(request.Arguments)).Answer;

    private static void Set<T>(ColumnBuilder<T> builder, int i, T? value)
        where T : unmanaged
    {
        if (value is T v)
        {
            builder.Values[i] = v;
        }
        else
        {
            builder.Validity!.Set(i, false);
        }
    }
}
