namespace Dsl.Runtime.Tests.Features;

/// <summary>
/// <see cref="Impute"/> against scikit-learn's <c>SimpleImputer(missing_values=np.nan)</c> and <c>MissingIndicator</c>:
/// given the fitted statistic the transform is bit for bit scikit-learn's, and the statistics as FitData defines them
/// (mean and median of the non-missing values, most frequent with ties to the smallest) are the ones it fits.
/// </summary>
public sealed class ImputeTests
{
    // Ties on purpose: 2.5 and -1 both appear four times, the most of any value.
    private static readonly double[] s_fit = [2.5, -1, 2.5, double.NaN, 7, -1, 2.5, double.NaN, -1, 0.1, 3, 2.5, -1, 1e300, -0.0];

    private static readonly double[] s_test = [double.NaN, 1, -0.0, 0.0, double.NaN, 2.5, -7e-300, 1e300];

    [Fact]
    public void Fill_WithTheFittedStatistic_IsSimpleImputerBitForBit_ForEveryStrategy()
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", s_fit).With("test", s_test).Run("""
            from sklearn.impute import SimpleImputer
            X = numbers("fit").reshape(-1, 1); T = numbers("test").reshape(-1, 1)
            for strategy in ["mean", "median", "most_frequent"]:
                s = SimpleImputer(strategy=strategy).fit(X)
                save(strategy, s.statistics_); save(strategy + "-out", s.transform(T))
            c = SimpleImputer(strategy="constant", fill_value=-42.5).fit(X)
            save("constant", c.statistics_); save("constant-out", c.transform(T))
            v = numbers("fit"); v = v[~np.isnan(v)]
            save("quantile", np.quantile(v, 0.5, method="linear"))
            """);
        foreach (string strategy in new[] { "mean", "median", "most_frequent", "constant" })
        {
            double statistic = sk.Doubles(strategy)[0];
            FeatureAssert.SameBits(sk.Doubles(strategy + "-out"), [.. s_test.Select(x => Impute.Fill(x, statistic))], strategy);
        }
        Assert.Equal(-42.5, sk.Doubles("constant")[0]);

        // The statistics as FitData defines them, computed here from the values.
        double[] values = [.. s_fit.Where(x => !double.IsNaN(x))];
        Assert.True(FeatureAssert.Ulps(sk.Doubles("mean")[0], values.Sum() / values.Length) <= 2, "mean of the non-missing values");
        // SimpleImputer's median averages the middle two; FitData.Median is NumPy's linear quantile: within 1 ulp.
        Assert.True(FeatureAssert.Ulps(sk.Doubles("median")[0], sk.Doubles("quantile")[0]) <= 1, "median");
        double mostFrequent = values.GroupBy(x => x).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        Assert.Equal(-1.0, mostFrequent); // the smaller of the two tied values
        FeatureAssert.SameBits(sk.Doubles("most_frequent")[0], mostFrequent, "most frequent (ties: the smallest)");
    }

    [Fact]
    public void Fill_NullAndNaN_AreBothMissing()
    {
        Assert.Equal(4.0, Impute.Fill(null, 4.0));
        Assert.Equal(4.0, Impute.Fill(double.NaN, 4.0));
        Assert.Equal(-0.0, Impute.Fill(-0.0, 4.0));
        Assert.True(double.IsNegative(Impute.Fill(-0.0, 4.0)));
        Assert.Equal(double.PositiveInfinity, Impute.Fill(double.PositiveInfinity, 4.0));
        Assert.Equal("x", Impute.Fill(null, "x"));
        Assert.Equal("", Impute.Fill("", "x"));
    }

    [Fact]
    public void FillStrings_WithTheFittedValue_IsSimpleImputerOnObjects_AndMostFrequentTiesGoToTheSmallest()
    {
        // "FR" and "DE" tie (three each); a missing value is None in the data and np.nan in scikit-learn's array.
        string?[] fit = ["FR", "DE", null, "FR", "US", "DE", null, "DE", "FR", "es", null, null];
        string?[] test = [null, "FR", "IT", null, ""];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", fit).With("test", test).Run("""
            from sklearn.impute import SimpleImputer
            m = SimpleImputer(strategy="most_frequent").fit(column("fit"))
            put("most", str(m.statistics_[0])); put("most-out", [str(v) for v in m.transform(column("test")).ravel()])
            c = SimpleImputer(strategy="constant", fill_value="missing").fit(column("fit"))
            put("constant-out", [str(v) for v in c.transform(column("test")).ravel()])
            """);
        string mostFrequent = fit.OfType<string>().GroupBy(s => s).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        Assert.Equal("DE", mostFrequent);
        Assert.Equal(mostFrequent, sk.Json("most").GetString());
        Assert.Equal(sk.Strings("most-out"), test.Select(v => Impute.Fill(v, mostFrequent)));
        Assert.Equal(sk.Strings("constant-out"), test.Select(v => Impute.Fill(v, "missing")));
    }

    [Fact]
    public void IsMissing_IsMissingIndicator()
    {
        double[] values = [1, double.NaN, -0.0, double.NaN, 1e308, 3];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("x", values).Run("""
            from sklearn.impute import MissingIndicator
            X = numbers("x").reshape(-1, 1)
            save("out", MissingIndicator(features="all").fit(X).transform(X).astype(float))
            """);
        Assert.Equal(sk.Doubles("out"), values.Select(v => Impute.IsMissing(v) ? 1.0 : 0.0));
        Assert.True(Impute.IsMissing((double?)null));
        Assert.True(Impute.IsMissing((string?)null));
        Assert.False(Impute.IsMissing(""));
    }
}
