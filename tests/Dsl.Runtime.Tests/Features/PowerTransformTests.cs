using Xunit.Abstractions;

namespace Dsl.Runtime.Tests.Features;

/// <summary>
/// <see cref="PowerTransform"/> against NumPy and SciPy (Debian's SciPy 1.10): <c>np.log1p</c>, <c>np.expm1</c>,
/// <c>scipy.stats.boxcox(x, lmbda)</c> and <c>scipy.stats.yeojohnson(x, lmbda)</c>. NumPy's logarithm and power are
/// its own SIMD code, not the C library's that <see cref="Math"/> calls, so the results agree within stated bounds:
/// units in the last place for log1p, expm1 and Box-Cox, and for Yeo-Johnson (whose <c>(x + 1)^lambda - 1</c> cancels
/// for small <c>x</c> in SciPy as here) an absolute bound of a few ulps of 1 divided by <c>|lambda|</c>.
/// </summary>
public sealed class PowerTransformTests(ITestOutputHelper output)
{
    /// <summary>The bound on log1p, expm1 and Box-Cox, in units in the last place.</summary>
    private const long UlpBound = 4;

    private static readonly double[] s_values =
    [
        0.0, -0.0, 1e-300, 5e-324, 1e-20, 1e-10, 1e-5, 0.01, 0.1, 0.3, 0.5, 0.999, 1, 1.5, 2, 3, 10, 123.456, 1e5, 1e10, 1e100, 1e300,
        -1e-20, -1e-10, -0.01, -0.1, -0.5, -0.9, -0.999999, -1, -1.5, -10, -1e6, double.NaN,
        .. Enumerable.Range(0, 400).Select(i => Math.Exp(-25 + i * 0.125) * (i % 3 == 0 ? -1 : 1)),
    ];

    [Fact]
    public void Log1p_And_Expm1_AreNumPysWithinFourUlps()
    {
        double[] small = [.. s_values.Where(v => double.IsNaN(v) || Math.Abs(v) < 700), 709.7, -745, 710, double.PositiveInfinity, double.NegativeInfinity];
        ScikitLearnOracle.Answers np = new ScikitLearnOracle().With("x", s_values).With("e", small).Run("""
            x = numbers("x"); save("log1p", np.log1p(np.r_[x, np.inf, -np.inf]))
            save("expm1", np.expm1(numbers("e")))
            """);
        double[] log1p = [.. s_values.Append(double.PositiveInfinity).Append(double.NegativeInfinity).Select(PowerTransform.Log1p)];
        double[] expm1 = [.. small.Select(PowerTransform.Expm1)];
        long log1pUlps = FeatureAssert.MaxUlps(np.Doubles("log1p"), log1p);
        long expm1Ulps = FeatureAssert.MaxUlps(np.Doubles("expm1"), expm1);
        output.WriteLine($"log1p: {log1pUlps} ulps, expm1: {expm1Ulps} ulps (max over {log1p.Length} and {expm1.Length} values)");
        Assert.True(log1pUlps <= UlpBound, $"log1p is {log1pUlps} ulps from NumPy's");
        Assert.True(expm1Ulps <= UlpBound, $"expm1 is {expm1Ulps} ulps from NumPy's");
        Assert.True(double.IsNegative(PowerTransform.Log1p(-0.0)) && double.IsNegative(PowerTransform.Expm1(-0.0)), "-0 stays -0");
    }

