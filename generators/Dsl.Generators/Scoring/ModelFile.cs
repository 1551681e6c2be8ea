using System.Text;
using Dsl.Generators.Model;

namespace Dsl.Generators.Scoring;

/// <summary>
/// Reads a model file's text as the model it holds, whichever library wrote it: the one entry to the readers, which
/// the generator (at build time, <c>ModelBinder</c>) and Dsl.Runtime (at run time; it compiles this file too)
/// both call, so a model reads the same, with the same errors, either way.
/// </summary>
internal static class ModelFile
{
    /// <summary>The model in <paramref name="text"/>, or null with <paramref name="error"/> saying why not.</summary>
    /// <param name="path">The file as the stage names it.</param>
    /// <param name="sha256">The file's SHA-256 (<see cref="Sha256"/>), kept in the model.</param>
    /// <param name="text">The file's text.</param>
    /// <param name="error">What is wrong with the file, to follow its name.</param>
    public static ModelSpec? Read(string path, string sha256, string text, out string? error)
    {
        try
        {
            return ReadFile(path, sha256, text, out error);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            // A file the readers did not foresee is still an error about the file, not a failed generator or loader.
            error = "it could not be read (" + e.GetType().Name + ": " + e.Message + ")";
            return null;
        }
    }

    private static ModelSpec? ReadFile(string path, string sha256, string text, out string? error)
    {
        if (LightGbmModelReader.Recognizes(text))
        {
            return LightGbmModelReader.Read(path, sha256, text, out error);
        }
        if (ModelJson.Parse(text, out string? jsonError) is not { } document)
        {
            error = "it is neither a LightGBM text model nor JSON (" + jsonError + ")";
            return null;
        }
        if (!XGBoostModelReader.Recognizes(document))
        {
            error = "it is JSON but not an XGBoost model (no 'learner' object)";
            return null;
        }
        return XGBoostModelReader.Read(path, sha256, document, out error);
    }

    /// <summary>The SHA-256 of <paramref name="bytes"/> as lower-case hex, which run manifests record.</summary>
    public static string Sha256(byte[] bytes)
    {
        using var sha = System.Security.Cryptography.SHA256.Create();
        byte[] hash = sha.ComputeHash(bytes);
        var hex = new StringBuilder(64);
        foreach (byte b in hash)
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return hex.ToString();
    }
}
