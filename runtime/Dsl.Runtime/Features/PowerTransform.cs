namespace Dsl;

/// <summary>
/// Log and power transforms that make skewed features more Gaussian: <c>log1p</c>, and the Box-Cox and Yeo-Johnson
/// transforms with a given lambda, as <c>scipy.stats.boxcox(x, lmbda)</c> and <c>scipy.stats.yeojohnson(x, lmbda)</c>
/// (and scikit-learn's <c>PowerTransformer(standardize=False)</c> with a fitted <c>lambdas_</c>) compute them.
/// </summary>
/// <remarks>
/// Lambda is a parameter: fitting it by maximum likelihood, as <c>PowerTransformer</c> and <c>boxcox(x)</c> without
/// <c>lmbda</c> do, needs an optimizer over several passes of the data and is not one of the fit statistics; fit it
/// offline (on a sample) and pass it as configuration. To standardize afterwards as <c>PowerTransformer</c> does by
/// default, fit the mean and deviation of the transformed column in a second fit and apply
/// <see cref="Scale.Standard"/>. These use <see cref="Math.Log(double)"/> and <see cref="Math.Pow"/> (the C
/// library's) where SciPy uses NumPy's or the C library's, so results agree within a few units in the last place
/// rather than bit for bit; docs/features.md states the measured bounds.
/// </remarks>
public static class PowerTransform
{
    /// <summary>NumPy's <c>np.spacing(1.0)</c>: 2^-52, the lambda tolerance of SciPy's Yeo-Johnson.</summary>
    private const double Spacing = 2.220446049250313E-16;

    /// <summary>
    /// <c>log(1 + x)</c>, accurate for small <paramref name="x"/> (NumPy's <c>np.log1p</c>): -infinity at -1, NaN below
    /// -1 and for NaN, and <c>x</c> itself where <c>1 + x</c> rounds to 1 (so -0 stays -0).
    /// </summary>
    /// <param name="x">The value.</param>
    public static double Log1p(double x)
    {
        if (!(x > -1.0))
        {
            return x == -1.0 ? double.NegativeInfinity : double.NaN;
        }
        if (double.IsPositiveInfinity(x))
        {
            return x;
        }
        double u = 1.0 + x;
        if (u == 1.0)
        {
            return x;
        }
        // log(u) is log(1 + x) for the rounded u; (u - 1) - x is that rounding error (exact), and dividing by u turns it
        // into the matching error of the logarithm, which is taken back.
        return Math.Log(u) - ((u - 1.0) - x) / u;
    }

    /// <summary>
    /// <c>exp(x) - 1</c>, accurate for small <paramref name="x"/> (NumPy's <c>np.expm1</c>): -1 for -infinity, +infinity
    /// where <c>exp</c> overflows, and <c>x</c> itself where <c>exp(x)</c> rounds to 1.
    /// </summary>
    /// <param name="x">The value.</param>
    public static double Expm1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0)
        {
            return x;
        }
        double um1 = u - 1.0;
        if (um1 == -1.0 || double.IsInfinity(u) || double.IsNaN(u))
        {
            return um1;
        }
        // Kahan's correction: (u - 1) / log(u) is (exp(x) - 1) / x for the rounded u, which times x gives exp(x) - 1
        // without the cancellation of u - 1 alone. x / log(u) is near 1, so the product cannot overflow.
        return um1 * (x / Math.Log(u));
    }

    /// <summary>
    /// The Box-Cox transform with <paramref name="lambda"/>: <c>log(x)</c> where <c>|lambda| &lt; 1e-19</c>, else
    /// <c>expm1(lambda * log(x)) / lambda</c> (<c>(x^lambda - 1) / lambda</c> without its cancellation), exactly as
    /// <c>scipy.special.boxcox</c> (which <c>scipy.stats.boxcox(x, lmbda)</c> calls) defines it. Box-Cox needs positive
    /// values: 0 gives <c>-1 / lambda</c> for positive lambda and -infinity otherwise, a negative value gives NaN (as
    /// SciPy's function does; use <see cref="YeoJohnson"/> for data with zeros and negatives).
    /// </summary>
    /// <param name="x">The value (positive).</param>
    /// <param name="lambda">The power.</param>
    public static double BoxCox(double x, double lambda) =>
        Math.Abs(lambda) < 1e-19 ? Math.Log(x) : Expm1(lambda * Math.Log(x)) / lambda;

    /// <summary>
    /// The Yeo-Johnson transform with <paramref name="lambda"/>, as SciPy 1.10's <c>scipy.stats.yeojohnson(x, lmbda)</c>
    /// and scikit-learn 1.2's <c>PowerTransformer(method="yeo-johnson")</c> compute it: for <c>x &gt;= 0</c>,
    /// <c>((x + 1)^lambda - 1) / lambda</c>, or <c>log1p(x)</c> where <c>|lambda| &lt; 2^-52</c>; for <c>x &lt; 0</c>,
    /// <c>-((1 - x)^(2 - lambda) - 1) / (2 - lambda)</c>, or <c>-log1p(-x)</c> where <c>|lambda - 2| &lt;= 2^-52</c>.
    /// NaN gives NaN.
    /// </summary>
    /// <param name="x">The value.</param>
    /// <param name="lambda">The power.</param>
    public static double YeoJohnson(double x, double lambda)
    {
        if (x >= 0)
        {
            return Math.Abs(lambda) < Spacing ? Log1p(x) : (Math.Pow(x + 1, lambda) - 1) / lambda;
        }
        return Math.Abs(lambda - 2) > Spacing ? -(Math.Pow(-x + 1, 2 - lambda) - 1) / (2 - lambda) : -Log1p(-x);
    }
}
