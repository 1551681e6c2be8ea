using Dsl.Validation.Statistics;

namespace Dsl.Fitting;

/// <summary>
/// The values a fit's quantiles are computed from: every value, exactly, while there are at most
/// <see cref="ExactLimit"/> of them; beyond that a KLL sketch (<see cref="QuantileSketch"/>, k = 200) fed with them
/// all. Exact quantiles interpolate linearly between the two nearest ranks exactly as NumPy 1.24's
/// <c>numpy.quantile(method="linear")</c> computes them (bit for bit); sketch quantiles are the sketch's inverse CDF,
/// whose normalized rank error is at most <see cref="QuantileSketch.RankErrorBound"/> (1.65%) with 99% confidence.
/// Merging in a fixed order (the executor merges partitions in partition order) gives the same answer every run.
/// </summary>
internal sealed class QuantileValues
{
    /// <summary>The most values kept exactly (per fit and column, over all partitions together).</summary>
    public const int ExactLimit = 65_536;

    private double[] _values = [];
    private int _count;
    private bool _sorted;
    private QuantileSketch? _sketch;

    /// <summary>The number of values added.</summary>
    public long Count => _sketch?.Count ?? _count;

    /// <summary>Whether every value is still kept, so quantiles are exact.</summary>
    public bool IsExact => _sketch is null;

    /// <summary>The bytes held: the exact values' buffer, or the sketch's items.</summary>
    public long Bytes
    {
        get
        {
            if (_sketch is null)
            {
                return _values.Length * 8L;
            }
            long items = 0;
            for (int h = 0; h < _sketch.LevelCount; h++)
            {
                items += _sketch.Level(h).Length;
            }
            return items * 16;
        }
    }

    /// <summary>Adds values; none may be NaN (the caller counts NaN apart).</summary>
    public void Add(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return;
        }
        if (_sketch is null && (long)_count + values.Length <= ExactLimit)
        {
            Reserve(_count + values.Length);
            values.CopyTo(_values.AsSpan(_count));
            _count += values.Length;
            _sorted = false;
            return;
        }
        ToSketch().Add(values);
    }

    /// <summary>Adds <paramref name="other"/>'s values.</summary>
    public void Merge(QuantileValues other)
    {
        if (other._sketch is { } sketch)
        {
            ToSketch().Merge(sketch);
            return;
        }
        Add(other._values.AsSpan(0, other._count));
    }

    /// <summary>The <paramref name="q"/> quantile (0 ≤ q ≤ 1) of the values, NaN when there are none.</summary>
    public double Quantile(double q) => Quantiles([q])[0];

    /// <summary><see cref="Quantile"/> for each of <paramref name="qs"/>.</summary>
    public double[] Quantiles(IReadOnlyList<double> qs)
    {
        if (_sketch is { } sketch)
        {
            return sketch.Quantiles(qs);
        }
        var result = new double[qs.Count];
        if (_count == 0)
        {
            Array.Fill(result, double.NaN);
            return result;
        }
        if (!_sorted)
        {
            _values.AsSpan(0, _count).Sort();
            _sorted = true;
        }
        for (int i = 0; i < qs.Count; i++)
        {
            result[i] = Linear(_values.AsSpan(0, _count), qs[i]);
        }
        return result;
    }

    /// <summary>
    /// NumPy's <c>linear</c> quantile of sorted, NaN-free <paramref name="sorted"/>, step for step: the virtual index
    /// h = (n − 1)·q; below the last index, a = x[⌊h⌋], b = x[⌊h⌋ + 1] and t = h − ⌊h⌋; at or past it NumPy takes
    /// a = b = x[n − 1] with t = h + 1. Then <c>_lerp</c>: a + (b − a)·t, or b − (b − a)·(1 − t) when t ≥ 0.5.
    /// </summary>
    internal static double Linear(ReadOnlySpan<double> sorted, double q)
    {
        int n = sorted.Length;
        double h = (n - 1) * q;
        double a;
        double b;
        double t;
        if (h >= n - 1)
        {
            a = b = sorted[n - 1];
            t = h + 1;
        }
        else
        {
            double floor = Math.Floor(h);
            int previous = (int)floor;
            a = sorted[previous];
            b = sorted[previous + 1];
            t = h - floor;
        }
        double difference = b - a;
        return t >= 0.5 ? b - (difference * (1 - t)) : a + (difference * t);
    }

    private QuantileSketch ToSketch()
    {
        if (_sketch is null)
        {
            _sketch = new QuantileSketch();
            _sketch.Add(_values.AsSpan(0, _count));
            _values = [];
            _count = 0;
        }
        return _sketch;
    }

    private void Reserve(int needed)
    {
        if (needed > _values.Length)
        {
            Array.Resize(ref _values, Math.Min(ExactLimit, Math.Max(needed, Math.Max(64, _values.Length * 2))));
        }
    }
}
