using System.Globalization;
using System.Text.Json;
using Dsl.Validation.Statistics;

namespace Dsl.Validation.Drift;

/// <summary>The limits a column's drift statistics must stay within.</summary>
/// <param name="MaxPsi">The largest population stability index allowed (0.1–0.25 is commonly read as a moderate shift, above 0.25 a major one).</param>
/// <param name="MaxKs">The largest Kolmogorov–Smirnov distance allowed.</param>
/// <param name="MinPValue">The smallest chi-square p-value allowed for a categorical column.</param>
internal sealed record DriftThresholds(double MaxPsi = 0.2, double MaxKs = 0.1, double MinPValue = 0.001);

/// <summary>One column compared with its reference.</summary>
/// <param name="Schema">The schema.</param>
/// <param name="Column">The column.</param>
/// <param name="Test">"numeric" (PSI and KS), "categorical" (chi-square) or "missing" (in the reference, not in this run).</param>
/// <param name="Passed">Whether every statistic is within its threshold.</param>
/// <param name="Message">The statistics, thresholds and verdict in one sentence.</param>
internal sealed record ColumnDrift(string Schema, string Column, string Test, bool Passed, string Message) : IValidationReportEntry
{
    /// <summary>The population stability index over <see cref="DriftEvaluator.PsiBins"/> reference-quantile bins.</summary>
    public double? Psi { get; init; }

    /// <summary>The Kolmogorov–Smirnov distance between the two sketches' CDFs.</summary>
    public double? Ks { get; init; }

    /// <summary>How far <see cref="Ks"/> may be from the distance between the exact CDFs (the two sketches' rank errors added; 0 when both are exact).</summary>
    public double? KsErrorBound { get; init; }

    /// <summary>The chi-square statistic of the 2 × categories table (reference and current counts).</summary>
    public double? ChiSquare { get; init; }

    /// <summary>Its degrees of freedom (categories − 1).</summary>
    public int? DegreesOfFreedom { get; init; }

    /// <summary>Its p-value: P(χ² ≥ statistic) under the hypothesis that both come from one distribution.</summary>
    public double? PValue { get; init; }

    /// <summary>Writes the result as a JSON object (for <c>_validation.json</c>).</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("schema", Schema);
        json.WriteString("column", Column);
        json.WriteString("test", Test);
        Write(json, "psi", Psi);
        Write(json, "ks", Ks);
        Write(json, "ksErrorBound", KsErrorBound);
        Write(json, "chiSquare", ChiSquare);
        if (DegreesOfFreedom is { } dof)
        {
            json.WriteNumber("degreesOfFreedom", dof);
        }
        Write(json, "pValue", PValue);
        json.WriteBoolean("passed", Passed);
        json.WriteString("message", Message);
        json.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            JsonFields.WriteDouble(json, name, v);
        }
    }
}

/// <summary>
/// Compares a run's profile with a reference profile, column by column. Numeric columns (with quantile sketches):
/// the population stability index over <see cref="PsiBins"/> bins whose edges are the reference's deciles (equal edges
/// merged), empty-bin fractions replaced by <see cref="PsiEpsilon"/>; and the Kolmogorov–Smirnov distance, the largest
/// gap between the two sketches' CDFs at every item either keeps (equal to SciPy's <c>ks_2samp</c> statistic when both
/// sketches are exact, otherwise within the sum of their rank errors). Text and boolean columns: the chi-square test of
/// homogeneity on the 2 × c table of the reference's tracked values plus an "other" bucket (all remaining values),
/// p-value from the regularized upper incomplete gamma function.
/// </summary>
internal static class DriftEvaluator
{
    /// <summary>The number of PSI bins (the reference's deciles).</summary>
    public const int PsiBins = 10;

    /// <summary>The fraction used for a bin that holds no value on one side, so the logarithm stays finite.</summary>
    public const double PsiEpsilon = 1e-4;

