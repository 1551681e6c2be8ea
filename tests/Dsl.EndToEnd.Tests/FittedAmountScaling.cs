using Dsl.Execution;
using Dsl.Fitting;
using Dsl.Pipeline1;

namespace Dsl.EndToEnd.Tests;

/// <summary>The sample pipeline's fitted <see cref="AmountScaling"/>: read from a run's output, and checked against the rows it was fitted on.</summary>
internal static class FittedAmountScaling
{
    /// <summary>
    /// The AmountScaling a run used, from its output's _fitted.json, after checking that the manifest records that
    /// file's hash and where the state came from, and that the fit saw <paramref name="expectedRows"/> rows.
    /// </summary>
    public static AmountScaling Read(string output, string expectedSource, long expectedRows)
    {
        FittedState state = FittedState.Load(Path.Combine(output, FittedState.FileName));
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, LocalExecutor.ManifestFile)));
        System.Text.Json.JsonElement recorded = manifest.RootElement.GetProperty("fitted");
        Assert.Equal(FittedState.FileName, recorded.GetProperty("file").GetString());
        Assert.Equal(state.Hash, recorded.GetProperty("sha256").GetString());
        Assert.Equal(expectedSource, recorded.GetProperty("source").GetString());
        FittedStage fit = Assert.Single(state.Fits);
        Assert.Equal((nameof(FraudFeatures.FitAmount), expectedRows), (fit.Stage, fit.Rows));
        StageParameterValues values = state.ToParameterValues();
        Assert.Equal([(nameof(AmountScaling), nameof(AmountScaling.Mean)), (nameof(AmountScaling), nameof(AmountScaling.Std))], values.Entries().Select(e => (e.TypeName, e.Member)).Order());
        return new AmountScaling(values.Get<double>(nameof(AmountScaling), nameof(AmountScaling.Mean)), values.Get<double>(nameof(AmountScaling), nameof(AmountScaling.Std)));
    }

    /// <summary>
    /// Checks <paramref name="fitted"/> against the mean and population standard deviation of <paramref name="amounts"/>,
    /// computed here in two plain passes: equal up to the rounding of a different summation order.
    /// </summary>
    public static void AssertIsMeanAndPopulationStd(IReadOnlyList<double> amounts, AmountScaling fitted)
    {
        double mean = amounts.Sum() / amounts.Count;
        double std = Math.Sqrt(amounts.Sum(a => (a - mean) * (a - mean)) / amounts.Count);
        Assert.True(Math.Abs(fitted.Mean - mean) <= 1e-12 * mean, $"fitted mean {fitted.Mean:R}, computed {mean:R}");
        Assert.True(Math.Abs(fitted.Std - std) <= 1e-12 * std, $"fitted std {fitted.Std:R}, computed {std:R}");
        // Not the sample deviation (n - 1): that differs by far more than rounding at these counts.
        double sampleStd = std * Math.Sqrt(amounts.Count / (amounts.Count - 1.0));
        Assert.True(Math.Abs(fitted.Std - sampleStd) > 1e-9 * std, "the fit gave the sample standard deviation");
    }
}
