namespace Dsl.Models;

/// <summary>
/// Opens model files of one format at run time. Dsl.Runtime has the loaders of XGBoost JSON and LightGBM text models;
/// a package with another (<c>Dsl.Onnx</c>, <c>Dsl.Torch</c>) names its loader with
/// <see cref="ModelLoaderAttribute"/>, and a pipeline that references the package gets it without any code.
/// </summary>
public interface IModelLoader
{
    /// <summary>The format's name, for messages and <c>explain</c> (<c>ONNX</c>).</summary>
    string Format { get; }

    /// <summary>Whether <paramref name="path"/> is a file of this format (by its extension: <c>.onnx</c>).</summary>
    bool Reads(string path);

    /// <summary>Loads <paramref name="path"/>; its errors name the file and what is wrong with it.</summary>
    IBatchScorer Load(string path, ModelLoadOptions options);
}

/// <summary>What a stage asks of the model it loads.</summary>
/// <param name="Output">
/// Predictions, or raw margins; a loader of a format without margins (ONNX, TorchScript: the graph decides its
/// outputs) refuses <see cref="ScoreOutput.Margin"/>.
/// </param>
/// <param name="FeatureCount">
/// The features a row the stage gives the model. A loader whose format records the model's shapes checks them
/// against it; one whose format does not (TorchScript) takes it as the model's and checks it by running the model once.
/// </param>
/// <param name="OutputCount">The outputs a row the stage expects from the model, checked or taken the same way.</param>
public sealed record ModelLoadOptions(ScoreOutput Output, int FeatureCount, int OutputCount);

/// <summary>Names the <see cref="IModelLoader"/> (with a public parameterless constructor) an assembly brings.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class ModelLoaderAttribute : Attribute
{
    /// <param name="loader">A public class implementing <see cref="IModelLoader"/>.</param>
    public ModelLoaderAttribute(Type loader)
    {
        Loader = loader;
    }

    /// <summary>The loader's type.</summary>
    public Type Loader { get; }
}
