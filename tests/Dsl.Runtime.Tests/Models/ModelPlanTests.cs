using System.Text.Json;
using Dsl.Execution;
using Dsl.Execution.Commit;
using Dsl.Hosting;

namespace Dsl.Runtime.Tests.Models;

/// <summary>
/// A score stage's model is part of the plan: explain's text and JSON show it, and another model file (another hash)
/// gives another run fingerprint, so a rerun recomputes every partition instead of reusing them.
/// </summary>
public sealed class ModelPlanTests
{
    private static PipelinePlan Plan(string sha256) => new(
        "scores",
        "F",
        new Dictionary<string, BatchSchema>
        {
            ["F"] = new BatchSchema(new ColumnField("Amount", ColumnType.Double, false)),
            ["S"] = new BatchSchema(new ColumnField("P", ColumnType.Float, false)),
        },
        [new StagePlan("Predict", StageKind.Map, "F", "S", null, true, null,
            Model: new ModelPlan("models/fraud.json", sha256, "XGBoost binary:logistic, 200 trees, 1 feature", ["Amount"], "prediction"))],
        [new SegmentPlan(0, ["Predict"], null, "F", "S", true, ["Amount"])]);

    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);

    [Fact]
    public void Explain_ShowsTheModel_InTextAndJson()
    {
        Assert.Contains(
            "model models/fraud.json (XGBoost binary:logistic, 200 trees, 1 feature, sha256 aaaaaaaaaaaa), compiled into the kernel; prediction from Amount",
            PlanPrinter.ToText(Plan(ShaA)), StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(PlanJson.ToJson(Plan(ShaA)));
        JsonElement model = json.RootElement.GetProperty("stages")[0].GetProperty("model");
        Assert.Equal("models/fraud.json", model.GetProperty("file").GetString());
        Assert.Equal(ShaA, model.GetProperty("sha256").GetString());
        Assert.Equal("prediction", model.GetProperty("output").GetString());
        Assert.Equal(["Amount"], model.GetProperty("features").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void AnotherModel_GivesAnotherRunFingerprint()
    {
        string Fingerprint(string sha) => Fingerprints.Run("code", PlanJson.ToJson(Plan(sha)), "settings", ["out"]);
        Assert.Equal(Fingerprint(ShaA), Fingerprint(ShaA));
        Assert.NotEqual(Fingerprint(ShaA), Fingerprint(ShaB));
    }
}
