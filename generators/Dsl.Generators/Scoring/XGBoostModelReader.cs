using System.Collections.Generic;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Scoring;

/// <summary>
/// Reads an XGBoost JSON model (<c>Booster.save_model("m.json")</c>, format of XGBoost 1.x and 2.x): the tree booster
/// (<c>gbtree</c>) and the linear one (<c>gblinear</c>) with the objectives whose link is known exactly.
/// </summary>
internal static class XGBoostModelReader
{
    /// <summary>The objectives a compiled model supports: name, link, and how the base score becomes a margin.</summary>
    private static readonly Dictionary<string, (ModelLink Link, BaseScore Base)> Objectives = new(System.StringComparer.Ordinal)
    {
        ["reg:squarederror"] = (ModelLink.Identity, BaseScore.AsIs),
        ["reg:linear"] = (ModelLink.Identity, BaseScore.AsIs),
        ["reg:squaredlogerror"] = (ModelLink.Identity, BaseScore.AsIs),
        ["reg:pseudohubererror"] = (ModelLink.Identity, BaseScore.AsIs),
        ["reg:absoluteerror"] = (ModelLink.Identity, BaseScore.AsIs),
        ["reg:logistic"] = (ModelLink.Sigmoid, BaseScore.Logit),
        ["binary:logistic"] = (ModelLink.Sigmoid, BaseScore.Logit),
        ["binary:logitraw"] = (ModelLink.Identity, BaseScore.AsIs),
        ["count:poisson"] = (ModelLink.Exp, BaseScore.Log),
        ["reg:gamma"] = (ModelLink.Exp, BaseScore.Log),
        ["reg:tweedie"] = (ModelLink.Exp, BaseScore.Log),
        ["multi:softprob"] = (ModelLink.Softmax, BaseScore.AsIs),
        ["multi:softmax"] = (ModelLink.ArgMax, BaseScore.AsIs),
    };

    /// <summary>Bounds that keep a hostile file from making the build (or a scoring thread's stack) run out of memory.</summary>
    internal const int MaxFeatures = 100_000;

    internal const int MaxClasses = 256;

    private enum BaseScore
    {
        AsIs,
        Logit,
        Log,
    }

    /// <summary>Whether <paramref name="document"/> looks like an XGBoost model (a <c>learner</c> object).</summary>
    public static bool Recognizes(JsonValue document) => document.Kind == JsonKind.Object && document["learner"] is { Kind: JsonKind.Object };

    /// <summary>The model, or null with <paramref name="error"/> saying what the file has that a compiled model cannot take.</summary>
    public static ModelSpec? Read(string path, string sha256, JsonValue document, out string? error)
    {
        JsonValue learner = document["learner"]!;
        string objective = learner["objective"]?["name"]?.Text ?? string.Empty;
        if (!Objectives.TryGetValue(objective, out (ModelLink Link, BaseScore Base) known))
        {
            error = "objective '" + objective + "' is not one a compiled model supports (" + string.Join(", ", Objectives.Keys) + ")";
            return null;
        }
        JsonValue? parameters = learner["learner_model_param"];
        int features = parameters?["num_feature"]?.AsInt() ?? -1;
        int classes = parameters?["num_class"]?.AsInt() ?? -1;
        string baseScore = parameters?["base_score"]?.Text ?? string.Empty;
        // A base score beyond float32's range would be a literal that does not compile (CS0594).
        if (features <= 0 || classes < 0 || !IsNumber(baseScore) || Literal(baseScore) is null)
        {
            error = "learner_model_param needs num_feature, num_class and base_score (found '" + features + "', '" + classes + "', '" + baseScore + "')";
            return null;
        }
        if (features > MaxFeatures || classes > MaxClasses)
        {
            error = "it has " + features + " features and " + classes + " classes; a compiled model takes at most " + MaxFeatures + " and " + MaxClasses;
            return null;
        }
        if (parameters?["num_target"]?.AsInt(1) is int targets && targets > 1)
        {
            error = "it predicts " + targets + " targets (num_target), which a compiled model does not support";
            return null;
        }
        int groups = classes > 1 ? classes : 1;
        if ((known.Link is ModelLink.Softmax or ModelLink.ArgMax) != (groups > 1))
        {
            error = "objective '" + objective + "' with num_class " + classes + " is not a model a compiled model supports";
            return null;
        }

        var names = new List<string>();
        foreach (JsonValue name in learner["feature_names"]?.Items ?? new List<JsonValue>())
        {
            names.Add(name.Text);
        }
        foreach (JsonValue type in learner["feature_types"]?.Items ?? new List<JsonValue>())
        {
            if (type.Text == "c")
            {
                error = "it has categorical features, which a compiled model does not support yet";
                return null;
            }
        }
        if (names.Count != 0 && names.Count != features)
        {
            error = "it names " + names.Count + " features but has num_feature " + features;
            return null;
        }

        string margin = BaseMargin(baseScore, known.Base);
        var baseMargins = new List<string>();
        for (int g = 0; g < groups; g++)
        {
            baseMargins.Add(margin);
        }

        JsonValue booster = learner["gradient_booster"] ?? new JsonValue(JsonKind.Null, "null");
        string kind = booster["name"]?.Text ?? string.Empty;
        var trees = new List<TreeSpec>();
        var weights = new List<string>();
        var bias = new List<string>();
        if (kind == "gbtree")
        {
            if (ReadTrees(booster["model"], features, groups, trees, out error) is false)
            {
                return null;
            }
        }
        else if (kind == "gblinear")
        {
            List<JsonValue> all = booster["model"]?["weights"]?.Items ?? new List<JsonValue>();
            if (all.Count != (features + 1) * groups || !all.TrueForAll(w => w.Kind == JsonKind.Number))
            {
                error = "the linear booster has " + all.Count + " weights where (num_feature + 1) * groups = " + ((features + 1) * groups) + " numbers were expected";
                return null;
            }
            for (int i = 0; i < all.Count; i++)
            {
                if (Literal(all[i].Text) is not { } weight)
                {
                    error = "linear weight " + i + " '" + all[i].Text + "' is no float32 number";
                    return null;
                }
                (i < features * groups ? weights : bias).Add(weight);
            }
        }
        else
        {
            error = "booster '" + kind + "' is not one a compiled model supports (gbtree, gblinear)";
            return null;
        }

        error = null;
        return new ModelSpec(path, sha256, ModelFormat.XGBoost, objective, known.Link, groups, features,
            names.ToEquatableArray(), baseMargins.ToEquatableArray(), "1f", trees.ToEquatableArray(), weights.ToEquatableArray(), bias.ToEquatableArray());
    }