    /// <summary>Compares every column of the reference with the same column of <paramref name="current"/>.</summary>
    public static List<ColumnDrift> Compare(DatasetProfile current, DatasetProfile reference, DriftThresholds thresholds)
    {
        var results = new List<ColumnDrift>();
        foreach (SchemaProfile refSchema in reference.Schemas)
        {
            SchemaProfile? schema = current.Schema(refSchema.Name);
            foreach (ColumnProfile refColumn in refSchema.Columns)
            {
                if (schema?.Column(refColumn.Name) is { } column)
                {
                    if (Compare(refSchema.Name, column, refColumn, thresholds) is { } result)
                    {
                        results.Add(result);
                    }
                }
                else
                {
                    results.Add(new ColumnDrift(refSchema.Name, refColumn.Name, "missing", false,
                        $"{refSchema.Name}.{refColumn.Name} is in the reference profile but this run {(schema is null ? $"has no schema {refSchema.Name}" : "has no such column")}."));
                }
            }
        }
        return results;
    }

    /// <summary>Compares one column; null when neither test applies (no sketch on both sides, not categorical).</summary>
    public static ColumnDrift? Compare(string schema, ColumnProfile current, ColumnProfile reference, DriftThresholds thresholds)
    {
        string name = $"{schema}.{current.Name}";
        if (current.IsCategorical && reference.IsCategorical && reference.TopErrorBound is not null && current.TopErrorBound is not null)
        {
            (double statistic, int dof, double p) = ChiSquareHomogeneity(Categories(current, reference));
            bool passed = !(p < thresholds.MinPValue);
            string verdict = passed ? "no drift" : $"drifted: p below the minimum {Number(thresholds.MinPValue)}";
            return new ColumnDrift(schema, current.Name, "categorical", passed,
                $"{name}: chi-square {Number(statistic)} with {dof} degrees of freedom, p = {Number(p)} (min {Number(thresholds.MinPValue)}): {verdict}.")
            {
                ChiSquare = statistic,
                DegreesOfFreedom = dof,
                PValue = p,
            };
        }
        if (current.Sketch is { Count: > 0 } sketch && reference.Sketch is { Count: > 0 } refSketch)
        {
            double psi = Psi(sketch, refSketch);
            double ks = KolmogorovSmirnov(sketch, refSketch);
            double error = (sketch.IsExact ? 0 : QuantileSketch.RankErrorBound) + (refSketch.IsExact ? 0 : QuantileSketch.RankErrorBound);
            var breaches = new List<string>();
            if (psi > thresholds.MaxPsi)
            {
                breaches.Add($"PSI above the maximum {Number(thresholds.MaxPsi)}");
            }
            if (ks > thresholds.MaxKs)
            {
                breaches.Add($"KS above the maximum {Number(thresholds.MaxKs)}");
            }
            string approx = error > 0 ? $", ±{Number(error)} from the sketches" : "";
            string verdict = breaches.Count == 0 ? "no drift" : "drifted: " + string.Join(", ", breaches);
            return new ColumnDrift(schema, current.Name, "numeric", breaches.Count == 0,
                $"{name}: PSI {Number(psi)} (max {Number(thresholds.MaxPsi)}), KS {Number(ks)} (max {Number(thresholds.MaxKs)}{approx}): {verdict}.")
            {
                Psi = psi,
                Ks = ks,
                KsErrorBound = error,
            };
        }
        return null;
    }

    /// <summary>The PSI bin edges: the reference's deciles, equal ones merged. Bins are (−∞, e₁], (e₁, e₂], …, (eₙ, ∞).</summary>
    public static double[] PsiEdges(QuantileSketch reference)
    {
        double[] ranks = [.. Enumerable.Range(1, PsiBins - 1).Select(i => (double)i / PsiBins)];
        return [.. reference.Quantiles(ranks).Distinct().Order()];
    }

    /// <summary>The PSI of <paramref name="current"/> against <paramref name="reference"/> on <see cref="PsiEdges"/>.</summary>
    public static double Psi(QuantileSketch current, QuantileSketch reference)
    {
        double[] edges = PsiEdges(reference);
        return Psi(BinFractions(reference, edges), BinFractions(current, edges));
    }

