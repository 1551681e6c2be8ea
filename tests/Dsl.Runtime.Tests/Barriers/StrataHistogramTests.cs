using Dsl.Barriers.Splits;
using Dsl.Execution;
using Xunit.Abstractions;
using static Dsl.Runtime.Tests.Barriers.SplitTestData;

namespace Dsl.Runtime.Tests.Barriers;

/// <summary>Stratified splits: the pre-pass of <see cref="StrataHistogram"/>, its cuts and their guarantee.</summary>
public sealed class StrataHistogramTests(ITestOutputHelper output)
{
    private static readonly SplitPlan ByCountry = Plan(["UserId"], stratifyBy: "Country");

    /// <summary>
    /// Strata of very different sizes, each user in one country: 'tiny' (7 rows), 'small' (400), 'mid' (20,000),
    /// 'big' (150,003 distinct users, more than 2^16, so its buckets coarsen), 'skewed' (users with up to 300 rows each)
    /// and null (900).
    /// </summary>
    private static RecordBatch Strata()
    {
        var users = new List<long?>();
        var countries = new List<string?>();
        long next = 1;
        void Add(string? country, int count)
        {
            for (int i = 0; i < count; i++)
            {
                users.Add(next++ * 7919);
                countries.Add(country);
            }
        }
        Add("tiny", 7);
        Add("small", 400);
        Add("mid", 20_000);
        Add("big", 150_003); // asked cuts at fractions of a row, so they fall inside buckets
        Add(null, 900);
        foreach (long key in SkewedKeys(2000, 300))
        {
            users.Add(-key);
            countries.Add("skewed");
        }
        return Batch(("UserId", Longs(users)), ("Country", Strings(countries)));
    }

    private static StrataHistogram Count(SplitPlan plan, RecordBatch batch, int maxBuckets = StrataHistogram.DefaultMaxBucketsPerStratum, int maxStrata = StrataHistogram.DefaultMaxStrata)
    {
        var histogram = new StrataHistogram(plan, batch.Schema, maxStrata, maxBuckets);
        histogram.Add(batch);
        return histogram;
    }

    private static byte[] Bytes(StrataHistogram histogram)
    {
        using var stream = new MemoryStream();
        histogram.WriteTo(stream);
        return stream.ToArray();
    }

    [Theory]
    [InlineData(1 << 16)]
    [InlineData(64)]
    public void Assign_MatchesPythonReference(int maxBuckets)
    {
        using RecordBatch batch = Strata();
        var plan = ByCountry with { Fractions = [0.7, 0.2, 0.1] };
        SplitCuts cuts = Count(plan, batch, maxBuckets).ComputeCuts();
        (_, int[] expected) = SplitReference.Run(plan, batch, maxBuckets);
        Assert.Equal(expected, Assign(new SplitAssigner(plan, batch.Schema, cuts), batch));
    }

