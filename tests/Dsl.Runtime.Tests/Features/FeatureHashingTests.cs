namespace Dsl.Runtime.Tests.Features;

/// <summary>
/// <see cref="FeatureHashing"/> against scikit-learn: the hash is <c>sklearn.utils.murmurhash3_32</c> for every seed and
/// length (block tails, multi-byte UTF-8, strings beyond the stack buffer), and the columns are
/// <c>FeatureHasher(input_type="string")</c>'s, signed and unsigned, collisions summed, the <c>int.MinValue</c> hash included.
/// </summary>
public sealed class FeatureHashingTests
{
    // A string whose hash is int.MinValue (found by inverting MurmurHash3's last block), where abs() overflows.
    private const string MinValueHash = "aaaiTBFZ";

    private static readonly string[] s_strings =
    [
        "", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi", "foo", "country=FR", "device=ios",
        "日本語", "naïve", "emoji 😀", "\uE000", "ß", new string('x', 300), string.Concat(Enumerable.Repeat("é😀", 70)), MinValueHash,
        .. Enumerable.Range(0, 60).Select(i => $"feature-{i}"),
    ];

    [Fact]
    public void Murmur3_IsScikitLearnsMurmurhash3_32_ForEverySeed()
    {
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("s", s_strings).Run("""
            from sklearn.utils import murmurhash3_32
            for seed in [0, 42, 3735928559]:
                put(f"h{seed}", [int(murmurhash3_32(s, seed=seed)) for s in strings("s")])
            """);
        foreach ((string name, int seed) in new[] { ("h0", 0), ("h42", 42), ("h3735928559", unchecked((int)0xDEADBEEF)) })
        {
            int[] expected = [.. sk.Json(name).EnumerateArray().Select(e => e.GetInt32())];
            Assert.Equal(expected, s_strings.Select(s => FeatureHashing.Murmur3(s, seed)));
        }
        Assert.Equal(int.MinValue, FeatureHashing.Murmur3(MinValueHash));
        Assert.Equal(-156908512, FeatureHashing.Murmur3("foo"));
    }

    [Fact]
    public void Value_And_Indicator_AreFeatureHashersColumns_ForOneStringARow()
    {
        int[] counts = [1, 3, 7, 16, 1024];
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("s", s_strings).Run("""
            from sklearn.feature_extraction import FeatureHasher
            rows = [[s] for s in strings("s")]
            for n in [1, 3, 7, 16, 1024]:
                save(f"signed{n}", FeatureHasher(n_features=n, input_type="string").transform(rows).toarray())
                save(f"unsigned{n}", FeatureHasher(n_features=n, input_type="string", alternate_sign=False).transform(rows).toarray())
            """);
        foreach (int features in counts)
        {
            double[] signed = sk.Doubles($"signed{features}");
            double[] unsigned = sk.Doubles($"unsigned{features}");
            for (int r = 0; r < s_strings.Length; r++)
            {
                for (int c = 0; c < features; c++)
                {
                    FeatureAssert.SameBits(signed[r * features + c], FeatureHashing.Value(s_strings[r], features, c), $"'{s_strings[r]}' column {c} of {features}");
                    FeatureAssert.SameBits(unsigned[r * features + c], FeatureHashing.Indicator(s_strings[r], features, c), $"'{s_strings[r]}' column {c} of {features}, unsigned");
                }
                Assert.Equal(Array.FindIndex(unsigned, r * features, features, v => v != 0) - r * features, FeatureHashing.Index(s_strings[r], features));
                Assert.Equal(signed.Skip(r * features).Take(features).Sum(), FeatureHashing.Sign(s_strings[r]));
            }
            // scikit-learn's column for the int.MinValue hash is 2^31 % n.
            Assert.Equal((int)(2147483648L % features), FeatureHashing.Index(MinValueHash, features));
        }
    }

    [Fact]
    public void Values_OfSeveralStringsInARow_AddUp_AsFeatureHasherSumsCollisions()
    {
        string[][] rows = [.. Enumerable.Range(0, 30).Select(i => new[] { $"country={i % 5}", $"device={i % 3}", $"feature-{i}", "country=0" })];
        const int Features = 4;
        ScikitLearnOracle.Answers sk = new ScikitLearnOracle().With("s", [.. rows.SelectMany(r => r)]).Run("""
            from sklearn.feature_extraction import FeatureHasher
            s = strings("s"); rows = [s[i:i + 4] for i in range(0, len(s), 4)]
            save("out", FeatureHasher(n_features=4, input_type="string").transform(rows).toarray())
            """);
        double[] output = sk.Doubles("out");
        for (int r = 0; r < rows.Length; r++)
        {
            for (int c = 0; c < Features; c++)
            {
                double sum = 0;
                foreach (string feature in rows[r])
                {
                    sum += FeatureHashing.Value(feature, Features, c);
                }
                FeatureAssert.SameBits(output[r * Features + c], sum, $"row {r} column {c}");
            }
        }
    }

    [Fact]
    public void Null_IsNoFeature_AndTooFewColumnsThrow()
    {
        Assert.Equal(-1, FeatureHashing.Index(null, 8));
        Assert.Equal(0.0, FeatureHashing.Sign(null));
        Assert.Equal(0.0, FeatureHashing.Value(null, 8, 0));
        Assert.Equal(0.0, FeatureHashing.Indicator(null, 8, -1));
        Assert.Equal(0.0, FeatureHashing.Indicator("a", 8, -1));
        Assert.Contains("at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => FeatureHashing.Index("a", 0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatureHashing.Value("a", -3, 0));
        Assert.Throws<ArgumentNullException>(() => FeatureHashing.Murmur3(null!));
        Assert.False(Dsl.Kernels.FeatureChecks.HashFeatures(0));
        Assert.True(Dsl.Kernels.FeatureChecks.HashFeatures(1));
    }

    [Fact]
    public void UnpairedSurrogates_HashAsTheReplacementCharacter()
    {
        Assert.Equal(FeatureHashing.Murmur3("x\uFFFDy"), FeatureHashing.Murmur3("x\uD800y"));
        Assert.Equal(FeatureHashing.Murmur3("\uFFFD"), FeatureHashing.Murmur3("\uDC00"));
    }
}
