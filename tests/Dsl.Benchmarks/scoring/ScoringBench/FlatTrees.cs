using System.Globalization;
using System.Text.Json;

namespace Dsl.ScoringBench;

/// <summary>
/// The benchmark's other form of a tree model: every tree's nodes in flat arrays, walked tree by tree over a block of
/// rows (the layout run-time models would use), computing what the library computes, as the compiled classes do.
/// </summary>
internal sealed class FlatTrees
{
    private const int Block = 128;

    // Per node: the feature a split reads (-1 for a leaf), its threshold (a leaf's value), children, and its missing rule.
    private readonly int[] _feature;
    private readonly double[] _value;
    private readonly float[] _valueF;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly bool[] _defaultLeft;
    private readonly byte[] _missing; // LightGBM: 0 None, 1 Zero, 2 NaN
    private readonly int[] _roots;
    private readonly bool _xgboost;
    private readonly double _base;
    private readonly double _sigmoid;

    private FlatTrees(List<(int Feature, double Value, int Left, int Right, bool DefaultLeft, byte Missing)> nodes, List<int> roots, bool xgboost, double baseMargin, double sigmoid)
    {
        _feature = nodes.Select(n => n.Feature).ToArray();
        _value = nodes.Select(n => n.Value).ToArray();
        _valueF = nodes.Select(n => (float)n.Value).ToArray();
        _left = nodes.Select(n => n.Left).ToArray();
        _right = nodes.Select(n => n.Right).ToArray();
        _defaultLeft = nodes.Select(n => n.DefaultLeft).ToArray();
        _missing = nodes.Select(n => n.Missing).ToArray();
        _roots = [.. roots];
        _xgboost = xgboost;
        _base = baseMargin;
        _sigmoid = sigmoid;
    }

    /// <summary>A binary:logistic XGBoost JSON model's trees.</summary>
    public static FlatTrees FromXGBoost(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement learner = document.RootElement.GetProperty("learner");
        float b = float.Parse(learner.GetProperty("learner_model_param").GetProperty("base_score").GetString()!, CultureInfo.InvariantCulture);
        var nodes = new List<(int, double, int, int, bool, byte)>();
        var roots = new List<int>();
        foreach (JsonElement tree in learner.GetProperty("gradient_booster").GetProperty("model").GetProperty("trees").EnumerateArray())
        {
            int offset = nodes.Count;
            roots.Add(offset);
            int[] left = Ints(tree, "left_children");
            int[] right = Ints(tree, "right_children");
            int[] split = Ints(tree, "split_indices");
            int[] defaultLeft = Ints(tree, "default_left");
            float[] condition = tree.GetProperty("split_conditions").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            for (int i = 0; i < left.Length; i++)
            {
                bool leaf = left[i] == -1;
                nodes.Add((leaf ? -1 : split[i], condition[i], leaf ? -1 : offset + left[i], leaf ? -1 : offset + right[i], defaultLeft[i] == 1, 2));
            }
        }
        return new FlatTrees(nodes, roots, xgboost: true, -MathF.Log(1f / b - 1f), 1);
    }

