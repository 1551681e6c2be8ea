using Dsl.Execution;
using Dsl.Models;
using Dsl.Testing;

namespace Dsl.Torch.Tests;

[Schema] public partial record Reading(long Id, float A, double? B, int C, bool D);

[Schema] public partial record Classes(long Id, float P0, float P1, int Best);

/// <summary>A pipeline whose TorchScript model the run gives: four features, two class scores.</summary>
[Pipeline("torch-classes")]
public static partial class TorchClasses
{
    [Score(ModelName = "net", Features = new[] { nameof(Reading.A), nameof(Reading.B), nameof(Reading.C), nameof(Reading.D) })]
    static Classes Classify(Reading r, float p0, float p1) => new(r.Id, p0, p1, p1 > p0 ? 1 : 0);
}

/// <summary>
/// A <c>[Score(ModelName = ...)]</c> stage in a pipeline that references Dsl.Torch: its plan lists
/// <see cref="TorchModelLoader"/>, <see cref="ModelCatalog"/> opens a <c>.pt</c> file for it, and the kernel's outputs are
/// libtorch's own for the gathered features (null as NaN, bool as 1/0), within what PyTorch 1.13 itself gives.
/// </summary>
public sealed class RunTimeTorchStageTests : IDisposable
{
    private readonly TempDirectory _folder = TempDirectory.Create("dsl-torch-stage");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TorchScriptModelGivenAtRunTime_ScoresTheBatch_AsTorchScoresTheSameFeatures()
    {
        Assert.Contains(TorchClasses.Compiled.ModelLoaders, l => l is TorchModelLoader);
        string path = TorchReference.Build(_folder.Combine("net.pt"), "mlp", 4, 16, 2);
        StageParameterValues values = ModelCatalog.Load(TorchClasses.Compiled, new Dictionary<string, string> { ["net"] = path }, new StageParameterValues());
        RunTimeModel model = Assert.Single(values.Models);
        Assert.Equal("TorchScript", model.Format);
        CompiledPipeline bound = TorchClasses.Compiled.WithParameters(values);

        var random = new Random(5);
        List<Reading> rows = [.. Enumerable.Range(0, 2000).Select(i => new Reading(
            i, (float)(random.NextDouble() * 4 - 2), i % 5 == 0 ? null : random.NextDouble() * 2 - 1, random.Next(-3, 4), random.Next(2) == 1))];
        using RecordBatch input = Reading.ToBatch(rows);
        using RecordBatch output = bound.Kernels[0](input);
        List<Classes> scored = [.. Classes.ReadRows(output)];

        // The same features, gathered by hand (no null here: an MLP gives NaN for a NaN feature), through the same scorer.
        float[] x = rows.SelectMany(r => new[] { r.A, r.B is { } b ? (float)b : float.NaN, r.C, r.D ? 1f : 0f }).ToArray();
        float[] expected = new float[rows.Count * 2];
        model.Scorer.Score(x, rows.Count, expected);
        Assert.Equal(expected, scored.SelectMany(s => new[] { s.P0, s.P1 }));
        Assert.All(scored.Where(s => s.Id % 5 == 0), s => Assert.True(float.IsNaN(s.P0) && float.IsNaN(s.P1)));

        // And PyTorch 1.13 on the rows without a missing value, within its rounding of the matrix products.
        int[] complete = [.. Enumerable.Range(0, rows.Count).Where(i => rows[i].B is not null)];
        float[] torch = TorchReference.Predict(path, [.. complete.SelectMany(i => x.AsSpan(i * 4, 4).ToArray())], complete.Length, 4, 2);
        for (int k = 0; k < complete.Length; k++)
        {
            Assert.Equal(torch[k * 2], scored[complete[k]].P0, 2.5e-7f);
            Assert.Equal(torch[k * 2 + 1], scored[complete[k]].P1, 2.5e-7f);
        }
        model.Scorer.Dispose();
    }

    [Fact]
    public void TorchScriptModelOfAnotherWidth_IsRefusedNamingTheStageAndFile()
    {
        string path = TorchReference.Build(_folder.Combine("wide.pt"), "mlp", 5, 8, 2);
        var error = Assert.Throws<ArgumentException>(() => ModelCatalog.Load(TorchClasses.Compiled, new Dictionary<string, string> { ["net"] = path }, new StageParameterValues()));
        Assert.StartsWith("Model 'net' of score stage 'Classify' (TorchScript file " + path + ") cannot be used: ", error.Message, StringComparison.Ordinal);
    }
}

[Schema] public partial record Signal(long Id, float A, float B);

[Schema] public partial record Summed(long Id, float Sum);

