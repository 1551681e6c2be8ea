using Dsl.Models;
using Microsoft.ML.OnnxRuntime;

namespace Dsl.Onnx;

/// <summary>
/// An ONNX model scored with ONNX Runtime: one session for the process, whose <c>Run</c> every partition task calls
/// with its own buffers. The features and outputs are wrapped where they lie
/// (<see cref="OrtValue.CreateTensorValueFromMemory{T}(OrtMemoryInfo, Memory{T}, long[])"/>), never copied. A session
/// runs each call on the calling thread (one intra-op thread, no spinning): Dsl already runs one task per core, and on
/// two cores two spinning intra-op threads per task halve the throughput (measured, see ../../shared/DESIGN.md).
/// </summary>
public sealed class OnnxScorer : IBatchScorer
{
    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly string _output;

    /// <summary>Loads <paramref name="path"/>, whose input is a float tensor [rows, features] and whose output (the first float tensor, or <paramref name="output"/>) is [rows, outputs] or [rows].</summary>
    /// <exception cref="ArgumentException">The model's input or output does not have that shape, naming what it has.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the file (its message names why).</exception>
    public OnnxScorer(string path, string? output = null)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(path, options);
        try
        {
            (_input, NodeMetadata input) = Single(_session.InputMetadata, "input", path, null);
            if (input.ElementType != typeof(float) || input.Dimensions.Length != 2 || input.Dimensions[1] <= 0)
            {
                throw new ArgumentException($"The ONNX model {path} takes input '{_input}' of {Describe(input)}; a scorer feeds one float tensor [rows, features].", nameof(path));
            }
            FeatureCount = input.Dimensions[1];
            (_output, NodeMetadata result) = Single(_session.OutputMetadata, "output", path, output);
            if (result.ElementType != typeof(float) || result.Dimensions.Length is < 1 or > 2 || (result.Dimensions.Length == 2 && result.Dimensions[1] <= 0))
            {
                throw new ArgumentException($"The ONNX model {path} gives output '{_output}' of {Describe(result)}; a scorer reads a float tensor [rows, outputs] or [rows].", nameof(path));
            }
            OutputCount = result.Dimensions.Length == 2 ? result.Dimensions[1] : 1;
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <inheritdoc />
    public int OutputCount { get; }

    /// <inheritdoc />
    public void Score(float[] features, int rows, float[] outputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (features.Length < rows * FeatureCount || outputs.Length < rows * OutputCount)
        {
            throw new ArgumentException($"{rows} rows need {rows * FeatureCount} features and {rows * OutputCount} outputs; got {features.Length} and {outputs.Length}.");
        }
        if (rows == 0)
        {
            return;
        }
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, features.AsMemory(0, rows * FeatureCount), [rows, FeatureCount]);
        long[] shape = _session.OutputMetadata[_output].Dimensions.Length == 2 ? [rows, OutputCount] : [rows];
        using OrtValue output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, outputs.AsMemory(0, rows * OutputCount), shape);
        using var run = new RunOptions();
        _session.Run(run, [_input], [input], [_output], [output]);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private static (string Name, NodeMetadata Metadata) Single(IReadOnlyDictionary<string, NodeMetadata> nodes, string what, string path, string? wanted)
    {
        if (wanted is not null)
        {
            return nodes.TryGetValue(wanted, out NodeMetadata? named)
                ? (wanted, named)
                : throw new ArgumentException($"The ONNX model {path} has no {what} '{wanted}'; it has {string.Join(", ", nodes.Keys)}.", nameof(wanted));
        }
        if (what == "input" && nodes.Count != 1)
        {
            throw new ArgumentException($"The ONNX model {path} takes {nodes.Count} inputs ({string.Join(", ", nodes.Keys)}); a scorer feeds one.", nameof(path));
        }
        foreach ((string name, NodeMetadata metadata) in nodes)
        {
            if (metadata.IsTensor && metadata.ElementType == typeof(float))
            {
                return (name, metadata);
            }
        }
        KeyValuePair<string, NodeMetadata> first = nodes.First();
        return (first.Key, first.Value);
    }

    private static string Describe(NodeMetadata node) =>
        node.IsTensor ? $"type {node.ElementType.Name} and shape [{string.Join(", ", node.Dimensions.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]" : "a type that is no tensor";
}
