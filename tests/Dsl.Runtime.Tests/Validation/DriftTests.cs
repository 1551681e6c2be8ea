using System.Text.Json;
using Dsl.Validation.Drift;
using Dsl.Validation.Statistics;
using Xunit.Abstractions;

namespace Dsl.Runtime.Tests.Validation;

public class DriftTests(ITestOutputHelper output)
{
    private static QuantileSketch Sketch(double[] values)
    {
        var sketch = new QuantileSketch();
        for (int start = 0; start < values.Length; start += 10_000)
        {
            sketch.Add(values.AsSpan(start, Math.Min(10_000, values.Length - start)));
        }
        return sketch;
    }

    private const string PsiScript = """
        ref = np.sort(load(1)); cur = np.sort(load(2)); edges = load(3); eps = float(sys.argv[4])
        def fractions(a):
            cdf = np.searchsorted(a, edges, side='right') / a.size
            return np.diff(np.concatenate(([0.0], cdf, [1.0])))
        e = fractions(ref); c = fractions(cur)
        e = np.where(e > 0, e, eps); c = np.where(c > 0, c, eps)
        print(json.dumps(float(np.sum((c - e) * np.log(c / e)))))
        """;

    [Theory]
    [InlineData(150, 180, 0.0, 1e-12)]
    [InlineData(200_000, 300_000, 0.15, 0.01)]
    [InlineData(200_000, 300_000, 0.0, 0.01)]
    public void Psi_matches_numpy_on_the_same_reference_decile_bins(int nRef, int nCur, double shift, double tolerance)
    {
        double[] reference = Columns.Normal(1, nRef);
        double[] current = Columns.Normal(2, nCur, mean: shift, sd: 1.1);
        QuantileSketch r = Sketch(reference);
        QuantileSketch c = Sketch(current);
        double[] edges = DriftEvaluator.PsiEdges(r);
        Assert.Equal(DriftEvaluator.PsiBins - 1, edges.Length);
        double numpy = PythonOracle.RunWithArgument(PsiScript, DriftEvaluator.PsiEpsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture), reference, current, edges).GetDouble();
        double psi = DriftEvaluator.Psi(c, r);
        output.WriteLine($"n = {nRef}/{nCur}, shift {shift}: PSI {psi:F6}, numpy {numpy:F6}");
        Assert.True(Math.Abs(psi - numpy) <= tolerance, $"PSI {psi} vs numpy {numpy}");
    }

    [Fact]
    public void Psi_uses_epsilon_for_an_empty_bin_and_merges_equal_edges()
    {
        var r = Sketch([.. Enumerable.Range(0, 100).Select(i => (double)(i % 4))]);
        double[] edges = DriftEvaluator.PsiEdges(r);
        Assert.Equal([0.0, 1, 2, 3], edges);
        var c = Sketch([.. Enumerable.Repeat(0.0, 50), .. Enumerable.Repeat(1.0, 50)]);
        double[] expected = DriftEvaluator.BinFractions(r, edges);
        double[] actual = DriftEvaluator.BinFractions(c, edges);
        Assert.Equal([0.25, 0.25, 0.25, 0.25, 0], expected);
        double e = DriftEvaluator.PsiEpsilon;
        double psi = (2 * (0.25 * Math.Log(0.5 / 0.25))) + (2 * ((e - 0.25) * Math.Log(e / 0.25))) + 0;
        Assert.Equal(psi, DriftEvaluator.Psi(c, r), 1e-12);
    }

    [Theory]
    [InlineData(150, 190, 0.3, true)]
    [InlineData(300_000, 250_000, 0.05, false)]
    [InlineData(300_000, 250_000, 0.0, false)]
    public void Ks_distance_matches_scipy_ks_2samp_within_the_sketches_rank_errors(int na, int nb, double shift, bool exact)
    {
        var random = new Random(na);
        double[] a = [.. Columns.Normal(5, na).Select(v => Math.Round(v, 2))];
        double[] b = [.. Columns.Normal(6, nb, mean: shift).Select(v => random.Next(10) == 0 ? 0.5 : v)];
        QuantileSketch sa = Sketch(a);
        QuantileSketch sb = Sketch(b);
        Assert.Equal(exact, sa.IsExact && sb.IsExact);
        double scipy = PythonOracle.Run("from scipy import stats\nprint(json.dumps(float(stats.ks_2samp(load(1), load(2)).statistic)))", a, b).GetDouble();
        double ks = DriftEvaluator.KolmogorovSmirnov(sa, sb);
        output.WriteLine($"n = {na}/{nb}, shift {shift}: KS {ks:F6}, scipy {scipy:F6}");
        double bound = exact ? 1e-12 : 2 * QuantileSketch.RankErrorBound;
        Assert.True(Math.Abs(ks - scipy) <= bound, $"KS {ks} vs scipy {scipy}, allowed {bound}");
    }

    [Theory]
    [InlineData(new long[] { 500, 300, 150, 50 }, new long[] { 480, 310, 170, 40 })]
    [InlineData(new long[] { 10_000, 4_000, 1 }, new long[] { 100, 9_000, 3 })]
    [InlineData(new long[] { 3, 5 }, new long[] { 4, 4 })]
    public void Chi_square_homogeneity_matches_scipy_chi2_contingency(long[] first, long[] second)
    {
        (double statistic, int dof, double p) = DriftEvaluator.ChiSquareHomogeneity((first, second));
        JsonElement scipy = PythonOracle.Run(
            "from scipy import stats\nt = np.array([load(1), load(2)])\nr = stats.chi2_contingency(t, correction=False)\nprint(json.dumps([float(r[0]), float(r[1]), int(r[2])]))",
            [.. first.Select(v => (double)v)],
            [.. second.Select(v => (double)v)]);
        double[] expected = scipy.Doubles();
        Assert.Equal(expected[0], statistic, expected[0] * 1e-12);
        Assert.Equal((int)expected[2], dof);
        Assert.True(Math.Abs(p - expected[1]) <= Math.Max(1e-300, expected[1] * 1e-9), $"p {p} vs scipy {expected[1]}");
    }

    [Fact]
    public void Upper_regularized_gamma_matches_scipy_gammaincc()
    {
        double[] a = [0.5, 1, 2.5, 10, 50.5, 200, 511.5];
        double[] x = [0.001, 0.5, 1, 5, 20, 60, 100, 250, 600, 1000];
        double[] pa = [.. a.SelectMany(ai => x.Select(_ => ai))];
        double[] px = [.. a.SelectMany(_ => x)];
        double[] scipy = PythonOracle.Run("from scipy import special\nprint(json.dumps([float(v) for v in special.gammaincc(load(1), load(2))]))", pa, px).Doubles();
        for (int i = 0; i < pa.Length; i++)
        {
            double q = SpecialFunctions.UpperRegularizedGamma(pa[i], px[i]);
            double tolerance = Math.Max(scipy[i] * 1e-11, 1e-300);
            Assert.True(Math.Abs(q - scipy[i]) <= tolerance, $"Q({pa[i]}, {px[i]}) = {q:R}, scipy {scipy[i]:R}");
            Assert.Equal(1 - q, SpecialFunctions.LowerRegularizedGamma(pa[i], px[i]), 1e-12);
        }
    }

    [Fact]
    public void The_evaluator_flags_drifted_and_missing_columns_against_thresholds()
    {
        BatchSchema schema = new(Columns.Field("amount", ColumnType.Double), Columns.Field("country", ColumnType.String), Columns.Field("gone", ColumnType.Int32));
        DatasetProfile Profile(double shift, double frShare, bool withGone)
        {
            var random = new Random(9);
            SchemaStatistics stats = SchemaStatistics.ForProfile("T", schema);
            int n = 50_000;
            double[] amount = Columns.Normal((int)(shift * 10) + 1, n, mean: shift);
            string[] country = [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() < frShare ? "FR" : random.Next(2) == 0 ? "DE" : "ES")];
            using var batch = new RecordBatch(schema, [Columns.Doubles(amount), Columns.Strings(country), Columns.Ints(new int[n])], n);
            stats.Observe(batch);
            DatasetProfile full = DatasetProfile.From(new StatisticsSet([stats]), DateTime.UnixEpoch);
            return withGone ? full : new DatasetProfile([full.Schemas[0] with { Columns = [.. full.Schemas[0].Columns.Where(c => c.Name != "gone")] }], DateTime.UnixEpoch);
        }
        DatasetProfile reference = Profile(0, 0.5, withGone: true);
        List<ColumnDrift> same = DriftEvaluator.Compare(Profile(0, 0.5, withGone: true), reference, new DriftThresholds());
        Assert.All(same, d => Assert.True(d.Passed, d.Message));
        List<ColumnDrift> drifted = DriftEvaluator.Compare(Profile(1, 0.6, withGone: false), reference, new DriftThresholds());
        ColumnDrift amount = drifted.Single(d => d.Column == "amount");
        Assert.False(amount.Passed);
        Assert.True(amount.Psi > 0.2 && amount.Ks > 0.3, amount.Message);
        Assert.Matches(@"^T\.amount: PSI [0-9.]+ \(max 0\.2\), KS [0-9.]+ \(max 0\.1, ±0\.033 from the sketches\): drifted: PSI above the maximum 0\.2, KS above the maximum 0\.1\.$", amount.Message);
        ColumnDrift country = drifted.Single(d => d.Column == "country");
        Assert.False(country.Passed);
        Assert.Equal(2, country.DegreesOfFreedom);
        Assert.True(country.PValue < 1e-10, country.Message);
        ColumnDrift gone = drifted.Single(d => d.Column == "gone");
        Assert.Equal("missing", gone.Test);
        Assert.Equal("T.gone is in the reference profile but this run has no such column.", gone.Message);
    }
}