    /// <summary>
    /// The margin the base score gives, as XGBoost computes it in float32 (<c>ProbToMargin</c>): as is for a
    /// regression or multi-class objective, <c>-log(1 / b - 1)</c> for a logistic one, <c>log(b)</c> for the exp-linked ones.
    /// </summary>
    private static string BaseMargin(string baseScore, BaseScore rule)
    {
        string b = baseScore + "f";
        return rule switch
        {
            BaseScore.Logit => "-global::System.MathF.Log(1f / " + b + " - 1f)",
            BaseScore.Log => "global::System.MathF.Log(" + b + ")",
            _ => b,
        };
    }

    private static bool ReadTrees(JsonValue? model, int features, int groups, List<TreeSpec> trees, out string? error)
    {
        List<JsonValue> list = model?["trees"]?.Items ?? new List<JsonValue>();
        List<JsonValue> info = model?["tree_info"]?.Items ?? new List<JsonValue>();
        if (list.Count == 0 || info.Count != list.Count)
        {
            error = "the tree booster has " + list.Count + " trees and " + info.Count + " tree_info entries (one per tree expected)";
            return false;
        }
        for (int t = 0; t < list.Count; t++)
        {
            JsonValue tree = list[t];
            int group = info[t].AsInt();
            List<JsonValue> left = tree["left_children"]?.Items ?? new List<JsonValue>();
            List<JsonValue> right = tree["right_children"]?.Items ?? new List<JsonValue>();
            List<JsonValue> split = tree["split_indices"]?.Items ?? new List<JsonValue>();
            List<JsonValue> condition = tree["split_conditions"]?.Items ?? new List<JsonValue>();
            List<JsonValue> defaultLeft = tree["default_left"]?.Items ?? new List<JsonValue>();
            List<JsonValue> splitType = tree["split_type"]?.Items ?? new List<JsonValue>();
            int n = left.Count;
            if (group < 0 || group >= groups || n == 0 || right.Count != n || split.Count != n || condition.Count != n || defaultLeft.Count != n)
            {
                error = "tree " + t + " is malformed (its node arrays differ in length, or its group " + group + " is not below " + groups + ")";
                return false;
            }
            var nodes = new List<TreeNodeSpec>(n);
            for (int i = 0; i < n; i++)
            {
                int l = left[i].AsInt(int.MinValue);
                int r = right[i].AsInt(int.MinValue);
                int f = split[i].AsInt(int.MinValue);
                string? value = Literal(condition[i].Text);
                bool leaf = l == -1;
                bool valid = value is not null && condition[i].Kind == JsonKind.Number
                    && (leaf || (l >= 0 && l < n && r >= 0 && r < n && f >= 0 && f < features));
                if (!valid)
                {
                    error = "node " + i + " of tree " + t + " is malformed (children " + l + " and " + r + ", feature " + f + ", value '" + condition[i].Text + "')";
                    return false;
                }
                if (!leaf && i < splitType.Count && splitType[i].AsInt(0) != 0)
                {
                    error = "node " + i + " of tree " + t + " is a categorical split, which a compiled model does not support yet";
                    return false;
                }
                bool goesLeft = defaultLeft[i].Kind == JsonKind.True || defaultLeft[i].AsInt(0) == 1;
                nodes.Add(new TreeNodeSpec(leaf ? -1 : f, value!, leaf ? -1 : l, leaf ? -1 : r, goesLeft, MissingKind.NaN));
            }
            if (TreeShape.Problem(nodes) is { } problem)
            {
                error = "tree " + t + " " + problem;
                return false;
            }
            trees.Add(new TreeSpec(group, nodes.ToEquatableArray()));
        }
        error = null;
        return true;
    }

    /// <summary>
    /// The float literal of a number XGBoost wrote: its digits with <c>f</c> (the C# compiler rounds them to float32
    /// exactly, on any runtime), or the constant for the <c>NaN</c> and <c>Infinity</c> it writes outside JSON; null for
    /// text that is no number within float32's range.
    /// </summary>
    private static string? Literal(string text) => text switch
    {
        "NaN" or "-NaN" => "float.NaN",
        "Infinity" => "float.PositiveInfinity",
        "-Infinity" => "float.NegativeInfinity",
        // Digits beyond float32's range would not compile (CS0594): such a file is no model XGBoost wrote.
        _ => float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float value)
            && !float.IsInfinity(value) && ModelJson.IsFiniteNumber(text) ? text + "f" : null,
    };

    private static bool IsNumber(string text) => ModelJson.IsFiniteNumber(text);
}
