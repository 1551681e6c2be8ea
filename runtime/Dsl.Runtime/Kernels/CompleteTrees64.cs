using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dsl.Kernels;

/// <summary>
/// The trees of a compiled LightGBM model as complete binary trees in flat arrays, laid out as in
/// <see cref="CompleteTrees32"/>, walked four rows at a time with AVX2 gathers (four groups interleaved).
/// </summary>
/// <remarks>
/// LightGBM's arithmetic: features, thresholds and sums in float64; a value within ±1e-35 is 0 (as LightGBM's C API
/// hands it to the trees); for a split of missing type None (0) NaN is 0, for type Zero (1) NaN and 0 go the split's
/// default way, for type NaN (2) NaN does; otherwise <c>x &lt;= threshold</c> goes left. Each row's margin adds the trees
/// in their order, so the vector and scalar paths give the same bits (tests/Dsl.Runtime.Tests/Kernels/CompleteTreesTests.cs).
/// </remarks>
public sealed class CompleteTrees64
{
    // LightGBM's kZeroThreshold, a float constant widened to double.
    private const double Zero = (double)1e-35f;

    private readonly int _depth;
    private readonly int _splits;
    private readonly int _features;
    private readonly int _groups;
    private readonly int[] _group;
    private readonly int[] _feature;
    private readonly double[] _threshold;
    private readonly int[] _zeroMissing;
    private readonly int[] _nanMissing;
    private readonly int[] _missingLeft;
    private readonly double[] _leaves;

