using System.Reflection;
using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.ScoreStages;

/// <summary>A pipeline scoring <c>models/m.json</c> twice (predictions and margins), its rows, and the comparison.</summary>
internal static class ScoringSources
{
    /// <summary>
    /// Input <c>Row(long Id, double? F0, ...)</c>; stage <c>Predict</c> writes <c>Scored(long Id, float P0, ...)</c> and
    /// stage <c>Margin</c> writes <c>Margins(long Id, float M0, ...)</c>, both straight from the input; stages
    /// <c>PredictAtRunTime</c> and <c>MarginAtRunTime</c> do the same with the file given at run time (as models <c>m</c>
    /// and <c>m-margins</c>: one run-time model gives one kind of output).
    /// </summary>
    public static string Pipeline(int featureCount, int outputs, int margins, string[]? features, string type = "float")
    {
        string members = string.Join(", ", Enumerable.Range(0, featureCount).Select(f => "double? F" + f));
        string list = features is null ? string.Empty : ", Features = new[] { " + string.Join(", ", features.Select(f => "\"" + f + "\"")) + " }";
        // A run-time model's features are always listed (the build cannot read its names): the model's own when it has them.
        string runTimeList = ", Features = new[] { " + string.Join(", ", (features ?? Enumerable.Range(0, featureCount).Select(f => "F" + f)).Select(f => "\"" + f + "\"")) + " }";
        string Params(string p, int n) => string.Join(", ", Enumerable.Range(0, n).Select(k => type + " " + p.ToLowerInvariant() + k));
        string Members(string p, int n) => string.Join(", ", Enumerable.Range(0, n).Select(k => type + " " + p + k));
        string Args(string p, int n) => string.Join(", ", Enumerable.Range(0, n).Select(k => p.ToLowerInvariant() + k));
        return TestSources.Usings + $$"""
            namespace S;

            [Schema] public partial record Row(long Id, {{members}});
            [Schema] public partial record Scored(long Id, {{Members("P", outputs)}});
            [Schema] public partial record Margins(long Id, {{Members("M", margins)}});

            [Pipeline("scoring")]
            public static partial class Scoring
            {
                [Score("models/m.json"{{list}})]
                static Scored Predict(Row r, {{Params("P", outputs)}}) => new(r.Id, {{Args("P", outputs)}});

                [Score("models/m.json", Output = ScoreOutput.Margin{{list}})]
                static Margins Margin(Row r, {{Params("M", margins)}}) => new(r.Id, {{Args("M", margins)}});

                // The same file given at run time (ModelCatalog, as --model m=PATH does): the same bits, by every test.
                [Score(ModelName = "m"{{runTimeList}})]
                static Scored PredictAtRunTime(Row r, {{Params("P", outputs)}}) => new(r.Id, {{Args("P", outputs)}});

                [Score(ModelName = "m-margins", Output = ScoreOutput.Margin{{runTimeList}})]
                static Margins MarginAtRunTime(Row r, {{Params("M", margins)}}) => new(r.Id, {{Args("M", margins)}});
            }
            """;
    }

    /// <summary>Rows of <c>S.Row</c> from row-major features; a missing value is null in even rows and NaN in odd ones.</summary>
    public static List<object> Rows(LoadedSnippet snippet, double[] x, int features)
    {
        Type row = snippet.Type("S.Row");
        var rows = new List<object>();
        for (int r = 0; r < x.Length / features; r++)
        {
            var arguments = new object?[features + 1];
            arguments[0] = (long)r;
            for (int f = 0; f < features; f++)
            {
                double v = x[r * features + f];
                arguments[f + 1] = double.IsNaN(v) && r % 2 == 0 ? null : v;
            }
            rows.Add(Activator.CreateInstance(row, arguments)!);
        }
        return rows;
    }

    /// <summary>The predictions and margins the pipeline's kernels give for <paramref name="rows"/>, row-major.</summary>
    public static (float[] Predictions, float[] Margins) Score(LoadedSnippet snippet, List<object> rows, int outputs, int margins, bool vectors)
    {
        (double[] predictions, double[] margin) = Score<float>(snippet, rows, outputs, margins, vectors);
        return (predictions.Select(v => (float)v).ToArray(), margin.Select(v => (float)v).ToArray());
    }