    /// <summary>Σ (actual − expected) · ln(actual / expected), zero fractions replaced by <see cref="PsiEpsilon"/>.</summary>
    public static double Psi(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        double psi = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            double e = expected[i] > 0 ? expected[i] : PsiEpsilon;
            double a = actual[i] > 0 ? actual[i] : PsiEpsilon;
            psi += (a - e) * Math.Log(a / e);
        }
        return psi;
    }

    /// <summary>The fraction of the sketch's values in each bin of <paramref name="edges"/> (see <see cref="PsiEdges"/>).</summary>
    public static double[] BinFractions(QuantileSketch sketch, IReadOnlyList<double> edges)
    {
        var fractions = new double[edges.Count + 1];
        double previous = 0;
        for (int i = 0; i < edges.Count; i++)
        {
            double rank = sketch.Rank(edges[i]);
            fractions[i] = rank - previous;
            previous = rank;
        }
        fractions[^1] = 1 - previous;
        return fractions;
    }

    /// <summary>sup |F₁(x) − F₂(x)| over every item of both sketches (where the step functions change).</summary>
    public static double KolmogorovSmirnov(QuantileSketch a, QuantileSketch b)
    {
        (double[] ai, long[] ac) = a.SortedView();
        (double[] bi, long[] bc) = b.SortedView();
        double na = a.Count;
        double nb = b.Count;
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < ai.Length || j < bi.Length)
        {
            double x = j >= bi.Length || (i < ai.Length && ai[i] <= bi[j]) ? ai[i] : bi[j];
            while (i < ai.Length && ai[i] <= x)
            {
                i++;
            }
            while (j < bi.Length && bi[j] <= x)
            {
                j++;
            }
            double fa = i == 0 ? 0 : ac[i - 1] / na;
            double fb = j == 0 ? 0 : bc[j - 1] / nb;
            d = Math.Max(d, Math.Abs(fa - fb));
        }
        return d;
    }

    /// <summary>
    /// The 2 × c table of a categorical column: for each value the reference tracks, its count in the reference and in
    /// this run (0 when this run does not track it), then "other" with the rest of each side's values; categories
    /// empty on both sides are left out.
    /// </summary>
    public static (long[] Reference, long[] Current) Categories(ColumnProfile current, ColumnProfile reference)
    {
        var currentCounts = current.TopValues.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var refCounts = new List<long>();
        var curCounts = new List<long>();
        long refListed = 0;
        long curListed = 0;
        foreach ((string value, long count) in reference.TopValues)
        {
            long now = currentCounts.GetValueOrDefault(value);
            refCounts.Add(count);
            curCounts.Add(now);
            refListed += count;
            curListed += now;
        }
        refCounts.Add(Math.Max(0, reference.Values - refListed));
        curCounts.Add(Math.Max(0, current.Values - curListed));
        var keep = Enumerable.Range(0, refCounts.Count).Where(k => refCounts[k] + curCounts[k] > 0).ToArray();
        return ([.. keep.Select(k => refCounts[k])], [.. keep.Select(k => curCounts[k])]);
    }

    /// <summary>
    /// Pearson's chi-square test of homogeneity on a 2 × c table (no continuity correction; SciPy's
    /// <c>chi2_contingency(..., correction=False)</c>): the statistic, c − 1 degrees of freedom and the p-value. A table
    /// with fewer than two categories or an empty row has statistic 0 and p-value 1.
    /// </summary>
    public static (double Statistic, int DegreesOfFreedom, double PValue) ChiSquareHomogeneity((long[] First, long[] Second) table)
    {
        (long[] first, long[] second) = table;
        double n1 = first.Sum();
        double n2 = second.Sum();
        int categories = first.Length;
        if (categories < 2 || n1 == 0 || n2 == 0)
        {
            return (0, Math.Max(0, categories - 1), 1);
        }
        double n = n1 + n2;
        double statistic = 0;
        for (int k = 0; k < categories; k++)
        {
            double column = first[k] + second[k];
            double e1 = n1 * column / n;
            double e2 = n2 * column / n;
            statistic += ((first[k] - e1) * (first[k] - e1) / e1) + ((second[k] - e2) * (second[k] - e2) / e2);
        }
        int dof = categories - 1;
        return (statistic, dof, SpecialFunctions.ChiSquareSurvival(statistic, dof));
    }

    private static string Number(double value) =>
        Math.Abs(value) is > 0 and < 1e-4 ? value.ToString("0.##E+0", CultureInfo.InvariantCulture) : StatisticText.Number(value);
}
