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

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(-1.0, 3.0)]
    [InlineData(-0.5, -0.25)]
    public void MinMax_WithTheColumnsMinAndMax_IsMinMaxScalerBitForBit(double rangeMin, double rangeMax)
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", s_fit).With("test", s_test).With("range", [rangeMin, rangeMax]).Run("""
            from sklearn.preprocessing import MinMaxScaler
            r = numbers("range")
            s = MinMaxScaler(feature_range=(float(r[0]), float(r[1]))).fit(numbers("fit").reshape(-1, 1))
            save("dmin", s.data_min_); save("dmax", s.data_max_); save("scale", s.scale_); save("min", s.min_)
            save("out", s.transform(numbers("test").reshape(-1, 1)))
            """);
        // FitData's Min and Max leave NaN out, as np.nanmin and np.nanmax do.
        double min = s_fit.Where(x => !double.IsNaN(x)).Min();
        double max = s_fit.Where(x => !double.IsNaN(x)).Max();
        FeatureAssert.SameBits(sk.Doubles("dmin")[0], min, "data_min_");
        FeatureAssert.SameBits(sk.Doubles("dmax")[0], max, "data_max_");
        bool unit = rangeMin == 0 && rangeMax == 1;
        FeatureAssert.SameBits(sk.Doubles("scale")[0], unit ? Scale.MinMaxScale(min, max) : Scale.MinMaxScale(min, max, rangeMin, rangeMax), "scale_");
        FeatureAssert.SameBits(sk.Doubles("min")[0], unit ? Scale.MinMaxOffset(min, max) : Scale.MinMaxOffset(min, max, rangeMin, rangeMax), "min_");
        double[] ours = [.. s_test.Select(x => unit ? Scale.MinMax(x, min, max) : Scale.MinMax(x, min, max, rangeMin, rangeMax))];
        FeatureAssert.SameBits(sk.Doubles("out"), ours, "transform");
        // The general form with (0, 1) is the default form.
        Assert.All(s_test, x => FeatureAssert.SameBits(Scale.MinMax(x, min, max), Scale.MinMax(x, min, max, 0, 1), "MinMax(0, 1)"));
    }

    [Theory]
    [InlineData(5.0, 5.0)]
    [InlineData(1.0, 1.0000000000000002)]
    [InlineData(-3.0, -2.9999999999999987)]
    public void MinMax_RangeBelowTenEpsilon_CountsAsZero_AsMinMaxScaler(double low, double high)
    {
        double[] fit = [low, high, low];
        double[] test = [low, high, low + 1, double.NaN];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", fit).With("test", test).Run("""
            from sklearn.preprocessing import MinMaxScaler
            s = MinMaxScaler().fit(numbers("fit").reshape(-1, 1))
            save("scale", s.scale_); save("out", s.transform(numbers("test").reshape(-1, 1)))
            """);
        bool tiny = high - low < Scale.ZeroScaleThreshold;
        Assert.Equal(tiny, sk.Doubles("scale")[0] == 1.0);
        FeatureAssert.SameBits(sk.Doubles("scale")[0], Scale.MinMaxScale(low, high), "scale_");
        FeatureAssert.SameBits(sk.Doubles("out"), [.. test.Select(x => Scale.MinMax(x, low, high))], "transform");
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

    [Theory]
    [InlineData(25.0, 75.0, 0)]
    [InlineData(10.0, 90.0, 0)]
    [InlineData(25.0, 75.0, 1)]
    public void Robust_WithTheMedianAndQuantiles_IsRobustScalerBitForBit(double lower, double upper, int dataSet)
    {
        // Data set 1 is mostly one value: its interquartile range is 0, which scikit-learn turns into 1.
        double[] fit = dataSet == 0 ? s_fit : [3, 3, 3, 3, 3, 3, 3, 1, 9, double.NaN, 3, 3];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", fit).With("test", s_test).With("range", [lower, upper]).Run("""
            from sklearn.preprocessing import RobustScaler
            r = numbers("range"); x = numbers("fit")
            s = RobustScaler(quantile_range=(float(r[0]), float(r[1]))).fit(x.reshape(-1, 1))
            save("center", s.center_); save("scale", s.scale_); save("out", s.transform(numbers("test").reshape(-1, 1)))
            v = x[~np.isnan(x)]
            # FitData's Quantile: NumPy's linear method on the non-NaN values.
            save("q", np.quantile(v, [r[0] / 100, 0.5, r[1] / 100], method="linear"))
            """);
        double[] q = sk.Doubles("q");
        FeatureAssert.SameBits(sk.Doubles("scale")[0], Scale.RobustScale(q[0], q[2]), "scale_");
        // np.nanmedian averages the middle two values; the linear quantile interpolates between them: at most 1 ulp apart.
        Assert.True(FeatureAssert.Ulps(sk.Doubles("center")[0], q[1]) <= 1, $"center_ {sk.Doubles("center")[0]} against the 0.5 quantile {q[1]}");
        double center = sk.Doubles("center")[0];
        FeatureAssert.SameBits(sk.Doubles("out"), [.. s_test.Select(x => Scale.Robust(x, center, q[0], q[2]))], "transform");
        if (dataSet == 1)
        {
            Assert.Equal(1.0, Scale.RobustScale(q[0], q[2]));
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
