using System.Text;

namespace Dsl.Runtime.Tests.Kernels;

public sealed class HashingTests
{
    // FNV-1a 64-bit reference values (the first three are the FNV specification's test vectors). They are pinned:
    // changing them changes every hashed feature users have computed and stored.
    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    [InlineData("US", 0x09311d07b5c37a19UL)]
    [InlineData("Zürich", 0x0ef841596f67fdc0UL)]
    [InlineData("日本", 0x121d7e35a6d3ce91UL)]
    public void Hash64_KnownValues(string value, ulong expected)
    {
        Assert.Equal(expected, Hashing.Hash64(value));
        Assert.Equal(expected, Hashing.Hash64(Encoding.UTF8.GetBytes(value)));
    }

    [Theory]
    [InlineData("", 1024, 805)]
    [InlineData("a", 1024, 140)]
    [InlineData("foobar", 1024, 1000)]
    [InlineData("US", 1024, 537)]
    [InlineData("Zürich", 7, 1)]
    [InlineData("日本", 7, 1)]
    [InlineData("foobar", 7, 6)]
    public void Bucket_KnownValues(string value, int buckets, int expected)
    {
        Assert.Equal(expected, Hashing.Bucket(value, buckets));
    }

    [Theory]
    [InlineData(85)]
    [InlineData(86)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void Hash64_LongString_MatchesBytes(int length)
    {
        // Past ~85 characters the string overload switches from a stack buffer to a pooled one.
        string value = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26)))) + "é🙂";

        Assert.Equal(Hashing.Hash64(Encoding.UTF8.GetBytes(value)), Hashing.Hash64(value));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1024)]
    [InlineData(int.MaxValue)]
    public void Bucket_AlwaysInRange(int buckets)
    {
        for (int i = 0; i < 2000; i++)
        {
            int bucket = Hashing.Bucket("key-" + i, buckets);
            Assert.InRange(bucket, 0, buckets - 1);
        }
    }

    [Fact]
    public void Bucket_SpreadsKeys()
    {
        var seen = new HashSet<int>();
        for (int i = 0; i < 10_000; i++)
        {
            seen.Add(Hashing.Bucket("user-" + i, 64));
        }

        Assert.Equal(64, seen.Count);
    }

    [Fact]
    public void Bucket_Null_IsZero()
    {
        Assert.Equal(0, Hashing.Bucket(null, 1024));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Bucket_NonPositiveBuckets_Throws(int buckets)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Hashing.Bucket("a", buckets));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hashing.Bucket(null, buckets));
    }
}
