using Microsoft.ML;

namespace Dsl.MLNet.Tests;

/// <summary>
/// What ML.NET's <c>NormalizeMeanVariance</c> computes, measured on the sample's LogAmount through the view: with its
/// default <c>fixZero: true</c> it divides by the root mean square, not a z-score; <c>fixZero: false</c> is the
/// z-score of Dsl's <c>Scale.Standard</c> and the template's <c>FitAmount</c>, with the population deviation.
/// </summary>
public sealed class NormalizeMeanVarianceTests(SampleOutput sample) : IClassFixture<SampleOutput>
{
    [Fact]
    public void DefaultFixZero_DividesByTheRootMeanSquare_AndFixZeroFalse_IsThePopulationZScore()
    {
        var ml = new MLContext(seed: 1);
        DslDataView view = DslDataView.FromParquet(sample.Folder, columns: ["LogAmount"]);
        double[] x = [.. ViewRows.Read(view, "LogAmount").Select(r => (double)r[0]!)];
        double n = x.Length;
        double mean = x.Sum() / n;
        double populationStd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / n);
        double sampleStd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double rootMeanSquare = Math.Sqrt(x.Sum(v => v * v) / n);
        // LogAmount = log(1 + amount) = 8u is uniform on [0, 8]: far from centred (mean 4, deviation 8 / sqrt(12) = 2.31), so
        // the two differ a lot.
        Assert.InRange(mean / populationStd, 1.5, 2);

        double[] byDefault = Normalize(ml, view, fixZero: null);
        double[] zScore = Normalize(ml, view, fixZero: false);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(x[i] / rootMeanSquare, byDefault[i], 1e-9);
            Assert.Equal((x[i] - mean) / populationStd, zScore[i], 1e-9);
        }
        // And not the other readings: the default is no z-score, and the deviation is the population's (divided by n).
        Assert.True(Math.Abs(byDefault[0] - ((x[0] - mean) / populationStd)) > 0.1);
        int far = Array.FindIndex(x, v => Math.Abs(v - mean) > 1.5 * populationStd);
        Assert.True(Math.Abs(zScore[far] - ((x[far] - mean) / sampleStd)) > 1e-6);
    }

    private static double[] Normalize(MLContext ml, IDataView view, bool? fixZero)
    {
        var estimator = fixZero is { } fix
            ? ml.Transforms.NormalizeMeanVariance("N", "LogAmount", fixZero: fix)
            : ml.Transforms.NormalizeMeanVariance("N", "LogAmount");
        IDataView transformed = estimator.Fit(view).Transform(view);
        return [.. ViewRows.Read(transformed, "N").Select(r => (double)r[0]!)];
    }
}
