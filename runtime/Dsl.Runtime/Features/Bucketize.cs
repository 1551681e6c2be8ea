namespace Dsl;

/// <summary>
/// Bucketizing (discretizing) numbers into ordinal bucket indices, as scikit-learn's <c>KBinsDiscretizer(encode="ordinal")</c>
/// and Spark ML's <c>Bucketizer</c> / <c>QuantileDiscretizer</c> do: by given boundaries (from
/// <see cref="FitData{TRow}.QuantileBoundaries"/> for equal-frequency buckets, or from configuration) or by
/// a given number of equal widths between a fitted minimum and maximum.
/// </summary>
/// <remarks>
/// Bucket <c>i</c> holds the values <c>x</c> with <c>boundaries[i - 1] &lt;= x &lt; boundaries[i]</c>: bucket 0 is
/// everything below the first boundary and bucket <c>boundaries.Length</c> everything from the last one up, so
/// <c>k</c> boundaries make <c>k + 1</c> buckets and values outside the fitted range fall into the end buckets (as
/// scikit-learn's <c>np.searchsorted(bin_edges_[1:-1], x, side="right")</c> does, and as Spark's splits with
/// <c>-inf</c> and <c>+inf</c> at the ends do). NaN goes into one more bucket after those, index
/// <c>boundaries.Length + 1</c>, like Spark's <c>handleInvalid="keep"</c> (scikit-learn refuses NaN, and NumPy's
/// <c>searchsorted</c> would put it into the last bucket with the largest values). Pass a nullable column as
/// <c>t.X ?? double.NaN</c> to give nulls that bucket too.
/// </remarks>
public static class Bucketize
{
    /// <summary>
    /// The bucket of <paramref name="x"/> among <paramref name="boundaries"/>: the number of boundaries less than or
    /// equal to it (<c>np.searchsorted(boundaries, x, side="right")</c>), or <c>boundaries.Length + 1</c> for NaN.
    /// With <see cref="FitData{TRow}.QuantileBoundaries"/> this is <c>KBinsDiscretizer(strategy="quantile")</c>'s
    /// ordinal code; equal boundaries are allowed (the bucket between them stays empty).
    /// </summary>
    /// <param name="x">The value.</param>
    /// <param name="boundaries">The inner boundaries, ascending, without NaN (infinities are allowed).</param>
    /// <exception cref="ArgumentException"><paramref name="boundaries"/> are not ascending or hold NaN.</exception>
    public static int Index(double x, double[] boundaries)
    {
        FeatureArguments.CheckBoundaries(boundaries);
        if (double.IsNaN(x))
        {
            return boundaries.Length + 1;
        }
        int low = 0;
        int high = boundaries.Length;
        while (low < high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            if (boundaries[middle] <= x)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    /// <summary>
    /// The bucket of <paramref name="x"/> among <paramref name="buckets"/> equal-width buckets between
    /// <paramref name="min"/> and <paramref name="max"/>: <c>KBinsDiscretizer(n_bins=buckets, strategy="uniform")</c>
    /// with <paramref name="min"/> and <paramref name="max"/> its fitted column minimum and maximum
    /// (<see cref="FitData{TRow}.Min"/>, <see cref="FitData{TRow}.Max"/>). The inner boundaries are NumPy's
    /// <c>np.linspace(min, max, buckets + 1)[1:-1]</c>, computed as it does (<c>i * step + min</c> with
    /// <c>step = (max - min) / buckets</c>), so a value on a boundary lands where scikit-learn puts it. As there, a
    /// constant column (<paramref name="min"/> equal to <paramref name="max"/>) is all bucket 0; values below
    /// <paramref name="min"/> are bucket 0, values above <paramref name="max"/> bucket <c>buckets - 1</c>, NaN bucket
    /// <paramref name="buckets"/> (see the class remarks).
    /// </summary>
    /// <param name="x">The value.</param>
    /// <param name="min">The smallest value of the column.</param>
    /// <param name="max">The largest value of the column.</param>
    /// <param name="buckets">The number of buckets, at least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="buckets"/> is below 1, or the bounds are not finite with <paramref name="min"/> &lt;= <paramref name="max"/>.</exception>
    public static int Uniform(double x, double min, double max, int buckets)
    {
        FeatureArguments.CheckUniform(min, max, buckets);
        if (double.IsNaN(x))
        {
            return buckets;
        }
        if (min == max)
        {
            return 0;
        }
        double delta = max - min;
        double step = delta / buckets;
        // A first guess from the width, then corrected against the boundaries as NumPy computes them: the guess can
        // be one off where rounding moves a boundary across x.
        double guess = Math.Floor((x - min) / step);
        int bucket = guess >= buckets - 1 ? buckets - 1 : guess <= 0 ? 0 : (int)guess;
        while (bucket > 0 && x < Boundary(bucket, buckets, delta, step, min))
        {
            bucket--;
        }
        while (bucket < buckets - 1 && x >= Boundary(bucket + 1, buckets, delta, step, min))
        {
            bucket++;
        }
        return bucket;
    }

    /// <summary>
    /// The boundaries <c>KBinsDiscretizer(strategy="quantile")</c> keeps of <paramref name="boundaries"/>: it lays the
    /// edges out as <c>[min, boundaries..., max]</c>, drops every edge less than 1e-8 above the edge before it
    /// (<c>np.ediff1d(edges, to_begin=np.inf) &gt; 1e-8</c>, neighbours in that list), and buckets by the inner edges
    /// that remain. So a boundary equal to the column's minimum or maximum (a value that fills more than one bucket)
    /// goes, and the minimum stays in bucket 0. Call it in the fit, once, with <see cref="FitData{TRow}.QuantileBoundaries"/>,
    /// <see cref="FitData{TRow}.Min"/> and <see cref="FitData{TRow}.Max"/> of the same column.
    /// </summary>
    /// <param name="boundaries">Ascending inner boundaries.</param>
    /// <param name="min">The smallest value of the column.</param>
    /// <param name="max">The largest value of the column.</param>
    /// <exception cref="ArgumentException">The boundaries are not ascending, or <paramref name="min"/> or <paramref name="max"/> is NaN.</exception>
    public static double[] DropNarrowBuckets(double[] boundaries, double min, double max)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        if (FeatureArguments.BoundaryProblem(boundaries) is { } problem)
        {
            throw new ArgumentException(problem, nameof(boundaries));
        }
        if (double.IsNaN(min) || double.IsNaN(max))
        {
            throw new ArgumentException("The column's min and max must be numbers, but one is NaN (a fit over a column without values gives NaN).", nameof(min));
        }
        var edges = new List<double>(boundaries.Length + 2) { min };
        edges.AddRange(boundaries);
        edges.Add(max);
        var kept = new List<double>(edges.Count) { min };
        for (int i = 1; i < edges.Count; i++)
        {
            if (edges[i] - edges[i - 1] > 1e-8)
            {
                kept.Add(edges[i]);
            }
        }
        return kept.Count <= 2 ? [] : [.. kept.GetRange(1, kept.Count - 2)];
    }

    /// <summary>
    /// The inner boundary <paramref name="i"/> (1 to buckets - 1) as <c>np.linspace</c> computes it: <c>i * step + min</c>,
    /// or <c>i / buckets * delta + min</c> where the step underflows to zero.
    /// </summary>
    private static double Boundary(int i, int buckets, double delta, double step, double min) =>
        step == 0 ? (double)i / buckets * delta + min : i * step + min;
}
