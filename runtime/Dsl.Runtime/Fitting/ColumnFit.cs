using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dsl.Execution;
using Dsl.Validation.Statistics;

namespace Dsl.Fitting;

/// <summary>
/// The mergeable first-pass state of one column of one fit, columnar: counts, and only what the fit's requests of the
/// column need (<see cref="FitNeeds"/>): moments (count, mean, M2, min, max; batches summarized in two vectorized passes
/// and merged with Chan et al.'s formula), a compensated sum, an exact set of values, a HyperLogLog sketch, the values
/// for quantiles (<see cref="QuantileValues"/>), and exact counts per value. Nulls are counted and left out of
/// everything else; so is NaN for a floating-point column (counted apart). A bool is the number 0 or 1.
/// </summary>
internal sealed class ColumnFit
{
    private readonly FitColumn _column;
    private Moments _moments = Moments.Empty;
    private double _sum;
    private double _compensation;
    private readonly ValueSet? _distinct;
    private readonly HyperLogLog? _approx;
    private readonly QuantileValues? _quantiles;
    private readonly Dictionary<double, long>? _numberCounts;
    private readonly Dictionary<string, long>? _textCounts;
    private long _countBytes;

    public ColumnFit(FitColumn column)
    {
        _column = column;
        FitNeeds needs = column.Needs;
        _distinct = needs.HasFlag(FitNeeds.Distinct) ? new ValueSet() : null;
        _approx = needs.HasFlag(FitNeeds.ApproxDistinct) ? new HyperLogLog() : null;
        _quantiles = needs.HasFlag(FitNeeds.Quantiles) ? new QuantileValues() : null;
        if (needs.HasFlag(FitNeeds.Counts))
        {
            if (column.Kind == FitColumnKind.Text)
            {
                _textCounts = new Dictionary<string, long>(StringComparer.Ordinal);
            }
            else
            {
                _numberCounts = [];
            }
        }
    }

    /// <summary>The column.</summary>
    public FitColumn Column => _column;

    /// <summary>Null values seen.</summary>
    public long Nulls { get; private set; }

    /// <summary>NaN values seen (floating-point columns only).</summary>
    public long NaNs { get; private set; }

    /// <summary>Non-null, non-NaN values seen.</summary>
    public long Values { get; private set; }

    /// <summary>About the bytes this state holds.</summary>
    public long Bytes =>
        256 + (_approx is null ? 0 : 1 << HyperLogLog.Precision) + (_distinct?.Bytes ?? 0) + (_quantiles?.Bytes ?? 0) + _countBytes;

    /// <summary>What this column's state holds that can grow with the data, for messages.</summary>
    public string Growing => _column.Needs switch
    {
        var n when n.HasFlag(FitNeeds.Distinct) && (_distinct?.Bytes ?? 0) >= _countBytes => "the exact set of its distinct values (Distinct)",
        var n when n.HasFlag(FitNeeds.Counts) => "a count per distinct value (Vocabulary, MostFrequent)",
        _ => "its statistics",
    };

