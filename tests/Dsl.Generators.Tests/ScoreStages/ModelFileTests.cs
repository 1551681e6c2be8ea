using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.ScoreStages;

/// <summary>
/// Damaged, hostile and unsupported model files, and models that do not fit their stage, are build errors (DSL3019,
/// DSL3020) that name the stage, the file and what is wrong, never a crash of the generator or code that does not compile.
/// </summary>
public sealed class ModelFileTests
{
    internal const string Source = TestSources.Usings + """
        namespace M;

        [Schema] public partial record Txn(long Id, double Amount, string Country, int? Count);
        [Schema] public partial record Scored(long Id, float P);

        [Pipeline("scoring")]
        public static partial class Scoring
        {
            [Score("models/m.json")]
            static Scored Predict(Txn t, float p) => new(t.Id, p);
        }
        """;

    private const string LightGbmModel = """
        tree
        version=v4
        num_class=1
        num_tree_per_iteration=1
        label_index=0
        max_feature_idx=0
        objective=binary sigmoid:1
        feature_names=Amount
        feature_infos=[-1:1]
        tree_sizes=100

        Tree=0
        num_leaves=2
        num_cat=0
        split_feature=0
        split_gain=1
        threshold=0.5
        decision_type=10
        left_child=-1
        right_child=-2
        leaf_value=-0.25 0.25
        leaf_weight=1 1
        leaf_count=1 1
        internal_value=0
        internal_weight=0
        internal_count=2
        is_linear=0
        shrinkage=1


        end of trees
        """;

