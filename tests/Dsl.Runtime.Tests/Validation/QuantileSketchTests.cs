using Dsl.Validation.Statistics;
using Xunit.Abstractions;

namespace Dsl.Runtime.Tests.Validation;

public class QuantileSketchTests(ITestOutputHelper output)
{
    private static readonly double[] s_ranks = [.. Enumerable.Range(1, 99).Select(i => i / 100.0)];

    public static TheoryData<string, int> Distributions => new()
    {
        { "normal", 1 },
        { "lognormal", 2 },
        { "sorted", 3 },
        { "few-values", 4 },
        { "uniform-merged", 5 },
    };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Quantiles_lie_within_the_stated_rank_error_of_numpys_exact_quantiles(string shape, int seed)
    {
        var random = new Random(seed);
        int n = 500_000;
        double[] values = shape switch
        {
            "normal" => Columns.Normal(seed, n),
            "lognormal" => [.. Columns.Normal(seed, n).Select(Math.Exp)],
            "sorted" => [.. Enumerable.Range(0, n).Select(i => (double)i)],
            "few-values" => [.. Enumerable.Range(0, n).Select(_ => (double)random.Next(0, 12))],
            _ => [.. Enumerable.Range(0, n).Select(_ => random.NextDouble())],
        };
        QuantileSketch sketch;
        if (shape == "uniform-merged")
        {
            // Seven partitions of uneven sizes, merged in a tree.
            int[] cuts = [0, 1_000, 90_000, 91_234, 200_000, 330_000, 420_000, n];
            List<QuantileSketch> parts = [];
            for (int p = 0; p + 1 < cuts.Length; p++)
            {
                var part = new QuantileSketch(seed: (ulong)(p + 1));
                for (int start = cuts[p]; start < cuts[p + 1]; start += 8_000)
                {
                    part.Add(values.AsSpan(start, Math.Min(8_000, cuts[p + 1] - start)));
                }
                parts.Add(part);
            }
            while (parts.Count > 1)
            {
                parts[0].Merge(parts[1]);
                parts.RemoveAt(1);
                if (parts.Count > 2)
                {
                    parts[1].Merge(parts[2]);
                    parts.RemoveAt(2);
                }
            }
            sketch = parts[0];
        }
        else
        {
            sketch = new QuantileSketch();
            for (int start = 0; start < n; start += 65_536)
            {
                sketch.Add(values.AsSpan(start, Math.Min(65_536, n - start)));
            }
        }
        double[] estimates = sketch.Quantiles(s_ranks);
        // NumPy's inverted_cdf quantile at q is the smallest x with F(x) ≥ q; the sketch's answer x̂ has rank error
        // ≤ ε when quantile(q − ε) ≤ x̂ ≤ quantile(q + ε). NumPy also reports the answers' exact rank intervals.
        const string script = """
            a = np.sort(load(1)); q = load(2); x = load(3); e = float(sys.argv[4])
            lo = np.quantile(a, np.clip(q - e, 0, 1), method='inverted_cdf')
            hi = np.quantile(a, np.clip(q + e, 0, 1), method='inverted_cdf')
            below = np.searchsorted(a, x, side='left') / a.size; upto = np.searchsorted(a, x, side='right') / a.size
            err = np.maximum(0, np.maximum(below - q, q - upto))
            print(json.dumps({"ok": [bool(v) for v in (lo <= x) & (x <= hi)], "err": float(err.max())}))
            """;
        var args = new[] { values, s_ranks, estimates };
        System.Text.Json.JsonElement result = PythonOracle.RunWithArgument(script, QuantileSketch.RankErrorBound.ToString("R", System.Globalization.CultureInfo.InvariantCulture), args);
        double maxError = result.GetProperty("err").GetDouble();
        output.WriteLine($"{shape}: max rank error {maxError:P3} over 99 quantiles ({sketch.LevelCount} levels)");
        bool[] ok = [.. result.GetProperty("ok").EnumerateArray().Select(e => e.GetBoolean())];
        for (int i = 0; i < ok.Length; i++)
        {
            Assert.True(ok[i], $"{shape}: quantile {s_ranks[i]} = {estimates[i]} is outside NumPy's quantiles at ±{QuantileSketch.RankErrorBound}");
        }
        Assert.True(maxError <= QuantileSketch.RankErrorBound);
        Assert.Equal(values.Min(), sketch.Quantile(0));
        Assert.Equal(values.Max(), sketch.Quantile(1));
    }

    [Fact]
    public void A_small_sketch_is_exact_and_agrees_with_numpy()
    {
        double[] values = [5, 1, 4, 1, 3, 9, 2, 6];
        var sketch = new QuantileSketch();
        sketch.Add(values);
        Assert.True(sketch.IsExact);
        double[] ranks = [0.1, 0.25, 0.5, 0.75, 0.9];
        double[] numpy = PythonOracle.Run("print(json.dumps([float(v) for v in np.quantile(load(1), load(2), method='inverted_cdf')]))", values, ranks).Doubles();
        Assert.Equal(numpy, sketch.Quantiles(ranks));
        Assert.Equal(0.375, sketch.Rank(2));
    }
}
