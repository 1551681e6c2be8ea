using System.Buffers;
using Dsl.Generators.Model;
using Dsl.Generators.Scoring;
using Dsl.Kernels;

namespace Dsl.Models;

/// <summary>
/// An XGBoost JSON or LightGBM text model loaded at run time (by <see cref="XGBoostModelLoader"/> or
/// <see cref="LightGbmModelLoader"/>): read by the same readers as a <c>[Score]</c> stage's model at build time, and
/// scored with the same arithmetic as the model class the generator writes for it, so it gives the same bits.
/// </summary>
/// <remarks>
/// <para>XGBoost models compute in float32: <see cref="Score(float[], int, float[])"/> is their own path, and
/// <see cref="Score(double[], int, double[])"/> rounds the features to float32 and widens the outputs, as a compiled
/// XGBoost stage does with double features. LightGBM models compute in float64 (<see cref="ComputesInDouble"/>):
/// <see cref="Score(double[], int, double[])"/> is their own path, and the float32 one widens the features (exactly),
/// scores them in float64 and rounds each output to float32, as a compiled LightGBM stage with float outputs does.</para>
/// <para>Trees of depth 1 to 10 are walked as complete trees (<see cref="CompleteTrees32"/>,
/// <see cref="CompleteTrees64"/>); deeper trees, and models of single leaves, node by node with the comparisons the
/// generated nested code makes; XGBoost's linear booster adds its terms in feature order. Safe to call from several
/// threads at once: a call writes only its own buffers.</para>
/// </remarks>
public sealed class TreeModelScorer : IBatchScorer
{
    // LightGBM's kZeroThreshold (1e-35f as a double): a value this close to 0 is zero.
    private const double Zero = (double)1e-35f;

    private readonly ModelLink _link;
    private readonly bool _margin;
    private readonly bool _double;
    private readonly int _groups;

    // The trees' count per group when the margin is their mean (LightGBM random forests), else 0.
    private readonly int _average;

    private readonly float[] _base32 = [];
    private readonly double[] _base64 = [];
    private readonly CompleteTrees32? _complete32;
    private readonly CompleteTrees64? _complete64;
    private readonly Nodes? _nodes;

    // The trees node by node for a device that adds the margins itself (Dsl.Gpu), and that device, if one is set.
    private readonly Nodes? _deviceNodes;
    private ITreeMarginDevice? _device;
    private readonly float[] _linearWeights = [];
    private readonly float[] _linearBias = [];

    // LightGBM's sigmoid: 1 / (1 + exp(-scale * m)), the compiled code's `-scale` as one constant.
    private readonly double _negatedScale;

    internal TreeModelScorer(ModelSpec model, ScoreOutput output)
    {
        _link = model.Link;
        _margin = output == ScoreOutput.Margin;
        _double = model.Format == ModelFormat.LightGbm;
        _groups = model.Groups;
        _average = model.AverageTrees ? model.Trees.Count / model.Groups : 0;
        FeatureCount = model.FeatureCount;
        OutputCount = model.Outputs(_margin);
        Sha256 = model.Sha256;
        Description = model.Describe();
        Format = _double ? "LightGBM" : "XGBoost";
        if (_double)
        {
            _base64 = model.BaseMargins.Select(ModelLiteral.Double).ToArray();
            _negatedScale = -ModelLiteral.Double(model.LinkScale);
        }
        else
        {
            _base32 = model.BaseMargins.Select(ModelLiteral.Float).ToArray();
        }
        if (model.IsLinear)
        {
            _linearWeights = model.LinearWeights.Select(ModelLiteral.Float).ToArray();
            _linearBias = model.LinearBias.Select(ModelLiteral.Float).ToArray();
        }
        else if (CompleteTreeLayout.IsComplete(model))
        {
            CompleteTreeLayout layout = CompleteTreeLayout.Of(model);
            if (_double)
            {
                _complete64 = new CompleteTrees64(layout.Depth, FeatureCount, _groups, layout.Group, layout.Feature,
                    layout.Threshold.Select(ModelLiteral.Double).ToArray(), layout.MissingType, layout.MissingLeft, layout.Leaves.Select(ModelLiteral.Double).ToArray());
            }
            else
            {
                _complete32 = new CompleteTrees32(layout.Depth, FeatureCount, _groups, layout.Group, layout.Feature,
                    layout.Threshold.Select(ModelLiteral.Float).ToArray(), layout.MissingLeft, layout.Leaves.Select(ModelLiteral.Float).ToArray());
            }
        }
        else
        {
            _nodes = new Nodes(model);
        }
        if (!model.IsLinear)
        {
            _deviceNodes = _nodes ?? new Nodes(model);
        }
    }