    /// <summary>Adds the rows of <paramref name="column"/> (of this state's column type).</summary>
    public void Observe(Column column)
    {
        int nulls = column.NullCount;
        Nulls += nulls;
        if (column is StringColumn text)
        {
            Values += column.Length - nulls;
            ObserveText(text);
            return;
        }
        bool numeric = _column.Kind == FitColumnKind.Numeric;
        bool keys = _distinct is not null || _approx is not null;
        if (!numeric && !keys)
        {
            Values += column.Length - nulls;
            return;
        }
        double[] numbers = ArrayPool<double>.Shared.Rent(numeric ? column.Length : 0);
        UInt128[] keyBuffer = ArrayPool<UInt128>.Shared.Rent(keys ? column.Length : 0);
        try
        {
            var reader = new Reader(numeric ? numbers : null, keys ? keyBuffer : null);
            column.Accept(reader);
            NaNs += reader.NaNs;
            Values += column.Length - nulls - reader.NaNs;
            if (keys)
            {
                foreach (UInt128 key in keyBuffer.AsSpan(0, reader.Count))
                {
                    _distinct?.Add(key);
                    _approx?.Add(Hash64(key));
                }
            }
            if (numeric)
            {
                ObserveNumbers(numbers.AsSpan(0, reader.Count));
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(numbers);
            ArrayPool<UInt128>.Shared.Return(keyBuffer);
        }
    }

    /// <summary>Adds <paramref name="other"/>'s values (the same column of the same fit, from a later partition).</summary>
    public void Merge(ColumnFit other)
    {
        Nulls += other.Nulls;
        NaNs += other.NaNs;
        Values += other.Values;
        _moments.Merge(other._moments);
        AddToSum(other._sum);
        _compensation += other._compensation;
        _distinct?.Merge(other._distinct!);
        _approx?.Merge(other._approx!);
        _quantiles?.Merge(other._quantiles!);
        if (_numberCounts is not null)
        {
            foreach ((double value, long count) in other._numberCounts!)
            {
                CountNumber(value, count);
            }
        }
        if (_textCounts is not null)
        {
            foreach ((string value, long count) in other._textCounts!)
            {
                CountText(value, count);
            }
        }
    }

    /// <summary>The answer to <paramref name="request"/> (a request of this column), as <see cref="FitResults.Set"/> takes it.</summary>
    public object Answer(FitRequest request)
    {
        long n = Values;
        switch (request.Statistic)
        {
            case FitStatistic.NullCount:
                return Nulls;
            case FitStatistic.ValueCount:
                return n;
            case FitStatistic.Sum:
                return n == 0 ? 0.0 : Sum;
            case FitStatistic.Mean:
                return n == 0 ? double.NaN : Sum / n;
            case FitStatistic.Variance:
                return _moments.Variance;
            case FitStatistic.StdDev:
                return Math.Sqrt(_moments.Variance);
            case FitStatistic.SampleVariance:
                return n < 2 ? double.NaN : _moments.M2 / (n - 1);
            case FitStatistic.SampleStdDev:
                return n < 2 ? double.NaN : Math.Sqrt(_moments.M2 / (n - 1));
            case FitStatistic.Min:
                return n == 0 ? double.NaN : _moments.Min;
            case FitStatistic.Max:
                return n == 0 ? double.NaN : _moments.Max;
            case FitStatistic.MaxAbs:
                return n == 0 ? 0.0 : Math.Max(Math.Abs(_moments.Min), Math.Abs(_moments.Max));
            case FitStatistic.Distinct:
                return _distinct!.Count;
            case FitStatistic.ApproxDistinct:
                return (long)Math.Round(_approx!.Estimate());
            case FitStatistic.Quantile:
                return _quantiles!.Quantile(request.Arguments[0]);
            case FitStatistic.QuantileBoundaries:
                return Boundaries((int)request.Arguments[0]);
            case FitStatistic.Vocabulary:
                return Vocabulary((long)Math.Min(int.MaxValue, request.Arguments[0]), (long)request.Arguments[1]);
            case FitStatistic.MostFrequent:
                return _textCounts is not null ? (object)(Vocabulary(1, 1) is [string top] ? top : "") : MostFrequentNumber();
            default:
                throw new InvalidOperationException($"{request.Statistic} is not a statistic of one column.");
        }
    }

    // The compensated sum, or the plain one once an infinity (or an overflow) made the compensation meaningless.
    private double Sum => double.IsFinite(_sum) ? _sum + _compensation : _sum;

    private void ObserveNumbers(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return;
        }
        if (_column.Needs.HasFlag(FitNeeds.Moments))
        {
            _moments.Merge(Moments.Of(values, out _));
        }
        if (_column.Needs.HasFlag(FitNeeds.Sum))
        {
            foreach (double v in values)
            {
                AddToSum(v);
            }
        }
        _quantiles?.Add(values);
        if (_numberCounts is not null)
        {
            foreach (double v in values)
            {
                CountNumber(v, 1);
            }
        }
    }

