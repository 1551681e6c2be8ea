using System.Runtime.InteropServices;
using Dsl.Testing;
using TorchSharp;

namespace Dsl.Torch.Tests;

/// <summary>
/// <see cref="TorchScorer"/> over TorchScript models that Debian's PyTorch 1.13 saves in the test run, against what
/// PyTorch itself predicts for the same rows; calls from two threads; and models, files and buffers it refuses.
/// </summary>
public sealed class TorchScorerTests : IDisposable
{
    private readonly TempDirectory _folder = TempDirectory.Create("dsl-torch");

    public void Dispose() => _folder.Dispose();

    // Tolerances: libtorch 2.10 (MKL's sgemm) adds a row's float32 products in another order than Debian's
    // PyTorch 1.13 (its own generic BLAS), so the two round differently. Measured on 200,000 rows of the linear model
    // (7 features in [-3, 3], outputs up to 2.6): 24% differ, by at most 4.8e-7, one float32 step at the size of the
    // partial sums (4 to 8); on 100,000 rows of the MLP (30 features, two layers of 64, sigmoid outputs below 0.7): 11%
    // differ, by at most 1.2e-7, two steps at the outputs' size. Each tolerance is about twice what was measured.
    private const double LinearTolerance = 1e-6;
    private const double MlpTolerance = 2.5e-7;

    [Fact]
    public void Linear_GivesTorchsOwnPredictions_BitForBitOneRowAtATime()
    {
        string path = TorchReference.Build(_folder.Combine("linear.pt"), "linear", 7);
        using var scorer = new TorchScorer(path, 7, 1);
        Assert.Equal((7, 1), (scorer.FeatureCount, scorer.OutputCount));
        const int Rows = 20_000;
        float[] x = Random(Rows * 7, seed: 1);
        float[] expected = TorchReference.Predict(path, x, Rows, 7, 1);

        float[] y = new float[Rows];
        scorer.Score(x, Rows, y);
        AssertClose(expected, y, LinearTolerance);

        // One row at a time libtorch 2.10 adds in the order 1.13 does: the same bits.
        float[] one = new float[1];
        for (int r = 0; r < 2000; r++)
        {
            scorer.Score(x[(r * 7)..(r * 7 + 7)], 1, one);
            Assert.Equal(expected[r], one[0]);
        }
    }

    [Fact]
    public void Mlp_GivesTorchsOwnPredictions_ForBatchesOfAnySize_InLongerPooledBuffers()
    {
        string path = TorchReference.Build(_folder.Combine("mlp.pts"), "mlp", 30, 64, 3);
        using var scorer = new TorchScorer(path, 30, 3);
        const int Rows = 70_000;
        float[] x = Random(Rows * 30, seed: 2);
        float[] expected = TorchReference.Predict(path, x, Rows, 30, 3);

        foreach (int rows in new[] { 1, 17, 4096, 65_536, Rows })
        {
            // Pooled buffers: longer than the rows asked, the rest left as it is.
            float[] y = Enumerable.Repeat(-7f, Rows * 3 + 11).ToArray();
            scorer.Score(x, rows, y);
            AssertClose(expected[..(rows * 3)], y[..(rows * 3)], MlpTolerance);
            Assert.All(y.Skip(rows * 3), v => Assert.Equal(-7f, v));
        }
    }

    [Fact]
    public void SameRows_ScoreTheSame_WhereverTheirBufferLies()
    {
        // Without MKL_CBWR, MKL's product of a matrix and one column rounds differently for an input 8 bytes off a
        // 16-byte boundary: many of this linear model's outputs for these rows then differ in their last bits.
        string path = TorchReference.Build(_folder.Combine("linear.pt"), "linear", 7);
        using var scorer = new TorchScorer(path, 7, 1);
        const int Rows = 20_000;
        float[] x = Random(Rows * 7, seed: 4);
        // .NET arrays start on an 8-byte boundary: find one on a 16-byte boundary and one 8 bytes past it.
        var copies = new Dictionary<long, float[]>();
        var kept = new List<float[]>();
        while (copies.Count < 2)
        {
            float[] copy = GC.AllocateUninitializedArray<float>(x.Length + kept.Count % 2, pinned: true);
            kept.Add(copy);
            x.CopyTo(copy, 0);
            GCHandle handle = GCHandle.Alloc(copy, GCHandleType.Pinned);
            copies.TryAdd((long)handle.AddrOfPinnedObject() % 16, copy);
            handle.Free();
        }
        float[] aligned = new float[Rows], offset = new float[Rows];
        scorer.Score(copies[0], Rows, aligned);
        scorer.Score(copies[8], Rows, offset);
        Assert.Equal(aligned, offset);
    }

