using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Models;
using Dsl.Testing;

namespace Dsl.Onnx.Tests;

[Schema] public partial record Applicant(long Id, float Income, double? Debt, int Age, bool Owner);

[Schema] public partial record Decision(long Id, float Probability, bool Approve);

/// <summary>A pipeline whose model the run gives: any ONNX file with four float inputs and one output.</summary>
[Pipeline("onnx-decisions")]
public static partial class OnnxDecisions
{
    [Score(ModelName = "credit", Features = new[] { nameof(Applicant.Income), nameof(Applicant.Debt), nameof(Applicant.Age), nameof(Applicant.Owner) })]
    static Decision Decide(Applicant a, float probability) => new(a.Id, probability, probability > 0.5f);
}

/// <summary>
/// A <c>[Score(ModelName = ...)]</c> stage in a pipeline that references Dsl.Onnx: its plan lists
/// <see cref="OnnxModelLoader"/> (found by the generator from the assembly attribute), <see cref="ModelCatalog"/> opens an
/// <c>.onnx</c> file for it, and the kernel's predictions are ONNX Runtime's own for the gathered features (null as NaN,
/// bool as 1/0), in the batch and through ScoreOne.
/// </summary>
public sealed class RunTimeOnnxStageTests : IDisposable
{
    private readonly TempDirectory _folder = TempDirectory.Create("dsl-onnx-stage");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void OnnxModelGivenAtRunTime_ScoresTheBatch_AsOnnxRuntimeScoresTheSameFeatures()
    {
        Assert.Contains(OnnxDecisions.Compiled.ModelLoaders, l => l is OnnxModelLoader);
        Assert.False(OnnxDecisions.Compiled.IsBound);

        string path = _folder.Combine("credit.onnx");
        OnnxModels.Build("linear \"" + path + "\" 4 7");
        StageParameterValues values = ModelCatalog.Load(OnnxDecisions.Compiled, new Dictionary<string, string> { ["credit"] = path }, new StageParameterValues());
        RunTimeModel model = Assert.Single(values.Models);
        Assert.Equal(("credit", "ONNX", Sha256(path)), (model.Name, model.Format, model.Sha256));
        CompiledPipeline bound = OnnxDecisions.Compiled.WithParameters(values);

        var random = new Random(11);
        List<Applicant> rows = [.. Enumerable.Range(0, 3000).Select(i => new Applicant(
            i, (float)(random.NextDouble() * 4 - 2), i % 7 == 0 ? null : random.NextDouble() * 3 - 1, random.Next(-2, 3), random.Next(2) == 1))];
        using RecordBatch input = Applicant.ToBatch(rows);
        using RecordBatch output = bound.Kernels[0](input);
        List<Decision> scored = [.. Decision.ReadRows(output)];

        // The same features, gathered by hand, through the same scorer.
        float[] x = rows.SelectMany(r => new[] { r.Income, r.Debt is { } d ? (float)d : float.NaN, r.Age, r.Owner ? 1f : 0f }).ToArray();
        float[] expected = new float[rows.Count];
        model.Scorer.Score(x, rows.Count, expected);
        Assert.Equal(expected, scored.Select(s => s.Probability));
        Assert.Equal(rows.Select(r => r.Id), scored.Select(s => s.Id));
        Assert.Equal(expected.Select(p => p > 0.5f), scored.Select(s => s.Approve));
        Assert.Contains(expected, p => p > 0.5f);
        Assert.Contains(expected, p => p < 0.5f);

        // One row through the same kernels, as a service would score it.
        Assert.Equal(scored[7], bound.ScoreOne<Applicant, Decision>(rows[7]));

        model.Scorer.Dispose();
    }

    [Fact]
    public void CommandLine_RunsWithModel_AndTheManifestHoldsItsHash_AndRefusesARunWithoutIt()
    {
        string path = _folder.Combine("credit.onnx");
        OnnxModels.Build("linear \"" + path + "\" 4 7");
        string input = _folder.Combine("in"), output = _folder.Combine("out");
        SampleDataWriter sample = SyntheticSample.For(Applicant.BatchSchema);
        Assert.Equal(0, Host(["generate-sample", "--rows", "5000", "--files", "2", "--output", input], sample, out _, out _));

        Assert.Equal(2, Host(["run", "--input", input, "--output", output], sample, out _, out string missing));
        Assert.Contains("error: score stage 'Decide' takes model 'credit' at run time: pass --model credit=PATH or add it under 'models:' in the configuration file.", missing, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));

        Assert.Equal(0, Host(["explain"], sample, out string unexplained, out _));
        Assert.Contains("model 'credit' given at run time: (no file: --model credit=PATH)", unexplained, StringComparison.Ordinal);
        Assert.Equal(0, Host(["explain", "--model", "credit=" + _folder.Combine("absent.onnx")], sample, out string absent, out string absentWarning));
        Assert.Contains("model 'credit' given at run time: (no file: --model credit=PATH)", absent, StringComparison.Ordinal);
        Assert.Contains("warning: Model 'credit' of score stage 'Decide': no file " + _folder.Combine("absent.onnx") + ".", absentWarning, StringComparison.Ordinal);
        Assert.Equal(2, Host(["explain", "--model", "credti=" + path], sample, out _, out string typo));
        Assert.Contains("error: --model names 'credti', which no score stage takes: its score stages take 'credit'.", typo, StringComparison.Ordinal);
        Assert.Equal(0, Host(["explain", "--model", "credit=" + path], sample, out string explain, out _));
        Assert.Contains("model 'credit' given at run time: " + path + " (ONNX, 4 features, 1 output, float32, sha256 " + Sha256(path)[..12] + ")", explain, StringComparison.Ordinal);

