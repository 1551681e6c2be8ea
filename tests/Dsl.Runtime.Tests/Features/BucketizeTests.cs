namespace Dsl.Runtime.Tests.Features;

/// <summary>
/// <see cref="Bucketize"/> against scikit-learn's <c>KBinsDiscretizer(encode="ordinal")</c>: with its edges the
/// bucket of every value is its code, values on the edges included; quantile boundaries as FitData defines them, with
/// <see cref="Bucketize.DropNarrowBuckets"/>, are its edges (bit for bit where the quantile levels are NumPy's
/// <c>linspace(0, 100, n + 1) / 100</c>, within a few ulps for the levels <c>i / n</c>).
/// </summary>
public sealed class BucketizeTests
{
    // Data sets with ties (integers), a continuous spread, a value that fills most of the low and of the high buckets.
    private const string DataSets = """
        rng = np.random.default_rng(3)
        sets = {
            "ints": rng.integers(0, 50, 997).astype(float),
            "normal": rng.normal(size=1000),
            "range": np.arange(100.0),
            "low-heavy": np.r_[np.zeros(600), rng.exponential(size=400)],
            "high-heavy": np.r_[rng.normal(size=300), np.full(700, 9.0)],
        }
        counts = [2, 3, 4, 5, 7, 10]

        """;