    [Fact]
    public void TwoThreadsAtOnce_GiveWhatOneGives()
    {
        string path = TorchReference.Build(_folder.Combine("mlp.pt"), "mlp", 30, 64, 1);
        using var scorer = new TorchScorer(path, 30, 1);
        const int Rows = 20_000;
        float[] x = Random(Rows * 30, seed: 3);
        float[] once = new float[Rows];
        scorer.Score(x, Rows, once);

        float[][] parallel = [new float[Rows], new float[Rows]];
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
        {
            for (int i = 0; i < 20; i++)
            {
                Array.Clear(parallel[t]);
                scorer.Score(x, Rows, parallel[t]);
                Assert.Equal(once, parallel[t]);
            }
        });
    }

    [Fact]
    public void ZeroRows_ReadAndWriteNothing()
    {
        string path = TorchReference.Build(_folder.Combine("linear.pt"), "linear", 7);
        using var scorer = new TorchScorer(path, 7, 1);
        scorer.Score([], 0, []);
        float[] y = [5f];
        scorer.Score(new float[7], 0, y);
        Assert.Equal([5f], y);
    }

    [Fact]
    public void Features_AreTheCallersBuffer_NotACopy()
    {
        // A model that adds 1 to its input in place writes into the caller's features: they are wrapped, not copied.
        string path = TorchReference.Build(_folder.Combine("inplace.pt"), "inplace");
        using var scorer = new TorchScorer(path, 2, 1);
        float[] x = [1, 2, 3, 4, 9];
        float[] y = new float[2];
        scorer.Score(x, 2, y);
        Assert.Equal([2f, 3, 4, 5, 9], x);
        Assert.Equal([5f, 9], y);
    }

    [Fact]
    public void EveryTensorOfACall_IsDisposedWithIt()
    {
        string path = TorchReference.Build(_folder.Combine("raises.pt"), "raises");
        using var scorer = new TorchScorer(path, 3, 1);
        float[] y = new float[2];
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 10; i++)
        {
            scorer.Score([1, 2, 3, 4, 5, 6], 2, y);
            Assert.Throws<InvalidOperationException>(() => scorer.Score([1, 2, -3], 1, y));
        }
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void OneTorchThread_ForEveryThread()
    {
        string path = TorchReference.Build(_folder.Combine("linear.pt"), "linear", 7);
        using var scorer = new TorchScorer(path, 7, 1);
        int threads = 0;
        var thread = new Thread(() =>
        {
            scorer.Score(new float[7], 1, new float[1]);
            threads = torch.get_num_threads();
        });
        thread.Start();
        thread.Join();
        Assert.Equal(1, threads);
    }

    [Fact]
    public void WrongFeatureCount_IsRefusedAtLoad_NamingTheFileAndTorchsError()
    {
        string path = TorchReference.Build(_folder.Combine("linear.pt"), "linear", 7);
        var e = Assert.Throws<InvalidDataException>(() => new TorchScorer(path, 5, 1));
        Assert.Equal($"The TorchScript model {path} fails on one row of 5 features (zeros), as many as it was declared to take: RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x5 and 7x1)", e.Message);
    }

    [Fact]
    public void WrongOutputs_AreRefusedAtLoad_SayingWhatCame()
    {
        string linear = TorchReference.Build(_folder.Combine("linear.pt"), "linear", 7);
        var two = Assert.Throws<ArgumentException>(() => new TorchScorer(linear, 7, 2));
        Assert.Equal($"The TorchScript model {linear} returns Float32 [1] for one row of 7 features, where 2 outputs a row means float32 [1, 2]. (Parameter 'path')", two.Message);

        string mlp = TorchReference.Build(_folder.Combine("mlp.pt"), "mlp", 4, 8, 3);
        var one = Assert.Throws<ArgumentException>(() => new TorchScorer(mlp, 4, 1));
        Assert.Contains("returns Float32 [1, 3] for one row of 4 features, where 1 output a row means float32 [1, 1] or [1].", one.Message, StringComparison.Ordinal);

        string pair = TorchReference.Build(_folder.Combine("pair.pt"), "pair");
        var tuple = Assert.Throws<ArgumentException>(() => new TorchScorer(pair, 4, 4));
        Assert.Contains($"The TorchScript model {pair} returns ValueTuple`2 for one row", tuple.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingAndGarbageFiles_AreRefused_NamingThem()
    {
        string missing = _folder.Combine("missing.pt");
        var none = Assert.Throws<FileNotFoundException>(() => new TorchScorer(missing, 7, 1));
        Assert.Equal($"The TorchScript model {missing} does not exist.", none.Message);

        string garbage = _folder.Combine("garbage.pt");
        File.WriteAllText(garbage, "not a model");
        var bad = Assert.Throws<InvalidDataException>(() => new TorchScorer(garbage, 7, 1));
        Assert.Equal($"libtorch cannot load {garbage} as a TorchScript model: PytorchStreamReader failed reading zip archive: not a ZIP archive", bad.Message);
    }

    [Fact]
    public void ForwardThatRaises_IsAnError_NamingTheFileAndTheModelsError()
    {
        string path = TorchReference.Build(_folder.Combine("raises.pt"), "raises");
        using var scorer = new TorchScorer(path, 3, 1);
        float[] y = new float[2];
        scorer.Score([1, 2, 3, 4, 5, 6], 2, y);
        Assert.Equal([6f, 15], y);

        var e = Assert.Throws<InvalidOperationException>(() => scorer.Score([1, 2, 3, 4, -5, 6], 2, y));
        Assert.Equal($"The TorchScript model {path} failed scoring 2 rows: builtins.ValueError: negative feature", e.Message);
        // The scorer goes on after a failed call.
        scorer.Score([1, 1, 1], 1, y);
        Assert.Equal(3f, y[0]);
    }

    [Fact]
    public void ShortBuffers_AreRefused()
    {
        string path = TorchReference.Build(_folder.Combine("linear.pt"), "linear", 7);
        using var scorer = new TorchScorer(path, 7, 1);
        var e = Assert.Throws<ArgumentException>(() => scorer.Score(new float[13], 2, new float[2]));
        Assert.Equal("2 rows need 14 features and 2 outputs; got 13 and 2.", e.Message);
        Assert.Throws<ArgumentException>(() => scorer.Score(new float[14], 2, new float[1]));
    }

    private static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int differing = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected[i] - actual[i]);
            worst = Math.Max(worst, d);
            differing += d > 0 ? 1 : 0;
        }
        Assert.True(worst <= tolerance, $"{differing} of {expected.Length} values differ from torch's, by up to {worst:R} (tolerance {tolerance:R})");
    }
}