    [Fact]
    public void Counts_MeetTheStatedDeviation()
    {
        using RecordBatch batch = Strata();
        SplitCuts cuts = Count(ByCountry, batch).ComputeCuts();
        int[] subsets = Assign(new SplitAssigner(ByCountry, batch.Schema, cuts), batch);
        var countries = (StringColumn)batch["Country"];
        foreach (StratumCuts stratum in cuts.Strata)
        {
            string? country = stratum.Value.Text;
            int[] rows = [.. Enumerable.Range(0, batch.RowCount).Where(i => countries.GetString(i) == country)];
            Assert.Equal(rows.Length, stratum.Rows);
            long largestKey = rows.GroupBy(i => ((PrimitiveColumn<long>)batch["UserId"])[i]).Max(g => g.LongCount());
            for (int k = 0; k < 3; k++)
            {
                int actual = rows.Count(i => subsets[i] == k);
                double asked = ByCountry.Fractions[k] * rows.Length;
                double deviation = Math.Abs(actual - asked);
                output.WriteLine($"{stratum.Value,-8} subset {k}: {actual} rows, asked {asked:F1}, off by {deviation:F1} (bound {stratum.DeviationBound(k)}, {stratum.Resolution}-bit buckets)");
                Assert.Equal(stratum.SubsetRows[k], actual);
                Assert.True(deviation <= stratum.DeviationBound(k) + 1e-6, $"{stratum.Value} subset {k}: off by {deviation}, bound {stratum.DeviationBound(k)}");
                if (rows.Length <= StrataHistogram.DefaultMaxBucketsPerStratum)
                {
                    // Each bucket is one key: at most the largest key's rows off (one row for distinct keys).
                    Assert.True(deviation <= largestKey, $"{stratum.Value} subset {k}: off by {deviation}, largest key {largestKey} rows");
                }
            }
        }
        // The big stratum (150,003 users in 2^16 buckets) is a few rows off; a 10% subset drawn row by row has a
        // binomial standard deviation of 116 rows.
        StratumCuts big = cuts.Find(new StratumValue(StratumKind.Text, 0, "big"))!;
        Assert.Equal(16, big.Resolution);
        Assert.All(Enumerable.Range(0, 3), k => Assert.True(big.DeviationBound(k) <= 12, $"bound {big.DeviationBound(k)}"));
    }

    [Fact]
    public void Cuts_SameForAnyPartitioningRowOrderAndMergeOrder()
    {
        using RecordBatch batch = Strata();
        byte[] whole = Bytes(Count(ByCountry, batch, maxBuckets: 512));
        foreach ((int seed, int pieces) in new[] { (1, 3), (2, 8) })
        {
            var parts = Shuffled(batch, seed, pieces).Select(p =>
            {
                using (p.Batch)
                {
                    return Count(ByCountry, p.Batch, maxBuckets: 512);
                }
            }).ToList();
            var forward = new StrataHistogram(ByCountry, batch.Schema, maxBucketsPerStratum: 512);
            parts.ForEach(forward.Merge);
            Assert.Equal(whole, Bytes(forward));
            // Merged pairwise from the other end.
            StrataHistogram backward = parts[^1];
            for (int i = parts.Count - 2; i >= 0; i--)
            {
                parts[i].Merge(backward);
                backward = parts[i];
            }
            Assert.Equal(whole, Bytes(backward));
        }
        SplitCuts cuts = Count(ByCountry, batch, maxBuckets: 512).ComputeCuts();
        var assigner = new SplitAssigner(ByCountry, batch.Schema, cuts);
        Assert.Equal(Assign(assigner, batch), AssignShuffled(assigner, batch, seed: 4, pieces: 5));
    }

    [Fact]
    public void Resolution_IsTheLargestAtWhichTheBucketsFit()
    {
        using RecordBatch batch = Strata();
        ulong[] hashes = Hash(new SplitKeyHasher(batch.Schema, ["UserId"], ByCountry.Seed), batch);
        var countries = (StringColumn)batch["Country"];
        StrataHistogram histogram = Count(ByCountry, batch, maxBuckets: 100);
        foreach (string country in new[] { "small", "mid", "skewed" })
        {
            ulong[] mine = [.. Enumerable.Range(0, batch.RowCount).Where(i => countries.GetString(i) == country).Select(i => hashes[i])];
            int resolution = histogram.ResolutionOf(new StratumValue(StratumKind.Text, 0, country))!.Value;
            Assert.True(mine.Select(h => h >> (64 - resolution)).Distinct().Count() <= 100);
            Assert.True(mine.Select(h => h >> (63 - resolution)).Distinct().Count() > 100);
        }
        Assert.Equal(32, histogram.ResolutionOf(new StratumValue(StratumKind.Text, 0, "tiny")));
    }

