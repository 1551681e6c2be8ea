using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Scoring;

/// <summary>
/// Reads a LightGBM text model (<c>Booster.save_model</c>, <c>LGBM_BoosterSaveModel</c>): a header of
/// <c>key=value</c> lines, then one block per tree (<c>Tree=N</c>) up to <c>end of trees</c>.
/// </summary>
internal static class LightGbmModelReader
{
    /// <summary>Whether <paramref name="text"/> starts like a LightGBM model.</summary>
    public static bool Recognizes(string text) => text.StartsWith("tree\n", System.StringComparison.Ordinal) || text.StartsWith("tree\r\n", System.StringComparison.Ordinal);

    /// <summary>The model, or null with <paramref name="error"/> saying what the file has that a compiled model cannot take.</summary>
    public static ModelSpec? Read(string path, string sha256, string text, out string? error)
    {
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        var header = new Dictionary<string, string>(System.StringComparer.Ordinal);
        var blocks = new List<Dictionary<string, string>>();
        Dictionary<string, string>? block = null;
        bool ended = false;
        foreach (string line in lines)
        {
            if (line == "end of trees")
            {
                ended = true;
                break;
            }
            if (line.StartsWith("Tree=", System.StringComparison.Ordinal))
            {
                block = new Dictionary<string, string>(System.StringComparer.Ordinal);
                blocks.Add(block);
                continue;
            }
            int eq = line.IndexOf('=');
            string key = eq < 0 ? line : line.Substring(0, eq);
            string value = eq < 0 ? string.Empty : line.Substring(eq + 1);
            (block ?? header)[key] = value;
        }
        if (!ended || blocks.Count == 0)
        {
            error = "it has no trees or no 'end of trees' line (is the file cut short?)";
            return null;
        }

        string objective = header.TryGetValue("objective", out string? o) ? o : string.Empty;
        if (ModelSpec.OneLine(objective) != objective)
        {
            error = "its objective line holds control characters";
            return null;
        }
        if (Link(objective, out string scale, out error) is not { } link)
        {
            return null;
        }
        int classes = Int(header, "num_class");
        int perIteration = Int(header, "num_tree_per_iteration");
        int maxFeature = Int(header, "max_feature_idx");
        if (classes < 1 || perIteration < 1 || maxFeature < 0 || (link == ModelLink.Softmax) != (classes > 1) || perIteration != classes)
        {
            error = "the header's num_class (" + classes + "), num_tree_per_iteration (" + perIteration + ") and max_feature_idx ("
                + maxFeature + ") do not describe a model with one tree per class and iteration";
            return null;
        }
        if (maxFeature >= XGBoostModelReader.MaxFeatures || classes > XGBoostModelReader.MaxClasses)
        {
            error = "it has " + (maxFeature + 1) + " features and " + classes + " classes; a compiled model takes at most " + XGBoostModelReader.MaxFeatures + " and " + XGBoostModelReader.MaxClasses;
            return null;
        }
        int features = maxFeature + 1;
        var names = new List<string>();
        if (header.TryGetValue("feature_names", out string? namesText))
        {
            names.AddRange(namesText.Split(new[] { ' ' }, System.StringSplitOptions.RemoveEmptyEntries));
        }
        if (names.Count != features)
        {
            error = "it names " + names.Count + " features but max_feature_idx says " + features;
            return null;
        }
        // LightGBM names features it was not told the names of Column_0, Column_1, ...: those are no names.
        bool generated = true;
        for (int f = 0; f < names.Count; f++)
        {
            generated &= names[f] == "Column_" + f.ToString(CultureInfo.InvariantCulture);
        }
        if (generated)
        {
            names.Clear();
        }

        var trees = new List<TreeSpec>();
        for (int t = 0; t < blocks.Count; t++)
        {
            if (Tree(blocks[t], features, t % classes, out string? problem) is not { } tree)
            {
                error = "tree " + t + " " + problem;
                return null;
            }
            trees.Add(tree);
        }
        if (trees.Count % classes != 0)
        {
            error = "it has " + trees.Count + " trees, not a multiple of its " + classes + " classes";
            return null;
        }
        var baseMargins = new List<string>();
        for (int g = 0; g < classes; g++)
        {
            baseMargins.Add("0d"); // LightGBM folds the initial score into the first trees' leaves.
        }
        error = null;
        return new ModelSpec(path, sha256, ModelFormat.LightGbm, objective, link, classes, features, names.ToEquatableArray(),
            baseMargins.ToEquatableArray(), scale, trees.ToEquatableArray(), EquatableArray<string>.Empty, EquatableArray<string>.Empty,
            AverageTrees: header.ContainsKey("average_output"));
    }

