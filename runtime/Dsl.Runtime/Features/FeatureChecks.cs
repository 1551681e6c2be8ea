namespace Dsl.Kernels;

/// <summary>
/// What the generated kernels ask before a vector block evaluates a feature operation on every lane: whether its
/// parameters are ones the operation accepts. Where they are not, the batch runs on the per-row code instead, which
/// throws the operation's own exception at the first row that reaches it (a vector block also evaluates rows a
/// filter drops, so it must not be the one to throw). Each answers without throwing.
/// </summary>
public static class FeatureChecks
{
    /// <summary>Whether <see cref="Bucketize.Index"/> accepts <paramref name="boundaries"/>: ascending, without NaN.</summary>
    /// <param name="boundaries">The boundaries.</param>
    public static bool Boundaries(double[]? boundaries) => FeatureArguments.BoundaryProblem(boundaries) is null;

    /// <summary>Whether <see cref="Bucketize.Uniform"/> accepts the bounds and count: finite, <paramref name="min"/> &lt;= <paramref name="max"/>, at least one bucket.</summary>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <param name="buckets">The number of buckets.</param>
    public static bool Uniform(double min, double max, int buckets) => FeatureArguments.UniformProblem(min, max, buckets) is null;

    /// <summary>Whether the <see cref="Encode"/> methods accept <paramref name="categories"/>: distinct non-null values (its lookup is built now when it is).</summary>
    /// <param name="categories">The categories.</param>
    public static bool Categories(string[]? categories)
    {
        if (FeatureArguments.CategoryProblem(categories) is not null)
        {
            return false;
        }
        FeatureArguments.Categories(categories!);
        return true;
    }

    /// <summary>Whether <see cref="Scale.MinMax(double, double, double, double, double)"/> accepts the target range: <paramref name="rangeMin"/> &lt; <paramref name="rangeMax"/>.</summary>
    /// <param name="rangeMin">The lower end.</param>
    /// <param name="rangeMax">The upper end.</param>
    public static bool FeatureRange(double rangeMin, double rangeMax) => rangeMin < rangeMax;

    /// <summary>Whether <see cref="FeatureHashing"/> accepts <paramref name="features"/> columns: at least 1.</summary>
    /// <param name="features">The number of hashed columns.</param>
    public static bool HashFeatures(int features) => features >= 1;
}
