using Dsl.Models;
using ILGPU;
using ILGPU.Runtime;
using Nodes = Dsl.Models.TreeModelScorer.Nodes;

namespace Dsl.Gpu;

/// <summary>
/// Adds a run-time tree model's leaves to a batch's margins on a device: one thread per row (grid-stride), every tree
/// in the model's order, each split's comparison as <see cref="TreeModelScorer"/> makes it. Only comparisons and
/// additions of leaf values run on the device, so the margins are the CPU's bits (no multiply an FMA could fuse, no
/// transcendental); the scorer applies the link (sigmoid, softmax) on the host. The nodes are uploaded once per
/// device context.
/// </summary>
/// <remarks>
/// The nodes are checked when this is made, so the kernel needs no bounds checks: every split's children lie after it
/// and inside the model, every feature and group inside the model's. A model that breaks that is refused.
/// </remarks>
internal sealed class GpuTreeMargins : ITreeMarginDevice
{

    private readonly GpuDevice _device;
    private readonly Nodes _nodes;
    private readonly int _features;
    private readonly int _groups;
    private readonly string _name;
    private readonly Action<string> _warn;
    private volatile bool _onCpu;
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Nodes, Uploaded> s_uploads = new();

    private GpuTreeMargins(GpuDevice device, Nodes nodes, int features, int groups, string name, Action<string> warn)
    {
        _device = device;
        _nodes = nodes;
        _features = features;
        _groups = groups;
        _name = name;
        _warn = warn;
    }

    /// <summary>Batches whose margins the device added, in the process (for tests).</summary>
    public static long ProcessDeviceBatches => Interlocked.Read(ref s_deviceBatches);

    private static long s_deviceBatches;

    [ThreadStatic]
    private static long t_deviceBatches;

    /// <summary>Batches whose margins the device added on the calling thread (for tests).</summary>
    public static long ThreadDeviceBatches => t_deviceBatches;

    /// <summary>
    /// <paramref name="scorer"/> with its margins added on <paramref name="device"/>, or null with the reason when the
    /// model has no trees to put there (a linear booster) or nodes the kernel could not walk safely.
    /// </summary>
    public static TreeModelScorer? OnDevice(TreeModelScorer scorer, GpuDevice device, string name, Action<string> warn, out string? reason)
    {
        if (scorer.TreeNodes is not { } nodes)
        {
            reason = "a linear booster (only trees score on the GPU)";
            return null;
        }
        reason = Check(nodes, scorer.FeatureCount, scorer.Groups);
        return reason is null ? scorer.WithMarginDevice(new GpuTreeMargins(device, nodes, scorer.FeatureCount, scorer.Groups, name, warn)) : null;
    }

    // Why the kernel could not walk these nodes without bounds checks, or null.
    private static string? Check(Nodes nodes, int features, int groups)
    {
        int count = nodes.Left.Length;
        for (int t = 0; t < nodes.Root.Length; t++)
        {
            if (nodes.Root[t] < 0 || nodes.Root[t] >= count || nodes.Group[t] < 0 || nodes.Group[t] >= groups)
            {
                return $"tree {t} has a root or group outside the model";
            }
        }
        for (int n = 0; n < count; n++)
        {
            if (nodes.Left[n] < 0)
            {
                continue;
            }
            if (nodes.Left[n] <= n || nodes.Right[n] <= n || nodes.Left[n] >= count || nodes.Right[n] >= count || nodes.Feature[n] < 0 || nodes.Feature[n] >= features)
            {
                return $"node {n} has a child before it or a child or feature outside the model";
            }
        }
        return null;
    }

    public bool TryAddMargins(ReadOnlySpan<float> features, int rows, Span<float> margins) => Run(features, rows, margins, _nodes.Value32);

    public bool TryAddMargins(ReadOnlySpan<double> features, int rows, Span<double> margins) => Run(features, rows, margins, _nodes.Value64);

    private bool Run<T>(ReadOnlySpan<T> features, int rows, Span<T> margins, T[] values)
        where T : unmanaged
    {
        if (_onCpu || rows == 0 || values.Length == 0)
        {
            return false;
        }
        try
        {
            lock (GpuRuntime.BatchGate)
            {
                GpuAccelerator accelerator = GpuRuntime.Shared.GetAccelerator(_device);
                Uploaded nodes = Upload(accelerator);
                using DeviceBuffer<T> x = accelerator.Buffers.Rent<T>((long)rows * _features);
                using DeviceBuffer<T> m = accelerator.Buffers.Rent<T>((long)rows * _groups);
                x.View.CopyFromCPU(features[..(rows * _features)]);
                m.View.CopyFromCPU((ReadOnlySpan<T>)margins[..(rows * _groups)]);
                var parameters = new TreeParameters { Features = _features, Groups = _groups, Trees = _nodes.Root.Length };
                AcceleratorStream stream = accelerator.Accelerator.DefaultStream;
                if (typeof(T) == typeof(float))
                {
                    var columns = new TreeColumns32 { Features = x.View.Cast<float>(), Margins = m.View.Cast<float>(), Nodes = nodes.Columns, Value = nodes.Value32!.View };
                    accelerator.Kernels.GetOrLoad<TreeColumns32, TreeParameters>(Margins32).Launch(stream, columns, parameters, rows);
                }
                else
                {
                    var columns = new TreeColumns64 { Features = x.View.Cast<double>(), Margins = m.View.Cast<double>(), Nodes = nodes.Columns, Value = nodes.Value64!.View };
                    accelerator.Kernels.GetOrLoad<TreeColumns64, TreeParameters>(Margins64).Launch(stream, columns, parameters, rows);
                }
                stream.Synchronize();
                m.View.CopyToCPU(margins[..(rows * _groups)]);
            }
            Interlocked.Increment(ref s_deviceBatches);
            t_deviceBatches++;
            return true;
        }
        catch (KernelCompileException e)
        {
            _onCpu = true;
            _warn($"{e.Warning}; model '{_name}' scores its trees on the CPU");
            return false;
        }
        catch (Exception e) when (e is AcceleratorException or ObjectDisposedException)
        {
            _warn($"warning: model '{_name}': the {DeviceOption.Format(_device)} device failed ({e.Message}); this batch scores on the CPU");
            return false;
        }
    }