    [Fact]
    public void BoxCox_IsScipyStatsBoxcoxWithAGivenLambda_WithinFourUlps()
    {
        double[] lambdas = [-2, -0.5, -1e-19, 0, 1e-20, 1e-12, 0.37, 1, 2.5];
        ScikitLearnOracle.Answers sp = new ScikitLearnOracle().With("x", s_values).With("l", lambdas).Run("""
            from scipy import stats
            for i, l in enumerate(numbers("l")): save(f"l{i}", stats.boxcox(numbers("x"), lmbda=l))
            """);
        long worst = 0;
        for (int i = 0; i < lambdas.Length; i++)
        {
            double[] ours = [.. s_values.Select(x => PowerTransform.BoxCox(x, lambdas[i]))];
            long ulps = FeatureAssert.MaxUlps(sp.Doubles($"l{i}"), ours);
            worst = Math.Max(worst, ulps);
            Assert.True(ulps <= UlpBound, $"lambda {lambdas[i]}: {ulps} ulps from SciPy's");
        }
        output.WriteLine($"Box-Cox: {worst} ulps at most over {lambdas.Length} lambdas");
        // Zero and negative values, as scipy.special.boxcox defines them.
        Assert.Equal(-2.0, PowerTransform.BoxCox(0, 0.5));
        Assert.Equal(double.NegativeInfinity, PowerTransform.BoxCox(0, -0.5));
        Assert.True(double.IsNaN(PowerTransform.BoxCox(-1, 0.5)));
        Assert.Equal(Math.Log(3), PowerTransform.BoxCox(3, 1e-20));
    }

    [Fact]
    public void YeoJohnson_IsScipyStatsYeojohnsonWithAGivenLambda_WithinItsCancellationBound()
    {
        double[] lambdas = [-1.5, 0, 1e-17, 0.5, 1, 2, 2 + 1e-16, 3.3, -1e-3];
        ScikitLearnOracle.Answers sp = new ScikitLearnOracle().With("x", s_values).With("l", lambdas).Run("""
            from scipy import stats
            from sklearn.preprocessing import PowerTransformer
            x = numbers("x")
            for i, l in enumerate(numbers("l")):
                save(f"l{i}", stats.yeojohnson(x, lmbda=l))
                p = PowerTransformer(method="yeo-johnson", standardize=False).fit(np.ones((2, 1)))
                p.lambdas_ = np.array([l])
                save(f"p{i}", p.transform(x.reshape(-1, 1)))
            """);
        double worst = 0;
        for (int i = 0; i < lambdas.Length; i++)
        {
            double lambda = lambdas[i];
            double[] scipy = sp.Doubles($"l{i}");
            FeatureAssert.SameBits(scipy, sp.Doubles($"p{i}"), "PowerTransformer and scipy agree");
            for (int j = 0; j < s_values.Length; j++)
            {
                double x = s_values[j];
                double ours = PowerTransform.YeoJohnson(x, lambda);
                if (double.IsNaN(scipy[j]) || double.IsInfinity(scipy[j]))
                {
                    FeatureAssert.SameBits(scipy[j], ours, $"lambda {lambda}, x {x}");
                    continue;
                }
                // Both compute p = (1 + |x|)^power and (p - 1) / power (or log1p where the power is 0), with a p within an
                // ulp of each other's: they differ by a few ulps of p over |power|, plus the rounding of the result.
                double power = x >= 0 ? lambda : 2 - lambda;
                bool logarithm = x >= 0 ? Math.Abs(lambda) < Math.Pow(2, -52) : Math.Abs(lambda - 2) <= Math.Pow(2, -52);
                double bound = 4 * Ulp(scipy[j]) + (logarithm ? 0 : 4 * Ulp(Math.Pow(Math.Abs(x) + 1, power)) / Math.Abs(power));
                double error = Math.Abs(ours - scipy[j]);
                Assert.True(error <= bound, $"lambda {lambda}, x {x}: {ours} against SciPy's {scipy[j]} ({error} > {bound})");
                worst = Math.Max(worst, error / bound);
            }
        }
        output.WriteLine($"Yeo-Johnson: at most {worst:P0} of the bound");
        Assert.True(double.IsNaN(PowerTransform.YeoJohnson(double.NaN, 0.5)));
        Assert.Equal(PowerTransform.Log1p(2), PowerTransform.YeoJohnson(2, 0));
        Assert.Equal(-PowerTransform.Log1p(2), PowerTransform.YeoJohnson(-2, 2));
    }

    private static double Ulp(double value) => Math.BitIncrement(Math.Abs(value)) - Math.Abs(value);
}
