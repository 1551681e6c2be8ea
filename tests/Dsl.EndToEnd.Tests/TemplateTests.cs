using Dsl.Testing;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// Packs the SDK, runtime and template packages with a fresh version into a private feed, installs the template in a
/// private `dotnet new` home, and uses them as a new user would.
/// </summary>
public sealed class TemplateFixture : IDisposable
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(8);

    public TemplateFixture()
    {
        Root = TempDirectory.Create("dsl-template-e2e");
        Feed = Root.CreateSubdirectory("feed");
        // A version no earlier run used: NuGet caches a package by id and version and never looks at a repack.
        Version = $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{System.Environment.ProcessId}";
        Environment = new Dictionary<string, string>
        {
            ["DOTNET_CLI_HOME"] = Root.CreateSubdirectory("home"),
            ["DOTNET_CLI_UI_LANGUAGE"] = "en",
        };
        string artifacts = Root.CreateSubdirectory("artifacts");
        foreach (string project in new[] { "runtime/Dsl.Parquet/Dsl.Parquet.csproj", "runtime/Dsl.Runtime/Dsl.Runtime.csproj", "sdk/Dsl.Sdk/Dsl.Sdk.csproj", "templates/Dsl.Templates/Dsl.Templates.csproj", "runtime/Dsl.Cli/Dsl.Cli.csproj", "runtime/Dsl.Torch/Dsl.Torch.csproj" })
        {
            // A separate ArtifactsPath keeps this build from touching the outputs the running tests came from.
            CommandRunner.Run(RepoPaths.RepoRoot, Environment, Slow, "dotnet", "pack", project, "-o", Feed, $"-p:Version={Version}", $"-p:ArtifactsPath={artifacts}/")
                .ShouldSucceed($"dotnet pack {project}");
        }
        CommandRunner.Run(Root.Path, Environment, Slow, "dotnet", "new", "install", Path.Combine(Feed, $"Dsl.Templates.{Version}.nupkg"))
            .ShouldSucceed("dotnet new install");
    }

    public TempDirectory Root { get; }

    public string Feed { get; }

    public string Version { get; }

    public Dictionary<string, string> Environment { get; }

    /// <summary>Creates a project from the template in a fresh folder with a nuget.config naming the private feed.</summary>
    public string NewProject(string name, params string[] options)
    {
        string workspace = Root.CreateSubdirectory($"ws-{name}");
        File.WriteAllText(Path.Combine(workspace, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="dsl-local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="dsl-local"><package pattern="Dsl.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        CommandRunner.Run(workspace, Environment, Slow, "dotnet", ["new", "dsl-pipeline", "-n", name, "--no-update-check", .. options])
            .ShouldSucceed("dotnet new dsl-pipeline");
        return Path.Combine(workspace, name);
    }

    public CommandRunner.Result Dotnet(string directory, params string[] args) => CommandRunner.Run(directory, Environment, Slow, "dotnet", args);

    public void Dispose() => Root.Dispose();
}

[CollectionDefinition(nameof(TemplateCollection))]
public sealed class TemplateCollection : ICollectionFixture<TemplateFixture>;

[Collection(nameof(TemplateCollection))]
public sealed class TemplateTests(TemplateFixture fixture)
{
    [Fact]
    public void NewPipeline_BuildsRunsAndWritesTheFeatures()
    {
        string project = fixture.NewProject("Churn");

        string csproj = File.ReadAllText(Path.Combine(project, "Churn.csproj"));
        Assert.Contains($"Sdk=\"Dsl.Sdk/{fixture.Version}\"", csproj);
        Assert.Contains("namespace Churn;", File.ReadAllText(Path.Combine(project, "Stages.cs")));
        Assert.False(Directory.Exists(Path.Combine(project, "Churn.Tests")), "the test project is opt-in");

        fixture.Dotnet(project, "build").ShouldSucceed("dotnet build");
        // Release unless asked otherwise: a pipeline is run for its speed.
        string planJson = Path.Combine(project, "bin", "Release", "net10.0", "fraud-features.plan.json");
        Assert.False(IsDebugBuild(Path.Combine(project, "bin", "Release", "net10.0", "Churn.dll")));
        Assert.Contains("\"Valid+Featurize\"", File.ReadAllText(planJson));
        Assert.StartsWith("flowchart LR", File.ReadAllText(Path.ChangeExtension(planJson, ".mmd")));
        CommandRunner.Result again = fixture.Dotnet(project, "build", "-v:n").ShouldSucceed("second dotnet build");
        Assert.Contains("Skipping target \"DslWritePlan\" because all output files are up-to-date", again.Output);

        fixture.Dotnet(project, "run", "--no-build", "--", "generate-sample", "--rows", "20000", "--files", "2", "--output", "data").ShouldSucceed("generate-sample");
        CommandRunner.Result run = fixture.Dotnet(project, "run", "--no-build", "--", "run", "--input", "data", "--output", "out").ShouldSucceed("run");

        Assert.Contains("Valid+Featurize", run.Output);
        Assert.Contains($"Using settings from {Path.Combine(project, "pipeline.yaml")}", run.Output);
        Assert.Contains($"Committed: {Path.Combine(project, "out", "_SUCCESS")}", run.Output);
        Assert.True(File.Exists(Path.Combine(project, "out", "_SUCCESS")));
        Assert.Contains("  first pass: fitted on 20,000 rows in ", run.Output);
        // The new project's output must be exactly what the in-repo sample pipeline computes from the same input, with
        // the AmountScaling its first pass fitted (from out/_fitted.json): the mean and population deviation of the
        // amounts of the rows that pass the rules and Valid.
        string output = Path.Combine(project, "out");
        List<Pipeline1.Transaction> input = OutputRows.Read<Pipeline1.Transaction>(Path.Combine(project, "data"));
        List<Pipeline1.Transaction> valid = input.Where(SampleRules.Pass).Where(Pipeline1.FraudFeatures.Valid).ToList();
        Pipeline1.AmountScaling scaling = FittedAmountScaling.Read(output, expectedSource: "computed", expectedRows: valid.Count);
        FittedAmountScaling.AssertIsMeanAndPopulationStd(valid.Select(t => t.Amount).ToList(), scaling);
        List<Pipeline1.Features> expected = valid.Select(t => Pipeline1.FraudFeatures.Featurize(t, scaling)).ToList();
        Assert.Equal(expected, OutputRows.Read<Pipeline1.Features>(output));
        using var duck = DuckDb.Open();
        Assert.Equal(expected.Count, duck.CountParquetRows(Path.Combine(output, "*.parquet")));
        // The sample's unknown countries went to the quarantine, which DuckDB reads too, and the run printed its rules.
        Assert.Equal(input.Count(t => !SampleRules.Pass(t)), duck.CountParquetRows(Path.Combine(output, "_quarantine", "Transaction", "*.parquet")));
        Assert.Contains("Transaction.Country.OneOf         Quarantine           20         0.1", run.Output);

        // A scoring job fits once and loads the state: `fit --fitted-out`, then the `fitted:` line pipeline.yaml
        // ships commented out. The features are the same bytes, and no first pass runs.
        fixture.Dotnet(project, "run", "--no-build", "--", "fit", "--input", "data", "--fitted-out", "models/fitted.json").ShouldSucceed("fit");
        string yaml = Path.Combine(project, "pipeline.yaml");
        const string commented = "# fitted: models/fitted.json";
        Assert.Contains(commented, File.ReadAllText(yaml));
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace(commented, "fitted: models/fitted.json", StringComparison.Ordinal));
        CommandRunner.Result scored = fixture.Dotnet(project, "run", "--no-build", "--", "run", "--input", "data", "--output", "scored").ShouldSucceed("run with fitted:");
        Assert.Contains($"  loaded the fitted state {Path.Combine(project, "models", "fitted.json")} (sha256 ", scored.Output);
        Assert.DoesNotContain("first pass: fitted", scored.Output);
        FittedAmountScaling.Read(Path.Combine(project, "scored"), expectedSource: "loaded", expectedRows: valid.Count);
        string[] parts = Directory.GetFiles(output, "part-*.parquet").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(parts);
        Assert.Equal(parts, Directory.GetFiles(Path.Combine(project, "scored"), "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(parts, part => Assert.Equal(File.ReadAllBytes(Path.Combine(output, part)), File.ReadAllBytes(Path.Combine(project, "scored", part))));

        CommandRunner.Result explain = fixture.Dotnet(project, "run", "--no-build", "--", "explain").ShouldSucceed("explain");
        Assert.Contains("parameters AmountScaling { Mean = (fitted by FitAmount), Std = (fitted by FitAmount) }, read once per batch", explain.Output);
        Assert.Contains("FitAmount  Fit     Transaction -> AmountScaling  from Valid  [statistics gathered in pass 1]", explain.Output);
        Assert.Contains("Pass 1 (fit): ", explain.Output);
        Assert.Contains("Pass 2: ", explain.Output);
    }

    [Fact]
    public void ScoreStage_WithAModelUnderModels_BuildsRunsAndScoresAsXGBoostDoes()
    {
        string project = fixture.NewProject("Scoring");
        string[] features = ["LogAmount", "AmountZ", "Hour", "IsWeekend", "CountryBucket", "SessionMinutes", "IsHighValue"];
        // XGBoost trains a model on random rows with the features' names; the project's models/ folder holds it.
        XGBoostReference trained = XGBoostReference.Train("--objective binary:logistic --depth 5 --rounds 40 --feature-names " + string.Join(",", features));
        Directory.CreateDirectory(Path.Combine(project, "models"));
        File.WriteAllText(Path.Combine(project, "models", "fraud.json"), trained.ModelJson);
        string stages = Path.Combine(project, "Stages.cs");
        string source = File.ReadAllText(stages);
        int end = source.LastIndexOf('}');
        File.WriteAllText(stages, source[..end] + """

                // The features' model, compiled at build time; it scores each batch Featurize makes, in the same pass.
                [Score("models/fraud.json", From = nameof(Featurize))]
                public static Scored Predict(Features f, float probability) => new(
                    f.UserId, f.LogAmount, f.AmountZ, f.Hour, f.IsWeekend, f.CountryBucket, f.SessionMinutes, f.IsHighValue, probability);
            }

            [Schema]
            public partial record Scored(
                long UserId, double LogAmount, double AmountZ, int Hour, bool IsWeekend, int CountryBucket, double SessionMinutes, bool IsHighValue,
                float Probability);
            """);

        fixture.Dotnet(project, "build").ShouldSucceed("dotnet build with a score stage");
        fixture.Dotnet(project, "run", "--no-build", "--", "generate-sample", "--rows", "20000", "--files", "2", "--output", "data").ShouldSucceed("generate-sample");
        fixture.Dotnet(project, "run", "--no-build", "--", "run", "--input", "data", "--output", "out").ShouldSucceed("run");
        CommandRunner.Result explain = fixture.Dotnet(project, "run", "--no-build", "--", "explain").ShouldSucceed("explain");
        Assert.Contains("model models/fraud.json (XGBoost binary:logistic, 40 trees, 7 features, sha256 ", explain.Output);

        // Predict is the only sink now (it reads Featurize). Its rows carry their features, which XGBoost scores again here.
        string scored = Path.Combine(project, "out");
        using var duck = DuckDb.Open();
        IReadOnlyList<IReadOnlyList<string?>> rows = duck.QueryRows(
            "SELECT LogAmount, AmountZ, Hour, IsWeekend::INT, CountryBucket, SessionMinutes, IsHighValue::INT, Probability::DOUBLE FROM read_parquet("
            + DuckDb.Literal(Path.Combine(scored, "*.parquet")) + ")");
        List<Pipeline1.Transaction> input = OutputRows.Read<Pipeline1.Transaction>(Path.Combine(project, "data"));
        Assert.Equal(input.Where(SampleRules.Pass).Count(Pipeline1.FraudFeatures.Valid), rows.Count);
        double[] x = rows.SelectMany(r => r.Take(7).Select(v => double.Parse(v!, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        float[] ours = rows.Select(r => (float)double.Parse(r[7]!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        float[] theirs = XGBoostReference.Predict(trained.ModelJson, x, features).Predictions;
        Assert.Equal(theirs.Select(BitConverter.SingleToInt32Bits), ours.Select(BitConverter.SingleToInt32Bits));

        // The run manifest names the model and its hash: the file's SHA-256.
        string manifest = File.ReadAllText(Path.Combine(project, "out", "_manifest.json"));
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(project, "models", "fraud.json"))));
        Assert.Contains("\"sha256\": \"" + sha + "\"", manifest);
        Assert.Contains("\"file\": \"models/fraud.json\"", manifest);
    }

    [Fact]
    public void NewPipeline_WithTestsOption_AddsAPassingTestProject()
    {
        string project = fixture.NewProject("Tested", "--tests");

        Assert.True(File.Exists(Path.Combine(project, "Tested.Tests", "Tested.Tests.csproj")));
        CommandRunner.Result test = fixture.Dotnet(project, "test", "Tested.Tests").ShouldSucceed("dotnet test Tested.Tests");

        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+5,", test.Output);
        // The pipeline project itself does not compile the tests' sources.
        fixture.Dotnet(project, "build").ShouldSucceed("dotnet build of the pipeline next to its tests");
    }

    [Fact]
    public void NewPipeline_WithTorchTrainer_TrainsAnMlpWhoseLossFallsAndRepeatsBitForBit()
    {
        string project = fixture.NewProject("Learner", "--trainer", "torch");

        string trainer = Path.Combine(project, "Learner.Trainer");
        Assert.Contains($"Include=\"Dsl.Torch\" Version=\"{fixture.Version}\"", File.ReadAllText(Path.Combine(trainer, "Learner.Trainer.csproj")));
        Assert.False(Directory.Exists(Path.Combine(project, "Learner.Tests")), "the test project is its own option");
        fixture.Dotnet(project, "build").ShouldSucceed("dotnet build of the pipeline next to its trainer");
        fixture.Dotnet(project, "run", "--no-build", "--", "generate-sample", "--rows", "60000", "--files", "3", "--output", "data").ShouldSucceed("generate-sample");
        fixture.Dotnet(project, "run", "--no-build", "--", "run", "--input", "data").ShouldSucceed("run");
        fixture.Dotnet(trainer, "build").ShouldSucceed("dotnet build of the trainer (Dsl.Torch package, its GLIBCXX step)");

        // Run from the pipeline's folder, as its Program.cs says: the default data is the pipeline's default output.
        string[] Losses(int seed) => [.. fixture.Dotnet(project, "run", "--no-build", "--project", "Learner.Trainer", "--", "--epochs", "4", "--seed", $"{seed}")
            .ShouldSucceed("the trainer").Output.Split('\n').Where(l => l.StartsWith("epoch ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[3])];
        string[] first = Losses(11);
        string[] again = Losses(11);
        string[] other = Losses(12);

        Assert.Equal(4, first.Length);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        double[] values = [.. first.Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.True(values[^1] < values[0], $"the loss should fall over the epochs: {string.Join(", ", first)}");
    }

    [Fact]
    public void DslBundle_WritesARunnableNativeAotFolderWithThePlan_AndDslNativeAotRunsTheNativeProgram()
    {
        string project = fixture.NewProject("Native");
        Directory.CreateDirectory(Path.Combine(project, "models"));
        File.WriteAllText(Path.Combine(project, "models", "scorer.json"), "{}");
        string csprojPath = Path.Combine(project, "Native.csproj");
        string csproj = File.ReadAllText(csprojPath);
        Assert.Contains("</PropertyGroup>", csproj);
        File.WriteAllText(csprojPath, csproj.Replace("</PropertyGroup>", "  <DslNativeAot>true</DslNativeAot>\n  </PropertyGroup>", StringComparison.Ordinal));

        // `dotnet run` runs the native program, published when the assembly changed.
        fixture.Dotnet(project, "run", "--", "generate-sample", "--rows", "20000", "--files", "2", "--output", "data").ShouldSucceed("generate-sample");
        Assert.True(IsElf(Path.Combine(project, "obj", "Release", "net10.0", "dsl-native", "Native")), "dotnet run published the native program");
        // x64 programs are compiled for x86-64-v3 unless DslInstructionSet says otherwise (empty: the compiler's own).
        Assert.Equal("x86-64-v3", fixture.Dotnet(project, "msbuild", "-getProperty:IlcInstructionSet", "-p:RuntimeIdentifier=linux-x64").ShouldSucceed("msbuild -getProperty").Output.Trim());
        Assert.Equal("", fixture.Dotnet(project, "msbuild", "-getProperty:IlcInstructionSet", "-p:RuntimeIdentifier=linux-x64", "-p:DslInstructionSet=").ShouldSucceed("msbuild -getProperty").Output.Trim());
        CommandRunner.Result native = fixture.Dotnet(project, "run", "--", "run", "--input", "data", "--output", "native-out").ShouldSucceed("native run");
        Assert.Contains("Program: NativeAOT, .NET ", native.Output);
        // The same program on the JIT (a command-line property outranks the project file's) writes the same bytes.
        CommandRunner.Result jit = fixture.Dotnet(project, "run", "-p:DslNativeAot=false", "--", "run", "--input", "data", "--output", "jit-out").ShouldSucceed("JIT run");
        Assert.Contains("Program: JIT, .NET ", jit.Output);
        AssertSameParts(Path.Combine(project, "jit-out"), Path.Combine(project, "native-out"));
        // With DslNativeAot in the project file, a plain `dotnet publish -r` publishes the native program too.
        fixture.Dotnet(project, "publish", "-c", "Release", "-r", "linux-x64", "-o", "published").ShouldSucceed("dotnet publish -r linux-x64");
        Assert.True(IsElf(Path.Combine(project, "published", "Native")), "dotnet publish wrote a native executable");
        Assert.False(File.Exists(Path.Combine(project, "published", "Native.dll")));

        // Even from a Debug build, the bundle is a Release NativeAOT program: one native executable, no .NET runtime.
        CommandRunner.Result build = fixture.Dotnet(project, "build", "-t:DslBundle", "-c", "Debug").ShouldSucceed("dotnet build -t:DslBundle");
        Assert.Contains("self-contained: true, NativeAOT: true)", build.Output);
        string bundle = Path.Combine(project, "bin", "bundle");
        Assert.True(File.Exists(Path.Combine(bundle, "fraud-features.plan.json")));
        Assert.True(IsElf(Path.Combine(bundle, "app", "Native")), "the bundled program is a native executable");
        Assert.False(File.Exists(Path.Combine(bundle, "app", "Native.dll")));
        Assert.False(File.Exists(Path.Combine(bundle, "app", "libcoreclr.so")));
        Assert.True(File.Exists(Path.Combine(bundle, "app", "pipeline.yaml")));
        Assert.True(File.Exists(Path.Combine(bundle, "app", "models", "scorer.json")));
        CommandRunner.Result explain = CommandRunner.Run(bundle, fixture.Environment, TimeSpan.FromMinutes(2), Path.Combine(bundle, "run.sh"), "explain");
        Assert.Equal(0, explain.ExitCode);
        Assert.Contains("Pipeline 'fraud-features'", explain.Output);
        CommandRunner.Result bundled = CommandRunner.Run(bundle, fixture.Environment, TimeSpan.FromMinutes(2), Path.Combine(bundle, "run.sh"), "run", "--input", Path.Combine(project, "data"), "--output", Path.Combine(project, "bundle-out"));
        Assert.True(bundled.ExitCode == 0, bundled.Output);
        Assert.Contains("Program: NativeAOT, .NET ", bundled.Output);
        AssertSameParts(Path.Combine(project, "jit-out"), Path.Combine(project, "bundle-out"));
    }

    [Fact]
    public void DslBundle_WithoutNativeAot_IsASelfContainedReleaseProgram()
    {
        string project = fixture.NewProject("Bundled");

        CommandRunner.Result build = fixture.Dotnet(project, "build", "-t:DslBundle", "-c", "Debug", "-p:DslBundleNativeAot=false").ShouldSucceed("dotnet build -t:DslBundle");
        Assert.Contains("self-contained: true, NativeAOT: false)", build.Output);

        string bundle = Path.Combine(project, "bin", "bundle");
        Assert.True(File.Exists(Path.Combine(bundle, "fraud-features.plan.json")));
        Assert.True(IsDebugBuild(Path.Combine(project, "bin", "Debug", "net10.0", "Bundled.dll")), "the build itself was Debug");
        Assert.False(IsDebugBuild(Path.Combine(bundle, "app", "Bundled.dll")), "the bundled program must be a Release build");
        // Self-contained by default: the .NET runtime travels with the bundle.
        Assert.True(File.Exists(Path.Combine(bundle, "app", "libcoreclr.so")));
        CommandRunner.Result explain = CommandRunner.Run(bundle, fixture.Environment, TimeSpan.FromMinutes(2), Path.Combine(bundle, "run.sh"), "explain");
        Assert.Equal(0, explain.ExitCode);
        Assert.Contains("Pipeline 'fraud-features'", explain.Output);
    }

    private static bool IsElf(string path) =>
        File.Exists(path) && File.ReadAllBytes(path).AsSpan(0, 4).SequenceEqual("\u007FELF"u8);

    private static void AssertSameParts(string expectedFolder, string actualFolder)
    {
        string[] parts = Directory.GetFiles(expectedFolder, "part-*.parquet").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(parts);
        Assert.Equal(parts, Directory.GetFiles(actualFolder, "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(parts, part => Assert.Equal(File.ReadAllBytes(Path.Combine(expectedFolder, part)), File.ReadAllBytes(Path.Combine(actualFolder, part))));
    }

    [Fact]
    public void NewPipeline_FromNamingNoStage_BuildFailsWithDiagnosticFileAndLine()
    {
        string project = fixture.NewProject("Broken");
        string stages = Path.Combine(project, "Stages.cs");
        string text = File.ReadAllText(stages);
        Assert.Contains("[Map(From = nameof(Valid))]", text);
        const string valid = "t.Amount >= 0 && t.SessionSeconds is not null;";
        Assert.Contains(valid, text);
        // An impure stage as well: the purity analyzer's warning comes with file and line, next to the error.
        text = text.Replace(valid, "t.Amount >= 0 && t.SessionSeconds is not null && t.Ts <= System.DateTime.Now;", StringComparison.Ordinal);
        File.WriteAllText(stages, text.Replace("[Map(From = nameof(Valid))]", "[Map(From = \"Vaild\")]", StringComparison.Ordinal));
        int line = File.ReadAllLines(stages).ToList().FindIndex(l => l.Contains("\"Vaild\"", StringComparison.Ordinal)) + 1;
        int impureLine = File.ReadAllLines(stages).ToList().FindIndex(l => l.Contains("System.DateTime.Now", StringComparison.Ordinal)) + 1;

        CommandRunner.Result build = fixture.Dotnet(project, "build");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches($@"Stages\.cs\({line},\d+\): error DSL3\d\d\d: .*'Vaild'", build.Output);
        Assert.Matches($@"Stages\.cs\({impureLine},\d+\): warning DSL2006: Stage 'Valid' of pipeline 'fraud-features' reads 'DateTime\.Now'", build.Output);

        // Repair the From (the impure stage only warns), then break the configuration file: the build checks it
        // against the compiled plan.
        File.WriteAllText(stages, text);
        File.AppendAllText(Path.Combine(project, "pipeline.yaml"), "outputs:\n  Featurise: features\n");
        int yamlLine = File.ReadAllLines(Path.Combine(project, "pipeline.yaml")).Length;

        CommandRunner.Result configBuild = fixture.Dotnet(project, "build");

        Assert.NotEqual(0, configBuild.ExitCode);
        Assert.Matches($@"pipeline\.yaml\({yamlLine},3\): error DSL5005: Output 'Featurise' is not a sink", configBuild.Output);
    }

    [Fact]
    public void NewPipeline_WithoutANugetConfig_RestoresFromTheFolderTheTemplateWasPackedInto()
    {
        // A new user without a nuget.config naming the feed saw the template's restore fail noisily.
        string workspace = fixture.Root.CreateSubdirectory("ws-fed");
        CommandRunner.Result created = fixture.Dotnet(workspace, "new", "dsl-pipeline", "-n", "Fed", "--no-update-check").ShouldSucceed("dotnet new without a nuget.config");
        string project = Path.Combine(workspace, "Fed");

        Assert.Contains("Restore succeeded", created.Output);
        string config = File.ReadAllText(Path.Combine(project, "nuget.config"));
        Assert.Contains($"value=\"{fixture.Feed}\"", config);
        fixture.Dotnet(project, "build").ShouldSucceed("dotnet build of a project whose only feed is its own nuget.config");

        // An empty feed writes no nuget.config (packages from the usual sources, such as a public registry).
        string bare = fixture.Root.CreateSubdirectory("ws-bare");
        // (Its restore may fail here, where the e2e packages exist only in the private feed: only the files are checked.)
        fixture.Dotnet(bare, "new", "dsl-pipeline", "-n", "Bare", "--no-update-check", "--feed", "");
        Assert.False(File.Exists(Path.Combine(bare, "Bare", "nuget.config")));
        Assert.True(File.Exists(Path.Combine(bare, "Bare", "Bare.csproj")));
    }

    [Fact]
    public void DslTool_InstallsFromTheFeed_AndReadsTheNewProjectsOutput()
    {
        // `dotnet tool install dsl` from the folder the packages were packed into, then the daily commands.
        string tools = fixture.Root.CreateSubdirectory("tools");
        fixture.Dotnet(fixture.Root.Path, "tool", "install", "dsl", "--tool-path", tools, "--add-source", fixture.Feed, "--version", fixture.Version)
            .ShouldSucceed("dotnet tool install dsl");
        string project = fixture.NewProject("Inspected");
        fixture.Dotnet(project, "run", "--", "generate-sample", "--rows", "3000", "--files", "1", "--output", "data").ShouldSucceed("generate-sample");
        string file = Directory.GetFiles(Path.Combine(project, "data"), "*.parquet").Single();

        CommandRunner.Result head = CommandRunner.Run(project, fixture.Environment, TimeSpan.FromMinutes(2), Path.Combine(tools, "dsl"), "parquet", "head", "-n", "3", file);
        CommandRunner.Result schema = CommandRunner.Run(project, fixture.Environment, TimeSpan.FromMinutes(2), Path.Combine(tools, "dsl"), "parquet", "schema", file);

        Assert.Equal(0, head.ExitCode);
        string[] rows = head.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        Assert.All(rows, row => Assert.StartsWith("{\"UserId\":", row));
        Assert.Equal(0, schema.ExitCode);
        Assert.Contains("Amount", schema.Output);
    }

    [Fact]
    public void NewPipeline_WithoutPipelineYaml_BuildsAndRunsOnCommandLineSettings()
    {
        // A user who deletes pipeline.yaml (or never had one) got "The configuration file '…/pipeline.yaml' does not exist."
        string project = fixture.NewProject("NoConfig");
        File.Delete(Path.Combine(project, "pipeline.yaml"));

        fixture.Dotnet(project, "build").ShouldSucceed("dotnet build without pipeline.yaml");
        fixture.Dotnet(project, "run", "--no-build", "--", "generate-sample", "--rows", "5000", "--files", "1", "--output", "data").ShouldSucceed("generate-sample");
        CommandRunner.Result run = fixture.Dotnet(project, "run", "--no-build", "--", "run", "--input", "data", "--output", "out");

        // Nothing to configure: the fit stage computes AmountScaling.
        run.ShouldSucceed("run without pipeline.yaml");
        Assert.DoesNotContain("Using settings from", run.Output);
        Assert.Contains("  first pass: fitted on 5,000 rows in ", run.Output);
        Assert.True(File.Exists(Path.Combine(project, "out", "_SUCCESS")));
        Assert.True(File.Exists(Path.Combine(project, "out", "_fitted.json")));
    }

    [Fact]
    public void SdkProject_WithoutPipelineHost_BuildsAndWarnsDSL5003()
    {
        string project = fixture.NewProject("Plain");
        foreach (string file in Directory.GetFiles(project, "*.cs"))
        {
            File.Delete(file);
        }
        File.WriteAllText(Path.Combine(project, "Program.cs"), "System.Console.Error.WriteLine(\"not a pipeline\");\nreturn 3;\n");

        CommandRunner.Result build = fixture.Dotnet(project, "build").ShouldSucceed("dotnet build of a project without a pipeline host");

        Assert.Matches(@"warning DSL5003: 'Plain\.dll' did not print its plan \(exit code 3\)", build.Output);
    }

    // Whether the assembly was compiled without optimizations: its DebuggableAttribute disables the JIT optimizer.
    private static bool IsDebugBuild(string assembly)
    {
        using var stream = File.OpenRead(assembly);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        System.Reflection.Metadata.MetadataReader metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        foreach (System.Reflection.Metadata.CustomAttributeHandle handle in metadata.GetAssemblyDefinition().GetCustomAttributes())
        {
            System.Reflection.Metadata.CustomAttribute attribute = metadata.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != System.Reflection.Metadata.HandleKind.MemberReference)
            {
                continue;
            }
            var ctor = metadata.GetMemberReference((System.Reflection.Metadata.MemberReferenceHandle)attribute.Constructor);
            var type = metadata.GetTypeReference((System.Reflection.Metadata.TypeReferenceHandle)ctor.Parent);
            if (metadata.GetString(type.Name) != "DebuggableAttribute")
            {
                continue;
            }
            // Blob: prolog 0x0001, then the DebuggingModes flags (int32); DisableOptimizations is 0x100.
            System.Reflection.Metadata.BlobReader blob = metadata.GetBlobReader(attribute.Value);
            blob.ReadUInt16();
            return (blob.ReadInt32() & 0x100) != 0;
        }
        return false;
    }
}
