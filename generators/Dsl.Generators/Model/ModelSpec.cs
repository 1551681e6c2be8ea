using Dsl.Generators.Common;

// The model a file holds, apart from the stage that scores it: Dsl.Runtime compiles this file too (a linked item), so a
// model loaded at run time is the same record a compiled one is.
namespace Dsl.Generators.Model;

/// <summary>The library a model file comes from.</summary>
internal enum ModelFormat
{
    /// <summary>An XGBoost JSON model (<c>save_model("x.json")</c>): float32 features, thresholds and sums.</summary>
    XGBoost,

    /// <summary>A LightGBM text model (<c>save_model</c>, <c>LGBM_BoosterSaveModel</c>): float64 throughout.</summary>
    LightGbm,
}

/// <summary>The function from a model's margins to its prediction.</summary>
internal enum ModelLink
{
    Identity,

    /// <summary><c>1 / (1 + exp(-scale * m))</c>.</summary>
    Sigmoid,

    /// <summary>Probabilities from the class margins: <c>exp(m_k - max) / sum</c>.</summary>
    Softmax,

    /// <summary>The class with the largest margin (the first of equal ones), as a number.</summary>
    ArgMax,

    /// <summary><c>exp(m)</c> (Poisson, Tweedie and Gamma objectives).</summary>
    Exp,
}

/// <summary>How a LightGBM split treats missing values (XGBoost's are always NaN).</summary>
internal enum MissingKind
{
    /// <summary>XGBoost, LightGBM's <c>NaN</c> type: NaN goes the default way.</summary>
    NaN,

    /// <summary>LightGBM's <c>None</c> type: NaN is read as 0.</summary>
    AsZero,

    /// <summary>LightGBM's <c>Zero</c> type: NaN and values within ±1e-35 go the default way.</summary>
    Zero,
}

/// <summary>
/// One node of a tree in the model's order. A split has <see cref="Left"/> and <see cref="Right"/> node indices; a leaf
/// has <see cref="Left"/> = -1 and its value in <see cref="Value"/>.
/// </summary>
/// <param name="Feature">The feature a split reads (its index in the model's feature order).</param>
/// <param name="Value">The split's threshold or the leaf's value: a C# literal of the model's type, from the digits the file writes.</param>
/// <param name="Left">The node a split sends a value to when its comparison with the threshold holds (XGBoost: below it; LightGBM: at or below it); -1 for a leaf.</param>
/// <param name="Right">The node a split sends the other values to.</param>
/// <param name="DefaultLeft">Whether a missing value goes left.</param>
/// <param name="Missing">What the split counts as missing.</param>
internal sealed record TreeNodeSpec(int Feature, string Value, int Left, int Right, bool DefaultLeft, MissingKind Missing)
{
    public bool IsLeaf => Left < 0;

    /// <summary>
    /// For a LightGBM split: whether its threshold is within 2e-35 of 0, where a value within ±1e-35 (which LightGBM's C
    /// API reads as 0) could compare otherwise than 0 does, so the value is zeroed before it is compared.
    /// </summary>
    public bool NearZero =>
        double.TryParse(Value.TrimEnd('d'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
        && System.Math.Abs(value) <= 2e-35;
}

/// <summary>One tree: the output (class) it adds to and its nodes, the root first.</summary>
internal sealed record TreeSpec(int Group, EquatableArray<TreeNodeSpec> Nodes);

/// <summary>
/// A model file read at build time: its kind, features, margins' starting values, trees or linear weights, and link.
/// </summary>
/// <param name="Path">The file as the stage names it.</param>
/// <param name="Sha256">The SHA-256 of the file's bytes (lower-case hex), recorded in the run manifest.</param>
/// <param name="Format">The library that wrote the file.</param>
/// <param name="Objective">The objective as the file names it (<c>binary:logistic</c>, <c>binary sigmoid:1</c>).</param>
/// <param name="Link">The function from margins to predictions.</param>
/// <param name="Groups">The number of margins (classes for a multi-class model, else 1).</param>
/// <param name="FeatureCount">The number of features the model reads.</param>
/// <param name="FeatureNames">The names the model gives its features, or empty.</param>
/// <param name="BaseMargins">Per group, the C# expression of the margin every row starts from.</param>
/// <param name="LinkScale">For a sigmoid: its scale as C# text (XGBoost: 1; LightGBM: the <c>sigmoid:</c> value).</param>
/// <param name="Trees">The trees in the order the library sums them.</param>
/// <param name="LinearWeights">For a linear booster: the weight of feature f for group g at <c>f * Groups + g</c>, as C# literals.</param>
/// <param name="LinearBias">For a linear booster: per group, its bias as a C# literal.</param>
/// <param name="AverageTrees">LightGBM random-forest models: the margin is the trees' mean, not their sum.</param>
internal sealed record ModelSpec(
    string Path,
    string Sha256,
    ModelFormat Format,
    string Objective,
    ModelLink Link,
    int Groups,
    int FeatureCount,
    EquatableArray<string> FeatureNames,
    EquatableArray<string> BaseMargins,
    string LinkScale,
    EquatableArray<TreeSpec> Trees,
    EquatableArray<string> LinearWeights,
    EquatableArray<string> LinearBias,
    bool AverageTrees = false)
{
    /// <summary>The C# type of features, thresholds and sums: XGBoost computes in float32, LightGBM in float64.</summary>
    public string ValueType => Format == ModelFormat.XGBoost ? "float" : "double";

    /// <summary>Whether the model is a linear booster (XGBoost's <c>gblinear</c>).</summary>
    public bool IsLinear => !LinearBias.IsEmpty;

    /// <summary>How many values a prediction has (one per class for probabilities, else one).</summary>
    public int Outputs(bool margin) => margin || Link == ModelLink.Softmax ? Groups : 1;

    /// <summary>
    /// <paramref name="text"/> (from a model file or an attribute) with every character that ends a C# line or is a
    /// control character made a space, so it can go into a generated comment and stay one.
    /// </summary>
    public static string OneLine(string text)
    {
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) || chars[i] is '\u0085' or '\u2028' or '\u2029')
            {
                chars[i] = ' ';
            }
        }
        return new string(chars);
    }

    /// <summary>A one-line description for comments and <c>explain</c>.</summary>
    public string Describe() =>
        (Format == ModelFormat.XGBoost ? "XGBoost" : "LightGBM") + " " + OneLine(Objective) + ", "
        + (IsLinear ? "linear" : Trees.Count + " tree" + (Trees.Count == 1 ? string.Empty : "s"))
        + ", " + FeatureCount + " feature" + (FeatureCount == 1 ? string.Empty : "s")
        + (Groups > 1 ? ", " + Groups + " classes" : string.Empty);
}
