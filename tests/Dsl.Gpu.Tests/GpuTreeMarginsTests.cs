using Dsl.Models;
using Dsl.Testing;

namespace Dsl.Gpu.Tests;

/// <summary>
/// Run-time tree models with their margins added on ILGPU's CPU accelerator: the same bits as the CPU scorer (and, for
/// XGBoost, as XGBoost itself) on rows with NaN, zeros and values within ±1e-35 of zero, for each missing-value rule,
/// shallow trees (which the CPU walks as complete trees) and deep ones (node by node).
/// </summary>
public sealed class GpuTreeMarginsTests
{
    private static TreeModelScorer Load(string text, string extension, ScoreOutput output, int features, int outputs, TempDirectory folder)
    {
        string path = folder.Combine("model" + extension);
        File.WriteAllText(path, text);
        return TreeModelLoader.Load(path, new ModelLoadOptions(output, features, outputs));
    }

    private static IBatchScorer OnEmulator(TreeModelScorer scorer, List<string> warnings)
    {
        TreeModelScorer? device = GpuTreeMargins.OnDevice(scorer, GpuDevice.CpuEmulator, "m", warnings.Add, out string? why);
        Assert.True(device is not null, why);
        return device!;
    }

    private static double[] Rows(int rows, int features, int seed)
    {
        var random = new Random(seed);
        double[] special = [double.NaN, 0.0, -0.0, 1e-36, -1e-36, 5e-35, double.PositiveInfinity, double.NegativeInfinity];
        var x = new double[rows * features];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.Next(10) == 0 ? special[random.Next(special.Length)] : random.NextDouble() * 4 - 2;
        }
        return x;
    }

    [Theory]
    [InlineData("objective=binary num_leaves=15", 1)]
    [InlineData("objective=multiclass num_class=3 num_leaves=7", 3)]
    [InlineData("objective=regression num_leaves=63 max_depth=12", 1)]
    [InlineData("objective=binary num_leaves=8 zero_as_missing=true", 1)]
    [InlineData("objective=binary num_leaves=8 use_missing=false", 1)]
    public void LightGbm_margins_on_the_device_are_the_CPU_scorers_bit_for_bit(string parameters, int outputs)
    {
        const int features = 5;
        double[] train = Rows(2000, features, 1);
        var labels = new float[2000];
        for (int r = 0; r < 2000; r++)
        {
            double v = double.IsNaN(train[r * features]) ? 0 : train[r * features] + 0.5 * (double.IsNaN(train[r * features + 1]) ? 0 : train[r * features + 1]);
            labels[r] = outputs > 1 ? (v < -0.5 ? 0 : v < 0.5 ? 1 : 2) : (v > 0 ? 1 : 0);
        }
        string model = LightGbm.Train(train, 2000, features, labels, parameters + " min_data_in_leaf=5 verbose=-1 num_threads=1 deterministic=true seed=1", iterations: 20);
        using TempDirectory folder = TempDirectory.Create("dsl-gpu-trees");
        var warnings = new List<string>();
        foreach (ScoreOutput output in new[] { ScoreOutput.Prediction, ScoreOutput.Margin })
        {
            TreeModelScorer cpu = Load(model, ".txt", output, features, output == ScoreOutput.Margin || outputs > 1 ? outputs : 1, folder);
            IBatchScorer device = OnEmulator(cpu, warnings);
            const int rows = 777;
            double[] x = Rows(rows, features, 2);
            var expected = new double[rows * cpu.OutputCount];
            var actual = new double[rows * cpu.OutputCount];
            long before = GpuTreeMargins.ThreadDeviceBatches;
            cpu.Score(x, rows, expected);
            device.Score(x, rows, actual);
            Assert.True(GpuTreeMargins.ThreadDeviceBatches > before, "the margins were not added on the device");
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]), $"{parameters} {output}: output {i}: {actual[i]:R}, the CPU gives {expected[i]:R}");
            }
        }
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("--objective binary:logistic --depth 4 --rounds 30 --missing 0.3 --names", 1)]
    [InlineData("--objective multi:softprob --classes 3 --depth 5 --rounds 8 --names", 3)]
    [InlineData("--objective reg:squarederror --depth 12 --rounds 6 --names", 1)]
    public void XGBoost_margins_on_the_device_give_XGBoosts_own_predictions_bit_for_bit(string options, int outputs)
    {
        XGBoostReference reference = XGBoostReference.Train(options);
        using TempDirectory folder = TempDirectory.Create("dsl-gpu-trees");
        TreeModelScorer cpu = Load(reference.ModelJson, ".json", ScoreOutput.Prediction, reference.Features, outputs, folder);
        var warnings = new List<string>();
        IBatchScorer device = OnEmulator(cpu, warnings);
        float[] x = reference.X.Select(v => (float)v).ToArray();
        var actual = new float[reference.Rows * outputs];
        long before = GpuTreeMargins.ThreadDeviceBatches;
        device.Score(x, reference.Rows, actual);
        Assert.True(GpuTreeMargins.ThreadDeviceBatches > before, "the margins were not added on the device");
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(reference.Predictions[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{options}: output {i}: {actual[i]:R}, XGBoost gives {reference.Predictions[i]:R}");
        }
        Assert.Empty(warnings);
    }

    [Fact]
    public void A_linear_booster_stays_on_the_CPU_and_says_why()
    {
        XGBoostReference reference = XGBoostReference.Train("--objective binary:logistic --booster gblinear --rounds 5 --names");
        using TempDirectory folder = TempDirectory.Create("dsl-gpu-trees");
        TreeModelScorer cpu = Load(reference.ModelJson, ".json", ScoreOutput.Prediction, reference.Features, 1, folder);
        Assert.Null(GpuTreeMargins.OnDevice(cpu, GpuDevice.CpuEmulator, "linear", _ => { }, out string? why));
        Assert.Contains("linear booster", why);
    }
}
