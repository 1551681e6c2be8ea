using System.Collections.Generic;
using Dsl.Generators.Model;

namespace Dsl.Generators.Scoring;

/// <summary>
/// Checks that a tree read from a file is a tree: no node reached twice from the root. Nodes the root does not reach
/// are left out (XGBoost keeps pruned nodes in its arrays).
/// </summary>
internal static class TreeShape
{
    /// <summary>The deepest tree compiled to nested code; deeper ones would strain the C# compiler and the JIT.</summary>
    public const int MaxDepth = 256;

    /// <summary>What is wrong with the tree (to follow "tree N "), or null when it is one.</summary>
    public static string? Problem(List<TreeNodeSpec> nodes)
    {
        var seen = new bool[nodes.Count];
        var pending = new Stack<(int Node, int Depth)>();
        pending.Push((0, 0));
        while (pending.Count > 0)
        {
            (int node, int depth) = pending.Pop();
            if (seen[node])
            {
                return "reaches node " + node + " twice (a cycle or a shared child)";
            }
            if (depth > MaxDepth)
            {
                return "is deeper than " + MaxDepth + " levels";
            }
            seen[node] = true;
            if (!nodes[node].IsLeaf)
            {
                pending.Push((nodes[node].Right, depth + 1));
                pending.Push((nodes[node].Left, depth + 1));
            }
        }
        return null;
    }
}