    [Fact]
    public void Index_WithKBinsDiscretizersQuantileEdges_IsItsOrdinalCode()
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().Run(DataSets + """
            from sklearn.preprocessing import KBinsDiscretizer
            names = []
            for name, x in sets.items():
                for n in counts:
                    k = KBinsDiscretizer(n_bins=n, encode="ordinal", strategy="quantile").fit(x.reshape(-1, 1))
                    inner = k.bin_edges_[0][1:-1]
                    # The values, the edges themselves and their neighbours, and values beyond both ends.
                    t = np.r_[x, inner, np.nextafter(inner, -np.inf), np.nextafter(inner, np.inf), x.min() - 1, x.max() + 1]
                    key = f"{name}-{n}"; names.append(key)
                    save(key + "-edges", inner); save(key + "-x", t); save(key + "-code", k.transform(t.reshape(-1, 1)))
            put("names", names)
            """);
        foreach (string key in sk.Strings("names"))
        {
            double[] edges = sk.Doubles(key + "-edges");
            double[] x = sk.Doubles(key + "-x");
            FeatureAssert.SameBits(sk.Doubles(key + "-code"), [.. x.Select(v => (double)Bucketize.Index(v, edges))], key);
        }
    }

    [Fact]
    public void QuantileBoundaries_ThroughDropNarrowBuckets_AreKBinsDiscretizersEdges()
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().Run(DataSets + """
            from sklearn.preprocessing import KBinsDiscretizer
            names = []
            for name, x in sets.items():
                for n in counts:
                    k = KBinsDiscretizer(n_bins=n, encode="ordinal", strategy="quantile").fit(x.reshape(-1, 1))
                    key = f"{name}-{n}"; names.append(key)
                    save(key + "-x", x); save(key + "-min", x.min()); save(key + "-max", x.max())
                    save(key + "-edges", k.bin_edges_[0][1:-1]); save(key + "-code", k.transform(x.reshape(-1, 1)))
                    # FitData.QuantileBoundaries: NumPy's linear quantiles, duplicates removed; at the levels i / n, and at
                    # the levels KBinsDiscretizer asks np.percentile for, linspace(0, 100, n + 1), divided by 100 as it does.
                    save(key + "-fit", np.unique(np.quantile(x, [i / n for i in range(1, n)])))
                    save(key + "-fit-linspace", np.unique(np.quantile(x, (np.linspace(0, 100, n + 1) / 100)[1:-1])))
            put("names", names)
            """);
        int differingCodes = 0;
        foreach (string key in sk.Strings("names"))
        {
            double[] x = sk.Doubles(key + "-x");
            double min = sk.Doubles(key + "-min")[0];
            double max = sk.Doubles(key + "-max")[0];
            double[] edges = sk.Doubles(key + "-edges");
            double[] code = sk.Doubles(key + "-code");

            // At scikit-learn's levels the edges and every code are scikit-learn's, bit for bit.
            double[] exact = Bucketize.DropNarrowBuckets(sk.Doubles(key + "-fit-linspace"), min, max);
            FeatureAssert.SameBits(edges, exact, key + " edges");
            FeatureAssert.SameBits(code, [.. x.Select(v => (double)Bucketize.Index(v, exact))], key + " codes");

            // At the levels i / n the edges move by a rounding error of the level (relative to the spread of the data),
            // and a code differs only for a value between an edge and its moved twin.
            double[] fit = Bucketize.DropNarrowBuckets(sk.Doubles(key + "-fit"), min, max);
            Assert.Equal(edges.Length, fit.Length);
            for (int e = 0; e < edges.Length; e++)
            {
                Assert.True(Math.Abs(edges[e] - fit[e]) <= 1e-13 * (max - min), $"{key}: edge {e} is {fit[e]}, scikit-learn's {edges[e]}");
            }
            for (int i = 0; i < x.Length; i++)
            {
                int ours = Bucketize.Index(x[i], fit);
                if (ours != (int)code[i])
                {
                    differingCodes++;
                    int e = Math.Min(ours, (int)code[i]);
                    Assert.InRange(x[i], Math.Min(edges[e], fit[e]), Math.Max(edges[e], fit[e]));
                }
            }
        }
        // Rare: values of the integer data that sit exactly on a level-1/3 quantile.
        Assert.InRange(differingCodes, 0, 10);
    }

    [Fact]
    public void QuantileBoundaries_WithoutDropNarrowBuckets_ShiftTheCodesWhereAValueFillsTheLowestBuckets()
    {
        // A column of mostly zeros: its low quantiles are 0, the minimum; scikit-learn drops those edges and keeps the zeros in bucket 0.
        double[] boundaries = [0.0, 8.8, 24.4];
        Assert.Equal(1, Bucketize.Index(0.0, boundaries));
        double[] kept = Bucketize.DropNarrowBuckets(boundaries, 0.0, 40.0);
        Assert.Equal([8.8, 24.4], kept);
        Assert.Equal(0, Bucketize.Index(0.0, kept));
        Assert.Equal([], Bucketize.DropNarrowBuckets([1.0, 1.000000001], 1.0, 1.000000005));
        Assert.Equal([2.0], Bucketize.DropNarrowBuckets([2.0, 3.0], 1.0, 3.0));
        Assert.Throws<ArgumentException>(() => Bucketize.DropNarrowBuckets([1.0], double.NaN, 3.0));
        Assert.Throws<ArgumentException>(() => Bucketize.DropNarrowBuckets([2.0, 1.0], 0.0, 3.0));
    }

    [Fact]
    public void Uniform_WithTheColumnsMinAndMax_IsKBinsDiscretizersUniformCode_OnAndAroundEveryEdge()
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().Run(DataSets + """
            from sklearn.preprocessing import KBinsDiscretizer
            sets["thirds"] = np.array([0.1, 0.7, 0.3, 1.0, 0.2])
            sets["tiny"] = np.array([1.0, 1.0 + 2**-52, 1.0 + 2**-51, 1.0 + 3 * 2**-52])
            sets["constant"] = np.full(10, 2.5)
            names = []
            for name, x in sets.items():
                for n in counts:
                    k = KBinsDiscretizer(n_bins=n, encode="ordinal", strategy="uniform").fit(x.reshape(-1, 1))
                    inner = np.linspace(x.min(), x.max(), n + 1)[1:-1]
                    t = np.r_[x, inner, np.nextafter(inner, -np.inf), np.nextafter(inner, np.inf), x.min() - 1, x.max() + 1]
                    key = f"{name}-{n}"; names.append(key)
                    save(key + "-x", t); save(key + "-bounds", [x.min(), x.max(), n]); save(key + "-code", k.transform(t.reshape(-1, 1)))
            put("names", names)
            """);
        foreach (string key in sk.Strings("names"))
        {
            double[] bounds = sk.Doubles(key + "-bounds");
            double[] x = sk.Doubles(key + "-x");
            FeatureAssert.SameBits(sk.Doubles(key + "-code"), [.. x.Select(v => (double)Bucketize.Uniform(v, bounds[0], bounds[1], (int)bounds[2]))], key);
        }
    }

    [Fact]
    public void NaN_GoesIntoOneBucketAfterTheLast_WhereNumPyWouldPutItIntoTheLast()
    {
        double[] boundaries = [1, 2, 3];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("b", boundaries).Run("""
            put("numpy", int(np.searchsorted(numbers("b"), np.nan, side="right")))
            """);
        Assert.Equal(3, sk.Json("numpy").GetInt32());
        Assert.Equal(4, Bucketize.Index(double.NaN, boundaries));
        Assert.Equal(1, Bucketize.Index(double.NaN, []));
        Assert.Equal(5, Bucketize.Uniform(double.NaN, 0, 1, 5));
        Assert.Equal(5, Bucketize.Uniform(double.NaN, 2, 2, 5));
        Assert.Equal(3, Bucketize.Index(double.PositiveInfinity, boundaries));
        Assert.Equal(0, Bucketize.Index(double.NegativeInfinity, boundaries));
        Assert.Equal(4, Bucketize.Uniform(double.PositiveInfinity, 0, 1, 5));
        Assert.Equal(0, Bucketize.Uniform(double.NegativeInfinity, 0, 1, 5));
    }

    [Fact]
    public void Index_EqualBoundaries_AndSignedZeros_AreSearchsortedRight()
    {
        double[] boundaries = [-1, 0, 0, 0, 2, double.PositiveInfinity];
        double[] x = [-2, -1, -0.5, -0.0, 0.0, 1, 2, 3, double.MaxValue, double.PositiveInfinity];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("b", boundaries).With("x", x).Run("""
            save("code", np.searchsorted(numbers("b"), numbers("x"), side="right"))
            """);
        FeatureAssert.SameBits(sk.Doubles("code"), [.. x.Select(v => (double)Bucketize.Index(v, boundaries))], "codes");
        Assert.Equal(0, Bucketize.Index(5, []));
    }

    [Theory]
    [InlineData(new[] { 1.0, 3.0, 2.0 }, "boundary 2 (2) is below boundary 1 (3)")]
    [InlineData(new[] { 1.0, double.NaN }, "boundary 1 is NaN")]
    public void Index_BadBoundaries_Throw_AndTheCheckSaysSo(double[] boundaries, string message)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Bucketize.Index(1.5, boundaries));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.False(Dsl.Kernels.FeatureChecks.Boundaries(boundaries));
        // Still refused the second time: a bad array is never remembered as checked.
        Assert.Throws<ArgumentException>(() => Bucketize.Index(1.5, boundaries));
        Assert.Throws<ArgumentNullException>(() => Bucketize.Index(1.5, null!));
        Assert.False(Dsl.Kernels.FeatureChecks.Boundaries(null));
        Assert.True(Dsl.Kernels.FeatureChecks.Boundaries([1.0, 1.0, 2.0]));
    }

    [Theory]
    [InlineData(0.0, 1.0, 0, "at least 1")]
    [InlineData(double.NaN, 1.0, 3, "min is NaN")]
    [InlineData(2.0, 1.0, 3, "min <= max")]
    [InlineData(0.0, double.PositiveInfinity, 3, "finite bounds")]
    public void Uniform_BadBoundsOrCount_Throw_AndTheCheckSaysSo(double min, double max, int buckets, string message)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Bucketize.Uniform(0.5, min, max, buckets));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.False(Dsl.Kernels.FeatureChecks.Uniform(min, max, buckets));
        Assert.True(Dsl.Kernels.FeatureChecks.Uniform(0, 0, 1));
    }
}
