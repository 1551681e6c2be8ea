namespace Dsl.Validation.Drift;

/// <summary>
/// The log-gamma function and the regularized incomplete gamma functions, for chi-square p-values: the upper one
/// Q(a, x) = Γ(a, x) / Γ(a) is the chi-square survival function, P(χ²_k ≥ s) = Q(k / 2, s / 2). Relative accuracy about
/// 1e-13 (checked against SciPy's <c>gammaincc</c>).
/// </summary>
internal static class SpecialFunctions
{
    // Lanczos approximation with g = 7 and 9 coefficients (accurate to about 15 digits for x > 0).
    private static readonly double[] s_lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    private const int MaxIterations = 100_000;
    private const double Epsilon = 1e-16;
    private const double Tiny = 1e-300;

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }
        x -= 1;
        double sum = s_lanczos[0];
        for (int i = 1; i < s_lanczos.Length; i++)
        {
            sum += s_lanczos[i] / (x + i);
        }
        double t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    /// <summary>The regularized upper incomplete gamma function Q(a, x) for a &gt; 0, x ≥ 0.</summary>
    public static double UpperRegularizedGamma(double a, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        if (x == 0)
        {
            return 1;
        }
        if (double.IsPositiveInfinity(x))
        {
            return 0;
        }
        // The series converges fast below a + 1, the continued fraction above it.
        return x < a + 1 ? 1 - LowerSeries(a, x) : UpperContinuedFraction(a, x);
    }

    /// <summary>The regularized lower incomplete gamma function P(a, x) = 1 − Q(a, x).</summary>
    public static double LowerRegularizedGamma(double a, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        if (x == 0)
        {
            return 0;
        }
        if (double.IsPositiveInfinity(x))
        {
            return 1;
        }
        return x < a + 1 ? LowerSeries(a, x) : 1 - UpperContinuedFraction(a, x);
    }

    /// <summary>P(χ² with <paramref name="degreesOfFreedom"/> degrees of freedom ≥ <paramref name="statistic"/>).</summary>
    public static double ChiSquareSurvival(double statistic, int degreesOfFreedom) =>
        statistic <= 0 ? 1 : UpperRegularizedGamma(degreesOfFreedom / 2.0, statistic / 2);

    // P(a, x) = e^{−x} x^a / Γ(a + 1) · Σ x^n / ((a + 1)⋯(a + n)).
    private static double LowerSeries(double a, double x)
    {
        double term = 1 / a;
        double sum = term;
        for (int n = 1; n < MaxIterations; n++)
        {
            term *= x / (a + n);
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * Epsilon)
            {
                break;
            }
        }
        return sum * Math.Exp((a * Math.Log(x)) - x - LogGamma(a));
    }

    // Q(a, x) = e^{−x} x^a / Γ(a) · 1 / (x + 1 − a − 1·(1 − a) / (x + 3 − a − 2·(2 − a) / (x + 5 − a − ⋯))),
    // evaluated with the modified Lentz method.
    private static double UpperContinuedFraction(double a, double x)
    {
        double b = x + 1 - a;
        double c = 1 / Tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < MaxIterations; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = b + (an / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }
        return Math.Exp((a * Math.Log(x)) - x - LogGamma(a)) * h;
    }
}