    /// <param name="depth">Every tree's depth (1 to 16).</param>
    /// <param name="features">The features of a row.</param>
    /// <param name="groups">The margins of a row (classes), each tree adding to one.</param>
    /// <param name="group">Per tree, the margin it adds to.</param>
    /// <param name="feature">Per tree, its splits' features, level by level.</param>
    /// <param name="threshold">Per tree, its splits' thresholds.</param>
    /// <param name="missingType">Per split, LightGBM's missing type: 0 None, 1 Zero, 2 NaN.</param>
    /// <param name="missingLeft">Per split, whether a missing value goes left.</param>
    /// <param name="leaves">Per tree, its bottom level's values.</param>
    public CompleteTrees64(int depth, int features, int groups, int[] group, int[] feature, double[] threshold, byte[] missingType, bool[] missingLeft, double[] leaves)
    {
        _splits = CompleteTreeShape.Check(depth, features, groups, group, feature, leaves.Length, threshold.Length, missingType.Length, missingLeft.Length);
        _depth = depth;
        _features = features;
        _groups = groups;
        _group = group;
        foreach (byte m in missingType)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(m, (byte)2);
        }
        _feature = feature;
        _threshold = threshold;
        _zeroMissing = missingType.Select(m => m == 1 ? -1 : 0).ToArray();
        _nanMissing = missingType.Select(m => m == 2 ? -1 : 0).ToArray();
        _missingLeft = missingLeft.Select(l => l ? -1 : 0).ToArray();
        _leaves = leaves;
    }

    /// <summary>Adds every tree to the margins of <paramref name="rows"/> rows (features row after row; <c>groups</c> margins a row).</summary>
    public void AddMargins(ReadOnlySpan<double> x, int rows, Span<double> margins)
    {
        CompleteTreeShape.CheckRows(rows, x.Length, _features, margins.Length, _groups);
        int vectorRows = 0;
        if (Avx2.IsSupported && KernelDispatch.UseVectors)
        {
            vectorRows = rows - rows % 16;
            AddMarginsAvx2(x, vectorRows, margins);
        }
        for (int r = vectorRows; r < rows; r++)
        {
            AddMargins(x.Slice(r * _features, _features), margins.Slice(r * _groups, _groups));
        }
    }

    /// <summary>Adds every tree to the margins of one row.</summary>
    public void AddMargins(ReadOnlySpan<double> x, Span<double> margins)
    {
        for (int t = 0; t < _group.Length; t++)
        {
            int at = t * _splits;
            int slot = 0;
            for (int level = 0; level < _depth; level++)
            {
                int node = at + slot;
                double v = x[_feature[node]];
                if (v >= -Zero && v <= Zero)
                {
                    v = 0;
                }
                bool nan = double.IsNaN(v);
                if (nan && _nanMissing[node] == 0)
                {
                    v = 0;
                }
                bool missing = (_zeroMissing[node] != 0 && v == 0) || (_nanMissing[node] != 0 && nan);
                bool left = missing ? _missingLeft[node] != 0 : v <= _threshold[node];
                slot = 2 * slot + (left ? 1 : 2);
            }
            margins[_group[t]] += _leaves[t * (_splits + 1) + slot - _splits];
        }
    }

    private unsafe void AddMarginsAvx2(ReadOnlySpan<double> x, int rows, Span<double> margins)
    {
        Span<double> block = stackalloc double[16 * _groups];
        fixed (double* xs = x)
        fixed (int* feature = _feature)
        fixed (double* threshold = _threshold)
        fixed (int* zeroMissing = _zeroMissing)
        fixed (int* nanMissing = _nanMissing)
        fixed (int* missingLeft = _missingLeft)
        fixed (double* leaves = _leaves)
        fixed (double* m = block)
        {
            Vector128<int> rowStarts = Vector128.Create(0, 1, 2, 3) * _features;
            Vector128<int> four = Vector128.Create(4 * _features);
            var splits = new Splits(feature, threshold, zeroMissing, nanMissing, missingLeft);
            for (int r = 0; r < rows; r += 16)
            {
                for (int g = 0; g < _groups; g++)
                {
                    for (int k = 0; k < 16; k++)
                    {
                        m[g * 16 + k] = margins[(r + k) * _groups + g];
                    }
                }
                Vector128<int> rows0 = rowStarts + Vector128.Create(r * _features);
                Vector128<int> rows1 = rows0 + four;
                Vector128<int> rows2 = rows1 + four;
                Vector128<int> rows3 = rows2 + four;
                for (int t = 0; t < _group.Length; t++)
                {
                    Splits tree = splits.Offset(t * _splits);
                    Vector128<int> s0 = Vector128<int>.Zero, s1 = s0, s2 = s0, s3 = s0;
                    for (int level = 0; level < _depth; level++)
                    {
                        s0 = Step(tree, xs, rows0, s0);
                        s1 = Step(tree, xs, rows1, s1);
                        s2 = Step(tree, xs, rows2, s2);
                        s3 = Step(tree, xs, rows3, s3);
                    }
                    double* leaf = leaves + t * (_splits + 1) - _splits;
                    double* sum = m + _group[t] * 16;
                    Vector256.Store(Vector256.Load(sum) + Avx2.GatherVector256(leaf, s0, 8), sum);
                    Vector256.Store(Vector256.Load(sum + 4) + Avx2.GatherVector256(leaf, s1, 8), sum + 4);
                    Vector256.Store(Vector256.Load(sum + 8) + Avx2.GatherVector256(leaf, s2, 8), sum + 8);
                    Vector256.Store(Vector256.Load(sum + 12) + Avx2.GatherVector256(leaf, s3, 8), sum + 12);
                }
                for (int g = 0; g < _groups; g++)
                {
                    for (int k = 0; k < 16; k++)
                    {
                        margins[(r + k) * _groups + g] = m[g * 16 + k];
                    }
                }
            }
        }
    }

    /// <summary>One tree's split arrays (pointers into the pinned ones).</summary>
    private readonly unsafe struct Splits(int* feature, double* threshold, int* zeroMissing, int* nanMissing, int* missingLeft)
    {
        public readonly int* Feature = feature;
        public readonly double* Threshold = threshold;
        public readonly int* ZeroMissing = zeroMissing;
        public readonly int* NanMissing = nanMissing;
        public readonly int* MissingLeft = missingLeft;

        public Splits Offset(int at) => new(Feature + at, Threshold + at, ZeroMissing + at, NanMissing + at, MissingLeft + at);
    }

    /// <summary>One level for four rows: to child 2i+1 where the row goes left, else 2i+2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<int> Step(Splits tree, double* x, Vector128<int> rows, Vector128<int> slot)
    {
        Vector256<double> v = Avx2.GatherVector256(x, rows + Avx2.GatherVector128(tree.Feature, slot, 4), 8);
        // Within ±1e-35 is 0; NaN fails both comparisons and stays NaN.
        Vector256<double> tiny = Avx.CompareLessThanOrEqual(Avx.And(v, Vector256.Create(long.MaxValue).AsDouble()), Vector256.Create(Zero));
        v = Avx.AndNot(tiny, v);
        Vector256<long> nan = Avx.CompareUnordered(v, v).AsInt64();
        Vector256<long> nanMissing = Avx2.ConvertToVector256Int64(Avx2.GatherVector128(tree.NanMissing, slot, 4));
        // NaN is 0 unless the split's missing type is NaN.
        v = Avx.AndNot(Avx2.AndNot(nanMissing, nan).AsDouble(), v);
        Vector256<long> zero = Avx.CompareEqual(v, Vector256<double>.Zero).AsInt64();
        Vector256<long> zeroMissing = Avx2.ConvertToVector256Int64(Avx2.GatherVector128(tree.ZeroMissing, slot, 4));
        Vector256<long> missing = (zeroMissing & zero) | (nanMissing & nan);
        Vector256<long> missingLeft = Avx2.ConvertToVector256Int64(Avx2.GatherVector128(tree.MissingLeft, slot, 4));
        Vector256<long> below = Avx.CompareLessThanOrEqual(v, Avx2.GatherVector256(tree.Threshold, slot, 8)).AsInt64();
        Vector256<long> left = (missing & missingLeft) | Avx2.AndNot(missing, below);
        // The low half of each 64-bit mask, as four 32-bit lanes.
        Vector128<int> left32 = Avx2.PermuteVar8x32(left.AsInt32(), Vector256.Create(0, 2, 4, 6, 0, 2, 4, 6)).GetLower();
        return slot + slot + Vector128.Create(2) + left32;
    }
}
