namespace Dsl;

/// <summary>
/// Ordinal and one-hot encoding of string categories against a category list a <see cref="FitAttribute"/> stage
/// computes (<see cref="FitData{TRow}.Vocabulary"/>), as scikit-learn's <c>OrdinalEncoder</c> and
/// <c>OneHotEncoder</c> and Spark ML's <c>StringIndexer</c> apply them. A schema has a fixed set of columns, so one-hot
/// encoding is written one output column at a time: the <c>...Column</c> methods give the column a value sets, and
/// <see cref="OneHot(string?, string[], int)"/> and its siblings the 0/1 indicator of column <c>i</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Category order.</b> <see cref="FitData{TRow}.Vocabulary"/> lists categories most frequent first (Spark's
/// <c>StringIndexer</c> order, <c>stringOrderType="frequencyDesc"</c>); scikit-learn orders <c>categories_</c> by value
/// (<c>np.unique</c>, Unicode code point order). Sort the vocabulary in the fit with <see cref="SortedCategories"/> to
/// get scikit-learn's column order: <c>new Enc(Encode.SortedCategories(d.Vocabulary(t =&gt; t.Country)))</c>.
/// </para>
/// <para>
/// <b>Infrequent categories.</b> <c>OneHotEncoder(min_frequency=m, max_categories=k)</c> keeps the categories seen at
/// least <c>m</c> times (an integer <c>m</c>; a fraction of the row count has no constant equivalent), at most
/// <c>k - 1</c> of them, the most frequent, and gathers the others into one last column (<c>infrequent_sklearn</c>).
/// Its frequent categories are <c>SortedCategories(Vocabulary(c, maxSize: k - 1, minFrequency: m))</c> and the
/// infrequent column is number <c>frequent.Length</c>, with one difference: where categories with the same count
/// straddle the cut, scikit-learn keeps the ones that sort last and the vocabulary the ones that sort first
/// (<see cref="FitData{TRow}.Vocabulary"/> breaks ties in ordinal order). For <c>max_categories=1</c> scikit-learn
/// applies no limit at all (it keeps every frequent category), where <c>maxSize: 0</c> keeps none.
/// </para>
/// <para>
/// <b>Unknown values.</b> scikit-learn's <c>handle_unknown</c> picks the method: <c>"ignore"</c> without infrequent
/// categories is <see cref="OneHotColumn(string?, string[])"/> (an unknown value sets no column);
/// <c>"infrequent_if_exist"</c> with infrequent categories is <see cref="OneHotColumnOrInfrequent"/> (an unknown value
/// sets the infrequent column; without infrequent categories scikit-learn has no such column and behaves as
/// <c>"ignore"</c>); <c>"ignore"</c> with infrequent categories is <see cref="OneHotColumn(string?, string[], string[])"/>,
/// which also needs every category the fit saw (<c>Vocabulary(c)</c> without limits) to tell an infrequent value from
/// an unknown one. Null is never a category: the vocabulary leaves nulls out, so a null value is unknown. (scikit-learn
/// makes a missing value a category of its own when the fit saw one; impute first, in a map before the fit, to get a
/// category for it here.)
/// </para>
/// <para>
/// A category list must hold distinct non-null values; it is checked (and indexed for lookups) once per array.
/// </para>
/// </remarks>
public static class Encode
{
    /// <summary>
    /// A copy of <paramref name="categories"/> sorted as scikit-learn's <c>categories_</c> are: by Unicode code point
    /// (Python's string order, which <c>np.unique</c> uses; it differs from <see cref="StringComparer.Ordinal"/> only
    /// for characters above U+FFFF against U+E000 to U+FFFF). Call it in the fit, once, not in a map.
    /// </summary>
    /// <param name="categories">Distinct non-null categories.</param>
    /// <exception cref="ArgumentException">An entry is null or appears twice.</exception>
    public static string[] SortedCategories(string[] categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        if (CategoryIndex.Problem(categories) is { } problem)
        {
            throw new ArgumentException(problem, nameof(categories));
        }
        string[] sorted = (string[])categories.Clone();
        Array.Sort(sorted, CodePointComparer.Instance);
        return sorted;
    }

    /// <summary>
    /// The position of <paramref name="value"/> in <paramref name="categories"/>, or -1 when it is not one of them (or
    /// null): <c>OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)</c> with <c>categories_</c> =
    /// <paramref name="categories"/> (sorted, see <see cref="SortedCategories"/>), or Spark's <c>StringIndexer</c>
    /// index with a frequency-ordered vocabulary.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="categories">Distinct non-null categories.</param>
    /// <exception cref="ArgumentException">The category list holds a null or a duplicate.</exception>
    public static int Ordinal(string? value, string[] categories) => FeatureArguments.Categories(categories).IndexOf(value);

    /// <summary>
    /// The position of <paramref name="value"/> in <paramref name="categories"/>, or <paramref name="unknown"/> when it
    /// is not one of them (or null): <c>OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=unknown)</c>;
    /// <paramref name="unknown"/> = <c>categories.Length</c> is Spark's <c>StringIndexer(handleInvalid="keep")</c>.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="categories">Distinct non-null categories.</param>
    /// <param name="unknown">The code of values that are not categories.</param>
    /// <exception cref="ArgumentException">The category list holds a null or a duplicate.</exception>
    public static int Ordinal(string? value, string[] categories, int unknown)
    {
        int position = FeatureArguments.Categories(categories).IndexOf(value);
        return position < 0 ? unknown : position;
    }

