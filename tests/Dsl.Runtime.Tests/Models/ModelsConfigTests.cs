using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Models;
using Dsl.Runtime.Tests.Execution;

namespace Dsl.Runtime.Tests.Models;

/// <summary>
/// <c>models:</c> in pipeline.yaml: a path, or a path with <c>batchRows</c> and <c>concurrency</c>, per model a score
/// stage takes at run time; any other shape, option or name is a DSL5005 problem at its line.
/// </summary>
public sealed class ModelsConfigTests : IDisposable
{
    // Map 'Score' takes model 'credit' at run time.
    private static readonly PipelinePlan Plan = new(
        "scores",
        "N",
        new Dictionary<string, BatchSchema> { ["N"] = TestPipelines.Numbers },
        [
            new StagePlan("Score", StageKind.Map, "N", "N", null, true, null,
                Model: new ModelPlan("", "", "given at run time", ["x"], "prediction") { RunTimeName = "credit", Outputs = 1 }),
        ],
        [new SegmentPlan(0, ["Score"], null, "N", "N", true, ["x"])]);

    private readonly string _root = Directory.CreateTempSubdirectory("dsl-modelcfg-").FullName;

    private string ConfigPath => Path.Combine(_root, "pipeline.yaml");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Models_AsPathsOrWithOptions_AreRead()
    {
        File.WriteAllText(ConfigPath, "models:\n  credit: models/credit.onnx\n");
        (PipelineConfig plain, IReadOnlyList<ConfigProblem> none) = PipelineConfig.ReadAndCheck(ConfigPath, Plan);
        Assert.Empty(none);
        Assert.Equal(new ModelSource("models/credit.onnx"), plain.Models["credit"]);

        File.WriteAllText(ConfigPath, "models:\n  credit: { path: m.onnx, batchRows: 4_096, concurrency: 1 }\n");
        (PipelineConfig paced, IReadOnlyList<ConfigProblem> still) = PipelineConfig.ReadAndCheck(ConfigPath, Plan);
        Assert.Empty(still);
        Assert.Equal(new ModelSource("m.onnx") { BatchRows = 4096, Concurrency = 1 }, paced.Models["credit"]);
    }

    [Theory]
    [InlineData("models: m.onnx\n", 1, 9, "Setting 'models' must map model names to files")]
    [InlineData("models:\n  credti: m.onnx\n", 2, 3, "Model 'credti' is taken by no score stage: its score stages take 'credit'.")]
    [InlineData("models:\n  credit: { path: m.onnx, rows: 5 }\n", 2, 27, "Unknown setting 'models.credit.rows'. Known settings of a model are path, batchRows and concurrency.")]
    [InlineData("models:\n  credit: { batchRows: 5 }\n", 2, 3, "Setting 'models.credit' needs 'path', the model file.")]
    [InlineData("models:\n  credit: { path: m.onnx, batchRows: 0 }\n", 2, 38, "Setting 'models.credit.batchRows' must be a whole number from 1 to")]
    [InlineData("models:\n  credit: { path: m.onnx, concurrency: many }\n", 2, 40, "Setting 'models.credit.concurrency' must be a whole number from 1 to 4096.")]
    public void BadModels_AreDSL5005_AtTheirLine(string yaml, int line, int column, string message)
    {
        File.WriteAllText(ConfigPath, yaml);
        (_, IReadOnlyList<ConfigProblem> problems) = PipelineConfig.ReadAndCheck(ConfigPath, Plan);
        ConfigProblem problem = Assert.Single(problems);
        Assert.StartsWith(message, problem.Message);
        Assert.Equal((line, column), (problem.Line, problem.Column));
    }
}