    /// <summary>The trees as flat node arrays, for a device that adds the margins (null for a linear booster).</summary>
    internal Nodes? TreeNodes => _deviceNodes;

    /// <summary>The margins' starting values per group (float32 models).</summary>
    internal ReadOnlySpan<float> BaseMargins32 => _base32;

    /// <summary>The number of margins of a row.</summary>
    internal int Groups => _groups;

    /// <summary>
    /// This scorer with its trees' margins added by <paramref name="device"/> (the base margins and the link stay on
    /// the host, computed as here); where the device declines a batch, the trees are walked here as before.
    /// </summary>
    internal TreeModelScorer WithMarginDevice(ITreeMarginDevice device)
    {
        var copy = (TreeModelScorer)MemberwiseClone();
        copy._device = device;
        return copy;
    }

    /// <summary>The device that adds the margins, if <see cref="WithMarginDevice"/> set one.</summary>
    internal ITreeMarginDevice? MarginDevice => _device;

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <summary>The outputs of a row: the model's margins (one per class), or its predictions (one per class for class probabilities, else one).</summary>
    public int OutputCount { get; }

    /// <summary>True for a LightGBM model, which computes in float64; false for an XGBoost one (float32).</summary>
    public bool ComputesInDouble => _double;

    /// <summary>The SHA-256 of the model file's bytes as lower-case hex (the compiled model's <c>Sha256</c> for the same file without a byte-order mark).</summary>
    public string Sha256 { get; }

    /// <summary>The library the file is a model of, <c>XGBoost</c> or <c>LightGBM</c>, from its content (not its extension).</summary>
    public string Format { get; }

    /// <summary>One line saying what the model is (<c>XGBoost binary:logistic, 30 trees, 6 features</c>), as a compiled model's comments say it.</summary>
    public string Description { get; }