    /// <summary>
    /// The one-hot column <paramref name="value"/> sets: its position in <paramref name="categories"/>, or -1 (no
    /// column) for a value that is not a category. <c>OneHotEncoder(handle_unknown="ignore")</c> without infrequent
    /// categories.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="categories">Distinct non-null categories, in column order.</param>
    /// <exception cref="ArgumentException">The category list holds a null or a duplicate.</exception>
    public static int OneHotColumn(string? value, string[] categories) => FeatureArguments.Categories(categories).IndexOf(value);

    /// <summary>
    /// The one-hot column <paramref name="value"/> sets when the fit gathered infrequent categories and unknown values
    /// join them: its position in <paramref name="frequent"/>, or <c>frequent.Length</c> (the infrequent column) for
    /// every other value, null included. <c>OneHotEncoder(handle_unknown="infrequent_if_exist")</c> with
    /// <c>min_frequency</c> or <c>max_categories</c> that left categories out.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="frequent">The frequent categories, in column order.</param>
    /// <exception cref="ArgumentException">The category list holds a null or a duplicate.</exception>
    public static int OneHotColumnOrInfrequent(string? value, string[] frequent)
    {
        CategoryIndex index = FeatureArguments.Categories(frequent);
        int position = index.IndexOf(value);
        return position < 0 ? index.Count : position;
    }

    /// <summary>
    /// The one-hot column <paramref name="value"/> sets when the fit gathered infrequent categories and unknown values
    /// are ignored: its position in <paramref name="frequent"/>; <c>frequent.Length</c> (the infrequent column) when it
    /// is one of <paramref name="seen"/> but not frequent; -1 (no column) when the fit never saw it (or it is null).
    /// <c>OneHotEncoder(handle_unknown="ignore")</c> with <c>min_frequency</c> or <c>max_categories</c>.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="frequent">The frequent categories, in column order.</param>
    /// <param name="seen">Every category the fit saw (<c>Vocabulary(c)</c> without limits), in any order.</param>
    /// <exception cref="ArgumentException">A category list holds a null or a duplicate.</exception>
    public static int OneHotColumn(string? value, string[] frequent, string[] seen)
    {
        CategoryIndex index = FeatureArguments.Categories(frequent);
        int position = index.IndexOf(value);
        if (position >= 0)
        {
            return position;
        }
        return FeatureArguments.Categories(seen).IndexOf(value) >= 0 ? index.Count : -1;
    }

    /// <summary>1 where <see cref="OneHotColumn(string?, string[])"/> is <paramref name="column"/>, else 0: one column of <c>OneHotEncoder(handle_unknown="ignore")</c>'s dense output.</summary>
    /// <param name="value">The value.</param>
    /// <param name="categories">Distinct non-null categories, in column order.</param>
    /// <param name="column">The output column, from 0.</param>
    /// <exception cref="ArgumentException">The category list holds a null or a duplicate.</exception>
    public static double OneHot(string? value, string[] categories, int column) => Indicator(OneHotColumn(value, categories), column);

    /// <summary>1 where <see cref="OneHotColumnOrInfrequent"/> is <paramref name="column"/>, else 0 (column <c>frequent.Length</c> is the infrequent one).</summary>
    /// <param name="value">The value.</param>
    /// <param name="frequent">The frequent categories, in column order.</param>
    /// <param name="column">The output column, from 0.</param>
    /// <exception cref="ArgumentException">The category list holds a null or a duplicate.</exception>
    public static double OneHotOrInfrequent(string? value, string[] frequent, int column) => Indicator(OneHotColumnOrInfrequent(value, frequent), column);

    /// <summary>1 where <see cref="OneHotColumn(string?, string[], string[])"/> is <paramref name="column"/>, else 0 (column <c>frequent.Length</c> is the infrequent one).</summary>
    /// <param name="value">The value.</param>
    /// <param name="frequent">The frequent categories, in column order.</param>
    /// <param name="seen">Every category the fit saw.</param>
    /// <param name="column">The output column, from 0.</param>
    /// <exception cref="ArgumentException">A category list holds a null or a duplicate.</exception>
    public static double OneHot(string? value, string[] frequent, string[] seen, int column) => Indicator(OneHotColumn(value, frequent, seen), column);

    // A column index of -1 sets nothing, so no column (not even a negative one) is 1 for it.
    private static double Indicator(int set, int column) => set >= 0 && set == column ? 1.0 : 0.0;

    /// <summary>Compares strings by Unicode code point, as Python compares <c>str</c> values.</summary>
    private sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }
            int length = Math.Min(x.Length, y.Length);
            for (int i = 0; i < length; i++)
            {
                if (x[i] != y[i])
                {
                    return Order(x[i]) - Order(y[i]);
                }
            }
            return x.Length - y.Length;
        }

        // UTF-16 code units in code point order: surrogates (U+D800-DFFF, the halves of characters above U+FFFF) move
        // above U+E000-FFFF, which move down to make room; everything below U+D800 keeps its place.
        private static int Order(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
}
