using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dsl.Execution;
using Dsl.Fitting;
using static Dsl.Runtime.Tests.Fitting.FitPipelines;

namespace Dsl.Runtime.Tests.Fitting;

/// <summary>The fitted-state file: exact round trips, the content hash, and clear refusals of damaged, edited or unrelated files.</summary>
public sealed class FittedStateTests : IDisposable
{
    private static readonly double[] Awkward = [0.1, -0.0, 0.0, double.Epsilon, double.MaxValue, double.MinValue, 1e-300, double.NaN, double.PositiveInfinity, double.NegativeInfinity, Math.PI, 123456789.123456789];

    private readonly string _root = Directory.CreateTempSubdirectory("dsl-fitted-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // A state fitted by the test pipeline, with awkward values from a fit method that sets them.
    private FittedState Fitted()
    {
        string input = System.IO.Path.Combine(_root, "in");
        WriteInput(input, files: 2, rowsPerFile: 600, rowGroupRows: 200);
        CompiledPipeline awkward = Pipeline(fitter: (results, into) =>
        {
            Fitter(results, into);
            into.Set(ParametersType, "Edges", Awkward);
            into.Set(ParametersType, "Vocab", new[] { "a,b", "", "é😀\"\\", "c" });
        });
        return new LocalExecutor(new ExecutionOptions { TargetPartitionRows = 200 }).Fit(awkward, input);
    }

    private static string Path(string root, string name) => System.IO.Path.Combine(root, name);

    [Fact]
    public void SaveThenLoad_GivesEveryValueBitForBit_AndTheSameHashAndBytes()
    {
        FittedState state = Fitted();
        string file = Path(_root, "fitted.json");
        state.Save(file);

        FittedState read = FittedState.Load(file);

        Assert.Equal(state.Hash, read.Hash);
        Assert.Equal(64, read.Hash.Length);
        Assert.Equal(state.ToJson(), read.ToJson());
        Assert.Equal(File.ReadAllBytes(file), read.ToJson());
        double[] edges = (double[])read.Values.Single(v => v.Member == "Edges").Value;
        Assert.Equal(Awkward.Select(BitConverter.DoubleToInt64Bits).Where((_, i) => !double.IsNaN(Awkward[i])), edges.Where(e => !double.IsNaN(e)).Select(BitConverter.DoubleToInt64Bits));
        Assert.True(double.IsNaN(edges[7]));
        Assert.Equal(["a,b", "", "é😀\"\\", "c"], (string[])read.Values.Single(v => v.Member == "Vocab").Value);
        Assert.Equal(ParameterType.StringArray, read.Values.Single(v => v.Member == "Vocab").Type);
        Assert.Equal("fit-stats", read.Pipeline);
        FittedStage fit = Assert.Single(read.Fits);
        Assert.Equal(state.Fits[0].Rows, fit.Rows);
        Assert.Equal(state.Fits[0].Answers.Select(a => (a.Request.Statistic, a.Request.Expression, a.Type)), fit.Answers.Select(a => (a.Request.Statistic, a.Request.Expression, a.Type)));
        Assert.Equal(state.Fits[0].Answers.Select(a => JsonSerializer.Serialize(a.Request.Arguments)), fit.Answers.Select(a => JsonSerializer.Serialize(a.Request.Arguments)));
        // No leftovers of the atomic write.
        Assert.Equal(["fitted.json", "in"], Directory.GetFileSystemEntries(_root).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheHash_IgnoresLayout_ButNotValues()
    {
        FittedState state = Fitted();
        string file = Path(_root, "fitted.json");
        // Re-indented and compacted by another tool: the same values, the same hash.
        JsonNode node = JsonNode.Parse(state.ToJson())!;
        File.WriteAllText(file, node.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        Assert.Equal(state.Hash, FittedState.Load(file).Hash);

        // One value changed by a hand: refused, both hashes named.
        node["parameters"]![ParametersType]!["Mean"]!["value"] = 1.5;
        File.WriteAllText(file, node.ToJsonString());
        var tampered = Assert.Throws<ArgumentException>(() => FittedState.Load(file));
        Assert.Contains($"The fitted-state file '{file}' was changed after it was written", tampered.Message);
        Assert.Contains($"the file records {state.Hash}", tampered.Message);

        // So is an edited answer or a row count, which the values do not show.
        node = JsonNode.Parse(state.ToJson())!;
        node["fits"]![0]!["rows"] = 1;
        File.WriteAllText(file, node.ToJsonString());
        Assert.Contains("was changed after it was written", Assert.Throws<ArgumentException>(() => FittedState.Load(file)).Message);
    }

    [Fact]
    public void MissingCorruptAndForeignFiles_AreRefusedNamingTheFile()
    {
        string file = Path(_root, "fitted.json");
        Assert.StartsWith($"The fitted-state file '{file}' does not exist. Write one with", Assert.Throws<ArgumentException>(() => FittedState.Load(file)).Message);

        byte[] good = Fitted().ToJson();
        File.WriteAllBytes(file, good[..(good.Length / 2)]);
        Assert.StartsWith($"The fitted-state file '{file}' is not valid JSON", Assert.Throws<ArgumentException>(() => FittedState.Load(file)).Message);

        File.WriteAllText(file, """{"format": "dsl-profile/1", "columns": []}""");
        Assert.Equal($"The file '{file}' is not a fitted-state file: it has no \"format\": \"dsl-fitted/1\".", Assert.Throws<ArgumentException>(() => FittedState.Load(file)).Message);

        File.WriteAllText(file, Encoding.UTF8.GetString(good).Replace("dsl-fitted/1", "dsl-fitted/2", StringComparison.Ordinal));
        Assert.Contains("has format 'dsl-fitted/2', which this runtime does not read", Assert.Throws<ArgumentException>(() => FittedState.Load(file)).Message);

        JsonNode node = JsonNode.Parse(good)!;
        node["parameters"]![ParametersType]!["Mean"]!["type"] = "Complex";
        File.WriteAllText(file, node.ToJsonString());
        Assert.Equal($"The fitted-state file '{file}' is damaged: unknown value type 'Complex'. Fit again (run without --fitted, or the fit command) to write a new one.", Assert.Throws<ArgumentException>(() => FittedState.Load(file)).Message);

        node = JsonNode.Parse(good)!;
        node.AsObject().Remove("fits");
        File.WriteAllText(file, node.ToJsonString());
        Assert.Contains("is damaged: a required field is missing", Assert.Throws<ArgumentException>(() => FittedState.Load(file)).Message);
    }
}