        int code = Host(["run", "--input", input, "--output", output, "--model", "credit=" + path], sample, out string ran, out string errors);
        Assert.True(code == 0, errors);
        string manifest = File.ReadAllText(Path.Combine(output, "_manifest.json"));
        Assert.Contains("\"sha256\": \"" + Sha256(path) + "\"", manifest, StringComparison.Ordinal);
        Assert.Contains("5,000", ran, StringComparison.Ordinal);

        // validate scores with it too (rules and gates see the scored rows); without it, it is refused the same way.
        Assert.Equal(0, Host(["validate", "--input", input, "--model", "credit=" + path], sample, out string validated, out string validateErrors));
        Assert.Contains("5,000", validated + validateErrors, StringComparison.Ordinal);
        Assert.Equal(2, Host(["validate", "--input", input], sample, out _, out string validateMissing));
        Assert.Contains("takes model 'credit' at run time", validateMissing, StringComparison.Ordinal);

        // models: in pipeline.yaml, with a batchRows that the plan (and so the run fingerprint) records.
        string yaml = _folder.Combine("pipeline.yaml");
        File.WriteAllText(yaml, "models:\n  credit: { path: '" + path + "', batchRows: 100, concurrency: 1 }\n");
        Assert.Equal(0, Host(["explain", "--format", "json", "--config", yaml], sample, out string planJson, out string yamlErrors));
        Assert.True(planJson.Contains("\"batchRows\": 100", StringComparison.Ordinal), planJson + yamlErrors);
        Assert.Equal(0, Host(["run", "--input", input, "--output", _folder.Combine("paced"), "--config", yaml], sample, out _, out string pacedErrors));
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "part-00000.parquet")), File.ReadAllBytes(Path.Combine(_folder.Combine("paced"), "part-00000.parquet")));

        // The same model again reuses every partition; a new model file is a new run: nothing is reused.
        Assert.Equal(0, Host(["run", "--input", input, "--output", output, "--model", "credit=" + path], sample, out string same, out _));
        Assert.Contains("up to date", same, StringComparison.Ordinal);
        OnnxModels.Build("linear \"" + path + "\" 4 8");
        Assert.Equal(0, Host(["run", "--input", input, "--output", output, "--model", "credit=" + path], sample, out string rerun, out _));
        Assert.Contains("\"sha256\": \"" + Sha256(path) + "\"", File.ReadAllText(Path.Combine(output, "_manifest.json")), StringComparison.Ordinal);
        Assert.DoesNotContain("up to date", rerun, StringComparison.Ordinal);
        Assert.DoesNotContain("reused", rerun, StringComparison.Ordinal);
    }

    private static int Host(string[] args, SampleDataWriter sample, out string stdout, out string stderr)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = PipelineHost.Run(OnnxDecisions.Compiled, args, sample, output, error);
        (stdout, stderr) = (output.ToString(), error.ToString());
        return code;
    }

    [Fact]
    public void OnnxModelOfAnotherWidth_OrAskedForMargins_IsRefusedBeforeAnyRow()
    {
        string path = _folder.Combine("wide.onnx");
        OnnxModels.Build("linear \"" + path + "\" 5 1");
        var files = new Dictionary<string, string> { ["credit"] = path };
        var wide = Assert.Throws<ArgumentException>(() => ModelCatalog.Load(OnnxDecisions.Compiled, files, new StageParameterValues()));
        Assert.Contains("Model 'credit' of score stage 'Decide' (ONNX file " + path + ") cannot be used: the ONNX model reads 5 features and gives 1 output(s) a row; the stage gives 4 and takes 1.", wide.Message, StringComparison.Ordinal);

        var margins = Assert.Throws<ArgumentException>(() => new OnnxModelLoader().Load(path, new ModelLoadOptions(ScoreOutput.Margin, 5, 1)));
        Assert.Contains("raw margins, which only tree models have", margins.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<ArgumentException>(() => ModelCatalog.Load(OnnxDecisions.Compiled, new Dictionary<string, string> { ["credti"] = path }, new StageParameterValues()));
        Assert.Equal("Model 'credti' was given, but no score stage of pipeline 'onnx-decisions' is named by it; the stages take 'credit'.", unknown.Message);

        string csv = _folder.Combine("credit.csv");
        File.WriteAllText(csv, "not a model");
        var format = Assert.Throws<ArgumentException>(() => ModelCatalog.Load(OnnxDecisions.Compiled, new Dictionary<string, string> { ["credit"] = csv }, new StageParameterValues()));
        Assert.Equal("Model 'credit' of score stage 'Decide': no loader reads " + csv + "; this pipeline reads " + string.Join(", ", ModelCatalog.BuiltIn.Select(l => l.Format).Append("ONNX")) + " files (ONNX needs a reference to Dsl.Onnx, TorchScript to Dsl.Torch).", format.Message);

        var unbound = Assert.Throws<ArgumentException>(() => OnnxDecisions.Compiled.WithParameters(new StageParameterValues()));
        Assert.Contains("has no file for 'credit': pass --model credit=PATH", unbound.Message, StringComparison.Ordinal);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