    [Fact]
    public void Assign_RowsWithOneKeyAndStratumStayTogether()
    {
        using RecordBatch batch = Strata();
        SplitCuts cuts = Count(ByCountry, batch).ComputeCuts();
        int[] subsets = AssignShuffled(new SplitAssigner(ByCountry, batch.Schema, cuts), batch, seed: 8, pieces: 4);
        var users = (PrimitiveColumn<long>)batch["UserId"];
        foreach (IGrouping<long, int> user in Enumerable.Range(0, batch.RowCount).GroupBy(i => users[i]))
        {
            Assert.Single(user.Select(i => subsets[i]).Distinct());
        }
    }

    [Fact]
    public void Assign_BoolIntAndNullStrata()
    {
        const int rows = 3000;
        using RecordBatch batch = Batch(
            ("UserId", Longs([.. Enumerable.Range(0, rows).Select(i => (long?)i)])),
            ("Label", Bools([.. Enumerable.Range(0, rows).Select(i => i % 11 == 0 ? null : (bool?)(i % 3 == 0))])),
            ("Bucket", Ints([.. Enumerable.Range(0, rows).Select(i => i % 13 == 0 ? null : (int?)(i % 4))])));
        foreach (string column in new[] { "Label", "Bucket" })
        {
            var plan = Plan(["UserId"], [0.6, 0.4], stratifyBy: column, names: ["train", "test"]);
            SplitCuts cuts = Count(plan, batch).ComputeCuts();
            Assert.Contains(cuts.Strata, s => s.Value.Kind == StratumKind.Null);
            int[] subsets = Assign(new SplitAssigner(plan, batch.Schema, cuts), batch);
            (_, int[] expected) = SplitReference.Run(plan, batch);
            Assert.Equal(expected, subsets);
            foreach (StratumCuts stratum in cuts.Strata)
            {
                // Distinct keys: every subset within one row of its share.
                Assert.All(Enumerable.Range(0, 2), k => Assert.True(Math.Abs(stratum.SubsetRows[k] - (plan.Fractions[k] * stratum.Rows)) <= 1));
            }
        }
    }

    [Fact]
    public void TooManyStrata_FailsNamingTheColumnAndTheValue()
    {
        using RecordBatch batch = Batch(("UserId", Longs([1, 2, 3, 4])), ("Country", Strings(["a", "b", "c", "d"])));
        var error = Assert.Throws<InvalidOperationException>(() => Count(ByCountry, batch, maxStrata: 3));
        Assert.Contains("'Country'", error.Message);
        Assert.Contains("more than 3 distinct values", error.Message);
        Assert.Contains("'d'", error.Message);

        using RecordBatch first = Batch(("UserId", Longs([1, 2])), ("Country", Strings(["a", "b"])));
        using RecordBatch second = Batch(("UserId", Longs([3, 4])), ("Country", Strings(["c", "d"])));
        StrataHistogram merged = Count(ByCountry, first, maxStrata: 3);
        Assert.Throws<InvalidOperationException>(() => merged.Merge(Count(ByCountry, second, maxStrata: 3)));
    }

    [Fact]
    public void HeldBytes_BoundedByTheBucketLimit()
    {
        const int rows = 200_000;
        using RecordBatch batch = Batch(("UserId", Longs([.. Enumerable.Range(0, rows).Select(i => (long?)i)])), ("Country", Strings([.. Enumerable.Range(0, rows).Select(i => i % 2 == 0 ? "a" : "b")])));
        StrataHistogram histogram = Count(ByCountry, batch, maxBuckets: 1024);
        Assert.InRange(histogram.HeldBytes, 1, 2 * ((1024 * StrataHistogram.BytesPerBucket) + 128));
    }