    public static TheoryData<string, string> BrokenFiles => new()
    {
        { TestModels.Tiny[..(TestModels.Tiny.Length / 2)], "is neither a LightGBM text model nor JSON (invalid JSON at line" },
        { "{\"model\": {\"trees\": []}}", "it is JSON but not an XGBoost model (no 'learner' object)" },
        { new string('[', 100) + new string(']', 100), "nesting deeper than 64 levels" },
        { TestModels.Tiny.Replace("binary:logistic", "rank:ndcg", StringComparison.Ordinal), "objective 'rank:ndcg' is not one a compiled model supports (reg:squarederror" },
        { TestModels.Tiny.Replace("\"gbtree\"", "\"dart\"", StringComparison.Ordinal), "booster 'dart' is not one a compiled model supports (gbtree, gblinear)" },
        { TestModels.Tiny.Replace("\"feature_types\":[\"float\"]", "\"feature_types\":[\"c\"]", StringComparison.Ordinal), "categorical features" },
        { TestModels.Tiny.Replace("\"split_type\":[0,0,0]", "\"split_type\":[1,0,0]", StringComparison.Ordinal), "node 0 of tree 0 is a categorical split" },
        { TestModels.Tiny.Replace("\"left_children\":[1,-1,-1]", "\"left_children\":[1,-1]", StringComparison.Ordinal), "tree 0 is malformed (its node arrays differ in length" },
        { TestModels.Tiny.Replace("\"left_children\":[1,-1,-1]", "\"left_children\":[7,-1,-1]", StringComparison.Ordinal), "node 0 of tree 0 is malformed (children 7 and 2" },
        { TestModels.Tiny.Replace("\"left_children\":[1,-1,-1],\"right_children\":[2,-1,-1]", "\"left_children\":[1,0,-1],\"right_children\":[2,0,-1]", StringComparison.Ordinal), "tree 0 reaches node 0 twice" },
        { TestModels.Tiny.Replace("\"split_indices\":[0,0,0]", "\"split_indices\":[3,0,0]", StringComparison.Ordinal), "node 0 of tree 0 is malformed (children 1 and 2, feature 3" },
        { TestModels.Tiny.Replace("\"base_score\":\"5E-1\"", "\"base_score\":\"half\"", StringComparison.Ordinal), "learner_model_param needs num_feature, num_class and base_score" },
        // Beyond float32's range: the literal would not compile (CS0594), so it is refused as the other numbers are.
        { TestModels.Tiny.Replace("\"base_score\":\"5E-1\"", "\"base_score\":\"1E39\"", StringComparison.Ordinal), "learner_model_param needs num_feature, num_class and base_score (found '1', '0', '1E39')" },
        { TestModels.Tiny.Replace("\"num_class\":\"0\"", "\"num_class\":\"3\"", StringComparison.Ordinal), "objective 'binary:logistic' with num_class 3" },
        { LightGbmModel[..LightGbmModel.IndexOf("end of trees", StringComparison.Ordinal)], "it has no trees or no 'end of trees' line (is the file cut short?)" },
        { LightGbmModel.Replace("binary sigmoid:1", "multiclassova num_class:1 sigmoid:1", StringComparison.Ordinal), "objective 'multiclassova num_class:1 sigmoid:1' is not one a compiled model supports" },
        { LightGbmModel.Replace("binary sigmoid:1", "regression sqrt", StringComparison.Ordinal), "predicts the square of its margin (sqrt)" },
        { LightGbmModel.Replace("num_cat=0", "num_cat=1", StringComparison.Ordinal), "tree 0 has categorical splits" },
        { LightGbmModel.Replace("is_linear=0", "is_linear=1", StringComparison.Ordinal), "tree 0 is a linear tree" },
        { LightGbmModel.Replace("leaf_value=-0.25 0.25", "leaf_value=-0.25", StringComparison.Ordinal), "tree 0 has 1 leaf values for num_leaves 2" },
        { LightGbmModel.Replace("threshold=0.5", "threshold=half", StringComparison.Ordinal), "tree 0 has a malformed split 0 (feature '0', threshold 'half'" },
        { LightGbmModel.Replace("right_child=-2", "right_child=-9", StringComparison.Ordinal), "tree 0 has a malformed split 0" },
        { TestModels.Tiny.Replace("1E2", "1E39", StringComparison.Ordinal), "node 0 of tree 0 is malformed (children 1 and 2, feature 0, value '1E39')" },
        { TestModels.Tiny.Replace("\"num_class\":\"0\"", "\"num_class\":\"300\"", StringComparison.Ordinal).Replace("binary:logistic", "multi:softprob", StringComparison.Ordinal), "a compiled model takes at most 100000 and 256" },
        { TestModels.Tiny.Replace("\"num_feature\":\"1\"", "\"num_feature\":\"1\",\"num_target\":\"2\"", StringComparison.Ordinal), "it predicts 2 targets (num_target)" },
        { LightGbmModel.Replace("binary sigmoid:1", "binary sigmoid:-1", StringComparison.Ordinal), "has a sigmoid that is not a positive number" },
        { LightGbmModel.Replace("binary sigmoid:1", "binary sigmoid:1.", StringComparison.Ordinal), "has a sigmoid that is not a positive number" },
        { LightGbmModel.Replace("binary sigmoid:1", "binary\rSystem.Console.WriteLine(); sigmoid:1", StringComparison.Ordinal), "its objective line holds control characters" },
        { LightGbmModel.Replace("decision_type=10", "decision_type=11", StringComparison.Ordinal), "has split 0 of decision_type 11 (a categorical split" },
        { LightGbmModel.Replace("decision_type=10", "decision_type=12", StringComparison.Ordinal), "has split 0 of decision_type 12" },
        { LightGbmModel.Replace("threshold=0.5", "threshold=1e400", StringComparison.Ordinal), "tree 0 has a malformed split 0 (feature '0', threshold '1e400'" },
        // Split on spaces only, so a tab stays in the value: no literal (it would not compile), so no number.
        { LightGbmModel.Replace("leaf_value=-0.25 0.25", "leaf_value=-0.25 0.25\t", StringComparison.Ordinal), "tree 0 has a leaf value '0.25\t' that is not a number" },
        { LightGbmModel.Replace("threshold=0.5", "threshold=\t0.5", StringComparison.Ordinal), "tree 0 has a malformed split 0 (feature '0', threshold '\t0.5'" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void BrokenOrUnsupportedModel_IsDSL3019_NamingWhatIsWrong(string file, string expected)
    {
        string message = Single("DSL3019", file);
        Assert.StartsWith("Score stage 'Predict' of pipeline 'scoring' cannot compile model 'models/m.json': ", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsDSL3019_SayingHowToGiveItToTheBuild()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, files: []);
        string message = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "DSL3019").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("no such file is given to the build (the SDK gives it every file under models/", message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoFilesEndingWithTheModelPath_AreDSL3019_NotAGuess()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, files: [("/p/models/m.json", TestModels.Tiny), ("/other/models/m.json", TestModels.Tiny)]);
        string message = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "DSL3019").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("2 files given to the build end with that path (/p/models/m.json, /other/models/m.json)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputParameter_NamedLikeAnOutputMember_Compiles()
    {
        string source = Source.Replace("static Scored Predict(Txn t, float p) => new(t.Id, p);", "static Scored Predict(Txn t, float P) => new(t.Id, P);", StringComparison.Ordinal);
        GeneratorRun run = GeneratorHarness.Run(source, files: [("/p/models/m.json", TestModels.Tiny)]);
        Assert.Empty(run.GeneratorProblems);
        Assert.Empty(run.CompilationProblems);
    }

    [Fact]
    public void ModelOfSingleLeaves_IsNestedCode_AndScoresItsLeaf()
    {
        // Trees that are only a root leaf (XGBoost under a large gamma; LightGBM when no split helps): depth 0.
        string stump = TestModels.Tiny
            .Replace("\"default_left\":[1,0,0],\"left_children\":[1,-1,-1],\"right_children\":[2,-1,-1]", "\"default_left\":[0],\"left_children\":[-1],\"right_children\":[-1]", StringComparison.Ordinal)
            .Replace("\"split_conditions\":[1E2,-5E-1,5E-1],\"split_indices\":[0,0,0],\"split_type\":[0,0,0]", "\"split_conditions\":[2.5E-1],\"split_indices\":[0],\"split_type\":[0]", StringComparison.Ordinal);
        using var snippet = LoadedSnippet.Compile(Source, files: [("/p/models/m.json", stump)]);
        Assert.DoesNotContain("CompleteTrees32", snippet.Run.GeneratedSource("M.Scoring.PredictModel.g.cs"), StringComparison.Ordinal);
        MarginOf margin = snippet.Type("M.Scoring+PredictModel").GetMethod("Margin", [typeof(ReadOnlySpan<float>)])!.CreateDelegate<MarginOf>();
        Assert.Equal(0.25f, margin([123f]));
        // Loaded at run time, the same single leaf, walked node by node.
        using Dsl.Models.TreeModelScorer scorer = RunTimeScoring.Load(stump, ".json", ScoreOutput.Margin, 1, 1);
        float[] margins = new float[2];
        scorer.Score([123f, float.NaN], 2, margins);
        Assert.Equal([0.25f, 0.25f], margins);
    }

    private delegate float MarginOf(ReadOnlySpan<float> x);

    [Fact]
    public void LightGbmModel_OfTheSameStage_Compiles()
    {
        GeneratorRun run = GeneratorHarness.Run(Source, files: [("/p/models/m.json", LightGbmModel)]);
        Assert.Empty(run.GeneratorProblems);
        Assert.Empty(run.CompilationProblems);
    }

    public static TheoryData<string, string, string> Misfits => new()
    {
        { TestModels.Tiny.Replace("[\"Amount\"]", "[\"amount\"]", StringComparison.Ordinal), "static Scored Predict(Txn t, float p) => new(t.Id, p);", "feature 0 'amount' is not a member of Txn (did you mean 'Amount'?)" },
        { TestModels.Tiny.Replace("[\"Amount\"]", "[\"Country\"]", StringComparison.Ordinal), "static Scored Predict(Txn t, float p) => new(t.Id, p);", "feature 0 'Country' is a string member of Txn; a feature is a number or a bool" },
        { TestModels.Tiny.Replace("\"feature_names\":[\"Amount\"],", string.Empty, StringComparison.Ordinal), "static Scored Predict(Txn t, float p) => new(t.Id, p);", "the model does not name its 1 features; list the input members" },
        { TestModels.Tiny, "static Scored Predict(Txn t, float p, float q) => new(t.Id, p + q);", "the model gives one prediction (XGBoost binary:logistic, 1 tree, 1 feature) but the method takes 2 after its row" },
    };

    [Theory]
    [MemberData(nameof(Misfits))]
    public void ModelThatDoesNotFitTheStage_IsDSL3020_NamingTheMismatch(string file, string stage, string expected)
    {
        string message = Single("DSL3020", file, Source.Replace("static Scored Predict(Txn t, float p) => new(t.Id, p);", stage, StringComparison.Ordinal));
        Assert.StartsWith("Model 'models/m.json' does not fit score stage 'Predict' of pipeline 'scoring': ", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void FeaturesList_MapsTheModelsFeaturesByPosition_WhateverTheModelCallsThem()
    {
        // A DataFrame's column name that no member can have.
        string named = TestModels.Tiny.Replace("[\"Amount\"]", "[\"Amount (USD)\"]", StringComparison.Ordinal);
        string mapped = Source.Replace("[Score(\"models/m.json\")]", "[Score(\"models/m.json\", Features = new[] { nameof(Txn.Count) })]", StringComparison.Ordinal);
        GeneratorRun run = GeneratorHarness.Run(mapped, files: [("/p/models/m.json", named)]);
        Assert.Empty(run.GeneratorProblems);
        Assert.Empty(run.CompilationProblems);
        Assert.Contains("Features, in the model's order: 0 Count.", run.GeneratedSource("M.Scoring.PredictModel.g.cs"), StringComparison.Ordinal);
        string tooMany = Source.Replace("[Score(\"models/m.json\")]", "[Score(\"models/m.json\", Features = new[] { \"Amount\", \"Count\" })]", StringComparison.Ordinal);
        Assert.Contains("Features lists 2 members but the model reads 1 features", Single("DSL3020", TestModels.Tiny, tooMany), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> RunTimeMisfits => new()
    {
        { "[Score(ModelName = \"fraud\")]", "DSL3020", "Model 'fraud' does not fit score stage 'Predict' of pipeline 'scoring': a model given at run time needs the input members that are its features" },
        { "[Score(ModelName = \"fraud\", Features = new[] { \"Amount\", \"Country\" })]", "DSL3020", "feature 1 'Country' is a string member of Txn; a feature is a number or a bool" },
        { "[Score(ModelName = \"fraud\", Features = new[] { \"amount\" })]", "DSL3020", "feature 0 'amount' is not a member of Txn (did you mean 'Amount'?)" },
        { "[Score(ModelName = \"fraud model\", Features = new[] { \"Amount\" })]", "DSL3020", "ModelName must be letters, digits, '_', '-' and '.'" },
        { "[Score(ModelName = \"a=b\", Features = new[] { \"Amount\" })]", "DSL3020", "to be given as --model NAME=PATH" },
        { "[Score(\"models/m.json\", ModelName = \"fraud\", Features = new[] { \"Amount\" })]", "DSL3019", "cannot compile model 'models/m.json': the attribute also names ModelName 'fraud'; give the file (compiled in) or ModelName (given at run time), not both" },
        { "[Score]", "DSL3019", "cannot compile model '': the attribute names no model" },
    };

    [Theory]
    [MemberData(nameof(RunTimeMisfits))]
    public void RunTimeModelStage_ThatTheBuildCanTellIsWrong_IsAnErrorNamingIt(string attribute, string id, string expected)
    {
        string source = Source.Replace("[Score(\"models/m.json\")]", attribute, StringComparison.Ordinal);
        Assert.Contains(expected, Single(id, TestModels.Tiny, source), StringComparison.Ordinal);
    }

    [Fact]
    public void RunTimeModelStage_Compiles_WithoutAFile_AndItsKernelTakesTheScorer()
    {
        string source = Source.Replace("[Score(\"models/m.json\")]", "[Score(ModelName = \"fraud\", Features = new[] { nameof(Txn.Amount), nameof(Txn.Count) })]", StringComparison.Ordinal);
        GeneratorRun run = GeneratorHarness.Run(source, files: []);
        Assert.Empty(run.GeneratorProblems);
        Assert.Empty(run.CompilationProblems);
        Assert.DoesNotContain(run.Result.Results.SelectMany(r => r.GeneratedSources), s => s.HintName.EndsWith("Model.g.cs", StringComparison.Ordinal));
        string plan = run.GeneratedSource("M.Scoring.Plan.g.cs");
        Assert.Contains("RunTimeName = \"fraud\"", plan, StringComparison.Ordinal);
        Assert.Contains("global::Dsl.Models.IBatchScorer scorer_Predict = parameters.Model(\"fraud\");", plan, StringComparison.Ordinal);
        string kernel = run.GeneratedSource("M.Scoring.Pipeline.g.cs");
        Assert.Contains("global::Dsl.Models.IBatchScorer scorer_Predict)", kernel, StringComparison.Ordinal);
        Assert.Contains("if (scorer_Predict.ComputesInDouble)", kernel, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelLoaders_OfTheProjectItself_AreListed_WhenThePlanCanCreateThem()
    {
        string source = Source.Replace("[Score(\"models/m.json\")]", "[Score(ModelName = \"fraud\", Features = new[] { nameof(Txn.Amount) })]", StringComparison.Ordinal)
            .Replace("namespace M;", """
                [assembly: Dsl.Models.ModelLoader(typeof(M.CsvLoader))]
                [assembly: Dsl.Models.ModelLoader(typeof(M.Hidden.Nested))]
                [assembly: Dsl.Models.ModelLoader(typeof(M.NoDefault))]
                namespace M;

                public sealed class CsvLoader : Dsl.Models.IModelLoader
                {
                    public string Format => "CSV";
                    public bool Reads(string path) => path.EndsWith(".csv");
                    public Dsl.Models.IBatchScorer Load(string path, Dsl.Models.ModelLoadOptions options) => throw new NotSupportedException();
                }

                internal static class Hidden
                {
                    public sealed class Nested : Dsl.Models.IModelLoader
                    {
                        public string Format => "Nested";
                        public bool Reads(string path) => false;
                        public Dsl.Models.IBatchScorer Load(string path, Dsl.Models.ModelLoadOptions options) => throw new NotSupportedException();
                    }
                }

                public sealed class NoDefault(int x) : Dsl.Models.IModelLoader
                {
                    public string Format => "X" + x;
                    public bool Reads(string path) => false;
                    public Dsl.Models.IBatchScorer Load(string path, Dsl.Models.ModelLoadOptions options) => throw new NotSupportedException();
                }
                """, StringComparison.Ordinal);
        GeneratorRun run = GeneratorHarness.Run(source, files: []);
        Assert.Empty(run.GeneratorProblems);
        Assert.Empty(run.CompilationProblems);
        string plan = run.GeneratedSource("M.Scoring.Plan.g.cs");
        // The plan's one loader (written without the namespace the plan is in): the nested one and the one without a
        // parameterless constructor would not compile there, so they are left out.
        Assert.Contains("new CsvLoader() } };", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Nested()", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("NoDefault()", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void RunTimeModelStage_WithStageParameters_AndAFitObservingIt_CompilesAndScoresAsTheCompiledModel()
    {
        // A parameter record named like the stage's model (its local would be 'predictModel'), a filter before the
        // score stage and a fit observing it: the first pass then scores row by row inside the filter's segment.
        const string source = TestSources.Usings + """
            namespace R;

            [Schema] public partial record Txn(long Id, double Amount, int? Count);
            [Schema] public partial record Scored(long Id, float P, double Amount);
            public sealed record PredictModel(double Offset);
            public sealed record Spread(double MeanP);

            [Pipeline("runtime-fit")]
            public static partial class RunTimeFit
            {
                [Filter] static bool Positive(Txn t) => t.Amount >= 0;

                [Score(ModelName = "m", Features = new[] { nameof(Txn.Amount) }, From = nameof(Positive))]
                static Scored Predict(Txn t, float p) => new(t.Id, p, t.Amount);

                [Map(From = nameof(Predict))]
                static Scored Shift(Scored s, PredictModel offset) => s with { Amount = s.Amount + offset.Offset };

                [Fit(From = nameof(Predict))]
                static Spread Observe(FitData<Scored> d) => new(d.Mean(s => s.P));

                [Map(From = nameof(Shift))]
                static Scored Center(Scored s, Spread spread) => s with { P = (float)(s.P - spread.MeanP) };
            }
            """;
        using var snippet = LoadedSnippet.Compile(source, files: []);
        Dsl.Execution.CompiledPipeline compiled = snippet.Pipeline("R.RunTimeFit");
        Assert.Contains(compiled.Plan.Segments, s => s.FitOnly && s.Stages.SequenceEqual(["Positive", "Predict"]));
        string path = Path.Combine(Path.GetTempPath(), "dsl-runtime-fit-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, TestModels.Tiny);
        try
        {
            Dsl.Execution.StageParameterValues values = Dsl.Models.ModelCatalog.Load(compiled, new Dictionary<string, string> { ["m"] = path }, new Dsl.Execution.StageParameterValues().Set("PredictModel", "Offset", 1.0));
            Dsl.Execution.CompiledPipeline forFit = compiled.WithGivenParameters(values).ForFitPass();
            Type txn = snippet.Type("R.Txn");
            List<object> rows = [.. new[] { 10.0, 60.0, -1.0, 99.0 }.Select((a, i) => Activator.CreateInstance(txn, (long)i, a, (int?)null)!)];
            using RecordBatch input = LoadedSnippet.ToBatch(txn, rows);
            Dsl.Execution.SegmentPlan first = forFit.Plan.Segments.Single(s => s.FitOnly);
            using RecordBatch observed = forFit.Kernels[first.Index](input, new Dsl.Validation.RowViolations());
            // The tiny model: amounts below 100 score margin -0.5 (the one-row path gives the batch path's value).
            float low = 1 / (1 + MathF.Exp(0.5f));
            Assert.Equal([low, low, low], observed.GetPrimitive<float>("P", ColumnType.Float).Values.ToArray());
            foreach (Dsl.Models.RunTimeModel model in values.Models)
            {
                model.Scorer.Dispose();
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Single(string id, string file, string source = Source)
    {
        GeneratorRun run = GeneratorHarness.Run(source, files: [("/p/models/m.json", file)]);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.True(diagnostic.Location.IsInSource);
        return diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
    }
}
