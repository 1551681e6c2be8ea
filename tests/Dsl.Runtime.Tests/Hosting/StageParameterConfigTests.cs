using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary>
/// Stage parameter values from <c>pipeline.yaml</c> and <c>--param</c>: parsing, problems with file, line and column,
/// command-line overrides, <c>check-config</c>, <c>explain</c>, and a run whose kernel reads the bound object.
/// </summary>
public sealed class StageParameterConfigTests : IDisposable
{
    private static readonly BatchSchema Numbers = new(new ColumnField("x", ColumnType.Int64, false));

    private static readonly StageParametersPlan Affine = new("Affine", [
        new StageParameterMember("Scale", ParameterType.Int64),
        new StageParameterMember("Shift", ParameterType.Double),
        new StageParameterMember("Enabled", ParameterType.Boolean),
        new StageParameterMember("Label", ParameterType.String),
        new StageParameterMember("Since", ParameterType.DateTime),
        new StageParameterMember("Ratio", ParameterType.Float),
        new StageParameterMember("Count", ParameterType.Int32),
    ]);

    private static readonly PipelinePlan Plan = new(
        "affine",
        "N",
        new Dictionary<string, BatchSchema> { ["N"] = Numbers },
        [new StagePlan("Transform", StageKind.Map, "N", "N", null, true, null, Parameters: Affine)],
        [new SegmentPlan(0, ["Transform"], null, "N", "N", true, ["x"])]);

