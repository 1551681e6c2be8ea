namespace Dsl.Validation.Statistics;

/// <summary>
/// A KLL quantile sketch (Karnin, Lang and Liberty, "Optimal quantile approximation in streams", 2016) with lazy
/// compaction (Ivkin et al., 2019) over doubles: level h keeps items of weight 2^h; when the sketch holds more items
/// than its levels' capacities add up to, the lowest level over its capacity is sorted and every other item (from a
/// random first one) moves up a level with twice the weight. With <see cref="DefaultK"/> = 200 the normalized rank
/// error of a quantile or a rank is at most <see cref="RankErrorBound"/> with high probability (the tests measure it
/// on generated data). The sketch is exact (keeps every value, one level) while it holds fewer than k values. The random choices come from a generator whose state is part of the sketch, so a sketch read back from
/// JSON compacts and merges exactly like the live one. Min and max are kept exactly.
/// </summary>
internal sealed class QuantileSketch
{
    /// <summary>The size parameter used for profiles and drift.</summary>
    public const int DefaultK = 200;

    /// <summary>
    /// The stated bound on the normalized rank error at <see cref="DefaultK"/>: DataSketches' KLL bound for k = 200
    /// at 99% confidence (1.65%); the tests check it on several generated distributions and merges.
    /// </summary>
    public const double RankErrorBound = 0.0165;

    private const int MinLevelCapacity = 8;
    private const double CapacityRatio = 2.0 / 3.0;

    private readonly List<double[]> _levels = [];
    private readonly List<int> _sizes = [];
    private readonly List<int> _capacities = [];
    private int _totalSize;
    private int _totalCapacity;
    private ulong _random;

