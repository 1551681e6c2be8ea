using System.Collections.Generic;
using System.Linq;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Scoring;

/// <summary>
/// Writes a score stage's model as C#: a static class nested in the pipeline class (<c>FraudFeatures.PredictModel</c>)
/// with one method per tree as nested <c>if</c>s, and <c>Margin</c>/<c>Predict</c> methods that sum them the way the
/// library does. Kernels call it once per row; a service can call it directly with the same features.
/// </summary>
internal static class ModelEmitter
{
    /// <summary>The name of the class holding <paramref name="stage"/>'s model.</summary>
    public static string ClassName(StageSpec stage) => stage.Name + "Model";

    /// <summary>The class's qualified name, for kernels.</summary>
    public static string QualifiedName(PipelineSpec pipeline, StageSpec stage) => pipeline.FullTypeName + "." + ClassName(stage);

    /// <summary>The file of the model class of <paramref name="stage"/>.</summary>
    public static string Emit(PipelineSpec pipeline, StageSpec stage)
    {
        ScoreSpec score = stage.Score!;
        ModelSpec model = score.Model!;
        string t = model.ValueType;
        var w = new SourceWriter();
        w.WriteHeader(pipeline.Namespace);
        int depth = TypeDeclarationWriter.Open(w, pipeline.ContainingTypes, "partial class " + pipeline.ClassName);

        w.WriteLine("/// <summary>");
        w.WriteLine("/// The model of score stage <c>" + stage.Name + "</c>, compiled from " + Xml(model.Path) + " at build time: " + Xml(model.Describe()) + ".");
        w.WriteLine("/// Features, in the model's order: " + Xml(FeatureList(score)) + ".");
        w.WriteLine("/// </summary>");
        w.WriteLine("/// <remarks>");
        foreach (string line in Semantics(model))
        {
            w.WriteLine("/// " + line);
        }
        w.WriteLine("/// </remarks>");
        w.WriteLine(SourceWriter.GeneratedCodeAttribute);
        w.WriteLine("public static class " + ClassName(stage));
        w.OpenBrace();
        w.WriteLine("/// <summary>The number of features the model reads.</summary>");
        w.WriteLine("public const int FeatureCount = " + model.FeatureCount + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>The number of values <c>Margin</c> gives (one per class for a multi-class model).</summary>");
        w.WriteLine("public const int MarginCount = " + model.Groups + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>The model file as the stage names it.</summary>");
        w.WriteLine("public const string File = " + SourceWriter.Literal(model.Path) + ";");
        w.WriteLine();
        w.WriteLine("/// <summary>The SHA-256 of the model file (of its text as UTF-8), which run manifests record.</summary>");
        w.WriteLine("public const string Sha256 = " + SourceWriter.Literal(model.Sha256) + ";");
        w.WriteLine();
        for (int g = 0; g < model.Groups; g++)
        {
            w.WriteLine("private static readonly " + t + " BaseMargin" + g + " = " + model.BaseMargins[g] + ";");
        }
        w.WriteLine();

        WriteMargin(w, model);
        WritePredict(w, model);
        if (model.IsLinear)
        {
            WriteLinear(w, model);
        }
        for (int i = 0; i < model.Trees.Count; i++)
        {
            WriteTree(w, model, i);
        }
        WriteCheck(w, model);
        w.CloseBrace();
        TypeDeclarationWriter.Close(w, depth);
        return w.ToString();
    }

    private static string FeatureList(ScoreSpec score)
    {
        var parts = new List<string>();
        for (int f = 0; f < score.FeatureMembers.Count; f++)
        {
            parts.Add(f + " " + score.FeatureMembers[f]);
        }
        return string.Join(", ", parts);
    }

    private static IEnumerable<string> Semantics(ModelSpec model)
    {
        if (model.Format == ModelFormat.XGBoost)
        {
            yield return "Computed as XGBoost computes it: features, thresholds and sums in float32; a split sends";
            yield return "<c>x &lt; threshold</c> left and NaN (a null feature) its default way; the margin starts at the base score's";
            yield return "margin and adds the trees (or the linear terms) in the file's order.";
        }
        else
        {
            yield return "Computed as LightGBM computes it: features, thresholds and sums in float64; a split sends";
            yield return "<c>x &lt;= threshold</c> left, and missing values (NaN, a null feature; zero for a split of missing type";
            yield return "Zero) its default way, or read NaN as 0 for missing type None; the trees are summed in the file's order.";
        }
    }

    private static void WriteMargin(SourceWriter w, ModelSpec model)
    {
        string t = model.ValueType;
        bool single = model.Groups == 1;
        w.WriteLine("/// <summary>The raw " + (single ? "margin" : "margins, one per class,") + " of one row: the base score and the " + (model.IsLinear ? "linear terms" : "trees") + ", before the objective's link.</summary>");
        w.WriteLine("/// <param name=\"x\">The row's features in the model's order (<see cref=\"FeatureCount\"/> of them); NaN for a missing value.</param>");
        if (single)
        {
            w.WriteLine("public static " + t + " Margin(global::System.ReadOnlySpan<" + t + "> x)");
        }
        else
        {
            w.WriteLine("/// <param name=\"margins\">Where the " + model.Groups + " margins go.</param>");
            w.WriteLine("public static void Margin(global::System.ReadOnlySpan<" + t + "> x, global::System.Span<" + t + "> margins)");
        }
        w.OpenBrace();
        w.WriteLine("CheckLengths(x.Length, " + (single ? "MarginCount" : "margins.Length") + ");");
        for (int g = 0; g < model.Groups; g++)
        {
            w.WriteLine(t + " m" + g + " = BaseMargin" + g + ";");
        }
        if (model.IsLinear)
        {
            for (int g = 0; g < model.Groups; g++)
            {
                w.WriteLine("m" + g + " = Linear" + g + "(x, m" + g + ");");
            }
        }
        for (int i = 0; i < model.Trees.Count; i++)
        {
            w.WriteLine("m" + model.Trees[i].Group + " += Tree" + i + "(x);");
        }
        if (single)
        {
            w.WriteLine("return m0;");
        }
        else
        {
            for (int g = 0; g < model.Groups; g++)
            {
                w.WriteLine("margins[" + g + "] = m" + g + ";");
            }
        }
        w.CloseBrace();
        w.WriteLine();
    }

    private static void WritePredict(SourceWriter w, ModelSpec model)
    {
        string t = model.ValueType;
        string math = t == "float" ? "global::System.MathF" : "global::System.Math";
        string one = t == "float" ? "1f" : "1d";
        // A random forest predicts from the mean of its trees (its margin, like LightGBM's raw score, is their sum).
        string margin = model.AverageTrees ? "(Margin(x) / " + (model.Trees.Count / model.Groups) + ")" : "Margin(x)";
        w.WriteLine("/// <summary>" + PredictSummary(model) + "</summary>");
        w.WriteLine("/// <param name=\"x\">The row's features in the model's order (<see cref=\"FeatureCount\"/> of them); NaN for a missing value.</param>");
        switch (model.Link)
        {
            case ModelLink.Identity:
                w.WriteLine("public static " + t + " Predict(global::System.ReadOnlySpan<" + t + "> x) => " + margin + ";");
                break;
            case ModelLink.Sigmoid:
                if (model.Format == ModelFormat.XGBoost)
                {
                    // XGBoost's Sigmoid: the exponent clamped at 88.7 (expf overflows above), and 1e-16f that no float >= 1 notices.
                    w.WriteLine("public static float Predict(global::System.ReadOnlySpan<float> x) => 1f / (global::System.MathF.Exp(global::System.MathF.Min(-" + margin + ", 88.7f)) + 1f + 1e-16f);");
                }
                else
                {
                    w.WriteLine("public static double Predict(global::System.ReadOnlySpan<double> x) => 1d / (1d + global::System.Math.Exp(-" + model.LinkScale + " * " + margin + "));");
                }
                break;
            case ModelLink.Exp:
                w.WriteLine("public static " + t + " Predict(global::System.ReadOnlySpan<" + t + "> x) => " + math + ".Exp(" + margin + ");");
                break;
            case ModelLink.ArgMax:
                w.WriteLine("public static " + t + " Predict(global::System.ReadOnlySpan<" + t + "> x)");
                w.OpenBrace();
                w.WriteLine("global::System.Span<" + t + "> m = stackalloc " + t + "[MarginCount];");
                w.WriteLine("Margin(x, m);");
                w.WriteLine("int best = 0;");
                w.WriteLine("for (int k = 1; k < m.Length; k++)");
                w.OpenBrace();
                w.WriteLine("if (m[k] > m[best])");
                w.OpenBrace();
                w.WriteLine("best = k;");
                w.CloseBrace();
                w.CloseBrace();
                w.WriteLine("return best;");
                w.CloseBrace();
                break;
            case ModelLink.Softmax:
                w.WriteLine("/// <param name=\"probabilities\">Where the " + model.Groups + " class probabilities go.</param>");
                w.WriteLine("public static void Predict(global::System.ReadOnlySpan<" + t + "> x, global::System.Span<" + t + "> probabilities)");
                w.OpenBrace();
                w.WriteLine("Margin(x, probabilities);");
                if (model.AverageTrees)
                {
                    w.WriteLine("for (int k = 0; k < MarginCount; k++)");
                    w.OpenBrace();
                    w.WriteLine("probabilities[k] /= " + (model.Trees.Count / model.Groups) + ";");
                    w.CloseBrace();
                }
                w.WriteLine(t + " max = probabilities[0];");
                w.WriteLine("for (int k = 1; k < MarginCount; k++)");
                w.OpenBrace();
                w.WriteLine("max = " + math + ".Max(probabilities[k], max);");
                w.CloseBrace();
                // XGBoost sums the exponentials in double, LightGBM too (its values are doubles already).
                w.WriteLine("double sum = 0;");
                w.WriteLine("for (int k = 0; k < MarginCount; k++)");
                w.OpenBrace();
                w.WriteLine("probabilities[k] = " + math + ".Exp(probabilities[k] - max);");
                w.WriteLine("sum += probabilities[k];");
                w.CloseBrace();
                w.WriteLine("for (int k = 0; k < MarginCount; k++)");
                w.OpenBrace();
                w.WriteLine("probabilities[k] /= (" + t + ")sum;");
                w.CloseBrace();
                w.CloseBrace();
                break;
        }
        w.WriteLine();
    }

    private static string PredictSummary(ModelSpec model) => model.Link switch
    {
        ModelLink.Sigmoid => "The prediction of one row: the logistic function of its margin, a probability.",
        ModelLink.Exp => "The prediction of one row: the exponential of its margin.",
        ModelLink.ArgMax => "The prediction of one row: the class with the largest margin (the first of equal ones), as a number.",
        ModelLink.Softmax => "The prediction of one row: the probability of each class (the softmax of the margins).",
        _ => "The prediction of one row: its margin.",
    };

    private static void WriteLinear(SourceWriter w, ModelSpec model)
    {
        for (int g = 0; g < model.Groups; g++)
        {
            w.WriteLine("// Class " + g + ": bias, then weight times feature for each feature that is not missing, in feature order.");
            w.WriteLine("private static float Linear" + g + "(global::System.ReadOnlySpan<float> x, float m)");
            w.OpenBrace();
            w.WriteLine("m += " + model.LinearBias[g] + ";");
            for (int f = 0; f < model.FeatureCount; f++)
            {
                w.WriteLine("if (!float.IsNaN(x[" + f + "])) m += x[" + f + "] * " + model.LinearWeights[f * model.Groups + g] + ";");
            }
            w.WriteLine("return m;");
            w.CloseBrace();
            w.WriteLine();
        }
    }

    private static void WriteTree(SourceWriter w, ModelSpec model, int index)
    {
        TreeSpec tree = model.Trees[index];
        string t = model.ValueType;
        w.WriteLine("private static " + t + " Tree" + index + "(global::System.ReadOnlySpan<" + t + "> x)");
        w.OpenBrace();
        WriteNode(w, model, tree, 0);
        w.CloseBrace();
        w.WriteLine();
    }

    private static void WriteNode(SourceWriter w, ModelSpec model, TreeSpec tree, int node)
    {
        TreeNodeSpec n = tree.Nodes[node];
        if (n.IsLeaf)
        {
            w.WriteLine("return " + n.Value + ";");
            return;
        }
        w.WriteLine("if (" + Condition(model, n) + ")");
        w.OpenBrace();
        WriteNode(w, model, tree, n.Left);
        w.CloseBrace();
        w.WriteLine("else");
        w.OpenBrace();
        WriteNode(w, model, tree, n.Right);
        w.CloseBrace();
    }

    /// <summary>When a row goes left at split <paramref name="n"/>, written out for its missing-value rule.</summary>
    private static string Condition(ModelSpec model, TreeNodeSpec n)
    {
        string x = "x[" + n.Feature + "]";
        string threshold = n.Value;
        if (model.Format == ModelFormat.XGBoost)
        {
            // NaN fails '<', so it goes right unless the default is left.
            return n.DefaultLeft ? x + " < " + threshold + " || float.IsNaN(" + x + ")" : x + " < " + threshold;
        }
        // LightGBM's C API reads a value within ±1e-35 as 0 before the trees see it; that changes a comparison only
        // with a threshold near 0, where the value is zeroed first (exact everywhere, so the band may be generous).
        string compare = NearZero(n.Value) ? "Zeroed(" + x + ") <= " + threshold : x + " <= " + threshold;
        switch (n.Missing)
        {
            case MissingKind.AsZero:
                // NaN is read as 0, so it goes left when 0 <= threshold; LightGBM has no default way here.
                return compare + " || (double.IsNaN(" + x + ") && 0d <= " + threshold + ")";
            case MissingKind.Zero:
                // NaN and (near) zero are missing and go the default way; anything else is compared.
                string missing = "IsZeroOrNaN(" + x + ")";
                return n.DefaultLeft ? missing + " || " + compare : "!" + missing + " && " + compare;
            default:
                return n.DefaultLeft ? compare + " || double.IsNaN(" + x + ")" : compare;
        }
    }

    private static bool NearZero(string literal) =>
        double.TryParse(literal.TrimEnd('d'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
        && System.Math.Abs(value) <= 2e-35;

    private static void WriteCheck(SourceWriter w, ModelSpec model)
    {
        w.WriteLine("private static void CheckLengths(int features, int margins)");
        w.OpenBrace();
        w.WriteLine("if (features < FeatureCount || margins < MarginCount)");
        w.OpenBrace();
        w.WriteLine("throw new global::System.ArgumentException(\"The model reads \" + FeatureCount + \" features and gives \" + MarginCount + \" margins; got room for \" + features + \" and \" + margins + \".\");");
        w.CloseBrace();
        w.CloseBrace();
        if (model.Format == ModelFormat.LightGbm)
        {
            w.WriteLine();
            w.WriteLine("// LightGBM's kZeroThreshold (1e-35f as a double): a value this close to 0 is zero, missing for a split of missing type Zero.");
            w.WriteLine("private static bool IsZeroOrNaN(double v) => double.IsNaN(v) || (v >= -(double)1e-35f && v <= (double)1e-35f);");
            if (model.Trees.Any(tree => tree.Nodes.Any(n => !n.IsLeaf && NearZero(n.Value))))
            {
                w.WriteLine();
                w.WriteLine("// What LightGBM's C API passes its trees: a value within ±1e-35 as 0 (NaN stays NaN).");
                w.WriteLine("private static double Zeroed(double v) => v >= -(double)1e-35f && v <= (double)1e-35f ? 0d : v;");
            }
        }
    }

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