    /// <inheritdoc />
    public void Score(float[] features, int rows, float[] outputs)
    {
        CheckLengths(features.Length, outputs.Length, rows);
        if (!_double)
        {
            Score32(features.AsSpan(0, rows * FeatureCount), rows, outputs.AsSpan(0, rows * OutputCount));
            return;
        }
        double[] wide = ArrayPool<double>.Shared.Rent(rows * FeatureCount);
        double[] results = ArrayPool<double>.Shared.Rent(rows * OutputCount);
        try
        {
            for (int i = 0; i < rows * FeatureCount; i++)
            {
                wide[i] = features[i];
            }
            Score64(wide.AsSpan(0, rows * FeatureCount), rows, results.AsSpan(0, rows * OutputCount));
            for (int i = 0; i < rows * OutputCount; i++)
            {
                outputs[i] = (float)results[i];
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(wide);
            ArrayPool<double>.Shared.Return(results);
        }
    }

    /// <inheritdoc />
    public void Score(double[] features, int rows, double[] outputs)
    {
        CheckLengths(features.Length, outputs.Length, rows);
        if (_double)
        {
            Score64(features.AsSpan(0, rows * FeatureCount), rows, outputs.AsSpan(0, rows * OutputCount));
            return;
        }
        float[] narrow = ArrayPool<float>.Shared.Rent(rows * FeatureCount);
        float[] results = ArrayPool<float>.Shared.Rent(rows * OutputCount);
        try
        {
            for (int i = 0; i < rows * FeatureCount; i++)
            {
                narrow[i] = (float)features[i];
            }
            Score32(narrow.AsSpan(0, rows * FeatureCount), rows, results.AsSpan(0, rows * OutputCount));
            for (int i = 0; i < rows * OutputCount; i++)
            {
                outputs[i] = results[i];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(narrow);
            ArrayPool<float>.Shared.Return(results);
        }
    }

    /// <summary>Nothing to release: the model is managed arrays.</summary>
    public void Dispose()
    {
    }

    private void CheckLengths(int features, int outputs, int rows)
    {
        if (rows < 0 || features < (long)rows * FeatureCount || outputs < (long)rows * OutputCount)
        {
            throw new ArgumentException($"The model reads {FeatureCount} features a row and gives {OutputCount} outputs; {rows} rows got room for {features} and {outputs}.");
        }
    }

    private void Score32(ReadOnlySpan<float> x, int rows, Span<float> outputs)
    {
        // The margins go straight into the outputs unless the prediction is one class number from several margins.
        float[]? rented = OutputCount == _groups ? null : ArrayPool<float>.Shared.Rent(rows * _groups);
        try
        {
            Span<float> margins = rented is null ? outputs : rented.AsSpan(0, rows * _groups);
            for (int r = 0; r < rows; r++)
            {
                _base32.CopyTo(margins.Slice(r * _groups, _groups));
            }
            if (_device is not null && _device.TryAddMargins(x, rows, margins))
            {
                // The device added every tree's leaf, in tree order.
            }
            else if (_complete32 is not null)
            {
                _complete32.AddMargins(x, rows, margins);
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    ReadOnlySpan<float> row = x.Slice(r * FeatureCount, FeatureCount);
                    Span<float> m = margins.Slice(r * _groups, _groups);
                    if (_nodes is null)
                    {
                        AddLinear(row, m);
                    }
                    else
                    {
                        _nodes.AddMargins(row, m);
                    }
                }
            }
            if (!_margin)
            {
                Link32(margins, rows, outputs);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    private void AddLinear(ReadOnlySpan<float> x, Span<float> margins)
    {
        // Per class: bias, then weight times feature for each feature that is not missing, in feature order.
        for (int g = 0; g < _groups; g++)
        {
            float m = margins[g];
            m += _linearBias[g];
            for (int f = 0; f < x.Length; f++)
            {
                if (!float.IsNaN(x[f]))
                {
                    m += x[f] * _linearWeights[f * _groups + g];
                }
            }
            margins[g] = m;
        }
    }

    private void Link32(ReadOnlySpan<float> margins, int rows, Span<float> predictions)
    {
        for (int r = 0; r < rows; r++)
        {
            switch (_link)
            {
                case ModelLink.Softmax:
                    Softmax(predictions.Slice(r * _groups, _groups));
                    break;
                case ModelLink.ArgMax:
                    predictions[r] = ArgMax(margins.Slice(r * _groups, _groups));
                    break;
                case ModelLink.Sigmoid:
                    // XGBoost's sigmoid: the exponent clamped at 88.7 (expf overflows above), and 1e-16f that no float >= 1 notices.
                    float negated = _average > 0 ? -margins[r] / _average : -margins[r];
                    predictions[r] = 1f / (MathF.Exp(MathF.Min(negated, 88.7f)) + 1f + 1e-16f);
                    break;
                case ModelLink.Exp:
                    predictions[r] = MathF.Exp(Mean(margins[r]));
                    break;
                default:
                    predictions[r] = Mean(margins[r]);
                    break;
            }
        }
    }

    private float Mean(float m) => _average > 0 ? m / _average : m;

    private double Mean(double m) => _average > 0 ? m / _average : m;

    // Probabilities from margins in place: exp(m - max) / sum, the sum in double, as the library computes them.
    private void Softmax(Span<float> p)
    {
        if (_average > 0)
        {
            for (int k = 0; k < p.Length; k++)
            {
                p[k] /= _average;
            }
        }
        float max = p[0];
        for (int k = 1; k < p.Length; k++)
        {
            max = MathF.Max(p[k], max);
        }
        double sum = 0;
        for (int k = 0; k < p.Length; k++)
        {
            p[k] = MathF.Exp(p[k] - max);
            sum += p[k];
        }
        for (int k = 0; k < p.Length; k++)
        {
            p[k] /= (float)sum;
        }
    }

    // The class with the largest margin, the first of equal ones.
    private static float ArgMax(ReadOnlySpan<float> m)
    {
        int best = 0;
        for (int k = 1; k < m.Length; k++)
        {
            if (m[k] > m[best])
            {
                best = k;
            }
        }
        return best;
    }

    private void Score64(ReadOnlySpan<double> x, int rows, Span<double> outputs)
    {
        double[]? rented = OutputCount == _groups ? null : ArrayPool<double>.Shared.Rent(rows * _groups);
        try
        {
            Span<double> margins = rented is null ? outputs : rented.AsSpan(0, rows * _groups);
            for (int r = 0; r < rows; r++)
            {
                _base64.CopyTo(margins.Slice(r * _groups, _groups));
            }
            if (_device is not null && _device.TryAddMargins(x, rows, margins))
            {
                // The device added every tree's leaf, in tree order.
            }
            else if (_complete64 is not null)
            {
                _complete64.AddMargins(x, rows, margins);
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    _nodes!.AddMargins(x.Slice(r * FeatureCount, FeatureCount), margins.Slice(r * _groups, _groups));
                }
            }
            if (!_margin)
            {
                Link64(margins, rows, outputs);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    private void Link64(ReadOnlySpan<double> margins, int rows, Span<double> predictions)
    {
        for (int r = 0; r < rows; r++)
        {
            switch (_link)
            {
                case ModelLink.Softmax:
                    Softmax(predictions.Slice(r * _groups, _groups));
                    break;
                case ModelLink.ArgMax:
                    predictions[r] = ArgMax(margins.Slice(r * _groups, _groups));
                    break;
                case ModelLink.Sigmoid:
                    predictions[r] = 1d / (1d + Math.Exp(_negatedScale * Mean(margins[r])));
                    break;
                case ModelLink.Exp:
                    predictions[r] = Math.Exp(Mean(margins[r]));
                    break;
                default:
                    predictions[r] = Mean(margins[r]);
                    break;
            }
        }
    }

    private void Softmax(Span<double> p)
    {
        if (_average > 0)
        {
            for (int k = 0; k < p.Length; k++)
            {
                p[k] /= _average;
            }
        }
        double max = p[0];
        for (int k = 1; k < p.Length; k++)
        {
            max = Math.Max(p[k], max);
        }
        double sum = 0;
        for (int k = 0; k < p.Length; k++)
        {
            p[k] = Math.Exp(p[k] - max);
            sum += p[k];
        }
        for (int k = 0; k < p.Length; k++)
        {
            p[k] /= sum;
        }
    }

    private static double ArgMax(ReadOnlySpan<double> m)
    {
        int best = 0;
        for (int k = 1; k < m.Length; k++)
        {
            if (m[k] > m[best])
            {
                best = k;
            }
        }
        return best;
    }

    /// <summary>
    /// Trees walked node by node (deeper than complete trees go, or single leaves), each split's test the one the
    /// generated nested code writes (<c>ModelEmitter.Condition</c>).
    /// </summary>
    internal sealed class Nodes
    {
        /// <summary>Rule bit: a missing value goes left.</summary>
        internal const byte DefaultLeft = 1;

        /// <summary>Rule bit (LightGBM <c>None</c>): NaN is read as 0.</summary>
        internal const byte AsZero = 2;

        /// <summary>Rule bit (LightGBM <c>Zero</c>): NaN and values within ±1e-35 are missing.</summary>
        internal const byte ZeroMissing = 4;

        /// <summary>Rule bit (LightGBM): the threshold is within 2e-35 of 0, so a value within ±1e-35 is compared as 0.</summary>
        internal const byte NearZero = 8;

        private readonly int[] _root;
        private readonly int[] _group;
        private readonly int[] _feature;
        private readonly int[] _left;
        private readonly int[] _right;
        private readonly byte[] _rule;
        private readonly float[] _value32 = [];
        private readonly double[] _value64 = [];

        /// <summary>Each tree's first node.</summary>
        internal int[] Root => _root;

        /// <summary>Each tree's margin (class).</summary>
        internal int[] Group => _group;

        /// <summary>Each split's feature.</summary>
        internal int[] Feature => _feature;

        /// <summary>Each split's left node (index into all nodes); -1 for a leaf.</summary>
        internal int[] Left => _left;

        /// <summary>Each split's right node; -1 for a leaf.</summary>
        internal int[] Right => _right;

        /// <summary>Each split's rule bits.</summary>
        internal byte[] Rule => _rule;

        /// <summary>Thresholds and leaf values of a float32 (XGBoost) model; empty otherwise.</summary>
        internal float[] Value32 => _value32;

        /// <summary>Thresholds and leaf values of a float64 (LightGBM) model; empty otherwise.</summary>
        internal double[] Value64 => _value64;

        public Nodes(ModelSpec model)
        {
            int count = model.Trees.Sum(t => t.Nodes.Count);
            _root = new int[model.Trees.Count];
            _group = new int[model.Trees.Count];
            _feature = new int[count];
            _left = new int[count];
            _right = new int[count];
            _rule = new byte[count];
            bool wide = model.Format == ModelFormat.LightGbm;
            if (wide)
            {
                _value64 = new double[count];
            }
            else
            {
                _value32 = new float[count];
            }
            int at = 0;
            for (int t = 0; t < model.Trees.Count; t++)
            {
                TreeSpec tree = model.Trees[t];
                _root[t] = at;
                _group[t] = tree.Group;
                for (int i = 0; i < tree.Nodes.Count; i++)
                {
                    TreeNodeSpec n = tree.Nodes[i];
                    _feature[at + i] = n.Feature;
                    _left[at + i] = n.IsLeaf ? -1 : at + n.Left;
                    _right[at + i] = n.IsLeaf ? -1 : at + n.Right;
                    _rule[at + i] = (byte)((n.DefaultLeft ? DefaultLeft : 0)
                        | (n.Missing == MissingKind.AsZero ? AsZero : 0)
                        | (n.Missing == MissingKind.Zero ? ZeroMissing : 0)
                        | (wide && !n.IsLeaf && n.NearZero ? NearZero : 0));
                    if (wide)
                    {
                        _value64[at + i] = ModelLiteral.Double(n.Value);
                    }
                    else
                    {
                        _value32[at + i] = ModelLiteral.Float(n.Value);
                    }
                }
                at += tree.Nodes.Count;
            }
        }

        /// <summary>XGBoost: adds each tree's leaf to its margin, in tree order.</summary>
        public void AddMargins(ReadOnlySpan<float> x, Span<float> margins)
        {
            for (int t = 0; t < _root.Length; t++)
            {
                int node = _root[t];
                while (_left[node] >= 0)
                {
                    float v = x[_feature[node]];
                    float threshold = _value32[node];
                    // NaN fails '<', so it goes right unless the default is left.
                    bool left = (_rule[node] & DefaultLeft) != 0 ? v < threshold || float.IsNaN(v) : v < threshold;
                    node = left ? _left[node] : _right[node];
                }
                margins[_group[t]] += _value32[node];
            }
        }

        /// <summary>LightGBM: adds each tree's leaf to its margin, in tree order.</summary>
        public void AddMargins(ReadOnlySpan<double> x, Span<double> margins)
        {
            for (int t = 0; t < _root.Length; t++)
            {
                int node = _root[t];
                while (_left[node] >= 0)
                {
                    node = GoesLeft(x[_feature[node]], _value64[node], _rule[node]) ? _left[node] : _right[node];
                }
                margins[_group[t]] += _value64[node];
            }
        }

        /// <summary>Whether LightGBM sends <paramref name="v"/> left at a split (a GPU kernel computes the same).</summary>
        internal static bool GoesLeft(double v, double threshold, byte rule)
        {
            // A value within ±1e-35 is 0 to LightGBM; that changes a comparison only with a threshold near 0.
            bool compare = (rule & NearZero) != 0 ? Zeroed(v) <= threshold : v <= threshold;
            bool defaultLeft = (rule & DefaultLeft) != 0;
            if ((rule & AsZero) != 0)
            {
                // NaN is read as 0, so it goes left when 0 <= threshold; LightGBM has no default way here.
                return compare || (double.IsNaN(v) && 0d <= threshold);
            }
            if ((rule & ZeroMissing) != 0)
            {
                // NaN and (near) zero are missing and go the default way; anything else is compared.
                bool missing = IsZeroOrNaN(v);
                return defaultLeft ? missing || compare : !missing && compare;
            }
            return defaultLeft ? compare || double.IsNaN(v) : compare;
        }

        private static bool IsZeroOrNaN(double v) => double.IsNaN(v) || (v >= -Zero && v <= Zero);

        private static double Zeroed(double v) => v >= -Zero && v <= Zero ? 0d : v;
    }
}