    /// <summary>A binary LightGBM text model's trees (no categorical splits).</summary>
    public static FlatTrees FromLightGbm(string text)
    {
        var nodes = new List<(int, double, int, int, bool, byte)>();
        var roots = new List<int>();
        double sigmoid = 1;
        Dictionary<string, string>? block = null;
        var blocks = new List<Dictionary<string, string>>();
        foreach (string line in text.Split('\n'))
        {
            if (line == "end of trees")
            {
                break;
            }
            if (line.StartsWith("Tree=", StringComparison.Ordinal))
            {
                blocks.Add(block = []);
                continue;
            }
            if (line.StartsWith("objective=", StringComparison.Ordinal) && line.Split(' ').FirstOrDefault(p => p.StartsWith("sigmoid:", StringComparison.Ordinal)) is { } s)
            {
                sigmoid = double.Parse(s["sigmoid:".Length..], CultureInfo.InvariantCulture);
            }
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (block is not null && eq > 0)
            {
                block[line[..eq]] = line[(eq + 1)..];
            }
        }
        foreach (Dictionary<string, string> tree in blocks)
        {
            int offset = nodes.Count;
            roots.Add(offset);
            int leaves = int.Parse(tree["num_leaves"], CultureInfo.InvariantCulture);
            double[] leafValues = Doubles(tree["leaf_value"]);
            int splits = leaves - 1;
            if (splits > 0)
            {
                int[] feature = Doubles(tree["split_feature"]).Select(d => (int)d).ToArray();
                double[] threshold = Doubles(tree["threshold"]);
                int[] decision = Doubles(tree["decision_type"]).Select(d => (int)d).ToArray();
                int[] left = Doubles(tree["left_child"]).Select(d => (int)d).ToArray();
                int[] right = Doubles(tree["right_child"]).Select(d => (int)d).ToArray();
                int Child(int c) => offset + (c >= 0 ? c : splits + ~c);
                for (int i = 0; i < splits; i++)
                {
                    nodes.Add((feature[i], threshold[i], Child(left[i]), Child(right[i]), (decision[i] & 2) != 0, (byte)((decision[i] >> 2) & 3)));
                }
            }
            foreach (double leaf in leafValues)
            {
                nodes.Add((-1, leaf, -1, -1, false, 0));
            }
        }
        return new FlatTrees(nodes, roots, xgboost: false, 0, sigmoid);
    }

    /// <summary>The predictions (probabilities) of rows start..end of row-major <paramref name="x"/>, into <paramref name="output"/>.</summary>
    public void Predict(double[] x, int features, int start, int end, double[] output)
    {
        Span<float> marginF = stackalloc float[Block];
        Span<double> margin = stackalloc double[Block];
        float[] xf = _xgboost ? new float[Block * features] : [];
        for (int first = start; first < end; first += Block)
        {
            int n = Math.Min(Block, end - first);
            if (_xgboost)
            {
                for (int i = 0; i < n * features; i++)
                {
                    xf[i] = (float)x[first * features + i];
                }
                marginF[..n].Fill((float)_base);
                foreach (int root in _roots)
                {
                    for (int r = 0; r < n; r++)
                    {
                        int node = root;
                        int at = r * features;
                        while (_feature[node] >= 0)
                        {
                            float v = xf[at + _feature[node]];
                            node = v < _valueF[node] || (float.IsNaN(v) && _defaultLeft[node]) ? _left[node] : _right[node];
                        }
                        marginF[r] += _valueF[node];
                    }
                }
                for (int r = 0; r < n; r++)
                {
                    output[first + r] = 1f / (MathF.Exp(MathF.Min(-marginF[r], 88.7f)) + 1f + 1e-16f);
                }
                continue;
            }
            margin[..n].Clear();
            foreach (int root in _roots)
            {
                for (int r = 0; r < n; r++)
                {
                    int node = root;
                    int at = (first + r) * features;
                    while (_feature[node] >= 0)
                    {
                        double v = x[at + _feature[node]];
                        if (Math.Abs(v) <= (double)1e-35f)
                        {
                            v = 0; // what LightGBM's C API hands its trees
                        }
                        byte missing = _missing[node];
                        if (double.IsNaN(v) && missing != 2)
                        {
                            v = 0;
                        }
                        bool goLeft = (missing == 1 && v >= -(double)1e-35f && v <= (double)1e-35f) || (missing == 2 && double.IsNaN(v))
                            ? _defaultLeft[node]
                            : v <= _value[node];
                        node = goLeft ? _left[node] : _right[node];
                    }
                    margin[r] += _value[node];
                }
            }
            for (int r = 0; r < n; r++)
            {
                output[first + r] = 1d / (1d + Math.Exp(-_sigmoid * margin[r]));
            }
        }
    }

    private static int[] Ints(JsonElement tree, string name) => tree.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    // LightGBM writes %.17g, and inf for an unbounded threshold.
    private static double[] Doubles(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(v => v switch { "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, _ => double.Parse(v, CultureInfo.InvariantCulture) })
        .ToArray();
}
