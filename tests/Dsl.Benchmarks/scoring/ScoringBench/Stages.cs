namespace Dsl.ScoringBench;

[Schema] public partial record Row(long Id, double F0, double F1, double F2, double F3, double F4, double F5, double F6, double F7, double F8, double F9, double F10, double F11, double F12, double F13, double F14, double F15, double F16, double F17, double F18, double F19, double F20, double F21, double F22, double F23, double F24, double F25, double F26, double F27, double F28, double F29);
[Schema] public partial record XgbScore(long Id, float P);
[Schema] public partial record LgbScore(long Id, double P);

/// <summary>The benchmark's two models (200 trees of depth 6 over 30 features), each compiled into a score stage.</summary>
[Pipeline("scoring-bench")]
public static partial class ScoringBench
{
    [Score("models/xgb.json")]
    public static XgbScore Xgb(Row r, float p) => new(r.Id, p);

    [Score("models/lgb.txt")]
    public static LgbScore Lgb(Row r, double p) => new(r.Id, p);
}

/// <summary>
/// The same scoring with the models given at run time (<c>--model</c>): the XGBoost and LightGBM files read by the
/// runtime's loaders, and the XGBoost trees as ONNX through Dsl.Onnx, each behind the score stage's kernel.
/// </summary>
[Pipeline("scoring-bench-runtime")]
public static partial class RunTimeScoringBench
{
    [Score(ModelName = "xgb", Features = new[] { nameof(Row.F0), nameof(Row.F1), nameof(Row.F2), nameof(Row.F3), nameof(Row.F4), nameof(Row.F5), nameof(Row.F6), nameof(Row.F7), nameof(Row.F8), nameof(Row.F9), nameof(Row.F10), nameof(Row.F11), nameof(Row.F12), nameof(Row.F13), nameof(Row.F14), nameof(Row.F15), nameof(Row.F16), nameof(Row.F17), nameof(Row.F18), nameof(Row.F19), nameof(Row.F20), nameof(Row.F21), nameof(Row.F22), nameof(Row.F23), nameof(Row.F24), nameof(Row.F25), nameof(Row.F26), nameof(Row.F27), nameof(Row.F28), nameof(Row.F29) })]
    public static XgbScore Xgb(Row r, float p) => new(r.Id, p);

    [Score(ModelName = "lgb", Features = new[] { nameof(Row.F0), nameof(Row.F1), nameof(Row.F2), nameof(Row.F3), nameof(Row.F4), nameof(Row.F5), nameof(Row.F6), nameof(Row.F7), nameof(Row.F8), nameof(Row.F9), nameof(Row.F10), nameof(Row.F11), nameof(Row.F12), nameof(Row.F13), nameof(Row.F14), nameof(Row.F15), nameof(Row.F16), nameof(Row.F17), nameof(Row.F18), nameof(Row.F19), nameof(Row.F20), nameof(Row.F21), nameof(Row.F22), nameof(Row.F23), nameof(Row.F24), nameof(Row.F25), nameof(Row.F26), nameof(Row.F27), nameof(Row.F28), nameof(Row.F29) })]
    public static LgbScore Lgb(Row r, double p) => new(r.Id, p);

    [Score(ModelName = "onnx", Features = new[] { nameof(Row.F0), nameof(Row.F1), nameof(Row.F2), nameof(Row.F3), nameof(Row.F4), nameof(Row.F5), nameof(Row.F6), nameof(Row.F7), nameof(Row.F8), nameof(Row.F9), nameof(Row.F10), nameof(Row.F11), nameof(Row.F12), nameof(Row.F13), nameof(Row.F14), nameof(Row.F15), nameof(Row.F16), nameof(Row.F17), nameof(Row.F18), nameof(Row.F19), nameof(Row.F20), nameof(Row.F21), nameof(Row.F22), nameof(Row.F23), nameof(Row.F24), nameof(Row.F25), nameof(Row.F26), nameof(Row.F27), nameof(Row.F28), nameof(Row.F29) })]
    public static XgbScore Onnx(Row r, float p) => new(r.Id, p);
}