    // The nodes on the current context's accelerator: uploaded once per model and accelerator (every scorer bound for
    // the same model shares them), again after the context was recreated. Called under the batch gate.
    private Uploaded Upload(GpuAccelerator accelerator)
    {
        if (s_uploads.TryGetValue(_nodes, out Uploaded? current) && ReferenceEquals(current.Accelerator, accelerator) && !accelerator.IsDisposed)
        {
            return current;
        }
        current?.Dispose();
        DeviceBuffer<int> Ints(int[] values)
        {
            DeviceBuffer<int> buffer = accelerator.Buffers.Rent<int>(values.Length);
            buffer.View.CopyFromCPU(values);
            return buffer;
        }
        DeviceBuffer<byte> rule = accelerator.Buffers.Rent<byte>(_nodes.Rule.Length);
        rule.View.CopyFromCPU(_nodes.Rule);
        DeviceBuffer<float>? value32 = null;
        DeviceBuffer<double>? value64 = null;
        if (_nodes.Value32.Length > 0)
        {
            value32 = accelerator.Buffers.Rent<float>(_nodes.Value32.Length);
            value32.View.CopyFromCPU(_nodes.Value32);
        }
        else
        {
            value64 = accelerator.Buffers.Rent<double>(_nodes.Value64.Length);
            value64.View.CopyFromCPU(_nodes.Value64);
        }
        var uploaded = new Uploaded(accelerator, Ints(_nodes.Root), Ints(_nodes.Group), Ints(_nodes.Feature), Ints(_nodes.Left), Ints(_nodes.Right), rule, value32, value64);
        s_uploads.AddOrUpdate(_nodes, uploaded);
        return uploaded;
    }

    // XGBoost: x < threshold, NaN the default way; the leaf added to its tree's margin.
    private static void Margins32(TreeColumns32 c, TreeParameters p, int rows)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < rows; i += stride)
        {
            for (int t = 0; t < p.Trees; t++)
            {
                int node = c.Nodes.Root[t];
                while (c.Nodes.Left[node] >= 0)
                {
                    float v = c.Features[i * p.Features + c.Nodes.Feature[node]];
                    float threshold = c.Value[node];
                    bool left = (c.Nodes.Rule[node] & Nodes.DefaultLeft) != 0 ? v < threshold || float.IsNaN(v) : v < threshold;
                    node = left ? c.Nodes.Left[node] : c.Nodes.Right[node];
                }
                int at = i * p.Groups + c.Nodes.Group[t];
                c.Margins[at] = c.Margins[at] + c.Value[node];
            }
        }
    }

    // LightGBM: TreeModelScorer.Nodes.GoesLeft, the same code.
    private static void Margins64(TreeColumns64 c, TreeParameters p, int rows)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < rows; i += stride)
        {
            for (int t = 0; t < p.Trees; t++)
            {
                int node = c.Nodes.Root[t];
                while (c.Nodes.Left[node] >= 0)
                {
                    double v = c.Features[i * p.Features + c.Nodes.Feature[node]];
                    node = Nodes.GoesLeft(v, c.Value[node], c.Nodes.Rule[node]) ? c.Nodes.Left[node] : c.Nodes.Right[node];
                }
                int at = i * p.Groups + c.Nodes.Group[t];
                c.Margins[at] = c.Margins[at] + c.Value[node];
            }
        }
    }

    internal struct NodeColumns
    {
        [Lookup] public ArrayView<int> Root;
        [Lookup] public ArrayView<int> Group;
        [Lookup] public ArrayView<int> Feature;
        [Lookup] public ArrayView<int> Left;
        [Lookup] public ArrayView<int> Right;
        [Lookup] public ArrayView<byte> Rule;
    }

    internal struct TreeColumns32
    {
        public ArrayView<float> Features;
        public ArrayView<float> Margins;
        public NodeColumns Nodes;
        [Lookup] public ArrayView<float> Value;
    }

    internal struct TreeColumns64
    {
        public ArrayView<double> Features;
        public ArrayView<double> Margins;
        public NodeColumns Nodes;
        [Lookup] public ArrayView<double> Value;
    }

    internal struct TreeParameters
    {
        public int Features;
        public int Groups;
        public int Trees;
    }

    private sealed class Uploaded(GpuAccelerator accelerator, DeviceBuffer<int> root, DeviceBuffer<int> group, DeviceBuffer<int> feature,
        DeviceBuffer<int> left, DeviceBuffer<int> right, DeviceBuffer<byte> rule, DeviceBuffer<float>? value32, DeviceBuffer<double>? value64) : IDisposable
    {
        public GpuAccelerator Accelerator { get; } = accelerator;

        public DeviceBuffer<float>? Value32 { get; } = value32;

        public DeviceBuffer<double>? Value64 { get; } = value64;

        public NodeColumns Columns { get; } = new() { Root = root.View, Group = group.View, Feature = feature.View, Left = left.View, Right = right.View, Rule = rule.View };

        public void Dispose()
        {
            if (Accelerator.IsDisposed)
            {
                return; // the recreated context freed them
            }
            root.Dispose();
            group.Dispose();
            feature.Dispose();
            left.Dispose();
            right.Dispose();
            rule.Dispose();
            Value32?.Dispose();
            Value64?.Dispose();
        }
    }
}
