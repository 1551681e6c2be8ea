namespace Dsl.Runtime.Tests.Features;

/// <summary>
/// <see cref="Encode"/> against scikit-learn's <c>OrdinalEncoder</c> and <c>OneHotEncoder</c>: a vocabulary as
/// FitData defines it (most frequent first, ties in ordinal order, at most maxSize, at least minFrequency), sorted with
/// <see cref="Encode.SortedCategories"/>, is scikit-learn's <c>categories_</c> (or its frequent categories), and the
/// codes and one-hot columns are its output, unknown, infrequent and missing values included; where the vocabulary
/// and scikit-learn break a tie at the cut differently, the test shows how.
/// </summary>
public sealed class EncodeTests
{
    // Code point order differs from ordinal (UTF-16) order here: U+E000 sorts before U+1F600 by code point, after it by code unit.
    private static readonly string[] s_kinds = ["a", "B", "é", "\uE000x", "😀", "Z", "aa", "", "中", "a ", "ß"];

    // Category i appears s_counts[i] times: distinct counts, so no tie straddles any cut.
    private static readonly int[] s_counts = [9, 1, 7, 5, 12, 2, 4, 3, 6, 8, 11];

    private static readonly string?[] s_fit = Shuffled(s_kinds.SelectMany((k, i) => Enumerable.Repeat(k, s_counts[i])), 5);

    private static readonly string?[] s_test = [.. s_kinds, "unknown", null, "A", "a", "😀", "\uE000", null];

