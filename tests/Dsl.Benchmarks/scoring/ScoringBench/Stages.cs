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
