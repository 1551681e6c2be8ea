namespace Dsl.Runtime.Tests.Features;

/// <summary>
/// <see cref="Scale"/> against scikit-learn's scalers: given the fitted statistics, the transforms and the fitted
/// attributes (<c>scale_</c>, <c>min_</c>) are bit for bit scikit-learn's; the statistics as FitData defines them
/// (population standard deviation, NaN-skipping min/max, NumPy's linear quantiles) are the ones scikit-learn fits.
/// </summary>
public sealed class ScaleTests
{
    // Fit data: a spread of magnitudes and signs, ties and NaN (which every scaler skips when fitting).
    private static readonly double[] s_fit = Data(301, 11);

    // Transform data: the fit values, NaN, signed zeros, a subnormal and values outside the fitted range (scikit-learn
    // refuses infinities).
    private static readonly double[] s_test = [.. s_fit, double.NaN, 0.0, -0.0, 1e6, -1e6, 5e-324, -1e-300];

    [Fact]
    public void Standard_WithTheFittedMeanAndDeviation_IsStandardScalerBitForBit()
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", s_fit).With("test", s_test).Run("""
            from sklearn.preprocessing import StandardScaler
            s = StandardScaler().fit(numbers("fit").reshape(-1, 1))
            save("mean", s.mean_); save("var", s.var_); save("scale", s.scale_)
            save("out", s.transform(numbers("test").reshape(-1, 1)))
            """);
        double mean = sk.Doubles("mean")[0];
        double std = Math.Sqrt(sk.Doubles("var")[0]);
        FeatureAssert.SameBits(sk.Doubles("scale")[0], Scale.StandardScale(std), "scale_");
        FeatureAssert.SameBits(sk.Doubles("out"), [.. s_test.Select(x => Scale.Standard(x, mean, std))], "transform");
    }

    [Fact]
    public void Standard_TheDeviationIsThePopulationOne_DividedByN()
    {
        // Few values, so that dividing by n or by n - 1 differs clearly (by sqrt(7/6), about 8%).
        double[] fit = [1, 2, 2, 3, 7, double.NaN, 11, -4];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", fit).Run("""
            from sklearn.preprocessing import StandardScaler
            s = StandardScaler().fit(numbers("fit").reshape(-1, 1))
            save("mean", s.mean_); save("scale", s.scale_)
            """);
        double[] values = [.. fit.Where(x => !double.IsNaN(x))];
        double mean = values.Sum() / values.Length;
        double population = Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / values.Length);
        double sample = Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / (values.Length - 1));
        Assert.True(FeatureAssert.Ulps(sk.Doubles("mean")[0], mean) <= 2, "mean_ is the mean of the non-NaN values");
        Assert.True(FeatureAssert.Ulps(sk.Doubles("scale")[0], population) <= 4, $"scale_ {sk.Doubles("scale")[0]} is the population deviation {population}");
        Assert.True(Math.Abs(sk.Doubles("scale")[0] - sample) > 0.05, "and not the sample deviation");
    }

    [Fact]
    public void Standard_ConstantColumn_HasScale1_AsStandardScaler()
    {
        double[] fit = [0.1, 0.1, 0.1, double.NaN, 0.1];
        double[] test = [0.1, 0.3, -2, double.NaN];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", fit).With("test", test).Run("""
            from sklearn.preprocessing import StandardScaler
            s = StandardScaler().fit(numbers("fit").reshape(-1, 1))
            save("mean", s.mean_); save("scale", s.scale_)
            save("out", s.transform(numbers("test").reshape(-1, 1)))
            """);
        // FitData's deviation of a constant column is exactly 0; scikit-learn detects the column as constant.
        Assert.Equal(1.0, sk.Doubles("scale")[0]);
        Assert.Equal(1.0, Scale.StandardScale(0.0));
        double mean = sk.Doubles("mean")[0];
        FeatureAssert.SameBits(sk.Doubles("out"), [.. test.Select(x => Scale.Standard(x, mean, 0.0))], "transform");
        Assert.True(double.IsNaN(Scale.StandardScale(double.NaN)), "a column without values has no deviation");
    }

    [Fact]
    public void MinMax_WithTheColumnsMinAndMax_IsMinMaxScalerBitForBit()
    {
        (double Min, double Max)[] ranges = [(0.0, 1.0), (-1.0, 3.0), (-0.5, -0.25)];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", s_fit).With("test", s_test).Run("""
            from sklearn.preprocessing import MinMaxScaler
            for i, r in enumerate([(0.0, 1.0), (-1.0, 3.0), (-0.5, -0.25)]):
                s = MinMaxScaler(feature_range=r).fit(numbers("fit").reshape(-1, 1))
                save(f"dmin{i}", s.data_min_); save(f"dmax{i}", s.data_max_); save(f"scale{i}", s.scale_); save(f"min{i}", s.min_)
                save(f"out{i}", s.transform(numbers("test").reshape(-1, 1)))
            """);
        // FitData's Min and Max leave NaN out, as np.nanmin and np.nanmax do.
        double min = s_fit.Where(x => !double.IsNaN(x)).Min();
        double max = s_fit.Where(x => !double.IsNaN(x)).Max();
        for (int i = 0; i < ranges.Length; i++)
        {
            (double rangeMin, double rangeMax) = ranges[i];
            FeatureAssert.SameBits(sk.Doubles($"dmin{i}")[0], min, "data_min_");
            FeatureAssert.SameBits(sk.Doubles($"dmax{i}")[0], max, "data_max_");
            bool unit = i == 0;
            FeatureAssert.SameBits(sk.Doubles($"scale{i}")[0], unit ? Scale.MinMaxScale(min, max) : Scale.MinMaxScale(min, max, rangeMin, rangeMax), "scale_");
            FeatureAssert.SameBits(sk.Doubles($"min{i}")[0], unit ? Scale.MinMaxOffset(min, max) : Scale.MinMaxOffset(min, max, rangeMin, rangeMax), "min_");
            double[] ours = [.. s_test.Select(x => unit ? Scale.MinMax(x, min, max) : Scale.MinMax(x, min, max, rangeMin, rangeMax))];
            FeatureAssert.SameBits(sk.Doubles($"out{i}"), ours, $"transform to ({rangeMin}, {rangeMax})");
        }
        // The general form with (0, 1) is the default form.
        Assert.All(s_test, x => FeatureAssert.SameBits(Scale.MinMax(x, min, max), Scale.MinMax(x, min, max, 0, 1), "MinMax(0, 1)"));
    }

    [Fact]
    public void MinMax_RangeBelowTenEpsilon_CountsAsZero_AsMinMaxScaler()
    {
        (double Low, double High)[] columns = [(5.0, 5.0), (1.0, 1.0000000000000002), (-3.0, -2.999999999999996)];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("bounds", [.. columns.SelectMany(c => new[] { c.Low, c.High })]).Run("""
            from sklearn.preprocessing import MinMaxScaler
            b = numbers("bounds")
            for i in range(len(b) // 2):
                low, high = b[2 * i], b[2 * i + 1]
                s = MinMaxScaler().fit(np.array([[low], [high], [low]]))
                save(f"scale{i}", s.scale_); save(f"out{i}", s.transform(np.array([[low], [high], [low + 1], [np.nan]])))
            """);
        for (int i = 0; i < columns.Length; i++)
        {
            (double low, double high) = columns[i];
            bool tiny = high - low < Scale.ZeroScaleThreshold;
            Assert.Equal(tiny, sk.Doubles($"scale{i}")[0] == 1.0);
            FeatureAssert.SameBits(sk.Doubles($"scale{i}")[0], Scale.MinMaxScale(low, high), "scale_");
            FeatureAssert.SameBits(sk.Doubles($"out{i}"), [.. new[] { low, high, low + 1, double.NaN }.Select(x => Scale.MinMax(x, low, high))], "transform");
        }
        Assert.True((1.0000000000000002 - 1.0) < Scale.ZeroScaleThreshold && (-2.999999999999996 + 3.0) > Scale.ZeroScaleThreshold);
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(2.0, -1.0)]
    [InlineData(double.NaN, 1.0)]
    public void MinMax_TargetRangeNotIncreasing_Throws_AndTheCheckSaysSo(double rangeMin, double rangeMax)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Scale.MinMax(0.5, 0, 1, rangeMin, rangeMax));
        Assert.Contains("rangeMin < rangeMax", e.Message, StringComparison.Ordinal);
        Assert.False(Dsl.Kernels.FeatureChecks.FeatureRange(rangeMin, rangeMax));
        Assert.True(Dsl.Kernels.FeatureChecks.FeatureRange(-1, 1));
    }

    [Fact]
    public void MaxAbs_WithTheLargestAbsoluteValue_IsMaxAbsScalerBitForBit()
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", s_fit).With("test", s_test).With("zeros", [0.0, -0.0, 0.0, double.NaN]).Run("""
            from sklearn.preprocessing import MaxAbsScaler
            s = MaxAbsScaler().fit(numbers("fit").reshape(-1, 1))
            save("maxabs", s.max_abs_); save("scale", s.scale_); save("out", s.transform(numbers("test").reshape(-1, 1)))
            z = MaxAbsScaler().fit(numbers("zeros").reshape(-1, 1))
            save("zscale", z.scale_); save("zout", z.transform(numbers("test").reshape(-1, 1)))
            """);
        double maxAbs = s_fit.Where(x => !double.IsNaN(x)).Max(Math.Abs);
        FeatureAssert.SameBits(sk.Doubles("maxabs")[0], maxAbs, "max_abs_");
        FeatureAssert.SameBits(sk.Doubles("scale")[0], Scale.MaxAbsScale(maxAbs), "scale_");
        FeatureAssert.SameBits(sk.Doubles("out"), [.. s_test.Select(x => Scale.MaxAbs(x, maxAbs))], "transform");
        // An all-zero column: FitData's MaxAbs is 0, scikit-learn's scale_ 1.
        FeatureAssert.SameBits(sk.Doubles("zscale")[0], Scale.MaxAbsScale(0.0), "scale_ of zeros");
        FeatureAssert.SameBits(sk.Doubles("zout"), [.. s_test.Select(x => Scale.MaxAbs(x, 0.0))], "transform by zeros");
    }

    [Fact]
    public void Robust_WithTheMedianAndQuantiles_IsRobustScalerBitForBit()
    {
        // The second column is mostly one value: its interquartile range is 0, which scikit-learn turns into 1.
        double[] flat = [3, 3, 3, 3, 3, 3, 3, 1, 9, double.NaN, 3, 3];
        (double Lower, double Upper, bool Flat)[] cases = [(25, 75, false), (10, 90, false), (25, 75, true)];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", s_fit).With("flat", flat).With("test", s_test).Run("""
            from sklearn.preprocessing import RobustScaler
            for i, (lo, hi, name) in enumerate([(25.0, 75.0, "fit"), (10.0, 90.0, "fit"), (25.0, 75.0, "flat")]):
                x = numbers(name)
                s = RobustScaler(quantile_range=(lo, hi)).fit(x.reshape(-1, 1))
                save(f"center{i}", s.center_); save(f"scale{i}", s.scale_); save(f"out{i}", s.transform(numbers("test").reshape(-1, 1)))
                # FitData's Quantile: NumPy's linear method on the non-NaN values.
                save(f"q{i}", np.quantile(x[~np.isnan(x)], [lo / 100, 0.5, hi / 100], method="linear"))
            """);
        for (int i = 0; i < cases.Length; i++)
        {
            double[] q = sk.Doubles($"q{i}");
            double center = sk.Doubles($"center{i}")[0];
            FeatureAssert.SameBits(sk.Doubles($"scale{i}")[0], Scale.RobustScale(q[0], q[2]), "scale_");
            // np.nanmedian averages the middle two values; the linear quantile interpolates between them: at most 1 ulp apart.
            Assert.True(FeatureAssert.Ulps(center, q[1]) <= 1, $"center_ {center} against the 0.5 quantile {q[1]}");
            FeatureAssert.SameBits(sk.Doubles($"out{i}"), [.. s_test.Select(x => Scale.Robust(x, center, q[0], q[2]))], $"transform {i}");
            Assert.Equal(cases[i].Flat, Scale.RobustScale(q[0], q[2]) == 1.0);
        }
    }

    /// <summary><paramref name="count"/> values with NaN, ties (repeated values) and a wide spread.</summary>
    internal static double[] Data(int count, int seed)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.Next(10) switch
            {
                0 => double.NaN,
                1 => Math.Round(random.NextDouble() * 10),
                2 => -random.NextDouble() * 1e3,
                3 => random.NextDouble() * 1e-3,
                _ => (random.NextDouble() - 0.3) * 250,
            };
        }
        return values;
    }
}