    // Neumaier's compensated summation: the rounding error of each addition is kept apart and added at the end.
    private void AddToSum(double value)
    {
        double total = _sum + value;
        _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - total) + value : (value - total) + _sum;
        _sum = total;
    }

    private void CountNumber(double value, long count)
    {
        double key = value == 0 ? 0.0 : value; // -0 and 0 are one value
        ref long slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_numberCounts!, key, out bool exists);
        slot += count;
        if (!exists)
        {
            _countBytes += 48;
        }
    }

    private void CountText(string value, long count)
    {
        ref long slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_textCounts!, value, out bool exists);
        slot += count;
        if (!exists)
        {
            _countBytes += 64 + (2L * value.Length);
        }
    }

    // Each dictionary entry the batch's rows use is handled once: its rows counted, its bytes hashed.
    private void ObserveText(StringColumn column)
    {
        if (_distinct is null && _approx is null && _textCounts is null)
        {
            return;
        }
        ReadOnlySpan<int> indices = column.Indices;
        ValidityBitmap? validity = column.Validity;
        Utf8Dictionary dictionary = column.Dictionary;
        bool small = dictionary.Count <= 1 << 16;
        int[]? perEntry = small ? ArrayPool<int>.Shared.Rent(dictionary.Count) : null;
        perEntry?.AsSpan(0, dictionary.Count).Clear(); // a rented array holds what its last user left
        Dictionary<int, int>? sparse = small ? null : [];
        var touched = new List<int>();
        try
        {
            for (int row = 0; row < indices.Length; row++)
            {
                if (validity is not null && !validity.IsValid(row))
                {
                    continue;
                }
                int entry = indices[row];
                if (perEntry is not null)
                {
                    if (perEntry[entry]++ == 0)
                    {
                        touched.Add(entry);
                    }
                }
                else
                {
                    ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(sparse!, entry, out bool exists);
                    if (!exists)
                    {
                        touched.Add(entry);
                    }
                    count++;
                }
            }
            foreach (int entry in touched)
            {
                int rows = perEntry is not null ? perEntry[entry] : sparse![entry];
                if (_distinct is not null || _approx is not null)
                {
                    UInt128 hash = Hash128.Of(dictionary.GetBytes(entry));
                    _distinct?.Add(hash);
                    _approx?.Add(Hash64(hash));
                }
                if (_textCounts is not null)
                {
                    CountText(dictionary.GetString(entry), rows);
                }
            }
        }
        finally
        {
            if (perEntry is not null)
            {
                ArrayPool<int>.Shared.Return(perEntry);
            }
        }
    }

    private double[] Boundaries(int buckets)
    {
        if (Values == 0)
        {
            return [];
        }
        double[] qs = Enumerable.Range(1, buckets - 1).Select(i => (double)i / buckets).ToArray();
        double[] quantiles = _quantiles!.Quantiles(qs);
        var kept = new List<double>(quantiles.Length);
        foreach (double q in quantiles)
        {
            if (kept.Count == 0 || !kept[^1].Equals(q))
            {
                kept.Add(q);
            }
        }
        return [.. kept];
    }

    private string[] Vocabulary(long maxSize, long minFrequency) =>
        _textCounts!
            .Where(kv => kv.Value >= minFrequency)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take((int)Math.Min(maxSize, int.MaxValue))
            .Select(kv => kv.Key)
            .ToArray();

    private double MostFrequentNumber()
    {
        double best = double.NaN;
        long bestCount = 0;
        foreach ((double value, long count) in _numberCounts!)
        {
            if (count > bestCount || (count == bestCount && value < best))
            {
                best = value;
                bestCount = count;
            }
        }
        return best;
    }

    /// <summary>A 64-bit hash of a key, for HyperLogLog.</summary>
    private static ulong Hash64(UInt128 key) => StableHash.Mix((ulong)key ^ StableHash.Mix((ulong)(key >> 64) ^ 0xc4ceb9fe1a85ec53UL));

    /// <summary>
    /// Reads a primitive column's non-null values: as doubles (NaN counted and left out) for numeric statistics, and
    /// as keys for distinct counts: a floating-point value's bits as a double (−0 read as 0), a bool as 0 or 1, any
    /// other type's stored bits.
    /// </summary>
    private sealed class Reader(double[]? numbers, UInt128[]? keys) : IPrimitiveColumnVisitor<int>
    {
        public int Count { get; private set; }

        public long NaNs { get; private set; }

        public int Visit<T>(PrimitiveColumn<T> column)
            where T : unmanaged
        {
            ReadOnlySpan<T> values = column.Values;
            ValidityBitmap? validity = column.Validity;
            int n = 0;
            for (int row = 0; row < values.Length; row++)
            {
                if (validity is not null && !validity.IsValid(row))
                {
                    continue;
                }
                T value = values[row];
                double number = ToDouble(value);
                if (IsFloating<T>() && double.IsNaN(number))
                {
                    NaNs++;
                    continue;
                }
                if (numbers is not null)
                {
                    numbers[n] = number;
                }
                if (keys is not null)
                {
                    keys[n] = Key(value, number);
                }
                n++;
            }
            Count = n;
            return n;
        }

        private static bool IsFloating<T>() => typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half);

        // The value as a double where it is a number (0 for types that are not: they are never numeric columns).
        private static double ToDouble<T>(T value)
            where T : unmanaged
        {
            return typeof(T) == typeof(double) ? Unsafe.As<T, double>(ref value)
                : typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref value)
                : typeof(T) == typeof(Half) ? (double)Unsafe.As<T, Half>(ref value)
                : typeof(T) == typeof(int) ? Unsafe.As<T, int>(ref value)
                : typeof(T) == typeof(long) ? Unsafe.As<T, long>(ref value)
                : typeof(T) == typeof(bool) ? (Unsafe.As<T, bool>(ref value) ? 1 : 0)
                : typeof(T) == typeof(sbyte) ? Unsafe.As<T, sbyte>(ref value)
                : typeof(T) == typeof(short) ? Unsafe.As<T, short>(ref value)
                : typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref value)
                : typeof(T) == typeof(ushort) ? Unsafe.As<T, ushort>(ref value)
                : typeof(T) == typeof(uint) ? Unsafe.As<T, uint>(ref value)
                : typeof(T) == typeof(ulong) ? Unsafe.As<T, ulong>(ref value)
                : 0;
        }

        private static UInt128 Key<T>(T value, double number)
            where T : unmanaged
        {
            if (IsFloating<T>())
            {
                return BitConverter.DoubleToUInt64Bits(number == 0 ? 0.0 : number);
            }
            if (typeof(T) == typeof(bool))
            {
                return Unsafe.As<T, bool>(ref value) ? UInt128.One : UInt128.Zero;
            }
            UInt128 key = UInt128.Zero;
            Unsafe.WriteUnaligned(ref Unsafe.As<UInt128, byte>(ref key), value);
            return key;
        }
    }
}
