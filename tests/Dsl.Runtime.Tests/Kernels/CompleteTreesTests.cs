using Dsl.Kernels;

namespace Dsl.Runtime.Tests.Kernels;

/// <summary>
/// <see cref="CompleteTrees32"/> and <see cref="CompleteTrees64"/>: the batch walk (AVX2 gathers, where the machine has
/// them) adds the same bits as walking each row alone, for random trees with NaN, zero, tiny and infinite features,
/// every missing type and several margins; and bad shapes are refused when the trees are built.
/// </summary>
public sealed class CompleteTreesTests
{
    [Theory]
    [InlineData(1, 1, 5, 100)]
    [InlineData(6, 1, 40, 1000)]
    [InlineData(4, 3, 30, 257)]
    [InlineData(10, 2, 3, 70)]
    public void Batch_EqualsRowByRow_BitForBit(int depth, int groups, int trees, int rows)
    {
        const int Features = 7;
        var random = new Random(depth * 100 + groups);
        int splits = (1 << depth) - 1;
        var forest = new CompleteTrees32(
            depth, Features, groups,
            Enumerable.Range(0, trees).Select(t => t % groups).ToArray(),
            Enumerable.Range(0, trees * splits).Select(_ => random.Next(Features)).ToArray(),
            Enumerable.Range(0, trees * splits).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(),
            Enumerable.Range(0, trees * splits).Select(_ => random.Next(2) == 0).ToArray(),
            Enumerable.Range(0, trees * (splits + 1)).Select(_ => (float)(random.NextDouble() - 0.5) / 10).ToArray());
        float[] x = Enumerable.Range(0, rows * Features)
            .Select(_ => random.Next(10) switch { 0 => float.NaN, 1 => 0f, 2 => float.PositiveInfinity, _ => (float)(random.NextDouble() * 2 - 1) })
            .ToArray();
        float[] start = Enumerable.Range(0, rows * groups).Select(i => (float)(i % 3) * 0.25f).ToArray();

        float[] batch = (float[])start.Clone();
        forest.AddMargins(x, rows, batch);
        float[] single = (float[])start.Clone();
        for (int r = 0; r < rows; r++)
        {
            forest.AddMargins(x.AsSpan(r * Features, Features), single.AsSpan(r * groups, groups));
        }
        Assert.Equal(single.Select(BitConverter.SingleToInt32Bits), batch.Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(batch, m => m != 0); // the trees added something
    }

    [Theory]
    [InlineData(1, 1, 5, 100)]
    [InlineData(6, 1, 40, 1000)]
    [InlineData(4, 3, 30, 257)]
    [InlineData(10, 2, 3, 70)]
    public void Batch64_EqualsRowByRow_BitForBit(int depth, int groups, int trees, int rows)
    {
        const int Features = 7;
        var random = new Random(depth * 100 + groups + 7);
        int splits = (1 << depth) - 1;
        var forest = new CompleteTrees64(
            depth, Features, groups,
            Enumerable.Range(0, trees).Select(t => t % groups).ToArray(),
            Enumerable.Range(0, trees * splits).Select(_ => random.Next(Features)).ToArray(),
            Enumerable.Range(0, trees * splits).Select(_ => random.Next(6) == 0 ? 0.0 : random.NextDouble() * 2 - 1).ToArray(),
            Enumerable.Range(0, trees * splits).Select(_ => (byte)random.Next(3)).ToArray(),
            Enumerable.Range(0, trees * splits).Select(_ => random.Next(2) == 0).ToArray(),
            Enumerable.Range(0, trees * (splits + 1)).Select(_ => (random.NextDouble() - 0.5) / 10).ToArray());
        double[] x = Enumerable.Range(0, rows * Features)
            .Select(_ => random.Next(12) switch
            {
                0 => double.NaN,
                1 => 0.0,
                2 => -0.0,
                3 => 1e-36 * (random.Next(2) * 2 - 1), // read as 0, as LightGBM's C API does
                4 => double.NegativeInfinity,
                _ => random.NextDouble() * 2 - 1,
            })
            .ToArray();
        double[] start = Enumerable.Range(0, rows * groups).Select(i => (i % 3) * 0.25).ToArray();

        double[] batch = (double[])start.Clone();
        forest.AddMargins(x, rows, batch);
        double[] single = (double[])start.Clone();
        for (int r = 0; r < rows; r++)
        {
            forest.AddMargins(x.AsSpan(r * Features, Features), single.AsSpan(r * groups, groups));
        }
        Assert.Equal(single.Select(BitConverter.DoubleToInt64Bits), batch.Select(BitConverter.DoubleToInt64Bits));
        Assert.Contains(batch, m => m != 0);
    }

    [Fact]
    public void BadShapes_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new CompleteTrees32(2, 3, 1, [0], [0, 1], [0, 0, 0], [false, false, false], [1, 2, 3, 4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompleteTrees32(1, 3, 1, [0], [3], [0], [false], [1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompleteTrees32(1, 3, 1, [1], [0], [0], [false], [1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompleteTrees32(17, 3, 1, [0], [], [], [], []));
        var forest = new CompleteTrees32(1, 3, 1, [0], [0], [0], [false], [1, 2]);
        Assert.Throws<ArgumentException>(() => forest.AddMargins(new float[5], 2, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompleteTrees64(1, 3, 1, [0], [0], [0], [3], [false], [1, 2]));
        Assert.Throws<ArgumentException>(() => new CompleteTrees64(2, 3, 1, [0], [0], [0], [0], [false], [1, 2]));
    }
}
