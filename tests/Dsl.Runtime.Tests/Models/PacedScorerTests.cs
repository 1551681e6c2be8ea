using Dsl.Models;
using Dsl.Testing;

namespace Dsl.Runtime.Tests.Models;

/// <summary>
/// <c>models: { NAME: { path, batchRows, concurrency } }</c>: a tree model called in slices gives the bits it gives in one
/// call (its rows are scored independently), and no more calls than <c>concurrency</c> run at once.
/// </summary>
public sealed class PacedScorerTests : IDisposable
{
    private readonly TempDirectory _folder = TempDirectory.Create("dsl-paced");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TreeModel_InSlices_GivesTheBitsOfOneCall_AndXGBoosts()
    {
        XGBoostReference reference = XGBoostReference.Train("--objective binary:logistic --depth 4 --rounds 20 --missing 0.1");
        string path = _folder.Combine("m.json");
        File.WriteAllText(path, reference.ModelJson);
        var options = new ModelLoadOptions(ScoreOutput.Prediction, reference.Features, 1);
        using IBatchScorer whole = new XGBoostModelLoader().Load(path, options);
        using var paced = new PacedScorer(new XGBoostModelLoader().Load(path, options), batchRows: 37, concurrency: 0);
        float[] x = reference.X.Select(v => (float)v).ToArray();
        float[] once = new float[reference.Rows];
        float[] sliced = new float[reference.Rows + 3];
        whole.Score(x, reference.Rows, once);
        paced.Score(x, reference.Rows, sliced);
        Assert.Equal(reference.Predictions, once);
        Assert.Equal(once, sliced[..reference.Rows]);
        Assert.Equal([0f, 0f, 0f], sliced[reference.Rows..]);

        double[] wide = [.. x.Select(v => (double)v)];
        double[] slicedWide = new double[reference.Rows];
        paced.Score(wide, reference.Rows, slicedWide);
        Assert.Equal(once.Select(v => (double)v), slicedWide);

        paced.Score(x, 0, sliced); // no rows: one empty call, nothing written
    }

    [Fact]
    public void Concurrency_BoundsTheCallsRunningAtOnce()
    {
        XGBoostReference reference = XGBoostReference.Train("--objective reg:squarederror --depth 3 --rounds 5");
        string path = _folder.Combine("r.json");
        File.WriteAllText(path, reference.ModelJson);
        var watched = new Watched(new XGBoostModelLoader().Load(path, new ModelLoadOptions(ScoreOutput.Prediction, reference.Features, 1)));
        using var paced = new PacedScorer(watched, batchRows: 16, concurrency: 2);
        float[] x = reference.X.Select(v => (float)v).ToArray();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => paced.Score(x, reference.Rows, new float[reference.Rows]));
        Assert.Equal(2, watched.MostAtOnce);
    }

    // The real model, with a count of the calls inside it and a pause that lets callers pile up.
    private sealed class Watched(IBatchScorer inner) : IBatchScorer
    {
        private int _now;

        public int MostAtOnce { get; private set; }

        public int FeatureCount => inner.FeatureCount;

        public int OutputCount => inner.OutputCount;

        public void Score(float[] features, int rows, float[] outputs)
        {
            int now = Interlocked.Increment(ref _now);
            lock (this)
            {
                MostAtOnce = Math.Max(MostAtOnce, now);
            }
            Thread.Sleep(2);
            inner.Score(features, rows, outputs);
            Interlocked.Decrement(ref _now);
        }

        public void Dispose() => inner.Dispose();
    }
}