    private const string Complete = """
        pipeline: affine
        parameters:
          Affine:
            Scale: 3
            Shift: 0.5
            Enabled: true
            Label: hello world
            Since: 2024-05-01T00:00:00Z
            Ratio: .nan
            Count: 1_000
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"dsl-params-{Guid.NewGuid():N}");

    public StageParameterConfigTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string ConfigPath => Path.Combine(_root, "pipeline.yaml");

    [Fact]
    public void Read_ParametersSection_ConvertsEachMemberToItsType()
    {
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = ReadAndCheck(Complete);

        Assert.Empty(problems);
        StageParameterValues values = config.ParameterValues(Plan);
        Assert.Equal(3L, values.Get<long>("Affine", "Scale"));
        Assert.Equal(0.5, values.Get<double>("Affine", "Shift"));
        Assert.True(values.Get<bool>("Affine", "Enabled"));
        Assert.Equal("hello world", values.Get<string>("Affine", "Label"));
        Assert.Equal(new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), values.Get<DateTime>("Affine", "Since"));
        Assert.True(float.IsNaN(values.Get<float>("Affine", "Ratio")));
        Assert.Equal(1000, values.Get<int>("Affine", "Count"));
        Assert.Empty(values.Missing(Plan));
    }

    [Fact]
    public void Check_WrongTypesUnknownMembersAndTypes_ReportEachWithLineAndColumn()
    {
        (_, IReadOnlyList<ConfigProblem> problems) = ReadAndCheck("""
            parameters:
              Affine:
                Scale: 2.5
                Shift: lots
                Enabled: yes
                Label: x
                Since: yesterday
                Ratio: 1
                Count: 3000000000
                Offset: 4
              Scaling:
                Mean: 1
            """);

        Assert.Collection(
            problems,
            p => Assert.Equal((3, 12, "Parameter 'Affine.Scale' is a long and must be a whole number from -9223372036854775808 to 9223372036854775807."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((4, 12, "Parameter 'Affine.Shift' is a double and must be a number (e.g. 1.5, -2e3, NaN, Infinity)."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((5, 14, "Parameter 'Affine.Enabled' is a bool and must be true or false."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((7, 12, "Parameter 'Affine.Since' is a DateTime and must be an ISO 8601 date and time (e.g. 2024-05-01T00:00:00Z)."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((9, 12, "Parameter 'Affine.Count' is an int and must be a whole number from -2147483648 to 2147483647."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((10, 5, "Parameter type 'Affine' has no member 'Offset'. Its members are Scale, Shift, Enabled, Label, Since, Ratio, Count."), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((11, 3, "No stage takes parameters of type 'Scaling': the stages take 'Affine'. Remove the section or correct the type name."), (p.Line, p.Column, p.Message)));
        Assert.Equal($"{ConfigPath}(3,12): error DSL5005: Parameter 'Affine.Scale' is a long and must be a whole number from -9223372036854775808 to 9223372036854775807.", problems[0].ToString());
    }

    [Fact]
    public void Check_MissingMembers_PointAtTheTypeOrTheFileStart_UnlessOverridden()
    {
        (_, IReadOnlyList<ConfigProblem> partial) = ReadAndCheck("""
            pipeline: affine
            parameters:
              Affine:
                Scale: 3
                Shift: 0.5
                Enabled: false
                Label: ""
                Since: 2024-05-01
            """);
        ConfigProblem problem = Assert.Single(partial);
        Assert.Equal((3, 3), (problem.Line, problem.Column));
        Assert.Equal("Stage 'Transform' takes parameters 'Affine' but 'Ratio', 'Count' have no value. Add 'Ratio: VALUE' and 'Count: VALUE' under 'Affine'.", problem.Message);

        File.WriteAllText(ConfigPath, "pipeline: affine\n");
        (_, IReadOnlyList<ConfigProblem> none) = PipelineConfig.ReadAndCheck(ConfigPath, Plan);
        problem = Assert.Single(none);
        Assert.Equal((1, 1), (problem.Line, problem.Column));
        Assert.StartsWith("Stage 'Transform' takes parameters 'Affine' but 'Scale', 'Shift', 'Enabled', 'Label', 'Since', 'Ratio', 'Count' have no value. Add them under 'parameters:'", problem.Message);

        (_, IReadOnlyList<ConfigProblem> overridden) = PipelineConfig.ReadAndCheck(ConfigPath, Plan, ["Affine.Scale", "Affine.Shift", "Affine.Enabled", "Affine.Label", "Affine.Since", "Affine.Ratio", "Affine.Count"]);
        Assert.Empty(overridden);
    }

    [Fact]
    public void Check_ParametersForAPipelineWithoutParameterStages_IsAProblem()
    {
        var plain = Plan with { Stages = [new StagePlan("Transform", StageKind.Map, "N", "N", null, true, null)] };
        File.WriteAllText(ConfigPath, "parameters:\n  Affine:\n    Scale: 1\n");
        (_, IReadOnlyList<ConfigProblem> problems) = PipelineConfig.ReadAndCheck(ConfigPath, plain);

        ConfigProblem problem = Assert.Single(problems);
        Assert.Equal((2, 3, "No stage takes parameters of type 'Affine': no stage of pipeline 'affine' takes parameters. Remove the section or correct the type name."), (problem.Line, problem.Column, problem.Message));
    }

    [Fact]
    public void Overrides_ParseAgainstThePlan_AndReportBadArguments()
    {
        (IReadOnlyDictionary<string, object> values, IReadOnlyList<string> problems) = ParameterOverrides.Parse(
            ["Affine.Scale=7", "Affine.Label=a=b", "Affine.Shift=-Infinity", "Affine.Scale2=1", "Nope.X=1", "Affine.Count=1.5", "noequals"], Plan);

        Assert.Equal(7L, values["Affine.Scale"]);
        Assert.Equal("a=b", values["Affine.Label"]);
        Assert.Equal(double.NegativeInfinity, values["Affine.Shift"]);
        Assert.Collection(
            problems,
            p => Assert.Equal("--param 'Affine.Scale2=1': parameter type 'Affine' has no member 'Scale2'. Its members are Scale, Shift, Enabled, Label, Since, Ratio, Count.", p),
            p => Assert.Equal("--param 'Nope.X=1': no stage takes parameters of type 'Nope'; the stages take 'Affine'.", p),
            p => Assert.Equal("--param 'Affine.Count=1.5': 'Affine.Count' is an int and must be a whole number from -2147483648 to 2147483647.", p),
            p => Assert.Equal("--param 'noequals' must be written Type.Member=value, e.g. --param AmountScaling.Mean=120.5.", p));
    }

    [Fact]
    public void CheckConfig_PrintsParameterProblemsAsBuildErrors()
    {
        File.WriteAllText(ConfigPath, Complete.Replace("Scale: 3", "Scale: three", StringComparison.Ordinal));
        (int code, string output, _) = Host(["check-config", ConfigPath]);

        Assert.Equal(1, code);
        Assert.Equal($"{ConfigPath}(4,12): error DSL5005: Parameter 'Affine.Scale' is a long and must be a whole number from -9223372036854775808 to 9223372036854775807.", output.Trim());

        File.WriteAllText(ConfigPath, Complete);
        Assert.Equal(0, Host(["check-config", ConfigPath]).Code);
    }

    [Fact]
    public void Explain_ShowsEachStagesParameterValues_InTextAndJson_WithOverrides()
    {
        File.WriteAllText(ConfigPath, Complete);

        (int code, string text, _) = Host(["explain", "--config", ConfigPath, "--param", "Affine.Scale=9"]);
        Assert.Equal(0, code);
        Assert.Contains("parameters Affine { Scale = 9, Shift = 0.5, Enabled = true, Label = \"hello world\", Since = 2024-05-01T00:00:00.0000000Z, Ratio = NaN, Count = 1000 }, read once per batch", text, StringComparison.Ordinal);

        (code, string json, _) = Host(["explain", "--format", "json", "--config", ConfigPath]);
        Assert.Equal(0, code);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        System.Text.Json.JsonElement parameters = document.RootElement.GetProperty("stages")[0].GetProperty("parameters");
        Assert.Equal("Affine", parameters.GetProperty("type").GetString());
        System.Text.Json.JsonElement scale = parameters.GetProperty("members")[0];
        Assert.Equal(("Scale", "Int64", 3L), (scale.GetProperty("name").GetString(), scale.GetProperty("type").GetString(), scale.GetProperty("value").GetInt64()));
        Assert.Equal("NaN", parameters.GetProperty("members")[5].GetProperty("value").GetString());
    }

    [Fact]
    public void Explain_WithoutValues_ShowsNotSet()
    {
        (int code, string text, _) = Host(["explain", "--config", WriteConfig("pipeline: affine\n")]);

        Assert.Equal(0, code);
        Assert.Contains("parameters Affine { Scale = (not set), Shift = (not set)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BindsValuesFromTheFile_AndTheCommandLineOverridesThem()
    {
        string input = WriteInput();
        File.WriteAllText(ConfigPath, Complete);

        (int code, _, string errors) = Host(["run", "--input", input, "--output", Path.Combine(_root, "out1"), "--config", ConfigPath]);
        Assert.True(code == 0, errors);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 3L * i + 1000), ReadLongs(Path.Combine(_root, "out1")));

        (code, _, errors) = Host(["run", "--input", input, "--output", Path.Combine(_root, "out2"), "--config", ConfigPath, "--param", "Affine.Scale=-2", "--param", "Affine.Count=5"]);
        Assert.True(code == 0, errors);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => -2L * i + 5), ReadLongs(Path.Combine(_root, "out2")));
        string manifest = File.ReadAllText(Path.Combine(_root, "out2", LocalExecutor.ManifestFile));
        Assert.Contains("\"value\": -2", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingOrBadValues_StopBeforeAnythingIsWritten()
    {
        string input = WriteInput();
        File.WriteAllText(ConfigPath, "pipeline: affine\n");

        (int code, _, string errors) = Host(["run", "--input", input, "--output", Path.Combine(_root, "out"), "--config", ConfigPath]);
        Assert.Equal(2, code);
        Assert.Contains($"{ConfigPath}(1,1): error DSL5005: Stage 'Transform' takes parameters 'Affine' but", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));

        (code, _, errors) = Host(["run", "--input", input, "--output", Path.Combine(_root, "out"), "--config", ConfigPath, "--param", "Affine.Scale=x"]);
        Assert.Equal(2, code);
        Assert.Contains("error: --param 'Affine.Scale=x': 'Affine.Scale' is a long", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public void Executor_RefusesAPipelineWhoseParametersAreNotBound()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new LocalExecutor().Run(Compiled(), WriteInput(), Path.Combine(_root, "out")));
        Assert.Contains("Affine", error.Message, StringComparison.Ordinal);
    }

    // What the generator writes for a stage 'Transform(N n, Affine a) => new(n.x * a.Scale + a.Count)', by hand.
    private sealed record AffineObject(long Scale, double Shift, bool Enabled, string Label, DateTime Since, float Ratio, int Count);

    private static CompiledPipeline Compiled() => new(Plan, parameters =>
    {
        var affine = new AffineObject(
            parameters.Get<long>("Affine", "Scale"), parameters.Get<double>("Affine", "Shift"), parameters.Get<bool>("Affine", "Enabled"),
            parameters.Get<string>("Affine", "Label"), parameters.Get<DateTime>("Affine", "Since"), parameters.Get<float>("Affine", "Ratio"),
            parameters.Get<int>("Affine", "Count"));
        return [(input, _) => Transform(input, affine)];
    });

    private static RecordBatch Transform(RecordBatch input, AffineObject affine)
    {
        long scale = affine.Scale;
        long count = affine.Count;
        ReadOnlySpan<long> x = input.GetPrimitive<long>("x", ColumnType.Int64).Values;
        var output = new ColumnBuilder<long>(ColumnType.Int64, x.Length, nullable: false);
        for (int i = 0; i < x.Length; i++)
        {
            output.Values[i] = x[i] * scale + count;
        }
        return new RecordBatch(Numbers, [output.Build(x.Length)], x.Length);
    }

    private (int Code, string Output, string Errors) Host(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PipelineHost.Run(Compiled(), args, stdout: stdout, stderr: stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private (PipelineConfig, IReadOnlyList<ConfigProblem>) ReadAndCheck(string yaml)
    {
        File.WriteAllText(ConfigPath, yaml);
        return PipelineConfig.ReadAndCheck(ConfigPath, Plan);
    }

    private string WriteConfig(string yaml)
    {
        File.WriteAllText(ConfigPath, yaml);
        return ConfigPath;
    }

    private string WriteInput()
    {
        string dir = Path.Combine(_root, "in");
        Directory.CreateDirectory(dir);
        using var writer = new ParquetFileWriter(Path.Combine(dir, "a.parquet"), Numbers, new ParquetWriteOptions());
        long[] values = Enumerable.Range(0, 10).Select(i => (long)i).ToArray();
        writer.WriteBatch(new RecordBatch(Numbers, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, values)], values.Length));
        return dir;
    }

    private static List<long> ReadLongs(string folder)
    {
        var values = new List<long>();
        foreach (string file in Directory.GetFiles(folder, "*.parquet").Order(StringComparer.Ordinal))
        {
            using var reader = new ParquetFileReader(file);
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                using RecordBatch batch = reader.ReadRowGroup(rg, ["x"]);
                values.AddRange(batch.GetPrimitive<long>("x", ColumnType.Int64).Values.ToArray());
            }
        }
        return values;
    }
}
