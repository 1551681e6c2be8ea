using System.Globalization;
using System.Text.Json;
using Dsl.Fitting;
using Dsl.Runtime.Tests.Validation;

namespace Dsl.Runtime.Tests.Fitting;

/// <summary>Fit quantiles: NumPy's linear method bit for bit while exact, the sketch past the limit.</summary>
public sealed class QuantileValuesTests
{
    private static readonly double[] Fractions = [0, 1e-12, 0.001, 0.1, 1.0 / 3, 0.25, 0.5, 0.75, 2.0 / 3, 0.9, 0.999, 1 - 1e-12, 1];

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(10, false)]
    [InlineData(1_001, true)]
    [InlineData(65_536, false)]
    public void ExactQuantiles_EqualNumPysLinearMethod_BitForBit(int n, bool withDuplicatesAndInfinity)
    {
        var random = new Random(n);
        double[] values = [.. Enumerable.Range(0, n).Select(_ => withDuplicatesAndInfinity ? Math.Round(random.NextDouble() * 20) - 10 : (random.NextDouble() - 0.3) * 1e6)];
        if (withDuplicatesAndInfinity)
        {
            values[0] = double.PositiveInfinity;
            values[n / 2] = double.NegativeInfinity;
        }
        var quantiles = new QuantileValues();
        // Fed in two halves, as two partitions would.
        var half = new QuantileValues();
        quantiles.Add(values.AsSpan(0, n / 2));
        half.Add(values.AsSpan(n / 2));
        quantiles.Merge(half);
        Assert.True(quantiles.IsExact);

        JsonElement numpy = PythonOracle.Run(
            $"print(json.dumps([repr(float(v)) for v in np.quantile(load(1), [{string.Join(", ", Fractions.Select(q => q.ToString("R", CultureInfo.InvariantCulture)))}])]))",
            values);

        double[] expected = [.. numpy.EnumerateArray().Select(e => double.Parse(e.GetString()!.Replace("inf", "Infinity", StringComparison.Ordinal).Replace("nan", "NaN", StringComparison.Ordinal), CultureInfo.InvariantCulture))];
        double[] actual = quantiles.Quantiles(Fractions);
        for (int i = 0; i < Fractions.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]) || (double.IsNaN(expected[i]) && double.IsNaN(actual[i])), $"q = {Fractions[i]:R}: NumPy {expected[i]:R}, fit {actual[i]:R}");
        }
    }

    [Fact]
    public void ValuesAreKeptExactly_UpToTheLimit_ThenGoToTheSketch()
    {
        var quantiles = new QuantileValues();
        quantiles.Add([.. Enumerable.Range(0, QuantileValues.ExactLimit).Select(i => (double)i)]);
        Assert.True(quantiles.IsExact);
        Assert.Equal(32_767.5, quantiles.Quantile(0.5));

        quantiles.Add([1.5]);
        Assert.False(quantiles.IsExact);
        Assert.Equal(QuantileValues.ExactLimit + 1, quantiles.Count);
        Assert.Equal(0, quantiles.Quantile(0));
        Assert.Equal(QuantileValues.ExactLimit - 1, quantiles.Quantile(1));

        // Two exact halves whose sum passes the limit merge into a sketch.
        var a = new QuantileValues();
        var b = new QuantileValues();
        a.Add([.. Enumerable.Range(0, 40_000).Select(i => (double)i)]);
        b.Add([.. Enumerable.Range(40_000, 40_000).Select(i => (double)i)]);
        a.Merge(b);
        Assert.False(a.IsExact);
        Assert.InRange(a.Quantile(0.5) / 80_000, 0.5 - Dsl.Validation.Statistics.QuantileSketch.RankErrorBound, 0.5 + Dsl.Validation.Statistics.QuantileSketch.RankErrorBound);
    }
}
