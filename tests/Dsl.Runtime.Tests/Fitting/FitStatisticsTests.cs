using System.Globalization;
using System.Text.Json;
using Dsl.Execution;
using Dsl.Fitting;
using Dsl.Runtime.Tests.Validation;
using Dsl.Testing;
using static Dsl.Runtime.Tests.Fitting.FitPipelines;

namespace Dsl.Runtime.Tests.Fitting;

/// <summary>
/// What a fit's first pass answers, gathered over many partitions (several files, row groups and partitions per
/// file) and merged: checked against NumPy (moments, quantiles) and DuckDB (counts, distinct counts, frequencies) on
/// the same rows, with nulls and NaN in the data and a filter in front of the fit.
/// </summary>
public sealed class FitStatisticsTests : IDisposable
{
    private static readonly double[] Fractions = [0, 0.1, 0.25, 0.5, 0.9, 0.999, 1];

    private readonly string _root = Directory.CreateTempSubdirectory("dsl-fitstats-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // 3 files of 4,000 rows in row groups of 1,000, one row group a partition: 12 partitions.
    private static ExecutionOptions Options => new() { TargetPartitionRows = 1_500, MaxParallelism = 2 };

    private string Glob => DuckDb.Literal(Path.Combine(_root, "in", "*.parquet"));

    private FittedState Fit(IEnumerable<FitRequest> requests, out Row[] rows, bool raw = false)
    {
        rows = WriteInput(Path.Combine(_root, "in"), files: 3, rowsPerFile: 4_000, rowGroupRows: 1_000);
        return new LocalExecutor(Options).Fit(Pipeline(raw: raw, extra: requests), Path.Combine(_root, "in"));
    }

    private static FitRequest[] NumericRequests(string column) =>
    [
        Request(FitStatistic.Mean, column),
        Request(FitStatistic.Variance, column),
        Request(FitStatistic.StdDev, column),
        Request(FitStatistic.SampleVariance, column),
        Request(FitStatistic.SampleStdDev, column),
        Request(FitStatistic.Min, column),
        Request(FitStatistic.Max, column),
        Request(FitStatistic.MaxAbs, column),
        Request(FitStatistic.Sum, column),
        Request(FitStatistic.ValueCount, column),
        Request(FitStatistic.NullCount, column),
        .. Fractions.Select(q => Request(FitStatistic.Quantile, column, q)),
        Request(FitStatistic.QuantileBoundaries, column, 4),
        Request(FitStatistic.QuantileBoundaries, column, 10),
    ];

    private const string NumPyScript = """
        x = load(1)
        nulls = int(sys.argv[2])
        x = x[~np.isnan(x)]
        qs = [float(q) for q in sys.argv[3].split(',')]
        def b(n): return [float(v) for v in np.unique(np.quantile(x, [i / n for i in range(1, n)]))]
        print(json.dumps({
            "mean": float(np.mean(x)), "var": float(np.var(x)), "std": float(np.std(x)),
            "svar": float(np.var(x, ddof=1)), "sstd": float(np.std(x, ddof=1)),
            "min": float(np.min(x)), "max": float(np.max(x)), "maxabs": float(np.max(np.abs(x))), "sum": float(np.sum(x)),
            "n": int(x.size), "q": [float(v) for v in np.quantile(x, qs)], "b4": b(4), "b10": b(10)}))
        """;

    // Checks every numeric answer for column against NumPy on the column's non-null values of the rows the fit saw.
    private static void AssertMatchesNumPy(FittedState state, string column, double?[] values)
    {
        double[] present = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        int nulls = values.Length - present.Length;
        JsonElement numpy = PythonOracle.Run(
            NumPyScript.Replace("sys.argv[2]", nulls.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("sys.argv[3]", "'" + string.Join(',', Fractions.Select(q => q.ToString("R", CultureInfo.InvariantCulture))) + "'", StringComparison.Ordinal),
            present);
        double Answer(FitStatistic statistic, params double[] args) => (double)FitPipelines.Answer(state, Request(statistic, column, args));

        Assert.Equal(numpy.GetProperty("mean").GetDouble(), Answer(FitStatistic.Mean), 1e-12 * Math.Max(1, Math.Abs(numpy.GetProperty("mean").GetDouble())));
        foreach ((FitStatistic statistic, string key) in new[] { (FitStatistic.Variance, "var"), (FitStatistic.StdDev, "std"), (FitStatistic.SampleVariance, "svar"), (FitStatistic.SampleStdDev, "sstd"), (FitStatistic.Sum, "sum") })
        {
            double expected = numpy.GetProperty(key).GetDouble();
            Assert.True(Math.Abs(expected - Answer(statistic)) <= 1e-11 * Math.Max(1, Math.Abs(expected)), $"{column} {statistic}: NumPy {expected:R}, fit {Answer(statistic):R}");
        }
        // Extremes and exact quantiles are values of the data or NumPy's interpolation of two of them: bit for bit.
        Assert.Equal(numpy.GetProperty("min").GetDouble(), Answer(FitStatistic.Min));
        Assert.Equal(numpy.GetProperty("max").GetDouble(), Answer(FitStatistic.Max));
        Assert.Equal(numpy.GetProperty("maxabs").GetDouble(), Answer(FitStatistic.MaxAbs));
        Assert.Equal(numpy.GetProperty("n").GetInt64(), (long)FitPipelines.Answer(state, Request(FitStatistic.ValueCount, column)));
        Assert.Equal((long)nulls, (long)FitPipelines.Answer(state, Request(FitStatistic.NullCount, column)));
        Assert.Equal(numpy.GetProperty("q").Doubles(), Fractions.Select(q => Answer(FitStatistic.Quantile, q)));
        Assert.Equal(numpy.GetProperty("b4").Doubles(), (double[])FitPipelines.Answer(state, Request(FitStatistic.QuantileBoundaries, column, 4)));
        Assert.Equal(numpy.GetProperty("b10").Doubles(), (double[])FitPipelines.Answer(state, Request(FitStatistic.QuantileBoundaries, column, 10)));
    }

    [Fact]
    public void NumericStatistics_OverTwelvePartitions_EqualNumPy_OnTheRowsTheFilterKeeps()
    {
        FittedState state = Fit([.. NumericRequests("Amount"), .. NumericRequests("Count"), .. NumericRequests("Flag"), Request(FitStatistic.Count, "")], out Row[] rows);

        Row[] kept = rows.Where(r => Keeps(r.Id)).ToArray();
        Assert.Equal((long)kept.Length, (long)FitPipelines.Answer(state, Request(FitStatistic.Count, "")));
        Assert.Equal(kept.Length, state.Fits[0].Rows);
        // Amount holds nulls and NaN (NaN is neither a value nor a null); Count is an int?, Flag a bool? read as 0 or 1.
        AssertMatchesNumPy(state, "Amount", kept.Select(r => r.Amount).ToArray());
        AssertMatchesNumPy(state, "Count", kept.Select(r => (double?)r.Count).ToArray());
        AssertMatchesNumPy(state, "Flag", kept.Select(r => r.Flag is bool b ? (b ? 1.0 : 0.0) : (double?)null).ToArray());
        Assert.Equal((long)kept.Count(r => r.Amount is double a && double.IsNaN(a)), kept.Length - (long)FitPipelines.Answer(state, Request(FitStatistic.ValueCount, "Amount")) - (long)FitPipelines.Answer(state, Request(FitStatistic.NullCount, "Amount")));
    }

    [Fact]
    public void RawInputFit_SeesEveryRowRead()
    {
        FittedState state = Fit([Request(FitStatistic.Count, "")], out Row[] rows, raw: true);

        Assert.Equal((long)rows.Length, (long)FitPipelines.Answer(state, Request(FitStatistic.Count, "")));
        AssertMatchesNumPy(Fit([.. NumericRequests("Amount")], out rows, raw: true), "Amount", rows.Select(r => r.Amount).ToArray());
    }

    [Fact]
    public void CountsDistinctAndFrequencies_EqualDuckDb()
    {
        FitRequest[] requests =
        [
            Request(FitStatistic.Distinct, "Amount"),
            Request(FitStatistic.Distinct, "Country"),
            Request(FitStatistic.Distinct, "Count"),
            Request(FitStatistic.Distinct, "Id"),
            Request(FitStatistic.Distinct, "Flag"),
            Request(FitStatistic.ApproxDistinct, "Id"),
            Request(FitStatistic.ApproxDistinct, "Country"),
            Request(FitStatistic.NullCount, "Country"),
            Request(FitStatistic.ValueCount, "Country"),
            Request(FitStatistic.Vocabulary, "Country", 4, 1),
            Request(FitStatistic.Vocabulary, "Country", int.MaxValue, 1_340),
            Request(FitStatistic.MostFrequent, "Country"),
            Request(FitStatistic.MostFrequent, "Count"),
        ];
        FittedState state = Fit(requests, out _);
        using var duck = DuckDb.Open();
        string kept = $"FROM read_parquet({Glob}) WHERE Id % 3 <> 0";
        long Answer(FitStatistic statistic, string column) => (long)FitPipelines.Answer(state, Request(statistic, column));

        // DuckDB counts NaN as a value; the fit leaves it out, as NumPy's nan-functions and pandas do.
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(DISTINCT Amount) {kept} AND NOT isnan(Amount)"), Answer(FitStatistic.Distinct, "Amount"));
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(DISTINCT Country) {kept}"), Answer(FitStatistic.Distinct, "Country"));
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(DISTINCT Count) {kept}"), Answer(FitStatistic.Distinct, "Count"));
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(DISTINCT Flag) {kept}"), Answer(FitStatistic.Distinct, "Flag"));
        long ids = duck.QueryScalarInt64($"SELECT count(DISTINCT Id) {kept}");
        Assert.Equal(ids, Answer(FitStatistic.Distinct, "Id"));
        Assert.InRange(Answer(FitStatistic.ApproxDistinct, "Id"), ids * (1 - (3 * 0.0081)), ids * (1 + (3 * 0.0081)));
        Assert.Equal(6, Answer(FitStatistic.ApproxDistinct, "Country"));
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(*) - count(Country) {kept}"), Answer(FitStatistic.NullCount, "Country"));
        Assert.Equal(duck.QueryScalarInt64($"SELECT count(Country) {kept}"), Answer(FitStatistic.ValueCount, "Country"));

        // Most frequent first, ties in ordinal (DuckDB: byte) order.
        string[] byCount = duck.QueryRows($"SELECT Country {kept} AND Country IS NOT NULL GROUP BY Country ORDER BY count(*) DESC, Country").Select(r => r[0]!).ToArray();
        Assert.Equal(byCount[..4], (string[])FitPipelines.Answer(state, Request(FitStatistic.Vocabulary, "Country", 4, 1)));
        Assert.Equal(byCount[0], (string)FitPipelines.Answer(state, Request(FitStatistic.MostFrequent, "Country")));
        string[] frequent = duck.QueryRows($"SELECT Country {kept} AND Country IS NOT NULL GROUP BY Country HAVING count(*) >= 1340 ORDER BY count(*) DESC, Country").Select(r => r[0]!).ToArray();
        Assert.InRange(frequent.Length, 1, 5); // the minimum frequency drops some of the six
        Assert.Equal(frequent, (string[])FitPipelines.Answer(state, Request(FitStatistic.Vocabulary, "Country", int.MaxValue, 1_340)));
        Assert.Equal(
            duck.QueryScalarDouble($"SELECT Count {kept} AND Count IS NOT NULL GROUP BY Count ORDER BY count(*) DESC, Count LIMIT 1"),
            (double)FitPipelines.Answer(state, Request(FitStatistic.MostFrequent, "Count")));
    }

    [Fact]
    public void Ties_GoToTheOrdinallySmallestValue_AcrossPartitions()
    {
        // Four partitions; counts: "b" 3, "é" 3, "a" 3, "c" 2, "Z" 1 (uppercase sorts first, 'é' after 'c'); numbers 7 and 2 twice each.
        string[] countries = ["b", "é", "a", "c", "b", "é", "a", "c", "b", "é", "a", "Z"];
        int?[] counts = [7, 2, 7, 2, 5, null, 9, null, 1, 3, 4, 6];
        for (int f = 0; f < 4; f++)
        {
            Row[] rows = Enumerable.Range(0, 3).Select(i => 3 * f + i).Select(i => new Row(1 + (3L * i), i, counts[i], countries[i], true)).ToArray();
            Write(Path.Combine(_root, "in", $"p{f}.parquet"), rows, 3);
        }
        FitRequest vocabulary = Request(FitStatistic.Vocabulary, "Country", 4, 1);
        FittedState state = new LocalExecutor(Options).Fit(Pipeline(extra: [vocabulary, Request(FitStatistic.MostFrequent, "Country"), Request(FitStatistic.MostFrequent, "Count")]), Path.Combine(_root, "in"));

        using var duck = DuckDb.Open();
        string[] expected = duck.QueryRows($"SELECT Country FROM read_parquet({Glob}) GROUP BY Country ORDER BY count(*) DESC, Country LIMIT 4").Select(r => r[0]!).ToArray();
        Assert.Equal(["a", "b", "é", "c"], expected);
        Assert.Equal(expected, (string[])FitPipelines.Answer(state, vocabulary));
        Assert.Equal("a", FitPipelines.Answer(state, Request(FitStatistic.MostFrequent, "Country")));
        Assert.Equal(2.0, FitPipelines.Answer(state, Request(FitStatistic.MostFrequent, "Count")));
    }

    [Fact]
    public void AFitThatSeesNoValues_AnswersAsDocumented()
    {
        // Keep drops every row whose Id is a multiple of 3: only those are written.
        Write(Path.Combine(_root, "in", "a.parquet"), Enumerable.Range(0, 50).Select(i => new Row(3L * i, i, i, "x", true)).ToArray(), 20);
        FitRequest[] requests =
        [
            Request(FitStatistic.Count, ""), Request(FitStatistic.Sum, "Amount"), Request(FitStatistic.Min, "Amount"), Request(FitStatistic.Max, "Amount"),
            Request(FitStatistic.MaxAbs, "Amount"), Request(FitStatistic.Variance, "Amount"), Request(FitStatistic.SampleStdDev, "Amount"),
            Request(FitStatistic.Quantile, "Amount", 0.5), Request(FitStatistic.Distinct, "Country"), Request(FitStatistic.ApproxDistinct, "Country"),
            Request(FitStatistic.MostFrequent, "Country"), Request(FitStatistic.MostFrequent, "Count"),
        ];
        FittedState state = new LocalExecutor(Options).Fit(Pipeline(extra: requests), Path.Combine(_root, "in"));
        object A(int i) => FitPipelines.Answer(state, requests[i]);

        Assert.Equal(0L, A(0));
        Assert.Equal(0.0, A(1));
        Assert.True(double.IsNaN((double)A(2)) && double.IsNaN((double)A(3)));
        Assert.Equal(0.0, A(4));
        Assert.True(double.IsNaN((double)A(5)) && double.IsNaN((double)A(6)) && double.IsNaN((double)A(7)));
        Assert.Equal(0L, A(8));
        Assert.Equal(0L, A(9));
        Assert.Equal("", A(10));
        Assert.True(double.IsNaN((double)A(11)));
        Assert.True(double.IsNaN((double)FitPipelines.Answer(state, Needed[0])));
        Assert.Empty((double[])FitPipelines.Answer(state, Needed[2]));
        Assert.Empty((string[])FitPipelines.Answer(state, Needed[3]));
    }

    [Fact]
    public void QuantilesPastTheExactLimit_ComeFromTheSketch_WithinItsStatedRankError()
    {
        // 200,000 values over 20 partitions: past the 65,536 kept exactly.
        string input = Path.Combine(_root, "in");
        Row[] rows = WriteInput(input, files: 8, rowsPerFile: 25_000, rowGroupRows: 5_000, seed: 11);
        double[] qs = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999];
        FitRequest[] requests = qs.Select(q => Request(FitStatistic.Quantile, "Amount", q)).Append(Request(FitStatistic.QuantileBoundaries, "Amount", 20)).ToArray();
        FittedState state = new LocalExecutor(new ExecutionOptions { TargetPartitionRows = 10_000, MaxParallelism = 2 }).Fit(Pipeline(raw: true, extra: requests), input);

        double[] values = rows.Where(r => r.Amount is double a && !double.IsNaN(a)).Select(r => r.Amount!.Value).ToArray();
        Assert.True(values.Length > QuantileValues.ExactLimit);
        double[] fitted = qs.Select(q => (double)FitPipelines.Answer(state, Request(FitStatistic.Quantile, "Amount", q))).ToArray();
        double[] boundaries = (double[])FitPipelines.Answer(state, requests[^1]);
        Assert.Equal(19, boundaries.Length);
        // The distance from each asked fraction to the range of ranks the answer holds in the data.
        JsonElement errors = PythonOracle.Run(
            """
            x = np.sort(load(1)); v = load(2); q = load(3)
            lo = np.searchsorted(x, v, side='left') / x.size
            hi = np.searchsorted(x, v, side='right') / x.size
            print(json.dumps([float(e) for e in np.maximum(0, np.maximum(lo - q, q - hi))]))
            """,
            values,
            [.. fitted, .. boundaries],
            [.. qs, .. Enumerable.Range(1, 19).Select(i => i / 20.0)]);
        Assert.All(errors.Doubles(), e => Assert.InRange(e, 0, Dsl.Validation.Statistics.QuantileSketch.RankErrorBound));
    }
}