    /// <summary>The same for outputs of type <typeparamref name="T"/> (float or double), widened to double (exactly).</summary>
    public static (double[] Predictions, double[] Margins) Score<T>(LoadedSnippet snippet, List<object> rows, int outputs, int margins, bool vectors)
    {
        CompiledPipeline compiled = BindRunTimeModel(snippet);
        using RecordBatch input = LoadedSnippet.ToBatch(snippet.Type("S.Row"), rows);
        double[] Run(string stage, string type, string prefix, int n) => RunOn(snippet, compiled, input, stage, type, prefix, n);
        double[] RunOn(LoadedSnippet snippet, CompiledPipeline compiled, RecordBatch input, string stage, string type, string prefix, int n)
        {
            SegmentPlan segment = compiled.Plan.Segments.Single(s => s.Stages.SequenceEqual([stage]));
            using IDisposable? scalar = vectors ? null : Dsl.Kernels.KernelDispatch.ScalarOnly();
            using RecordBatch output = compiled.Kernels[segment.Index](input);
            List<object> read = LoadedSnippet.ReadRows(snippet.Type(type), output);
            Assert.Equal(rows.Count, read.Count);
            var values = new double[rows.Count * n];
            for (int r = 0; r < read.Count; r++)
            {
                Assert.Equal((long)r, (long)read[r].GetType().GetProperty("Id")!.GetValue(read[r])!);
                for (int k = 0; k < n; k++)
                {
                    values[r * n + k] = System.Convert.ToDouble((T)read[r].GetType().GetProperty(prefix + k, BindingFlags.Public | BindingFlags.Instance)!.GetValue(read[r])!, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            return values;
        }
        (double[] Predictions, double[] Margins) compiledScores = (Run("Predict", "S.Scored", "P", outputs), Run("Margin", "S.Margins", "M", margins));
        // The run-time stages' kernels gather the features in the model's own type and give the compiled stages' bits.
        AssertBits(compiledScores.Predictions, Run("PredictAtRunTime", "S.Scored", "P", outputs), "run-time prediction", "the file given at run time", vectors);
        AssertBits(compiledScores.Margins, Run("MarginAtRunTime", "S.Margins", "M", margins), "run-time margin", "the file given at run time", vectors);

        // The run-time model's trees on ILGPU's CPU accelerator (--device cpu-emulator): margins added on the device, the link on the host.
        LoadedSnippet gpu = snippet.WithGpuKernels();
        CompiledPipeline onDevice = BindRunTimeModel(gpu).OnDevice("cpu-emulator", warning => Assert.Fail(warning));
        using RecordBatch gpuInput = LoadedSnippet.ToBatch(gpu.Type("S.Row"), rows.Select(r => RowGenerator.Convert(r, gpu.Type("S.Row"))).ToList());
        bool trees = onDevice.Parameters.Models[0].Scorer is Dsl.Models.TreeModelScorer { TreeNodes: not null };
        string? Reason(string stage) => onDevice.Devices!.Segments[onDevice.Plan.Segments.Single(s => s.Stages.SequenceEqual([stage])).Index].NotOnDevice;
        Assert.Contains("scores model 'm' given at run time: an XGBoost or LightGBM model adds its trees' margins on the GPU", Reason("PredictAtRunTime"));
        Assert.Contains("scores a model compiled into C#, which runs on the CPU", Reason("Predict"));
        long before = Dsl.Gpu.DeviceKernels.ThreadTreeMarginBatches;
        AssertBits(compiledScores.Predictions, RunOn(gpu, onDevice, gpuInput, "PredictAtRunTime", "S.Scored", "P", outputs), "device prediction", "the file given at run time, on the emulator", vectors);
        AssertBits(compiledScores.Margins, RunOn(gpu, onDevice, gpuInput, "MarginAtRunTime", "S.Margins", "M", margins), "device margin", "the file given at run time, on the emulator", vectors);
        Assert.True(!trees || rows.Count == 0 || Dsl.Gpu.DeviceKernels.ThreadTreeMarginBatches > before, "the tree model's margins were not added on the device");
        foreach (Dsl.Models.RunTimeModel model in compiled.Parameters.Models.Concat(onDevice.Parameters.Models))
        {
            model.Scorer.Dispose();
        }
        return compiledScores;
    }

    /// <summary>The pipeline with its model file (the build's) given at run time as models <c>m</c> and <c>m-margins</c>.</summary>
    private static CompiledPipeline BindRunTimeModel(LoadedSnippet snippet)
    {
        (string _, string text) = snippet.Files.Single();
        // Every file as .json, which the XGBoost loader takes: a LightGBM text in it still reads (and is recorded) as LightGBM.
        string path = Path.Combine(Path.GetTempPath(), "dsl-runtime-model-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, text);
        try
        {
            CompiledPipeline compiled = snippet.Pipeline("S.Scoring");
            var files = new Dictionary<string, string> { ["m"] = path, ["m-margins"] = path };
            StageParameterValues values = Dsl.Models.ModelCatalog.Load(compiled, files, new StageParameterValues());
            Assert.All(values.Models, m => Assert.Equal(text.StartsWith("tree", StringComparison.Ordinal) ? "LightGBM" : "XGBoost", m.Format));
            return compiled.WithParameters(values);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Every value equal to the library's bit for bit; the first difference is named.</summary>
    public static void AssertBits(double[] expected, double[] actual, string what, string model, bool vectors)
    {
        Assert.Equal(expected.Length, actual.Length);
        int differ = Enumerable.Range(0, expected.Length).Count(i => BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]));
        int first = Enumerable.Range(0, expected.Length).FirstOrDefault(i => BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]), -1);
        Assert.True(differ == 0, $"{model} ({(vectors ? "vector blocks" : "per-row code")}): {differ} of {expected.Length} {what}s differ; the first at {first}: {(first < 0 ? 0 : expected[first]):R} expected, {(first < 0 ? 0 : actual[first]):R} computed");
    }

    /// <summary>Every value equal to the library's bit for bit; the first difference is named.</summary>
    public static void AssertBits(float[] expected, float[] actual, string what, string model, bool vectors)
    {
        Assert.Equal(expected.Length, actual.Length);
        int differ = Enumerable.Range(0, expected.Length).Count(i => BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]));
        int first = Enumerable.Range(0, expected.Length).FirstOrDefault(i => BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]), -1);
        Assert.True(differ == 0, $"{model} ({(vectors ? "vector blocks" : "per-row code")}): {differ} of {expected.Length} {what}s differ; the first at {first}: {(first < 0 ? 0 : expected[first]):R} expected, {(first < 0 ? 0 : actual[first]):R} computed");
    }
}
