using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Hosting;
using Dsl.Parquet;

namespace Dsl.Generators.Tests.Execution;

/// <summary>A generated pipeline whose map takes a parameter object, run end to end through the command line.</summary>
public sealed class StageParameterHostTests : IDisposable
{
    private const string Source = TestSources.Usings + """
        namespace E;

        [Schema]
        public partial record Txn(long UserId, double Amount, string Country);

        [Schema]
        public partial record Feat(long UserId, double AmountZ, bool Home);

        public sealed record AmountScaling(double Mean, double Std, string Home);

        [Pipeline("scaling")]
        public static partial class Scaling
        {
            [Filter]
            static bool Valid(Txn t) => t.Amount >= 0;

            [Map(From = nameof(Valid))]
            static Feat Featurize(Txn t, AmountScaling s) => new(t.UserId, (t.Amount - s.Mean) / s.Std, t.Country == s.Home);
        }
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"dsl-params-e2e-{Guid.NewGuid():N}");

    public StageParameterHostTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Run_WithParametersFromPipelineYamlAndACommandLineOverride_WritesTheScaledValues()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline compiled = snippet.Pipeline("E.Scaling");
        Type txn = snippet.Type("E.Txn");
        string[] countries = ["FR", "DE", "US", "FR"];
        var rows = Enumerable.Range(0, 1000)
            .Select(i => Activator.CreateInstance(txn, (long)i, i % 7 == 0 ? -1.0 : i * 1.25, countries[i % countries.Length])!)
            .ToList();
        string input = Path.Combine(_root, "in");
        Directory.CreateDirectory(input);
        using (RecordBatch batch = LoadedSnippet.ToBatch(txn, rows))
        using (var writer = new ParquetFileWriter(Path.Combine(input, "part-0.parquet"), batch.Schema, new ParquetWriteOptions()))
        {
            writer.WriteBatch(batch);
        }
        string config = Path.Combine(_root, "pipeline.yaml");
        File.WriteAllText(config, """
            pipeline: scaling
            parameters:
              AmountScaling:
                Mean: 120.5
                Std: 33.0
                Home: FR
            """);
        string output = Path.Combine(_root, "out");

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PipelineHost.Run(compiled, ["run", "--input", input, "--output", output, "--config", config, "--param", "AmountScaling.Mean=3"], stdout: stdout, stderr: stderr);

        Assert.True(code == 0, stderr.ToString());
        var expected = Enumerable.Range(0, 1000).Where(i => i % 7 != 0).ToList();
        var userIds = new List<long>();
        var z = new List<double>();
        var home = new List<bool>();
        foreach (string file in Directory.GetFiles(output, "*.parquet").Order(StringComparer.Ordinal))
        {
            using var reader = new ParquetFileReader(file);
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                using RecordBatch batch = reader.ReadRowGroup(rg, ["UserId", "AmountZ", "Home"]);
                userIds.AddRange(batch.GetPrimitive<long>("UserId", ColumnType.Int64).Values.ToArray());
                z.AddRange(batch.GetPrimitive<double>("AmountZ", ColumnType.Double).Values.ToArray());
                home.AddRange(batch.GetPrimitive<bool>("Home", ColumnType.Boolean).Values.ToArray());
            }
        }
        Assert.Equal(expected.Select(i => (long)i), userIds);
        Assert.Equal(expected.Select(i => (i * 1.25 - 3) / 33.0), z);
        Assert.Equal(expected.Select(i => countries[i % countries.Length] == "FR"), home);

        var explained = new StringWriter();
        Assert.Equal(0, PipelineHost.Run(compiled, ["explain", "--config", config], stdout: explained, stderr: stderr));
        Assert.Contains("parameters AmountScaling { Mean = 120.5, Std = 33, Home = \"FR\" }, read once per batch", explained.ToString(), StringComparison.Ordinal);
    }
}
