using Dsl.Execution;
using Dsl.Fitting;
using Dsl.Hosting;
using static Dsl.Runtime.Tests.Fitting.FitPipelines;

namespace Dsl.Runtime.Tests.Fitting;

/// <summary>
/// Fit stages on the command line and in pipeline.yaml: values for a fitted type are refused with file and line,
/// array members take YAML lists and comma-separated --param values, 'fitted:' and --fitted load a saved state, and
/// the fit command writes one.
/// </summary>
public sealed class FitConfigTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-fitconfig-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string ConfigPath => Path.Combine(_root, "pipeline.yaml");

    private string Config(string yaml)
    {
        File.WriteAllText(ConfigPath, yaml);
        return ConfigPath;
    }

    private static (int Code, string Stdout, string Stderr) Host(CompiledPipeline pipeline, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PipelineHost.Run(pipeline, args, null, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Input()
    {
        string input = Path.Combine(_root, "in");
        WriteInput(input, files: 2, rowsPerFile: 900, rowGroupRows: 300);
        return input;
    }

    [Fact]
    public void ParametersForAFittedType_AreAProblemAtTheirLine_AndNeedNoValue()
    {
        (_, IReadOnlyList<ConfigProblem> problems) = PipelineConfig.ReadAndCheck(Config("""
            pipeline: fit-stats
            parameters:
              AmountStats:
                Mean: 1
            """), Pipeline().Plan);

        ConfigProblem problem = Assert.Single(problems);
        Assert.Equal((3, 3), (problem.Line, problem.Column));
        Assert.Equal("Parameters 'AmountStats' are computed by fit stage 'FitStats' in the first pass of every run, so they take no values here. Remove the section; to use saved values instead of fitting, set 'fitted: FILE' (or pass --fitted FILE).", problem.Message);

        // Without the section nothing is missing: the first pass gives AmountStats.
        (int code, string output, _) = Host(Pipeline(), "check-config", Config("pipeline: fit-stats\n"));
        Assert.Equal((0, ""), (code, output.Trim()));
        Assert.Equal(1, Host(Pipeline(), "check-config", Config("pipeline: fit-stats\nparameters:\n  AmountStats:\n    Std: 2\n")).Code);
    }

    [Fact]
    public void ArrayMembers_TakeYamlListsOrCommaSeparatedText()
    {
        PipelinePlan scoring = Scoring().Plan;
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = PipelineConfig.ReadAndCheck(Config("""
            parameters:
              AmountStats:
                Mean: 50
                Std: 20
                Edges: [0.5, 1, .inf]
                Vocab:
                  - DE
                  - "a,b"
            """), scoring);
        Assert.Empty(problems);
        StageParameterValues values = config.ParameterValues(scoring);
        Assert.Equal([0.5, 1, double.PositiveInfinity], values.Get<double[]>(ParametersType, "Edges"));
        Assert.Equal(["DE", "a,b"], values.Get<string[]>(ParametersType, "Vocab"));

        (config, problems) = PipelineConfig.ReadAndCheck(Config("parameters:\n  AmountStats:\n    Mean: 50\n    Std: 20\n    Edges: 0.5,1\n    Vocab: [x, [y]]\n"), scoring);
        ConfigProblem bad = Assert.Single(problems);
        Assert.Equal((6, 12), (bad.Line, bad.Column));
        Assert.Equal("Parameter 'AmountStats.Vocab' is a string[] and must be values separated by commas, or a YAML list such as [a, b].", bad.Message);
        Assert.Equal([0.5, 1.0], config.ParameterValues(scoring).Get<double[]>(ParametersType, "Edges"));

        (_, problems) = PipelineConfig.ReadAndCheck(Config("parameters:\n  AmountStats:\n    Mean: 50\n    Std: 20\n    Edges: [1, many]\n    Vocab: []\n"), scoring);
        Assert.Equal("Parameter 'AmountStats.Edges' is a double[] and must be numbers separated by commas (e.g. 0.5,1,2.5), or a YAML list such as [a, b].", Assert.Single(problems).Message);
    }

    [Fact]
    public void ParamOverrides_RefuseFittedTypes_AndSplitArraysAtCommas()
    {
        (_, IReadOnlyList<string> problems) = ParameterOverrides.Parse(["AmountStats.Mean=1"], Pipeline().Plan);
        Assert.Equal("--param 'AmountStats.Mean=1': fit stage 'FitStats' computes 'AmountStats' in the first pass, so it takes no value on the command line. To use saved values instead of fitting, pass --fitted FILE.", Assert.Single(problems));

        (IReadOnlyDictionary<string, object> values, problems) = ParameterOverrides.Parse(["AmountStats.Edges=1,2.5,NaN", "AmountStats.Vocab=DE,FR"], Scoring().Plan);
        Assert.Empty(problems);
        Assert.Equal([1, 2.5, double.NaN], (double[])values["AmountStats.Edges"]);
        Assert.Equal(["DE", "FR"], (string[])values["AmountStats.Vocab"]);
    }

    [Fact]
    public void FitCommand_WritesTheState_ThatRunFittedLoads_ForAnotherPipeline()
    {
        string input = Input();
        string state = Path.Combine(_root, "models", "amount.json");

        (int code, string stdout, string stderr) = Host(Pipeline(), "fit", "--input", input, "--fitted-out", state);
        Assert.True(code == 0, stderr);
        FittedState fitted = FittedState.Load(state);
        Assert.Contains($"Pipeline 'fit-stats': fitted 1 fit stage(s) (FitStats on {fitted.Fits[0].Rows:N0} rows)", stdout);
        Assert.Contains($"wrote {state} (sha256 {fitted.Hash})", stdout);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));

        // A scoring pipeline without fits takes AmountStats from the file; its configuration needs no values.
        string output = Path.Combine(_root, "out");
        (code, stdout, stderr) = Host(Scoring(), "run", "--input", input, "--output", output, "--fitted", state, "--config", Config("pipeline: scoring\n"));
        Assert.True(code == 0, stderr);
        Assert.Contains($"  loaded the fitted state {state} (sha256 {fitted.Hash}); no first pass", stdout);
        Assert.Equal(fitted.Hash, FittedState.Load(Path.Combine(output, FittedState.FileName)).Hash);

        // The same file through 'fitted:' in the configuration; a value also given there is a problem at its line.
        Assert.Empty(PipelineConfig.ReadAndCheck(Config($"fitted: {state}\n"), Scoring().Plan).Problems);
        ConfigProblem twice = Assert.Single(PipelineConfig.ReadAndCheck(Config($"fitted: {state}\nparameters:\n  AmountStats:\n    Mean: 3\n"), Scoring().Plan).Problems);
        Assert.Equal((4, 5), (twice.Line, twice.Column));
        Assert.Equal("Parameter 'AmountStats.Mean' also comes from the fitted state (fitted by pipeline 'fit-stats'); give it in one place: remove it here, or load a state without it.", twice.Message);
    }

    [Fact]
    public void AMissingOrTamperedFittedFile_IsAnErrorNamingIt()
    {
        string input = Input();
        string missing = Path.Combine(_root, "nope.json");

        ConfigProblem problem = Assert.Single(PipelineConfig.ReadAndCheck(Config($"pipeline: fit-stats\nfitted: {missing}\n"), Pipeline().Plan).Problems);
        Assert.Equal(2, problem.Line);
        Assert.StartsWith($"Setting 'fitted': The fitted-state file '{missing}' does not exist.", problem.Message);

        (int code, _, string stderr) = Host(Pipeline(), "run", "--input", input, "--output", Path.Combine(_root, "out"), "--fitted", missing);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: The fitted-state file '{missing}' does not exist.", stderr);

        string state = Path.Combine(_root, "state.json");
        Assert.Equal(0, Host(Pipeline(), "fit", "--input", input, "--fitted-out", state).Code);
        File.WriteAllText(state, File.ReadAllText(state).Replace("\"rows\": ", "\"rows\": 1", StringComparison.Ordinal));
        (code, _, stderr) = Host(Pipeline(), "run", "--input", input, "--output", Path.Combine(_root, "out"), "--fitted", state);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: The fitted-state file '{state}' was changed after it was written", stderr);
    }

    [Fact]
    public void FitCommand_OnAPipelineWithoutFits_SaysThereIsNothingToFit()
    {
        (int code, _, string stderr) = Host(Scoring(), "fit", "--input", Input(), "--fitted-out", Path.Combine(_root, "x.json"));
        Assert.Equal(2, code);
        Assert.Equal("error: Pipeline 'scoring' has no fit stages, so there is nothing to fit.", stderr.Trim());
    }

    [Fact]
    public void Run_PrintsTheFirstPass_AndFit_IgnoresTheFittedFileItMayBeWriting()
    {
        string input = Input();
        string state = Path.Combine(_root, "models", "amount.json");
        // The configuration names the state serving will load; fitting writes it, so it need not exist yet.
        string config = Config($"pipeline: fit-stats\ninput: {input}\nfitted: {state}\n");

        (int code, string stdout, string stderr) = Host(Pipeline(), "fit", "--config", config, "--fitted-out", state);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(state));

        (code, stdout, stderr) = Host(Pipeline(), "run", "--config", Config($"pipeline: fit-stats\ninput: {input}\n"), "--output", Path.Combine(_root, "out"));
        Assert.True(code == 0, stderr);
        FittedState fitted = FittedState.Load(Path.Combine(_root, "out", FittedState.FileName));
        Assert.Equal(FittedState.Load(state).Hash, fitted.Hash);
        Assert.Matches($@"  first pass: fitted on 1,800 rows in \d+ partition\(s\) in [0-9.]+ s \(sha256 {fitted.Hash}\)", stdout);
    }
}
