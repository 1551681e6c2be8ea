using System.Text;
using Dsl.Generators.Model;
using Dsl.Generators.Scoring;

namespace Dsl.Models;

/// <summary>
/// Loads an XGBoost JSON model (<c>.json</c>) at run time as a <see cref="TreeModelScorer"/>: the file is read by the
/// readers that compile a <c>[Score]</c> stage's model at build time, so it is refused for the same reasons, with the
/// same words.
/// </summary>
/// <remarks>As at build time, the file's content decides what it is: a LightGBM text model in a <c>.json</c> file loads as one.</remarks>
public sealed class XGBoostModelLoader : IModelLoader
{
    /// <summary><c>XGBoost</c>.</summary>
    public string Format => "XGBoost";

    /// <summary>Whether <paramref name="path"/> ends with <c>.json</c> (any case).</summary>
    public bool Reads(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Loads <paramref name="path"/> as a <see cref="TreeModelScorer"/> giving what <paramref name="options"/> asks
    /// (predictions or margins), after checking that the model reads <see cref="ModelLoadOptions.FeatureCount"/>
    /// features and gives <see cref="ModelLoadOptions.OutputCount"/> outputs a row.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is no model a <c>[Score]</c> stage compiles: the message names the file and what is wrong, in the build's words.</exception>
    /// <exception cref="ArgumentException">The model does not fit the stage (other feature or output counts): the message names the file, the model and both counts.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public IBatchScorer Load(string path, ModelLoadOptions options) => TreeModelLoader.Load(path, options);
}

/// <summary>
/// Loads a LightGBM text model (<c>.txt</c>, as <c>save_model</c> writes it) at run time as a
/// <see cref="TreeModelScorer"/>, read by the readers that compile a <c>[Score]</c> stage's model at build time.
/// </summary>
/// <remarks>As at build time, the file's content decides what it is: an XGBoost JSON model in a <c>.txt</c> file loads as one.</remarks>
public sealed class LightGbmModelLoader : IModelLoader
{
    /// <summary><c>LightGBM</c>.</summary>
    public string Format => "LightGBM";

    /// <summary>Whether <paramref name="path"/> ends with <c>.txt</c> (any case).</summary>
    public bool Reads(string path) => path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Loads <paramref name="path"/> as a <see cref="TreeModelScorer"/> giving what <paramref name="options"/> asks
    /// (predictions or margins), after checking that the model reads <see cref="ModelLoadOptions.FeatureCount"/>
    /// features and gives <see cref="ModelLoadOptions.OutputCount"/> outputs a row.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is no model a <c>[Score]</c> stage compiles: the message names the file and what is wrong, in the build's words.</exception>
    /// <exception cref="ArgumentException">The model does not fit the stage (other feature or output counts): the message names the file, the model and both counts.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public IBatchScorer Load(string path, ModelLoadOptions options) => TreeModelLoader.Load(path, options);
}

/// <summary>What both tree-model loaders do.</summary>
internal static class TreeModelLoader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Loads <paramref name="path"/> as a <see cref="TreeModelScorer"/> giving what <paramref name="options"/> asks
    /// (predictions or margins), after checking it reads <see cref="ModelLoadOptions.FeatureCount"/> features and gives
    /// <see cref="ModelLoadOptions.OutputCount"/> outputs a row.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is no model a <c>[Score]</c> stage compiles (the message names the file and what is wrong).</exception>
    /// <exception cref="ArgumentException">The model does not fit the stage: other feature or output counts (the message names both).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static TreeModelScorer Load(string path, ModelLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Output is not (ScoreOutput.Prediction or ScoreOutput.Margin))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Output, "ModelLoadOptions.Output is neither Prediction nor Margin.");
        }
        byte[] bytes = File.ReadAllBytes(path);
        string sha256 = ModelFile.Sha256(bytes);
        string text;
        try
        {
            // A byte-order mark is no part of the text, as the build reads the file.
            int start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
            text = s_strictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"The model file {path} cannot be loaded: it is not UTF-8 text ({e.Message})", e);
        }
        if (ModelFile.Read(path, sha256, text, out string? error) is not { } model)
        {
            throw new InvalidDataException($"The model file {path} cannot be loaded: {error}.");
        }
        Fits(path, model, options);
        try
        {
            return new TreeModelScorer(model, options.Output);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"The model file {path} cannot be loaded: {e.Message}", e);
        }
    }

    private static void Fits(string path, ModelSpec model, ModelLoadOptions options)
    {
        if (options.FeatureCount != model.FeatureCount)
        {
            throw new ArgumentException(
                $"The model file {path} ({model.Describe()}) reads {model.FeatureCount} features a row but the stage gives {options.FeatureCount}.", nameof(options));
        }
        bool margin = options.Output == ScoreOutput.Margin;
        int outputs = model.Outputs(margin);
        if (outputs != options.OutputCount)
        {
            // The words of the build's DSL3020 for the same misfit.
            string what = margin ? "margin" : "prediction";
            string gives = outputs == 1 ? "one " + what : outputs + " " + what + "s, one per class,";
            throw new ArgumentException(
                $"The model file {path} ({model.Describe()}) gives {gives} but the stage takes {options.OutputCount} after its row.", nameof(options));
        }
    }
}
