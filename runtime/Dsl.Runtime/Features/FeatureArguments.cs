using System.Globalization;
using System.Runtime.CompilerServices;

namespace Dsl;

/// <summary>
/// The argument checks of the feature operations, shared by the operations (which throw) and
/// <see cref="Kernels.FeatureChecks"/> (which answers, so that a vector block can hand a batch with bad parameters
/// to the per-row code before evaluating any lane).
/// </summary>
/// <remarks>
/// Category lists and bucket boundaries are stage parameters: the same array for every row of a run. Checking one
/// (and, for categories, building its lookup) is done once per array and remembered, keyed by the array's identity
/// in a <see cref="ConditionalWeakTable{TKey, TValue}"/> so that arrays no stage holds any more are dropped; a
/// per-thread last-array slot in front of it makes the common case one reference comparison. The arrays must not be
/// changed after their first use, which the runtime never does (parameter values are built once per run).
/// </remarks>
internal static class FeatureArguments
{
    private static readonly ConditionalWeakTable<string[], CategoryIndex> s_categories = new();

    private static readonly ConditionalWeakTable<double[], object> s_boundaries = new();

    private static readonly object s_checked = new();

    [ThreadStatic]
    private static string[]? t_lastCategories;

    [ThreadStatic]
    private static CategoryIndex? t_lastIndex;

    [ThreadStatic]
    private static double[]? t_lastBoundaries;

    /// <summary>The lookup of <paramref name="categories"/>, built and checked on its first use.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="categories"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry is null or appears twice.</exception>
    public static CategoryIndex Categories(string[] categories, [CallerArgumentExpression(nameof(categories))] string name = "")
    {
        if (ReferenceEquals(categories, t_lastCategories))
        {
            return t_lastIndex!;
        }
        ArgumentNullException.ThrowIfNull(categories, name);
        CategoryIndex index = s_categories.GetValue(categories, static c => CategoryIndex.Build(c));
        t_lastCategories = categories;
        t_lastIndex = index;
        return index;
    }

    /// <summary>Why <paramref name="categories"/> is not a category list (null when it is one).</summary>
    public static string? CategoryProblem(string[]? categories)
    {
        if (categories is null)
        {
            return "The category list is null.";
        }
        if (ReferenceEquals(categories, t_lastCategories) || s_categories.TryGetValue(categories, out _))
        {
            return null;
        }
        return CategoryIndex.Problem(categories);
    }

    /// <summary>Checks, once per array, that <paramref name="boundaries"/> are ascending numbers without NaN.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="boundaries"/> is null.</exception>
    /// <exception cref="ArgumentException">A boundary is NaN or below the one before it.</exception>
    public static void CheckBoundaries(double[] boundaries, [CallerArgumentExpression(nameof(boundaries))] string name = "")
    {
        if (ReferenceEquals(boundaries, t_lastBoundaries))
        {
            return;
        }
        ArgumentNullException.ThrowIfNull(boundaries, name);
        if (!s_boundaries.TryGetValue(boundaries, out _))
        {
            if (BoundaryProblem(boundaries) is { } problem)
            {
                throw new ArgumentException(problem, name);
            }
            s_boundaries.AddOrUpdate(boundaries, s_checked);
        }
        t_lastBoundaries = boundaries;
    }

    /// <summary>Why <paramref name="boundaries"/> are not bucket boundaries (null when they are).</summary>
    public static string? BoundaryProblem(double[]? boundaries)
    {
        if (boundaries is null)
        {
            return "The bucket boundaries are null.";
        }
        if (ReferenceEquals(boundaries, t_lastBoundaries) || s_boundaries.TryGetValue(boundaries, out _))
        {
            return null;
        }
        for (int i = 0; i < boundaries.Length; i++)
        {
            if (double.IsNaN(boundaries[i]))
            {
                return $"Bucket boundary {i} is NaN; boundaries must be ascending numbers (a fit over a column without values gives none).";
            }
            if (i > 0 && boundaries[i] < boundaries[i - 1])
            {
                return $"Bucket boundaries must be ascending, but boundary {i} ({Show(boundaries[i])}) is below boundary {i - 1} ({Show(boundaries[i - 1])}).";
            }
        }
        return null;
    }

    /// <summary>Why a fixed-width bucketing of [<paramref name="min"/>, <paramref name="max"/>] into <paramref name="buckets"/> is invalid (null when valid).</summary>
    public static string? UniformProblem(double min, double max, int buckets)
    {
        if (buckets < 1)
        {
            return $"The number of buckets must be at least 1, but it is {buckets}.";
        }
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            return $"Fixed-width buckets need finite bounds with min <= max, but min is {Show(min)} and max is {Show(max)} (a fit over a column without values gives NaN).";
        }
        return null;
    }

    /// <summary>Throws when <see cref="UniformProblem"/> finds one.</summary>
    public static void CheckUniform(double min, double max, int buckets)
    {
        if (UniformProblem(min, max, buckets) is { } problem)
        {
            throw new ArgumentException(problem, nameof(buckets));
        }
    }

    /// <summary>Throws unless <paramref name="rangeMin"/> &lt; <paramref name="rangeMax"/> (as <c>MinMaxScaler</c> requires).</summary>
    public static void CheckFeatureRange(double rangeMin, double rangeMax)
    {
        if (!(rangeMin < rangeMax))
        {
            throw new ArgumentException(
                $"The target range of min-max scaling must have rangeMin < rangeMax, but it is ({Show(rangeMin)}, {Show(rangeMax)}).",
                nameof(rangeMin));
        }
    }

    /// <summary>Throws unless <paramref name="features"/> is positive.</summary>
    public static void CheckHashFeatures(int features)
    {
        if (features < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(features), features, $"The number of hashed features must be at least 1, but it is {features}.");
        }
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>The position of each entry of a category list, for lookups by value.</summary>
internal sealed class CategoryIndex
{
    private readonly Dictionary<string, int> _positions;

    private CategoryIndex(Dictionary<string, int> positions, int count)
    {
        _positions = positions;
        Count = count;
    }

    /// <summary>The number of categories.</summary>
    public int Count { get; }

    /// <summary>The position of <paramref name="value"/>, or -1 when it is null or not a category.</summary>
    public int IndexOf(string? value) => value is not null && _positions.TryGetValue(value, out int position) ? position : -1;

    /// <summary>Builds the lookup of <paramref name="categories"/>.</summary>
    /// <exception cref="ArgumentException">An entry is null or appears twice.</exception>
    public static CategoryIndex Build(string[] categories)
    {
        if (Problem(categories) is { } problem)
        {
            throw new ArgumentException(problem, nameof(categories));
        }
        var positions = new Dictionary<string, int>(categories.Length, StringComparer.Ordinal);
        for (int i = 0; i < categories.Length; i++)
        {
            positions.Add(categories[i], i);
        }
        return new CategoryIndex(positions, categories.Length);
    }

    /// <summary>Why <paramref name="categories"/> is not a list of distinct non-null values (null when it is).</summary>
    public static string? Problem(string[] categories)
    {
        var seen = new Dictionary<string, int>(categories.Length, StringComparer.Ordinal);
        for (int i = 0; i < categories.Length; i++)
        {
            string? category = categories[i];
            if (category is null)
            {
                return $"Category {i} is null; a category list holds distinct non-null values (null values are unknown, never a category).";
            }
            if (!seen.TryAdd(category, i))
            {
                return $"The category '{category}' appears twice in the category list (at {seen[category]} and {i}); categories must be distinct.";
            }
        }
        return null;
    }
}
