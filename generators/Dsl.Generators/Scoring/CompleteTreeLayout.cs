using System.Linq;
using Dsl.Generators.Model;

namespace Dsl.Generators.Scoring;

/// <summary>
/// A model's trees as complete trees of the model's depth in flat arrays, the layout of
/// <c>Dsl.Kernels.CompleteTrees32/64</c>: per tree, its splits level by level (node i's children are 2i+1, left, and
/// 2i+2; a leaf above the bottom is repeated below itself, under a padding split), then its bottom level's values. The
/// generator writes these arrays into the model class as text and Dsl.Runtime (which compiles this file too) builds the
/// same kernel object from them, so a compiled model and a loaded one walk the same slots.
/// </summary>
internal sealed class CompleteTreeLayout
{
    /// <summary>The deepest trees laid out complete: 2^10 leaves a tree at most, whatever their real shape.</summary>
    public const int MaxDepth = 10;

    private CompleteTreeLayout(int depth, int trees)
    {
        Depth = depth;
        int splits = (1 << depth) - 1;
        Group = new int[trees];
        Feature = new int[trees * splits];
        Threshold = new string[trees * splits];
        MissingType = new byte[trees * splits];
        MissingLeft = new bool[trees * splits];
        Leaves = new string[trees * (splits + 1)];
    }

    /// <summary>Every tree's depth.</summary>
    public int Depth { get; }

    /// <summary>The splits of a tree: <c>2^Depth - 1</c>.</summary>
    public int Splits => (1 << Depth) - 1;

    /// <summary>Per tree, the margin (class) it adds to.</summary>
    public int[] Group { get; }

    /// <summary>Per tree, per split, the feature it reads (0 for a padding split).</summary>
    public int[] Feature { get; }

    /// <summary>Per tree, per split, its threshold as the model's C# literal (<c>0f</c> or <c>0d</c> for a padding split).</summary>
    public string[] Threshold { get; }

    /// <summary>Per tree, per split, LightGBM's missing type: 0 None (NaN is read as 0; also a padding split), 1 Zero, 2 NaN.</summary>
    public byte[] MissingType { get; }

    /// <summary>Per tree, per split, whether a missing value goes left (false for a padding split).</summary>
    public bool[] MissingLeft { get; }

    /// <summary>Per tree, its bottom level's values as the model's C# literals.</summary>
    public string[] Leaves { get; }

    /// <summary>
    /// Whether <paramref name="model"/>'s trees are laid out complete: a tree model whose deepest tree has depth 1 to
    /// <see cref="MaxDepth"/>. Deeper trees, and models of single leaves (depth 0), are walked node by node.
    /// </summary>
    public static bool IsComplete(ModelSpec model) => !model.IsLinear && DepthOf(model) is >= 1 and <= MaxDepth;

    /// <summary>The layout of <paramref name="model"/>'s trees, which <see cref="IsComplete"/> says are laid out complete.</summary>
    public static CompleteTreeLayout Of(ModelSpec model)
    {
        int depth = DepthOf(model);
        var layout = new CompleteTreeLayout(depth, model.Trees.Count);
        int splits = layout.Splits;
        var slots = new TreeNodeSpec?[splits + (1 << depth)];
        for (int t = 0; t < model.Trees.Count; t++)
        {
            TreeSpec tree = model.Trees[t];
            layout.Group[t] = tree.Group;
            System.Array.Clear(slots, 0, slots.Length);
            Place(tree, slots, depth, 0, 0, 0);
            for (int slot = 0; slot < splits; slot++)
            {
                // A padding split (a leaf above the bottom): feature 0 against 0, both sides the same leaf.
                TreeNodeSpec? n = slots[slot];
                int at = t * splits + slot;
                layout.Feature[at] = n?.Feature ?? 0;
                layout.Threshold[at] = n?.Value ?? (model.Format == ModelFormat.LightGbm ? "0d" : "0f");
                layout.MissingLeft[at] = n is { DefaultLeft: true };
                layout.MissingType[at] = n is null ? (byte)0 : n.Missing switch { MissingKind.AsZero => (byte)0, MissingKind.Zero => (byte)1, _ => (byte)2 };
            }
            for (int slot = splits; slot < slots.Length; slot++)
            {
                layout.Leaves[t * (splits + 1) + slot - splits] = slots[slot]!.Value;
            }
        }
        return layout;
    }

    // Node `node` of the tree into `slot` at `level`: a split above the bottom keeps its slot and places its children
    // below; a leaf above the bottom leaves its slot a padding split (null) and goes down both sides.
    private static void Place(TreeSpec tree, TreeNodeSpec?[] slots, int depth, int node, int slot, int level)
    {
        TreeNodeSpec n = tree.Nodes[node];
        if (level == depth)
        {
            slots[slot] = n;
            return;
        }
        slots[slot] = n.IsLeaf ? null : n;
        Place(tree, slots, depth, n.IsLeaf ? node : n.Left, 2 * slot + 1, level + 1);
        Place(tree, slots, depth, n.IsLeaf ? node : n.Right, 2 * slot + 2, level + 1);
    }

    /// <summary>The depth of the deepest tree of <paramref name="model"/> (0 for a linear model).</summary>
    public static int DepthOf(ModelSpec model) => model.Trees.Count == 0 ? 0 : model.Trees.Max(tree => TreeDepth(tree, 0));

    private static int TreeDepth(TreeSpec tree, int node) =>
        tree.Nodes[node].IsLeaf ? 0 : 1 + System.Math.Max(TreeDepth(tree, tree.Nodes[node].Left), TreeDepth(tree, tree.Nodes[node].Right));
}
