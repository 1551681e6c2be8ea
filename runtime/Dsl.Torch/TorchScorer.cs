using System.Runtime.InteropServices;
using Dsl.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Torch;

/// <summary>
/// A TorchScript model (<c>torch.jit.script(m).save(path)</c>) scored with TorchSharp: one module for the process, in
/// eval mode, run without autograd on the calling thread. The features are wrapped where they lie
/// (<see cref="torch.from_array(Array, Device?)"/>, then a view of the first rows), never copied; the output is copied
/// into the caller's buffer by libtorch. The first scorer of a process sets, for the whole process, libtorch's
/// intra-op threads to 1 (<see cref="torch.set_num_threads(int)"/>: Dsl already runs one partition task per core) through
/// <see cref="TorchRuntime.Initialize"/>, which also sets <c>MKL_CBWR=AUTO</c> so that the same rows score the same
/// wherever their buffer lies.
/// </summary>
public sealed class TorchScorer : IBatchScorer
{
    // Scoring runs one partition task per core already: one libtorch thread each.
    private static readonly Lazy<bool> s_setUp = new(() =>
    {
        TorchRuntime.Initialize(threads: 1);
        return true;
    });

    // One module for every thread, no lock: libtorch runs a scripted module's forward from several threads at once
    // (each call has its own interpreter state; the graph executor builds its plans under its own lock), and
    // TorchSharp's forward keeps its argument and result arrays per call and its error text thread-local
    // (Utils.cpp's torch_last_err). Grad mode and dispose scopes are per thread too.
    private readonly jit.ScriptModule _module;
    private readonly string _path;

    /// <summary>
    /// Loads <paramref name="path"/>, a TorchScript module whose forward takes one float32 tensor [rows,
    /// <paramref name="featureCount"/>] and returns one float32 tensor [rows, <paramref name="outputCount"/>] (or [rows]
    /// for one output). TorchScript records no shapes: they are checked by scoring one row of zeros.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">libtorch cannot load the file as TorchScript, or the model fails on the row of zeros (as one of another number of features does); the message names the file and libtorch's or the model's error.</exception>
    /// <exception cref="ArgumentException">The model's output for the row is not one float32 tensor of that shape; the message names the file and what it returns.</exception>
    /// <exception cref="InvalidOperationException">TorchSharp's native library does not load, as where libstdc++ is older than GCC 13's and the output folder's libLibTorchSharp.so is not the copy Dsl.Torch's build step patches.</exception>
    public TorchScorer(string path, int featureCount, int outputCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The TorchScript model {path} does not exist.", path);
        }
        _path = path;
        FeatureCount = featureCount;
        OutputCount = outputCount;
        _ = s_setUp.Value;
        try
        {
            _module = jit.load(path);
        }
        catch (ExternalException e)
        {
            throw new InvalidDataException($"libtorch cannot load {path} as a TorchScript model: {Reason(e)}", e);
        }
        try
        {
            _module.eval();
            Probe();
        }
        catch
        {
            _module.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <inheritdoc />
    public int OutputCount { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model's forward fails (the message names the file and the model's error), or returns another shape or type for these rows than for the row it was checked with.</exception>
    public void Score(float[] features, int rows, float[] outputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if ((long)features.Length < (long)rows * FeatureCount || (long)outputs.Length < (long)rows * OutputCount)
        {
            throw new ArgumentException($"{rows} rows need {(long)rows * FeatureCount} features and {(long)rows * OutputCount} outputs; got {features.Length} and {outputs.Length}.");
        }
        if (rows == 0)
        {
            return;
        }
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        Tensor x = from_array(features).narrow(0, 0, (long)rows * FeatureCount).view(rows, FeatureCount);
        object y;
        try
        {
            y = _module.forward(x);
        }
        catch (ExternalException e)
        {
            throw new InvalidOperationException($"The TorchScript model {_path} failed scoring {rows} rows: {Reason(e)}", e);
        }
        if (y is not Tensor result || !Fits(result, rows))
        {
            throw new InvalidOperationException($"The TorchScript model {_path} returned {Describe(y)} for {rows} rows, where a scorer reads float32 {Shapes(rows)} (as it returned for one row).");
        }
        from_array(outputs).narrow(0, 0, (long)rows * OutputCount).view(result.shape).copy_(result);
    }

    /// <inheritdoc />
    public void Dispose() => _module.Dispose();

    // One row of zeros: the shapes TorchScript does not record, and a model that cannot run at all, fail here, at load.
    private void Probe()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        object y;
        try
        {
            y = _module.forward(zeros(1, FeatureCount));
        }
        catch (ExternalException e)
        {
            throw new InvalidDataException($"The TorchScript model {_path} fails on one row of {FeatureCount} features (zeros), as many as it was declared to take: {Reason(e)}", e);
        }
        if (y is not Tensor result || !Fits(result, 1))
        {
            throw new ArgumentException($"The TorchScript model {_path} returns {Describe(y)} for one row of {FeatureCount} features, where {OutputCount} output{(OutputCount == 1 ? "" : "s")} a row means float32 {Shapes(1)}.", "path");
        }
    }

    private string Shapes(int rows) => OutputCount == 1 ? $"[{rows}, 1] or [{rows}]" : $"[{rows}, {OutputCount}]";

    private bool Fits(Tensor y, int rows) =>
        y.dtype == ScalarType.Float32
        && (y.shape is [var r, var o] && r == rows && o == OutputCount || OutputCount == 1 && y.shape is [var n] && n == rows);

    private static string Describe(object? value) => value switch
    {
        Tensor t => $"{t.dtype} [{string.Join(", ", t.shape)}]",
        null => "nothing",
        _ => value.GetType().Name,
    };

    // libtorch's messages end in the C++ frames that threw ("Exception raised from ..."), and the TorchScript
    // interpreter's are its traceback, code and all, with the error on the last line: keep what a pipeline's user reads.
    private static string Reason(ExternalException e)
    {
        string message = e.Message;
        int frames = message.IndexOf("Exception raised from", StringComparison.Ordinal);
        message = (frames >= 0 ? message[..frames] : message).Trim();
        return message.Contains("Traceback of TorchScript", StringComparison.Ordinal) ? message[(message.LastIndexOf('\n') + 1)..].Trim() : message;
    }
}