    [Fact]
    public void SortedVocabulary_IsOrdinalEncodersCategories_AndOrdinalIsItsCode()
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", s_fit).With("test", s_test).Run("""
            from sklearn.preprocessing import OrdinalEncoder
            e = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1).fit(column("fit"))
            put("categories", [str(c) for c in e.categories_[0]]); save("code", e.transform(column("test")))
            k = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=len(e.categories_[0])).fit(column("fit"))
            save("keep", k.transform(column("test")))
            """);
        string[] categories = Encode.SortedCategories(Vocabulary(s_fit));
        Assert.Equal(sk.Strings("categories"), categories);
        Assert.NotEqual(categories, categories.Order(StringComparer.Ordinal)); // the data tells code point order from ordinal order
        FeatureAssert.SameBits(sk.Doubles("code"), [.. s_test.Select(v => (double)Encode.Ordinal(v, categories))], "unknown -1");
        FeatureAssert.SameBits(sk.Doubles("keep"), [.. s_test.Select(v => (double)Encode.Ordinal(v, categories, categories.Length))], "unknown = count");
    }

    [Fact]
    public void OneHot_WithoutInfrequentCategories_IsOneHotEncoderIgnoringUnknowns()
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", s_fit).With("test", s_test).Run("""
            from sklearn.preprocessing import OneHotEncoder
            e = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(column("fit"))
            put("columns", e.transform(column("test")).shape[1]); save("out", e.transform(column("test")))
            """);
        string[] categories = Encode.SortedCategories(Vocabulary(s_fit));
        AssertColumns(sk, categories.Length, (v, c) => Encode.OneHot(v, categories, c), v => Encode.OneHotColumn(v, categories));
    }

    [Fact]
    public void OneHot_WithInfrequentCategories_IsOneHotEncoder_ForBothWaysOfHandlingUnknowns()
    {
        // (min_frequency, max_categories), 0 for no max_categories.
        (int MinFrequency, int MaxCategories)[] limits = [(1, 5), (4, 0), (6, 9), (2, 12)];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", s_fit).With("test", s_test).Run("""
            from sklearn.preprocessing import OneHotEncoder
            for m, k in [(1, 5), (4, 0), (6, 9), (2, 12)]:
                for unknown in ["infrequent_if_exist", "ignore"]:
                    e = OneHotEncoder(handle_unknown=unknown, min_frequency=m, max_categories=k or None, sparse_output=False).fit(column("fit"))
                    infrequent = set(str(c) for c in e.infrequent_categories_[0])
                    key = f"{m}-{k}-{unknown}-"
                    put(key + "frequent", [str(c) for c in e.categories_[0] if str(c) not in infrequent])
                    put(key + "columns", e.transform(column("test")).shape[1]); save(key + "out", e.transform(column("test")))
            """);
        foreach ((int minFrequency, int maxCategories) in limits)
        {
            // OneHotEncoder(min_frequency=m, max_categories=k) keeps Vocabulary(maxSize: k - 1, minFrequency: m), sorted.
            string[] frequent = Encode.SortedCategories(Vocabulary(s_fit, maxCategories == 0 ? int.MaxValue : maxCategories - 1, minFrequency));
            string[] seen = Vocabulary(s_fit);
            Assert.True(frequent.Length < seen.Length, "the limits leave categories out");
            string key = $"{minFrequency}-{maxCategories}-";
            Assert.Equal(sk.Strings(key + "infrequent_if_exist-frequent"), frequent);
            Assert.Equal(sk.Strings(key + "ignore-frequent"), frequent);
            AssertColumns(sk, frequent.Length + 1, (v, c) => Encode.OneHotOrInfrequent(v, frequent, c), v => Encode.OneHotColumnOrInfrequent(v, frequent), key + "infrequent_if_exist-");
            // The infrequent column as a schema with fixed columns writes it.
            AssertColumns(sk, frequent.Length + 1, (v, c) => c < frequent.Length ? Encode.OneHotOrInfrequent(v, frequent, c) : Encode.Ordinal(v, frequent) < 0 ? 1.0 : 0.0,
                v => Encode.OneHotColumnOrInfrequent(v, frequent), key + "infrequent_if_exist-");
            AssertColumns(sk, frequent.Length + 1, (v, c) => Encode.OneHot(v, frequent, seen, c), v => Encode.OneHotColumn(v, frequent, seen), key + "ignore-");
        }
    }

    [Fact]
    public void TieAtTheCut_ScikitLearnKeepsTheCategoriesThatSortLast_TheVocabularyTheOnesThatSortFirst()
    {
        // a: 3, b: 2, c: 2, d: 1; max_categories=3 keeps two: a, and one of the tied b and c.
        string?[] fit = ["c", "a", "b", "d", "a", "c", "b", "a"];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", fit).Run("""
            from sklearn.preprocessing import OneHotEncoder
            e = OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=3).fit(column("fit"))
            put("infrequent", [str(c) for c in e.infrequent_categories_[0]])
            one = OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=1, min_frequency=2).fit(column("fit"))
            put("one", [str(c) for c in one.infrequent_categories_[0]])
            """);
        Assert.Equal(["b", "d"], sk.Strings("infrequent"));
        Assert.Equal(["a", "b"], Encode.SortedCategories(Vocabulary(fit, maxSize: 2)));
        // max_categories=1 applies no limit in scikit-learn: only min_frequency cuts.
        Assert.Equal(["d"], sk.Strings("one"));
        Assert.Empty(Vocabulary(fit, maxSize: 0, minFrequency: 2));
    }

    [Fact]
    public void MissingValues_AreUnknown_WhenTheFitSawNone_AsInScikitLearn()
    {
        string?[] fit = ["x", "y", "x"];
        string?[] test = [null, "x"];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("fit", fit).With("test", test).Run("""
            from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
            save("ordinal", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1).fit(column("fit")).transform(column("test")))
            save("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(column("fit")).transform(column("test")))
            """);
        string[] categories = Encode.SortedCategories(Vocabulary(fit));
        FeatureAssert.SameBits(sk.Doubles("ordinal"), [.. test.Select(v => (double)Encode.Ordinal(v, categories))], "ordinal");
        FeatureAssert.SameBits(sk.Doubles("onehot"), [.. test.SelectMany(v => new[] { Encode.OneHot(v, categories, 0), Encode.OneHot(v, categories, 1) })], "one-hot");
        Assert.Equal(categories.Length, Encode.OneHotColumnOrInfrequent(null, categories));
        Assert.Equal(-1, Encode.OneHotColumn(null, categories, ["x", "y", "z"]));
    }

    [Fact]
    public void OneHot_ColumnsOutsideTheEncoding_AreAlwaysZero()
    {
        string[] categories = ["p", "q"];
        Assert.Equal(0.0, Encode.OneHot("zz", categories, -1));
        Assert.Equal(0.0, Encode.OneHot("p", categories, 2));
        Assert.Equal(1.0, Encode.OneHotOrInfrequent("zz", categories, 2));
        Assert.Equal(0.0, Encode.OneHot("zz", categories, ["p", "q", "r"], 2));
        Assert.Equal(1.0, Encode.OneHot("r", categories, ["p", "q", "r"], 2));
        Assert.Equal(1.0, Encode.OneHot("q", categories, ["p", "q", "r"], 1));
    }

    [Theory]
    [InlineData(new[] { "a", "b", "a" }, "'a' appears twice")]
    [InlineData(new[] { "a", null }, "Category 1 is null")]
    public void BadCategoryLists_Throw_AndTheCheckSaysSo(string?[] categories, string message)
    {
        string[] list = categories!;
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => Encode.Ordinal("a", list)).Message, StringComparison.Ordinal);
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => Encode.SortedCategories(list)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Encode.OneHotColumn("a", ["z"], list));
        Assert.False(Dsl.Kernels.FeatureChecks.Categories(list));
        Assert.False(Dsl.Kernels.FeatureChecks.Categories(null));
        Assert.True(Dsl.Kernels.FeatureChecks.Categories(["a", "A"]));
        Assert.Throws<ArgumentNullException>(() => Encode.Ordinal("a", null!));
    }

    [Fact]
    public void Lookups_OnManyArraysFromManyThreads_GiveEachArraysPositions()
    {
        string[][] lists = [.. Enumerable.Range(0, 40).Select(n => Enumerable.Range(0, n + 1).Reverse().Select(i => $"v{i}").ToArray())];
        Parallel.For(0, 4000, i =>
        {
            string[] list = lists[i % lists.Length];
            int position = i % list.Length;
            Assert.Equal(position, Encode.Ordinal(list[position], list));
            Assert.Equal(-1, Encode.Ordinal("absent", list));
        });
    }

    /// <summary>Asserts each output column of scikit-learn's dense one-hot output, and the column each row sets.</summary>
    private static void AssertColumns(ScikitLearnOracle.Answers sk, int columns, Func<string?, int, double> indicator, Func<string?, int> column, string prefix = "")
    {
        Assert.Equal(columns, sk.Json(prefix + "columns").GetInt32());
        double[] output = sk.Doubles(prefix + "out");
        for (int r = 0; r < s_test.Length; r++)
        {
            int set = -1;
            for (int c = 0; c < columns; c++)
            {
                double want = output[r * columns + c];
                FeatureAssert.SameBits(want, indicator(s_test[r], c), $"{prefix}row {r} ('{s_test[r]}'), column {c}");
                if (want == 1.0)
                {
                    set = c;
                }
            }
            Assert.Equal(set, column(s_test[r]));
        }
    }

    /// <summary>FitData.Vocabulary's definition: values seen at least <paramref name="minFrequency"/> times, most frequent first, ties in ordinal order, at most <paramref name="maxSize"/>.</summary>
    private static string[] Vocabulary(string?[] values, int maxSize = int.MaxValue, long minFrequency = 1) =>
        [.. values.OfType<string>().GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() >= minFrequency)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(maxSize).Select(g => g.Key)];

    private static string?[] Shuffled(IEnumerable<string?> values, int seed)
    {
        string?[] array = [.. values];
        new Random(seed).Shuffle(array);
        return array;
    }
}