    private static ModelLink? Link(string objective, out string scale, out string? error)
    {
        string[] parts = objective.Split(' ');
        string name = parts[0];
        scale = "1d";
        error = null;
        foreach (string part in parts)
        {
            if (part == "sqrt")
            {
                error = "objective '" + objective + "' predicts the square of its margin (sqrt), which a compiled model does not support";
                return null;
            }
            if (part.StartsWith("sigmoid:", System.StringComparison.Ordinal))
            {
                string value = part.Substring("sigmoid:".Length);
                if (!ModelJson.IsFiniteNumber(value) || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double sigmoid)
                    || !(sigmoid > 0) || double.IsInfinity(sigmoid))
                {
                    error = "objective '" + objective + "' has a sigmoid that is not a positive number";
                    return null;
                }
                scale = value + "d";
            }
        }
        switch (name)
        {
            case "binary":
            case "cross_entropy":
            case "xentropy":
                return ModelLink.Sigmoid;
            case "regression":
            case "regression_l1":
            case "huber":
            case "fair":
            case "quantile":
            case "mape":
            case "lambdarank":
            case "rank_xendcg":
                return ModelLink.Identity;
            case "poisson":
            case "gamma":
            case "tweedie":
                return ModelLink.Exp;
            case "multiclass":
                return ModelLink.Softmax;
            default:
                error = "objective '" + objective + "' is not one a compiled model supports (binary, cross_entropy, regression, regression_l1, huber, fair, quantile, mape, poisson, gamma, tweedie, multiclass, lambdarank, rank_xendcg)";
                return null;
        }
    }

    /// <summary>
    /// One tree block as nodes: LightGBM numbers splits 0..n-2 and leaves separately (a child below zero is leaf
    /// <c>~child</c>); here leaf k follows the splits, at node n - 1 + k.
    /// </summary>
    private static TreeSpec? Tree(Dictionary<string, string> block, int features, int group, out string? problem)
    {
        int leaves = Int(block, "num_leaves");
        string[] leafValues = Values(block, "leaf_value");
        if (leaves < 1 || leafValues.Length != leaves)
        {
            problem = "has " + leafValues.Length + " leaf values for num_leaves " + leaves;
            return null;
        }
        if (Int(block, "num_cat") > 0)
        {
            problem = "has categorical splits, which a compiled model does not support yet";
            return null;
        }
        if (block.TryGetValue("is_linear", out string? linear) && linear != "0")
        {
            problem = "is a linear tree, which a compiled model does not support";
            return null;
        }
        int splits = leaves - 1;
        string[] feature = Values(block, "split_feature");
        string[] threshold = Values(block, "threshold");
        string[] decision = Values(block, "decision_type");
        string[] left = Values(block, "left_child");
        string[] right = Values(block, "right_child");
        if (splits > 0 && (feature.Length != splits || threshold.Length != splits || decision.Length != splits || left.Length != splits || right.Length != splits))
        {
            problem = "has split arrays of lengths other than num_leaves - 1 = " + splits;
            return null;
        }
        var nodes = new List<TreeNodeSpec>(splits + leaves);
        for (int i = 0; i < splits; i++)
        {
            if (!int.TryParse(feature[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int f) || f < 0 || f >= features
                || !int.TryParse(decision[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int type)
                || Child(left[i], splits, leaves) is not { } l || Child(right[i], splits, leaves) is not { } r
                || Number(threshold[i]) is not { } value)
            {
                problem = "has a malformed split " + i + " (feature '" + feature[i] + "', threshold '" + threshold[i] + "', decision_type '"
                    + decision[i] + "', children '" + left[i] + "' and '" + right[i] + "')";
                return null;
            }
            // decision_type: bit 0 categorical, bit 1 default left, bits 2-3 the missing type (0 None, 1 Zero, 2 NaN).
            if ((type & 1) != 0 || ((type >> 2) & 3) == 3)
            {
                problem = "has split " + i + " of decision_type " + type + " (a categorical split, or no missing type LightGBM writes)";
                return null;
            }
            MissingKind missing = ((type >> 2) & 3) switch { 0 => MissingKind.AsZero, 1 => MissingKind.Zero, _ => MissingKind.NaN };
            nodes.Add(new TreeNodeSpec(f, value, l, r, (type & 2) != 0, missing));
        }
        foreach (string leaf in leafValues)
        {
            if (Number(leaf) is not { } value)
            {
                problem = "has a leaf value '" + leaf + "' that is not a number";
                return null;
            }
            nodes.Add(new TreeNodeSpec(-1, value, -1, -1, false, MissingKind.NaN));
        }
        problem = TreeShape.Problem(nodes);
        return problem is null ? new TreeSpec(group, nodes.ToEquatableArray()) : null;
    }

    private static int? Child(string text, int splits, int leaves)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int child))
        {
            return null;
        }
        if (child >= 0)
        {
            return child < splits ? child : null;
        }
        int leaf = ~child;
        return leaf < leaves ? splits + leaf : null;
    }

    /// <summary>The C# text of a double LightGBM wrote (<c>%.17g</c>, or <c>inf</c>), or null.</summary>
    private static string? Number(string text)
    {
        switch (text)
        {
            case "inf":
            case "+inf":
                return "double.PositiveInfinity";
            case "-inf":
                return "double.NegativeInfinity";
        }
        // Digits beyond float64's range would not compile (CS0594).
        return ModelJson.IsFiniteNumber(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && !double.IsInfinity(value)
            ? text + "d"
            : null;
    }

    private static string[] Values(Dictionary<string, string> block, string key) =>
        block.TryGetValue(key, out string? text) ? text.Split(new[] { ' ' }, System.StringSplitOptions.RemoveEmptyEntries) : new string[0];

    private static int Int(Dictionary<string, string> block, string key) =>
        block.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : -1;
}