    [Fact]
    public void WriteToReadFrom_RoundTrips()
    {
        using RecordBatch batch = Strata();
        StrataHistogram histogram = Count(ByCountry, batch, maxBuckets: 4096);
        byte[] bytes = Bytes(histogram);
        StrataHistogram read = StrataHistogram.ReadFrom(new MemoryStream(bytes), ByCountry, batch.Schema, maxBucketsPerStratum: 4096);
        Assert.Equal(bytes, Bytes(read));
        Assert.Equal(histogram.Rows, read.Rows);
        Assert.Equal(
            Assign(new SplitAssigner(ByCountry, batch.Schema, histogram.ComputeCuts()), batch),
            Assign(new SplitAssigner(ByCountry, batch.Schema, read.ComputeCuts()), batch));
    }

    [Fact]
    public void ReadFrom_DamagedOrOtherSplit_Fails()
    {
        using RecordBatch batch = Strata();
        byte[] bytes = Bytes(Count(ByCountry, batch, maxBuckets: 4096));
        StrataHistogram Read(byte[] data, SplitPlan plan) => StrataHistogram.ReadFrom(new MemoryStream(data), plan, batch.Schema, maxBucketsPerStratum: 4096);

        Assert.Contains("ends early", Assert.Throws<InvalidDataException>(() => Read(bytes[..(bytes.Length / 2)], ByCountry)).Message);
        byte[] badMagic = [.. bytes];
        badMagic[0] ^= 0xFF;
        Assert.Contains("header", Assert.Throws<InvalidDataException>(() => Read(badMagic, ByCountry)).Message);
        Assert.Contains("another split", Assert.Throws<InvalidDataException>(() => Read(bytes, ByCountry with { Seed = 8 })).Message);
        // The first stratum (null, the lowest kind) given the number 5: no null stratum has a number.
        var header = new BinaryReader(new MemoryStream(bytes));
        header.ReadBytes(8 + 4);
        header.ReadString();
        header.ReadBytes(8 + 4);
        int firstStratum = (int)header.BaseStream.Position;
        Assert.Equal((byte)StratumKind.Null, bytes[firstStratum]);
        byte[] badKind = [.. bytes];
        badKind[firstStratum + 1] = 5;
        Assert.Contains("no stratum value", Assert.Throws<InvalidDataException>(() => Read(badKind, ByCountry)).Message);
        byte[] badCount = [.. bytes];
        badCount[^1] ^= 0x01; // the last bucket's row count
        Assert.Contains("damaged", Assert.Throws<InvalidDataException>(() => Read(badCount, ByCountry)).Message);
    }

    [Fact]
    public void Merge_OtherSplit_Fails()
    {
        using RecordBatch batch = Strata();
        var error = Assert.Throws<ArgumentException>(() => Count(ByCountry, batch).Merge(Count(ByCountry with { Key = ["UserId", "Country"] }, batch)));
        Assert.Contains("different splits", error.Message);
        Assert.Contains("different splits", Assert.Throws<ArgumentException>(() => Count(ByCountry, batch).Merge(Count(ByCountry, batch, maxBuckets: 100))).Message);
        StrataHistogram histogram = Count(ByCountry, batch);
        Assert.Contains("into itself", Assert.Throws<ArgumentException>(() => histogram.Merge(histogram)).Message);
    }

    [Fact]
    public void Assign_StratumTheCutsLack_FailsNamingIt()
    {
        using RecordBatch counted = Batch(("UserId", Longs([1, 2])), ("Country", Strings(["a", "b"])));
        using RecordBatch other = Batch(("UserId", Longs([3])), ("Country", Strings(["zz"])));
        var assigner = new SplitAssigner(ByCountry, counted.Schema, Count(ByCountry, counted).ComputeCuts());
        var error = Assert.Throws<InvalidOperationException>(() => Assign(assigner, other));
        Assert.Contains("'zz'", error.Message);
        Assert.Contains("'Country'", error.Message);
    }

    [Fact]
    public void Constructor_PlainPlan_Fails()
    {
        using RecordBatch batch = Strata();
        Assert.Contains("not stratified", Assert.Throws<ArgumentException>(() => new StrataHistogram(Plan(["UserId"]), batch.Schema)).Message);
    }
}
