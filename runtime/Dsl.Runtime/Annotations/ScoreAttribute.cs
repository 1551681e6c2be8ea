namespace Dsl;

/// <summary>
/// A scoring stage: <c>static TOut Name(TIn row, float prediction)</c>. The build reads the model file
/// <see cref="Model"/> (an XGBoost JSON model, tree or linear booster, or a LightGBM text model) and compiles it into
/// C#; each batch, the stage's kernel scores all its rows at once, then calls the method once per row with the model's
/// prediction for the row's features, so the method decides what to keep next to it (an id, the label, the features).
/// A model known only at run time is named instead (<c>[Score(ModelName = "fraud", Features = ...)]</c>), and the run
/// gives its file (<c>--model fraud=PATH</c> or <c>models:</c> in <c>pipeline.yaml</c>): an XGBoost or LightGBM file,
/// or an ONNX or TorchScript one when the project references <c>Dsl.Onnx</c> or <c>Dsl.Torch</c>.
/// </summary>
/// <remarks>
/// <para>
/// Features are the input row's members named by the model (<c>feature_names</c> in XGBoost, <c>feature_names</c> in
/// LightGBM), or the members listed in <see cref="Features"/> in the model's order, which decide whatever the model
/// calls its features (and are needed for a model without names: XGBoost trained from a NumPy array, LightGBM's
/// <c>Column_0</c>...). A member may be any integer or floating-point type
/// or <c>bool</c> (1 or 0), nullable or not; null is the model's missing value, as NaN is.
/// </para>
/// <para>
/// After the row come the model's outputs, each <c>float</c> or <c>double</c>: one for a regression or binary model,
/// one per class for a multi-class model that gives probabilities (XGBoost's <c>multi:softprob</c>, LightGBM's
/// <c>multiclass</c>), and one (the class, as XGBoost returns it) for <c>multi:softmax</c>.
/// </para>
/// </remarks>
[System.AttributeUsage(System.AttributeTargets.Method, Inherited = false)]
public sealed class ScoreAttribute : StageAttribute
{
    /// <param name="model">The model file, relative to the project folder (<c>models/fraud.json</c>).</param>
    public ScoreAttribute(string model)
    {
        Model = model;
    }

    /// <summary>A stage whose model is given at run time: set <see cref="ModelName"/> and <see cref="Features"/>.</summary>
    public ScoreAttribute()
    {
        Model = string.Empty;
    }

    /// <summary>The model file, relative to the project folder; the SDK gives the build every file under <c>models/</c>.</summary>
    public string Model { get; }

    /// <summary>
    /// The name of a model given at run time instead of a file compiled in: <c>--model NAME=PATH</c>, or
    /// <c>models: { NAME: PATH }</c> in <c>pipeline.yaml</c>. Letters, digits, <c>_</c>, <c>-</c> and <c>.</c>;
    /// <see cref="Features"/> is then required, since the build does not see the model's feature names.
    /// </summary>
    public string? ModelName { get; set; }

    /// <summary>
    /// The input members that are the model's features, in the model's order (write
    /// <c>new[] { nameof(Features.Amount), ... }</c>); when given, they decide, whatever names the model holds.
    /// </summary>
    public string[]? Features { get; set; }

    /// <summary>What the outputs are: the model's prediction (default) or its raw margins before the link function.</summary>
    public ScoreOutput Output { get; set; } = ScoreOutput.Prediction;
}

/// <summary>What a <see cref="ScoreAttribute"/> stage's outputs are.</summary>
public enum ScoreOutput
{
    /// <summary>
    /// The prediction in the model's output space: a probability for a logistic objective, the value for a
    /// regression, class probabilities for <c>multi:softprob</c> and <c>multiclass</c>, the class for <c>multi:softmax</c>.
    /// </summary>
    Prediction,

    /// <summary>The raw sum of the trees (and the base score) before the objective's link: XGBoost's <c>output_margin</c>, LightGBM's raw score.</summary>
    Margin,
}