    /// <summary>An empty sketch of size parameter <paramref name="k"/>, its random choices seeded by <paramref name="seed"/>.</summary>
    public QuantileSketch(int k = DefaultK, ulong seed = 0x5DEECE66DUL)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, MinLevelCapacity);
        K = k;
        _random = seed == 0 ? 1 : seed;
        AddLevel();
    }

    /// <summary>The size parameter: the top level's capacity.</summary>
    public int K { get; }

    /// <summary>The number of values added.</summary>
    public long Count { get; private set; }

    /// <summary>The smallest value added (NaN when empty).</summary>
    public double Min { get; private set; } = double.NaN;

    /// <summary>The largest value added (NaN when empty).</summary>
    public double Max { get; private set; } = double.NaN;

    /// <summary>Whether every value added is still kept with weight 1, so ranks and quantiles are exact.</summary>
    public bool IsExact => _levels.Count == 1;

    /// <summary>The generator state, for serialization.</summary>
    public ulong RandomState => _random;

    /// <summary>The number of levels.</summary>
    public int LevelCount => _levels.Count;

    /// <summary>The items of level <paramref name="level"/> (weight 2^level each), in no particular order.</summary>
    public ReadOnlySpan<double> Level(int level) => _levels[level].AsSpan(0, _sizes[level]);

    /// <summary>Adds values; none may be NaN (callers count NaN apart).</summary>
    public void Add(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return;
        }
        double min = values[0];
        double max = values[0];
        foreach (double v in values)
        {
            min = v < min ? v : min;
            max = v > max ? v : max;
        }
        Min = Count == 0 || min < Min ? min : Min;
        Max = Count == 0 || max > Max ? max : Max;
        Count += values.Length;
        while (!values.IsEmpty)
        {
            int room = Math.Max(1, _totalCapacity - _totalSize);
            int take = Math.Min(room, values.Length);
            Append(0, values[..take]);
            values = values[take..];
            Compress();
        }
    }

    /// <summary>Adds <paramref name="other"/>'s values (its items, level by level), then compacts with this sketch's generator.</summary>
    public void Merge(QuantileSketch other)
    {
        if (other.Count == 0)
        {
            return;
        }
        Min = Count == 0 || other.Min < Min ? other.Min : Min;
        Max = Count == 0 || other.Max > Max ? other.Max : Max;
        Count += other.Count;
        for (int h = 0; h < other._levels.Count; h++)
        {
            while (_levels.Count <= h)
            {
                AddLevel();
            }
            Append(h, other.Level(h));
        }
        Compress();
    }

    /// <summary>The fraction of values ≤ <paramref name="x"/> (the empirical CDF; exact while <see cref="IsExact"/>).</summary>
    public double Rank(double x)
    {
        if (Count == 0)
        {
            return double.NaN;
        }
        long weight = 0;
        for (int h = 0; h < _levels.Count; h++)
        {
            int count = 0;
            foreach (double v in Level(h))
            {
                count += v <= x ? 1 : 0;
            }
            weight += (long)count << h;
        }
        return (double)weight / Count;
    }

    /// <summary>
    /// The sketch's items sorted with their cumulative weights: the empirical CDF is a step function that reaches
    /// <c>Cumulative[i] / Count</c> at <c>Items[i]</c>.
    /// </summary>
    public (double[] Items, long[] Cumulative) SortedView()
    {
        int total = _totalSize;
        var items = new double[total];
        var weights = new long[total];
        int at = 0;
        for (int h = 0; h < _levels.Count; h++)
        {
            foreach (double v in Level(h))
            {
                items[at] = v;
                weights[at] = 1L << h;
                at++;
            }
        }
        Array.Sort(items, weights);
        // Equal items merge into one step so that a rank lookup sees all of their weight.
        int distinct = 0;
        long running = 0;
        for (int i = 0; i < total; i++)
        {
            running += weights[i];
            if (distinct > 0 && items[distinct - 1] == items[i])
            {
                weights[distinct - 1] = running;
            }
            else
            {
                items[distinct] = items[i];
                weights[distinct] = running;
                distinct++;
            }
        }
        return (items[..distinct], weights[..distinct]);
    }

    /// <summary>
    /// The value at normalized rank <paramref name="q"/> (0 ≤ q ≤ 1): the smallest item whose cumulative weight
    /// reaches q·Count (the inverse of the empirical CDF, NumPy's <c>inverted_cdf</c> method); q = 0 and q = 1 give the
    /// exact min and max. NaN when empty.
    /// </summary>
    public double Quantile(double q) => Quantiles([q])[0];

    /// <summary><see cref="Quantile"/> for each of <paramref name="qs"/>, sorting the sketch once.</summary>
    public double[] Quantiles(IReadOnlyList<double> qs)
    {
        var result = new double[qs.Count];
        if (Count == 0)
        {
            Array.Fill(result, double.NaN);
            return result;
        }
        (double[] items, long[] cumulative) = SortedView();
        for (int i = 0; i < qs.Count; i++)
        {
            double q = qs[i];
            if (!(q >= 0 && q <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(qs), q, "A quantile's rank must be between 0 and 1.");
            }
            if (q == 0)
            {
                result[i] = Min;
                continue;
            }
            if (q == 1)
            {
                result[i] = Max;
                continue;
            }
            double target = q * Count;
            int lo = 0;
            int hi = items.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] >= target)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }
            result[i] = items[lo];
        }
        return result;
    }

    /// <summary>A sketch from serialized parts; null when they are inconsistent (the reader names the file).</summary>
    public static QuantileSketch? FromParts(int k, long count, double min, double max, ulong random, IReadOnlyList<double[]> levels)
    {
        if (k < MinLevelCapacity || levels.Count == 0 || random == 0 || count < 0)
        {
            return null;
        }
        var sketch = new QuantileSketch(k, random);
        long weight = 0;
        for (int h = 0; h < levels.Count; h++)
        {
            if (h > 0)
            {
                sketch.AddLevel();
            }
            sketch.Append(h, levels[h]);
            weight += (long)levels[h].Length << h;
        }
        // Compaction halves an even number of items, so the kept weight equals the count exactly.
        if (weight != count || levels.Any(level => level.Any(double.IsNaN)))
        {
            return null;
        }
        sketch.Count = count;
        sketch.Min = min;
        sketch.Max = max;
        return sketch;
    }

    private void Compress()
    {
        while (_totalSize >= _totalCapacity)
        {
            int h = 0;
            while (_sizes[h] < _capacities[h])
            {
                h++;
            }
            Compact(h);
        }
    }

    private void Compact(int level)
    {
        if (level == _levels.Count - 1)
        {
            AddLevel();
        }
        Span<double> items = _levels[level].AsSpan(0, _sizes[level]);
        items.Sort();
        // An odd item out (the largest) stays behind, so only an even number is halved and no weight is lost.
        int even = items.Length & ~1;
        int offset = NextBit();
        int promoted = even / 2;
        double[] up = Reserve(level + 1, promoted);
        int at = _sizes[level + 1];
        for (int i = offset; i < even; i += 2)
        {
            up[at++] = items[i];
        }
        _sizes[level + 1] = at;
        if (even < items.Length)
        {
            items[0] = items[^1];
        }
        _sizes[level] = items.Length - even;
        _totalSize -= promoted;
    }

    private void Append(int level, ReadOnlySpan<double> values)
    {
        double[] target = Reserve(level, values.Length);
        values.CopyTo(target.AsSpan(_sizes[level]));
        _sizes[level] += values.Length;
        _totalSize += values.Length;
    }

    private double[] Reserve(int level, int extra)
    {
        double[] items = _levels[level];
        int needed = _sizes[level] + extra;
        if (needed > items.Length)
        {
            Array.Resize(ref items, Math.Max(needed, items.Length * 2));
            _levels[level] = items;
        }
        return items;
    }

    // A new top level shrinks every lower level's capacity by the ratio: capacity(h) = max(8, ⌈k · (2/3)^depth⌉).
    private void AddLevel()
    {
        _levels.Add(new double[MinLevelCapacity]);
        _sizes.Add(0);
        _capacities.Add(0);
        _totalCapacity = 0;
        for (int h = 0; h < _levels.Count; h++)
        {
            int depth = _levels.Count - 1 - h;
            _capacities[h] = Math.Max(MinLevelCapacity, (int)Math.Ceiling(K * Math.Pow(CapacityRatio, depth)));
            _totalCapacity += _capacities[h];
        }
    }

    // xorshift64: a few instructions, and its state fits the JSON file.
    private int NextBit()
    {
        ulong x = _random;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        _random = x;
        return (int)(x >> 63);
    }
}
