using System.Text.Json;
using Dsl.Execution;
using Dsl.Fitting;
using Dsl.Parquet;
using static Dsl.Runtime.Tests.Fitting.FitPipelines;

namespace Dsl.Runtime.Tests.Fitting;

/// <summary>
/// Runs of a pipeline with a fit stage through <see cref="LocalExecutor"/>: the first pass, the second pass bound with
/// the fitted values, the fitted state in the output and the manifest, loading a saved state instead of fitting, and
/// reruns that reuse the cached state.
/// </summary>
public sealed class FitRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-fitrun-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ExecutionOptions Options => new() { TargetPartitionRows = 1_500, MaxParallelism = 2 };

    private string Input(out Row[] rows, int files = 3)
    {
        string input = Path.Combine(_root, "in");
        rows = WriteInput(input, files, rowsPerFile: 4_000, rowGroupRows: 1_000);
        return input;
    }

    [Fact]
    public void Run_WithAFitStage_FitsFirstThenScoresEveryKeptRowWithTheFittedValues()
    {
        string input = Input(out Row[] rows);
        var calls = new Calls();
        string output = Path.Combine(_root, "out");

        JobResult result = new LocalExecutor(Options).Run(Pipeline(calls), input, output);

        Assert.NotNull(result.Fit);
        Assert.Equal(FitSource.Computed, result.Fit.Source);
        Assert.Equal(12, result.Fit.Partitions);
        Assert.Equal(12_000, result.Fit.RowsRead);
        Assert.True(calls.FirstPass > 0);
        FittedState state = FittedState.Load(Path.Combine(output, FittedState.FileName));
        Assert.Equal(result.Fit.Hash, state.Hash);
        double mean = (double)state.Values.Single(v => v.Member == "Mean").Value;
        double std = (double)state.Values.Single(v => v.Member == "Std").Value;
        double[] kept = rows.Where(r => Keeps(r.Id) && r.Amount is double a && !double.IsNaN(a)).Select(r => r.Amount!.Value).ToArray();
        Assert.Equal(kept.Average(), mean, 1e-9);
        Assert.Equal(rows.Count(r => Keeps(r.Id)), state.Fits[0].Rows);

        // The second pass read the fitted values: every kept row's Z is (Amount - mean) / std.
        var z = new Dictionary<long, double?>();
        foreach (string file in Directory.GetFiles(output, "part-*.parquet"))
        {
            using var reader = new ParquetFileReader(file);
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                using RecordBatch batch = reader.ReadRowGroup(rg, ["Id", "Z"]);
                PrimitiveColumn<double> values = batch.GetPrimitive<double>("Z", ColumnType.Double);
                ReadOnlySpan<long> ids = batch.GetPrimitive<long>("Id", ColumnType.Int64).Values;
                for (int i = 0; i < batch.RowCount; i++)
                {
                    z[ids[i]] = values.IsNull(i) ? null : values[i];
                }
            }
        }
        Row[] expected = rows.Where(r => Keeps(r.Id)).ToArray();
        Assert.Equal(expected.Length, z.Count);
        foreach (Row row in expected)
        {
            Assert.Equal(row.Amount is double a ? (a - mean) / std : null, z[row.Id]);
        }

        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, LocalExecutor.ManifestFile)));
        JsonElement fitted = manifest.RootElement.GetProperty("fitted");
        Assert.Equal(state.Hash, fitted.GetProperty("sha256").GetString());
        Assert.Equal("computed", fitted.GetProperty("source").GetString());
        Assert.False(fitted.GetProperty("loaded").GetBoolean());
        Assert.Equal(FittedState.FileName, fitted.GetProperty("file").GetString());
    }
}