/// <summary>A model that refuses any batch with a negative feature, behind a stage that quarantines its row errors.</summary>
[Pipeline("torch-guarded")]
public static partial class TorchGuarded
{
    [Score(ModelName = "sum", Features = new[] { nameof(Signal.A), nameof(Signal.B) }, OnRowError = RowErrorAction.Quarantine)]
    static Summed Add(Signal s, float sum) => new(s.Id, sum);
}

/// <summary>The same stage failing the job on a row error (the default).</summary>
[Pipeline("torch-strict")]
public static partial class TorchStrict
{
    [Score(ModelName = "sum", Features = new[] { nameof(Signal.A), nameof(Signal.B) })]
    static Summed Add(Signal s, float sum) => new(s.Id, sum);
}

/// <summary>
/// Per-record errors of a run-time model: a batch the model refuses is scored row by row, and each row it refuses is a
/// row error of the stage, quarantined with the model's message or failing the job naming the row, as OnRowError says.
/// </summary>
public sealed class RunTimeModelRowErrorTests : IDisposable
{
    private readonly TempDirectory _folder = TempDirectory.Create("dsl-torch-errors");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void RowsTheModelRefuses_AreQuarantined_AndTheOthersScored()
    {
        string path = TorchReference.Build(_folder.Combine("raises.pt"), "raises");
        CompiledPipeline bound = TorchGuarded.Compiled.WithParameters(ModelCatalog.Load(TorchGuarded.Compiled, new Dictionary<string, string> { ["sum"] = path }, new StageParameterValues()));
        List<Signal> rows = [.. Enumerable.Range(0, 50).Select(i => new Signal(i, i % 7 == 3 ? -1f : i, 0.5f))];
        using RecordBatch input = Signal.ToBatch(rows);
        var violations = new Validation.RowViolations();
        using RecordBatch output = bound.Kernels[0](input, violations);

        List<Summed> scored = [.. Summed.ReadRows(output)];
        Assert.Equal(rows.Where(r => r.A >= 0).Select(r => new Summed(r.Id, r.A + 0.5f)), scored);
        Assert.Equal(rows.Where(r => r.A < 0).Select(r => (int)r.Id), violations.Rows.ToArray());
        Assert.Contains("model 'sum' refused the row:", violations.MessageOf(0), StringComparison.Ordinal);
        Assert.Contains("negative feature", violations.MessageOf(0), StringComparison.Ordinal);
        foreach (RunTimeModel model in bound.Parameters.Models)
        {
            model.Scorer.Dispose();
        }
    }

    [Fact]
    public void AModelThatRefusesEveryRow_FailsTheJob_EvenWhereRowErrorsAreQuarantined()
    {
        string path = TorchReference.Build(_folder.Combine("raises.pt"), "raises");
        CompiledPipeline bound = TorchGuarded.Compiled.WithParameters(ModelCatalog.Load(TorchGuarded.Compiled, new Dictionary<string, string> { ["sum"] = path }, new StageParameterValues()));
        using RecordBatch input = Signal.ToBatch([.. Enumerable.Range(0, 9).Select(i => new Signal(i, -1f - i, 0f))]);
        var error = Assert.Throws<InvalidOperationException>(() => bound.Kernels[0](input, new Validation.RowViolations()));
        Assert.StartsWith("The model refused every row of a batch of 9, alone as well as together, so the fault is the model's, not the rows': ", error.Message, StringComparison.Ordinal);
        Assert.Contains("negative feature", error.Message, StringComparison.Ordinal);
        foreach (RunTimeModel model in bound.Parameters.Models)
        {
            model.Scorer.Dispose();
        }
    }

    [Fact]
    public void ARowTheModelRefuses_FailsAStrictStage_NamingTheRow()
    {
        string path = TorchReference.Build(_folder.Combine("raises.pt"), "raises");
        CompiledPipeline bound = TorchStrict.Compiled.WithParameters(ModelCatalog.Load(TorchStrict.Compiled, new Dictionary<string, string> { ["sum"] = path }, new StageParameterValues()));
        List<Signal> rows = [.. Enumerable.Range(0, 20).Select(i => new Signal(i, i == 13 ? -2f : i, 1f))];
        using RecordBatch input = Signal.ToBatch(rows);
        var error = Assert.Throws<Validation.StageRowException>(() => bound.Kernels[0](input));
        Assert.Equal(("Add", 13), (error.Stage, error.Row));
        Assert.IsType<ModelRowException>(error.InnerException);
        foreach (RunTimeModel model in bound.Parameters.Models)
        {
            model.Scorer.Dispose();
        }
    }
}
