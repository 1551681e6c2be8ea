using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dsl.Kernels;

/// <summary>
/// The trees of a compiled XGBoost model (<c>[Score]</c> stages) as complete binary trees of one depth in flat arrays:
/// node <c>i</c>'s children are <c>2i+1</c> (left) and <c>2i+2</c>, a leaf above the bottom level is repeated below
/// itself (a split whose sides lead to the same leaf), and the bottom level holds the leaf values. A row walks a tree
/// without branches, so eight rows walk it at once with AVX2 gathers, four such groups interleaved; the generated model
/// class builds one of these and calls it, for a batch or for one row.
/// </summary>
/// <remarks>
/// XGBoost's arithmetic: features, thresholds and sums in float32, <c>x &lt; threshold</c> goes left, NaN goes the
/// split's default way, and each row's margin adds the trees in their order, so the vector and scalar paths give the
/// same bits (tests/Dsl.Runtime.Tests/Kernels/CompleteTreesTests.cs). The batch walk uses vectors where
/// <see cref="KernelDispatch.UseVectors"/> says kernels do, so a kernel's per-row path scores with the scalar walk.
/// </remarks>
public sealed class CompleteTrees32
{
    private readonly int _depth;
    private readonly int _splits;
    private readonly int _features;
    private readonly int _groups;
    private readonly int[] _group;
    private readonly int[] _feature;
    private readonly float[] _threshold;
    private readonly int[] _missingLeft;
    private readonly float[] _leaves;

    /// <param name="depth">Every tree's depth (1 to 16): <c>2^depth - 1</c> splits and <c>2^depth</c> leaves each.</param>
    /// <param name="features">The features of a row.</param>
    /// <param name="groups">The margins of a row (classes), each tree adding to one.</param>
    /// <param name="group">Per tree, the margin it adds to.</param>
    /// <param name="feature">Per tree, its splits' features, level by level.</param>
    /// <param name="threshold">Per tree, its splits' thresholds.</param>
    /// <param name="missingLeft">Per tree, per split, whether a missing value goes left.</param>
    /// <param name="leaves">Per tree, its bottom level's values.</param>
    public CompleteTrees32(int depth, int features, int groups, int[] group, int[] feature, float[] threshold, bool[] missingLeft, float[] leaves)
    {
        _splits = CompleteTreeShape.Check(depth, features, groups, group, feature, leaves.Length, threshold.Length, missingLeft.Length);
        _depth = depth;
        _features = features;
        _groups = groups;
        _group = group;
        _feature = feature;
        _threshold = threshold;
        _missingLeft = missingLeft.Select(l => l ? -1 : 0).ToArray();
        _leaves = leaves;
    }

    /// <summary>
    /// Adds every tree to the margins of <paramref name="rows"/> rows: <paramref name="x"/> holds their features row
    /// after row, <paramref name="margins"/> their margins (<c>groups</c> a row), which hold the starting values.
    /// </summary>
    public void AddMargins(ReadOnlySpan<float> x, int rows, Span<float> margins)
    {
        CompleteTreeShape.CheckRows(rows, x.Length, _features, margins.Length, _groups);
        int vectorRows = 0;
        if (Avx2.IsSupported && KernelDispatch.UseVectors)
        {
            vectorRows = rows - rows % 32;
            AddMarginsAvx2(x, vectorRows, margins);
        }
        for (int r = vectorRows; r < rows; r++)
        {
            AddMargins(x.Slice(r * _features, _features), margins.Slice(r * _groups, _groups));
        }
    }

    /// <summary>Adds every tree to the margins of one row.</summary>
    public void AddMargins(ReadOnlySpan<float> x, Span<float> margins)
    {
        for (int t = 0; t < _group.Length; t++)
        {
            int at = t * _splits;
            int slot = 0;
            for (int level = 0; level < _depth; level++)
            {
                float v = x[_feature[at + slot]];
                bool left = v < _threshold[at + slot] || (float.IsNaN(v) && _missingLeft[at + slot] != 0);
                slot = 2 * slot + (left ? 1 : 2);
            }
            margins[_group[t]] += _leaves[t * (_splits + 1) + slot - _splits];
        }
    }

    private unsafe void AddMarginsAvx2(ReadOnlySpan<float> x, int rows, Span<float> margins)
    {
        // Per group of 32 rows, each group's margins in lanes: loaded and stored around each tree (a tree adds to one).
        Span<float> block = stackalloc float[32 * _groups];
        fixed (float* xs = x)
        fixed (int* feature = _feature)
        fixed (float* threshold = _threshold)
        fixed (int* missingLeft = _missingLeft)
        fixed (float* leaves = _leaves)
        fixed (float* m = block)
        {
            Vector256<int> rowStarts = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * _features;
            Vector256<int> eight = Vector256.Create(8 * _features);
            for (int r = 0; r < rows; r += 32)
            {
                for (int g = 0; g < _groups; g++)
                {
                    for (int k = 0; k < 32; k++)
                    {
                        m[g * 32 + k] = margins[(r + k) * _groups + g];
                    }
                }
                Vector256<int> rows0 = rowStarts + Vector256.Create(r * _features);
                Vector256<int> rows1 = rows0 + eight;
                Vector256<int> rows2 = rows1 + eight;
                Vector256<int> rows3 = rows2 + eight;
                for (int t = 0; t < _group.Length; t++)
                {
                    int* f = feature + t * _splits;
                    float* th = threshold + t * _splits;
                    int* ml = missingLeft + t * _splits;
                    Vector256<int> s0 = Vector256<int>.Zero, s1 = s0, s2 = s0, s3 = s0;
                    for (int level = 0; level < _depth; level++)
                    {
                        // Four independent walks: each one's gathers wait on its previous level, not on the others'.
                        s0 = Step(f, th, ml, xs, rows0, s0);
                        s1 = Step(f, th, ml, xs, rows1, s1);
                        s2 = Step(f, th, ml, xs, rows2, s2);
                        s3 = Step(f, th, ml, xs, rows3, s3);
                    }
                    float* leaf = leaves + t * (_splits + 1) - _splits;
                    float* sum = m + _group[t] * 32;
                    Vector256.Store(Vector256.Load(sum) + Avx2.GatherVector256(leaf, s0, 4), sum);
                    Vector256.Store(Vector256.Load(sum + 8) + Avx2.GatherVector256(leaf, s1, 4), sum + 8);
                    Vector256.Store(Vector256.Load(sum + 16) + Avx2.GatherVector256(leaf, s2, 4), sum + 16);
                    Vector256.Store(Vector256.Load(sum + 24) + Avx2.GatherVector256(leaf, s3, 4), sum + 24);
                }
                for (int g = 0; g < _groups; g++)
                {
                    for (int k = 0; k < 32; k++)
                    {
                        margins[(r + k) * _groups + g] = m[g * 32 + k];
                    }
                }
            }
        }
    }

    /// <summary>One level for eight rows: to child 2i+1 where the row goes left, else 2i+2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<int> Step(int* feature, float* threshold, int* missingLeft, float* x, Vector256<int> rows, Vector256<int> slot)
    {
        Vector256<float> v = Avx2.GatherVector256(x, rows + Avx2.GatherVector256(feature, slot, 4), 4);
        Vector256<int> below = Avx.CompareLessThan(v, Avx2.GatherVector256(threshold, slot, 4)).AsInt32();
        Vector256<int> missing = Avx.CompareUnordered(v, v).AsInt32() & Avx2.GatherVector256(missingLeft, slot, 4);
        // left is -1 (all bits) where the row goes left: 2i + 2 - 1.
        return slot + slot + Vector256.Create(2) + (below | missing);
    }
}
