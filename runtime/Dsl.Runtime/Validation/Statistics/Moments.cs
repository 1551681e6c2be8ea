using System.Numerics;
using System.Runtime.InteropServices;

namespace Dsl.Validation.Statistics;

/// <summary>
/// Count, mean, sum of squared deviations (M2), min and max of a set of doubles. A batch is summarized in two
/// vectorized passes (sum, min and max; then squared deviations from the batch mean), which is as stable as Welford's
/// update and needs no division per value; summaries combine with Chan, Golub and LeVeque's pairwise formula, so a
/// run's variance does not depend on how its rows were split into batches or partitions beyond rounding.
/// </summary>
internal struct Moments
{
    /// <summary>Number of values.</summary>
    public long Count;

    /// <summary>Their mean (0 when there are none).</summary>
    public double Mean;

    /// <summary>Σ (x − mean)².</summary>
    public double M2;

    /// <summary>The smallest value (NaN when there are none).</summary>
    public double Min;

    /// <summary>The largest value (NaN when there are none).</summary>
    public double Max;

    /// <summary>The summary of no values.</summary>
    public static Moments Empty => new() { Min = double.NaN, Max = double.NaN };

    /// <summary>The population variance M2 / n (NaN when there are no values).</summary>
    public readonly double Variance => Count == 0 ? double.NaN : M2 / Count;

    /// <summary>
    /// Summarizes <paramref name="values"/>; sets <paramref name="hasNaN"/> (and returns an unusable summary) when one
    /// of them is NaN, so the caller can drop NaN and call again.
    /// </summary>
    public static Moments Of(ReadOnlySpan<double> values, out bool hasNaN)
    {
        hasNaN = false;
        if (values.IsEmpty)
        {
            return Empty;
        }
        double sum;
        double min;
        double max;
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<double>.Count * 2)
        {
            ReadOnlySpan<Vector<double>> vectors = MemoryMarshal.Cast<double, Vector<double>>(values);
            Vector<double> vsum = Vector<double>.Zero;
            Vector<double> vmin = vectors[0];
            Vector<double> vmax = vectors[0];
            Vector<long> notNaN = Vector<long>.AllBitsSet;
            foreach (Vector<double> v in vectors)
            {
                vsum += v;
                vmin = Vector.Min(vmin, v);
                vmax = Vector.Max(vmax, v);
                notNaN &= Vector.Equals(v, v);
            }
            if (notNaN != Vector<long>.AllBitsSet)
            {
                hasNaN = true;
                return Empty;
            }
            sum = Vector.Sum(vsum);
            min = vmin[0];
            max = vmax[0];
            for (int lane = 1; lane < Vector<double>.Count; lane++)
            {
                min = Math.Min(min, vmin[lane]);
                max = Math.Max(max, vmax[lane]);
            }
            i = vectors.Length * Vector<double>.Count;
        }
        else
        {
            sum = 0;
            min = values[0];
            max = values[0];
        }
        for (; i < values.Length; i++)
        {
            double v = values[i];
            if (double.IsNaN(v))
            {
                hasNaN = true;
                return Empty;
            }
            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        double mean = sum / values.Length;
        return new Moments { Count = values.Length, Mean = mean, M2 = SquaredDeviations(values, mean), Min = min, Max = max };
    }

    /// <summary>Adds <paramref name="other"/>'s values (Chan et al.'s pairwise update).</summary>
    public void Merge(in Moments other)
    {
        if (other.Count == 0)
        {
            return;
        }
        if (Count == 0)
        {
            this = other;
            return;
        }
        long n = Count + other.Count;
        double delta = other.Mean - Mean;
        Mean += delta * other.Count / n;
        M2 += other.M2 + (delta * delta * ((double)Count * other.Count / n));
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        Count = n;
    }

    private static double SquaredDeviations(ReadOnlySpan<double> values, double mean)
    {
        double total = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<double>.Count)
        {
            ReadOnlySpan<Vector<double>> vectors = MemoryMarshal.Cast<double, Vector<double>>(values);
            var vmean = new Vector<double>(mean);
            Vector<double> acc = Vector<double>.Zero;
            foreach (Vector<double> v in vectors)
            {
                Vector<double> d = v - vmean;
                acc += d * d;
            }
            total = Vector.Sum(acc);
            i = vectors.Length * Vector<double>.Count;
        }
        for (; i < values.Length; i++)
        {
            double d = values[i] - mean;
            total += d * d;
        }
        return total;
    }
}
