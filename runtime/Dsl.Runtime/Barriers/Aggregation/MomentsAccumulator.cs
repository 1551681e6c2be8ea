namespace Dsl.Barriers.Aggregation;

/// <summary>
/// Variance and standard deviation, population (<paramref name="ddof"/> 0) or sample (1): each group keeps the count,
/// mean and sum of squared deviations, updated per value by Welford's method and merged by Chan et al.'s pairwise
/// formula, both stable where the textbook sum-of-squares formula cancels catastrophically.
/// </summary>
internal sealed class MomentsAccumulator(int inputIndex, int ddof, bool squareRoot) : Accumulator
{
    private long[] _counts = [];
    private double[] _means = [];
    private double[] _squares = [];

    public override long EstimatedBytes => _counts.Length * 24L;

    public override void Resize(int capacity)
    {
        Array.Resize(ref _counts, capacity);
        Array.Resize(ref _means, capacity);
        Array.Resize(ref _squares, capacity);
    }

    public override void Add(BatchInput input, ReadOnlySpan<int> groups)
    {
        ColumnValues values = input.Values(inputIndex);
        for (int row = 0; row < groups.Length; row++)
        {
            if (!values.IsPresent(row))
            {
                continue;
            }
            int group = groups[row];
            double x = values.AsDouble(row);
            long n = ++_counts[group];
            double delta = x - _means[group];
            _means[group] += delta / n;
            _squares[group] += delta * (x - _means[group]);
        }
    }

    public override void Write(int group, SpillBuffer to)
    {
        to.WriteInt64(_counts[group]);
        to.WriteDouble(_means[group]);
        to.WriteDouble(_squares[group]);
    }

    public override void Merge(int group, ref SpillReader from)
    {
        long nb = from.ReadInt64();
        double meanB = from.ReadDouble();
        double squaresB = from.ReadDouble();
        if (nb < 0)
        {
            throw SpillFile.Damaged(from.Path, $"a variance state counts {nb} values");
        }
        long na = _counts[group];
        if (nb == 0)
        {
            return;
        }
        if (na == 0)
        {
            _counts[group] = nb;
            _means[group] = meanB;
            _squares[group] = squaresB;
            return;
        }
        long n = na + nb;
        double delta = meanB - _means[group];
        _means[group] += delta * nb / n;
        _squares[group] += squaresB + (delta * delta * ((double)na * nb / n));
        _counts[group] = n;
    }

    public override void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output)
    {
        long n = _counts[group];
        double variance = n <= ddof ? double.NaN : _squares[group] / (n - ddof);
        output.AppendDouble(squareRoot ? Math.Sqrt(variance) : variance);
    }
}
