using System.Collections.Generic;
using System.Linq;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Scoring;

/// <summary>
/// Writes a score stage's model as C#: a static class nested in the pipeline class (<c>FraudFeatures.PredictModel</c>)
/// holding its trees (complete trees in flat arrays for <c>Dsl.Kernels.CompleteTrees32/64</c>, or one method per tree
/// as nested <c>if</c>s) and one-row and batch <c>Margin</c>/<c>Predict</c> methods that sum them the way the library
/// does. The score stage's kernel calls the batch methods once a batch; a service can call either with the same features.
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
        if (IsComplete(model))
        {
            WriteCompleteTrees(w, model);
        }
        else
        {
            for (int i = 0; i < model.Trees.Count; i++)
            {
                WriteTree(w, model, i);
            }
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

    /// <summary>
    /// Whether the trees are written as complete trees in flat arrays, walked by <c>Dsl.Kernels.CompleteTrees32</c>
    /// (XGBoost, eight rows at a time with vector gathers) or <c>CompleteTrees64</c> (LightGBM, four rows at a time):
    /// trees up to depth <see cref="CompleteTreeLayout.MaxDepth"/>. Deeper trees, and models of single leaves (depth 0),
    /// are nested <c>if</c>s, one method per tree.
    /// </summary>
    internal static bool IsComplete(ModelSpec model) => CompleteTreeLayout.IsComplete(model);

    private static void WriteMargin(SourceWriter w, ModelSpec model)
    {
        string t = model.ValueType;
        string span = "global::System.ReadOnlySpan<" + t + ">";
        bool single = model.Groups == 1;
        w.WriteLine("/// <summary>The raw " + (single ? "margin" : "margins, one per class,") + " of one row: the base score and the " + (model.IsLinear ? "linear terms" : "trees") + ", before the objective's link.</summary>");
        w.WriteLine("/// <param name=\"x\">The row's features in the model's order (<see cref=\"FeatureCount\"/> of them); NaN for a missing value.</param>");
        if (single)
        {
            w.WriteLine("public static " + t + " Margin(" + span + " x)");
            w.OpenBrace();
            w.WriteLine("global::System.Span<" + t + "> margin = stackalloc " + t + "[1];");
            w.WriteLine("Margin(x, margin);");
            w.WriteLine("return margin[0];");
            w.CloseBrace();
            w.WriteLine();
            w.WriteLine("/// <summary>The raw margin of one row, into <paramref name=\"margins\"/>[0].</summary>");
        }
        else
        {
            w.WriteLine("/// <param name=\"margins\">Where the " + model.Groups + " margins go.</param>");
        }
        w.WriteLine("public static void Margin(" + span + " x, global::System.Span<" + t + "> margins)");
        w.OpenBrace();
        w.WriteLine("CheckLengths(x.Length, margins.Length);");
        for (int g = 0; g < model.Groups; g++)
        {
            w.WriteLine("margins[" + g + "] = BaseMargin" + g + ";");
        }
        if (model.IsLinear)
        {
            for (int g = 0; g < model.Groups; g++)
            {
                w.WriteLine("margins[" + g + "] = Linear" + g + "(x, margins[" + g + "]);");
            }
        }
        else if (IsComplete(model))
        {
            w.WriteLine("Trees.AddMargins(x, margins);");
        }
        else
        {
            for (int i = 0; i < model.Trees.Count; i++)
            {
                w.WriteLine("margins[" + model.Trees[i].Group + "] += Tree" + i + "(x);");
            }
        }
        w.CloseBrace();
        w.WriteLine();

        w.WriteLine("/// <summary>The raw margins of <paramref name=\"rows\"/> rows, whose features <paramref name=\"x\"/> holds row after row, into <paramref name=\"margins\"/> (<see cref=\"MarginCount\"/> a row).</summary>");
        w.WriteLine("public static void MarginBatch(" + span + " x, int rows, global::System.Span<" + t + "> margins)");
        w.OpenBrace();
        w.WriteLine("CheckLengths(x.Length, margins.Length, rows);");
        if (IsComplete(model))
        {
            w.WriteLine("for (int r = 0; r < rows; r++)");
            w.OpenBrace();
            for (int g = 0; g < model.Groups; g++)
            {
                w.WriteLine("margins[r * MarginCount + " + g + "] = BaseMargin" + g + ";");
            }
            w.CloseBrace();
            w.WriteLine("Trees.AddMargins(x, rows, margins);");
        }
        else
        {
            w.WriteLine("for (int r = 0; r < rows; r++)");
            w.OpenBrace();
            w.WriteLine("Margin(x.Slice(r * FeatureCount, FeatureCount), margins.Slice(r * MarginCount, MarginCount));");
            w.CloseBrace();
        }
        w.CloseBrace();
        w.WriteLine();
    }

    private static void WritePredict(SourceWriter w, ModelSpec model)
    {
        string t = model.ValueType;
        string span = "global::System.ReadOnlySpan<" + t + ">";
        string math = t == "float" ? "global::System.MathF" : "global::System.Math";
        int outputs = model.Outputs(margin: false);
        w.WriteLine("/// <summary>" + PredictSummary(model) + "</summary>");
        w.WriteLine("/// <param name=\"x\">The row's features in the model's order (<see cref=\"FeatureCount\"/> of them); NaN for a missing value.</param>");
        if (model.Link == ModelLink.Softmax)
        {
            w.WriteLine("/// <param name=\"probabilities\">Where the " + model.Groups + " class probabilities go.</param>");
            w.WriteLine("public static void Predict(" + span + " x, global::System.Span<" + t + "> probabilities)");
            w.OpenBrace();
            w.WriteLine("Margin(x, probabilities);");
            w.WriteLine("Softmax(probabilities);");
            w.CloseBrace();
        }
        else if (model.Link == ModelLink.ArgMax)
        {
            w.WriteLine("public static " + t + " Predict(" + span + " x)");
            w.OpenBrace();
            w.WriteLine("global::System.Span<" + t + "> m = stackalloc " + t + "[MarginCount];");
            w.WriteLine("Margin(x, m);");
            w.WriteLine("return ArgMax(m);");
            w.CloseBrace();
        }
        else
        {
            w.WriteLine("public static " + t + " Predict(" + span + " x) => Link(Margin(x));");
        }
        w.WriteLine();

        w.WriteLine("/// <summary>The predictions of <paramref name=\"rows\"/> rows, whose features <paramref name=\"x\"/> holds row after row, into <paramref name=\"predictions\"/> (" + outputs + " a row).</summary>");
        w.WriteLine("public static void PredictBatch(" + span + " x, int rows, global::System.Span<" + t + "> predictions)");
        w.OpenBrace();
        if (model.Link == ModelLink.ArgMax)
        {
            w.WriteLine("CheckLengths(x.Length, predictions.Length * MarginCount, rows);");
            w.WriteLine(t + "[] margins = global::System.Buffers.ArrayPool<" + t + ">.Shared.Rent(rows * MarginCount);");
            w.WriteLine("try");
            w.OpenBrace();
            w.WriteLine("MarginBatch(x, rows, margins);");
            w.WriteLine("for (int r = 0; r < rows; r++)");
            w.OpenBrace();
            w.WriteLine("predictions[r] = ArgMax(new global::System.ReadOnlySpan<" + t + ">(margins, r * MarginCount, MarginCount));");
            w.CloseBrace();
            w.CloseBrace();
            w.WriteLine("finally");
            w.OpenBrace();
            w.WriteLine("global::System.Buffers.ArrayPool<" + t + ">.Shared.Return(margins);");
            w.CloseBrace();
        }
        else
        {
            w.WriteLine("MarginBatch(x, rows, predictions);");
            w.WriteLine("for (int r = 0; r < rows; r++)");
            w.OpenBrace();
            w.WriteLine(model.Link == ModelLink.Softmax
                ? "Softmax(predictions.Slice(r * MarginCount, MarginCount));"
                : "predictions[r] = Link(predictions[r]);");
            w.CloseBrace();
        }
        w.CloseBrace();
        w.WriteLine();

        // The link, written once for one row and for a batch.
        string average = model.AverageTrees ? " / " + (model.Trees.Count / model.Groups) : string.Empty;
        switch (model.Link)
        {
            case ModelLink.Softmax:
                w.WriteLine("// Probabilities from margins in place: exp(m - max) / sum, the sum in double, as the library computes them.");
                w.WriteLine("private static void Softmax(global::System.Span<" + t + "> p)");
                w.OpenBrace();
                if (model.AverageTrees)
                {
                    w.WriteLine("// A random forest: the mean of its trees.");
                    w.WriteLine("for (int k = 0; k < MarginCount; k++)");
                    w.OpenBrace();
                    w.WriteLine("p[k] /= " + (model.Trees.Count / model.Groups) + ";");
                    w.CloseBrace();
                }
                w.WriteLine(t + " max = p[0];");
                w.WriteLine("for (int k = 1; k < MarginCount; k++)");
                w.OpenBrace();
                w.WriteLine("max = " + math + ".Max(p[k], max);");
                w.CloseBrace();
                w.WriteLine("double sum = 0;");
                w.WriteLine("for (int k = 0; k < MarginCount; k++)");
                w.OpenBrace();
                w.WriteLine("p[k] = " + math + ".Exp(p[k] - max);");
                w.WriteLine("sum += p[k];");
                w.CloseBrace();
                w.WriteLine("for (int k = 0; k < MarginCount; k++)");
                w.OpenBrace();
                w.WriteLine("p[k] /= (" + t + ")sum;");
                w.CloseBrace();
                w.CloseBrace();
                break;
            case ModelLink.ArgMax:
                w.WriteLine("// The class with the largest margin, the first of equal ones.");
                w.WriteLine("private static " + t + " ArgMax(global::System.ReadOnlySpan<" + t + "> m)");
                w.OpenBrace();
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
            case ModelLink.Sigmoid when model.Format == ModelFormat.XGBoost:
                w.WriteLine("// XGBoost's sigmoid: the exponent clamped at 88.7 (expf overflows above), and 1e-16f that no float >= 1 notices.");
                w.WriteLine("private static float Link(float m) => 1f / (global::System.MathF.Exp(global::System.MathF.Min(-m" + average + ", 88.7f)) + 1f + 1e-16f);");
                break;
            case ModelLink.Sigmoid:
                w.WriteLine("private static double Link(double m) => 1d / (1d + global::System.Math.Exp(-" + model.LinkScale + " * (m" + average + ")));");
                break;
            case ModelLink.Exp:
                w.WriteLine("private static " + t + " Link(" + t + " m) => " + math + ".Exp(m" + average + ");");
                break;
            default:
                w.WriteLine("private static " + t + " Link(" + t + " m) => m" + average + ";");
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

    /// <summary>
    /// The trees as complete trees of the model's depth (<see cref="CompleteTreeLayout"/>): per tree, its splits level by
    /// level (node i's children are 2i+1 and 2i+2; a leaf above the bottom is repeated below itself), then its bottom
    /// level's values.
    /// </summary>
    private static void WriteCompleteTrees(SourceWriter w, ModelSpec model)
    {
        CompleteTreeLayout layout = CompleteTreeLayout.Of(model);
        int depth = layout.Depth;
        int splits = layout.Splits;
        bool lightGbm = model.Format == ModelFormat.LightGbm;
        static string Int(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        w.WriteLine("// " + model.Trees.Count + " trees as complete trees of depth " + depth + " (" + splits + " splits and " + (splits + 1) + " leaves each): per tree, the");
        w.WriteLine("// splits level by level (node i's children are 2i+1, left, and 2i+2), a leaf above the bottom repeated below itself.");
        if (lightGbm)
        {
            w.WriteLine("// A split's missing type (LightGBM's): 0 None (NaN is read as 0), 1 Zero (NaN and 0 go the default way), 2 NaN.");
        }
        w.WriteLine("private static readonly global::Dsl.Kernels." + (lightGbm ? "CompleteTrees64" : "CompleteTrees32") + " Trees = new(");
        w.Indent();
        w.WriteLine("depth: " + depth + ",");
        w.WriteLine("features: FeatureCount,");
        w.WriteLine("groups: MarginCount,");
        WriteArray(w, "group", "int", layout.Group.Select(Int).ToList(), ",");
        WriteArray(w, "feature", "int", layout.Feature.Select(Int).ToList(), ",");
        WriteArray(w, "threshold", model.ValueType, layout.Threshold.ToList(), ",");
        if (lightGbm)
        {
            WriteArray(w, "missingType", "byte", layout.MissingType.Select(m => Int(m)).ToList(), ",");
        }
        WriteArray(w, "missingLeft", "bool", layout.MissingLeft.Select(l => l ? "true" : "false").ToList(), ",");
        WriteArray(w, "leaves", model.ValueType, layout.Leaves.ToList(), ");");
        w.Unindent();
        w.WriteLine();
    }

    private static void WriteArray(SourceWriter w, string name, string type, List<string> values, string end)
    {
        w.WriteLine(name + ": new " + type + "[]");
        w.OpenBrace();
        const int PerLine = 16;
        for (int i = 0; i < values.Count; i += PerLine)
        {
            w.WriteLine(string.Join(", ", values.Skip(i).Take(PerLine)) + ",");
        }
        w.CloseBrace(end);
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
        string compare = n.NearZero ? "Zeroed(" + x + ") <= " + threshold : x + " <= " + threshold;
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

    private static void WriteCheck(SourceWriter w, ModelSpec model)
    {
        w.WriteLine("private static void CheckLengths(int features, int margins, int rows = 1)");
        w.OpenBrace();
        w.WriteLine("if (rows < 0 || features < rows * FeatureCount || margins < rows * MarginCount)");
        w.OpenBrace();
        w.WriteLine("throw new global::System.ArgumentException(\"The model reads \" + FeatureCount + \" features a row and gives \" + MarginCount + \" margins; \" + rows + \" rows got room for \" + features + \" and \" + margins + \".\");");
        w.CloseBrace();
        w.CloseBrace();
        if (model.Format == ModelFormat.LightGbm && !IsComplete(model))
        {
            w.WriteLine();
            w.WriteLine("// LightGBM's kZeroThreshold (1e-35f as a double): a value this close to 0 is zero, missing for a split of missing type Zero.");
            w.WriteLine("private static bool IsZeroOrNaN(double v) => double.IsNaN(v) || (v >= -(double)1e-35f && v <= (double)1e-35f);");
            if (model.Trees.Any(tree => tree.Nodes.Any(n => !n.IsLeaf && n.NearZero)))
            {
                w.WriteLine();
                w.WriteLine("// What LightGBM's C API passes its trees: a value within ±1e-35 as 0 (NaN stays NaN).");
                w.WriteLine("private static double Zeroed(double v) => v >= -(double)1e-35f && v <= (double)1e-35f ? 0d : v;");
            }
        }
    }

    private static string Xml(string text) => ModelSpec.OneLine(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
