using System.Security.Cryptography;
using Dsl.Execution;

namespace Dsl.Models;

/// <summary>
/// Opens the model files a run gives its score stages (<c>--model NAME=PATH</c>, <c>models:</c> in pipeline.yaml) with
/// the loader of each file's format: Dsl.Runtime's XGBoost and LightGBM loaders, then those of the packages the
/// pipeline references (<see cref="CompiledPipeline.ModelLoaders"/>).
/// </summary>
public static class ModelCatalog
{
    /// <summary>The loaders Dsl.Runtime has itself.</summary>
    public static IReadOnlyList<IModelLoader> BuiltIn { get; } = [new XGBoostModelLoader(), new LightGbmModelLoader()];

    /// <summary>
    /// Loads each of <paramref name="files"/> (name to path) for the stages of <paramref name="pipeline"/> that name it,
    /// and sets it into a copy of <paramref name="into"/>. Every name must be one a stage gives (a typo is an error, not
    /// a model silently unused); the stages' feature and output counts are checked against the model; a model two
    /// stages share must be asked for the same output.
    /// </summary>
    /// <exception cref="ArgumentException">A name no stage gives, a file no loader reads, or a model that does not fit its stage (naming both).</exception>
    /// <exception cref="FileNotFoundException">A file that does not exist.</exception>
    public static StageParameterValues Load(CompiledPipeline pipeline, IReadOnlyDictionary<string, string> files, StageParameterValues into) =>
        Load(pipeline, files.ToDictionary(f => f.Key, f => new ModelSource(f.Value), StringComparer.Ordinal), into);

    /// <inheritdoc cref="Load(CompiledPipeline, IReadOnlyDictionary{string, string}, StageParameterValues)"/>
    /// <remarks>Each file's <see cref="ModelSource.BatchRows"/> and <see cref="ModelSource.Concurrency"/> decide how the kernels call it.</remarks>
    public static StageParameterValues Load(CompiledPipeline pipeline, IReadOnlyDictionary<string, ModelSource> files, StageParameterValues into)
    {
        IReadOnlyList<StagePlan> stages = pipeline.Plan.RunTimeModelStages();
        var names = stages.Select(s => s.Model!.RunTimeName!).Distinct(StringComparer.Ordinal).ToList();
        foreach (string given in files.Keys)
        {
            if (!names.Contains(given, StringComparer.Ordinal))
            {
                throw new ArgumentException(names.Count == 0
                    ? $"Model '{given}' was given, but no score stage of pipeline '{pipeline.Plan.Name}' takes a model at run time."
                    : $"Model '{given}' was given, but no score stage of pipeline '{pipeline.Plan.Name}' is named by it; the stages take {string.Join(", ", names.Select(n => "'" + n + "'"))}.");
            }
        }
        IReadOnlyList<IModelLoader> loaders = [.. BuiltIn, .. pipeline.ModelLoaders];
        StageParameterValues values = into.Copy();
        var loaded = new List<IBatchScorer>();
        try
        {
            foreach ((string name, ModelSource file) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                List<StagePlan> users = stages.Where(s => s.Model!.RunTimeName == name).ToList();
                ModelPlan first = users[0].Model!;
                foreach (StagePlan other in users.Skip(1))
                {
                    if (other.Model!.Output != first.Output || other.Model.Features.Count != first.Features.Count || other.Model.Outputs != first.Outputs)
                    {
                        throw new ArgumentException($"Score stages '{users[0].Name}' and '{other.Name}' both take model '{name}' but ask it for different things ({first.Features.Count} features, {first.Outputs} {first.Output}s against {other.Model.Features.Count}, {other.Model.Outputs} {other.Model.Output}s); give them a model each.");
                    }
                }
                RunTimeModel model = Open(name, file.Path, users[0], loaders);
                loaded.Add(model.Scorer);
                if (file.BatchRows > 0 || file.Concurrency > 0)
                {
                    model = model with { Scorer = new PacedScorer(model.Scorer, file.BatchRows, file.Concurrency), BatchRows = file.BatchRows };
                    loaded[^1] = model.Scorer;
                }
                values.SetModel(model);
            }
        }
        catch
        {
            foreach (IBatchScorer scorer in loaded)
            {
                scorer.Dispose();
            }
            throw;
        }
        return values;
    }

    /// <summary>Opens <paramref name="path"/> for <paramref name="stage"/> with the first of <paramref name="loaders"/> that reads it.</summary>
    public static RunTimeModel Open(string name, string path, StagePlan stage, IReadOnlyList<IModelLoader> loaders)
    {
        ModelPlan plan = stage.Model ?? throw new ArgumentException($"Stage '{stage.Name}' is no score stage.", nameof(stage));
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Model '{name}' of score stage '{stage.Name}': no file {full}.", full);
        }
        IModelLoader loader = loaders.FirstOrDefault(l => l.Reads(full))
            ?? throw new ArgumentException($"Model '{name}' of score stage '{stage.Name}': no loader reads {full}; this pipeline reads {string.Join(", ", loaders.Select(l => l.Format))} files (ONNX needs a reference to Dsl.Onnx, TorchScript to Dsl.Torch).");
        string sha256;
        using (FileStream stream = File.OpenRead(full))
        {
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        IBatchScorer scorer;
        try
        {
            scorer = loader.Load(full, new ModelLoadOptions(plan.ScoreOutput, plan.Features.Count, plan.Outputs));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException($"Model '{name}' of score stage '{stage.Name}' ({loader.Format} file {full}) cannot be used: {e.Message}", e);
        }
        if (scorer.FeatureCount != plan.Features.Count || scorer.OutputCount != plan.Outputs)
        {
            int features = scorer.FeatureCount, outputs = scorer.OutputCount;
            scorer.Dispose();
            throw new ArgumentException($"Model '{name}' ({loader.Format} file {full}) does not fit score stage '{stage.Name}': the model reads {features} features and gives {outputs} output(s) a row; the stage gives {plan.Features.Count} ({string.Join(", ", plan.Features)}) and takes {plan.Outputs}.");
        }
        // A tree file's format is its content's (a LightGBM text saved as .json reads as LightGBM, as at build time).
        return new RunTimeModel(name, full, sha256, scorer is TreeModelScorer tree ? tree.Format : loader.Format, scorer);
    }
}
