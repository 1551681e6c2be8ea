namespace Dsl.Models;

/// <summary>
/// A scorer called in slices of at most <see cref="ModelSource.BatchRows"/> rows and by at most
/// <see cref="ModelSource.Concurrency"/> tasks at once, as the run's <c>models:</c> settings ask. A tree model scores
/// each row on its own, so slicing changes none of its outputs; a neural model's matrix products may round a row
/// differently in a batch of another size (libtorch's do), so slicing one can change last bits.
/// </summary>
internal sealed class PacedScorer : IBatchScorer
{
    private readonly IBatchScorer _inner;
    private readonly int _batchRows;
    private readonly SemaphoreSlim? _gate;

    public PacedScorer(IBatchScorer inner, int batchRows, int concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchRows);
        ArgumentOutOfRangeException.ThrowIfNegative(concurrency);
        _inner = inner;
        _batchRows = batchRows;
        _gate = concurrency > 0 ? new SemaphoreSlim(concurrency, concurrency) : null;
    }

    public int FeatureCount => _inner.FeatureCount;

    public int OutputCount => _inner.OutputCount;

    public bool ComputesInDouble => _inner.ComputesInDouble;

    public void Score(float[] features, int rows, float[] outputs) =>
        Sliced(rows, (first, count) => Slice(features, outputs, first, count, rows, _inner.Score));

    public void Score(double[] features, int rows, double[] outputs) =>
        Sliced(rows, (first, count) => Slice(features, outputs, first, count, rows, _inner.Score));

    // The whole batch as it is, or a slice copied into pooled buffers (the interface takes arrays, not spans).
    private void Slice<T>(T[] features, T[] outputs, int first, int count, int rows, Action<T[], int, T[]> score)
    {
        if (first == 0 && count == rows)
        {
            score(features, rows, outputs);
            return;
        }
        T[] x = System.Buffers.ArrayPool<T>.Shared.Rent(count * FeatureCount);
        T[] y = System.Buffers.ArrayPool<T>.Shared.Rent(count * OutputCount);
        try
        {
            Array.Copy(features, first * FeatureCount, x, 0, count * FeatureCount);
            score(x, count, y);
            Array.Copy(y, 0, outputs, first * OutputCount, count * OutputCount);
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(x);
            System.Buffers.ArrayPool<T>.Shared.Return(y);
        }
    }

    private void Sliced(int rows, Action<int, int> score)
    {
        int slice = _batchRows > 0 ? _batchRows : Math.Max(rows, 1);
        int first = 0;
        do
        {
            int count = Math.Min(slice, rows - first);
            _gate?.Wait();
            try
            {
                score(first, count);
            }
            finally
            {
                _gate?.Release();
            }
            first += count;
        }
        while (first < rows);
    }

    public void Dispose()
    {
        _inner.Dispose();
        _gate?.Dispose();
    }
}
