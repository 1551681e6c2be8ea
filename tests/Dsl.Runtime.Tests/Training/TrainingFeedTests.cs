using System.Text.Json;
using System.Text.Json.Nodes;
using Dsl.Parquet;
using Dsl.Testing;
using Dsl.Training;

namespace Dsl.Runtime.Tests.Training;

/// <summary>
/// The training feed over real committed outputs: values, determinism, shuffling windows, sharding, remainders,
/// the prefetch ring, resume tokens and the errors. Rows carry their id as the first feature, so every test can tell
/// which rows a batch holds.
/// </summary>
public sealed class TrainingFeedTests : IDisposable
{
    // 3,000 rows in three files of different sizes; output row groups of 256 rows and the rest: 13 row groups of 4 sizes.
    private static readonly int[] FileRows = [1000, 700, 1300];

    private readonly TempDirectory _root = TempDirectory.Create("dsl-feed-");
    private readonly string _output;

    public TrainingFeedTests() => _output = FeedOutputs.Write(_root.Path, _root.Combine("out"), FileRows, rowGroupRows: 256);

    public void Dispose() => _root.Dispose();

    private TrainingFeed Open(int batch = 64, ulong seed = 7, Func<TrainingFeedOptions, TrainingFeedOptions>? change = null)
    {
        var options = new TrainingFeedOptions { Features = FeedOutputs.Features, Label = "label", BatchSize = batch, Seed = seed, ShuffleWindowRows = 500 };
        return TrainingFeed.Open(_output, change is null ? options : change(options));
    }

    private static List<(float[] Features, float[] Labels, int Padded)> Read(FeedEpoch epoch)
    {
        using (epoch)
        {
            return [.. epoch.Select(b => (b.Features.ToArray(), b.Labels.ToArray(), b.PaddedRows))];
        }
    }

    private static List<long> Ids(IEnumerable<(float[] Features, float[] Labels, int Padded)> batches, int width = 5) =>
        [.. batches.SelectMany(b => Enumerable.Range(0, b.Labels.Length).Select(r => (long)b.Features[r * width]))];

    [Fact]
    public void Epoch_Partial_DeliversEveryRowExactlyOnceWithItsValuesAsFloat32()
    {
        TrainingFeed feed = Open(change: o => o with { Remainder = FeedRemainder.Partial });

        var batches = Read(feed.Epoch(0));

        Assert.Equal(13, feed.RowGroups);
        Assert.Equal(47, batches.Count); // 3,000 / 64 = 46 full batches and one of 56
        Assert.Equal(56, batches[^1].Labels.Length);
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => (long)i), Ids(batches).Order());
        foreach (var (features, labels, _) in batches)
        {
            for (int r = 0; r < labels.Length; r++)
            {
                long id = (long)features[r * 5];
                Assert.Equal(id, features[r * 5]);
                Assert.Equal(FeedOutputs.A(id) is double a ? (float)a : float.NaN, features[(r * 5) + 1]);
                Assert.Equal(FeedOutputs.B(id), features[(r * 5) + 2]);
                Assert.Equal(FeedOutputs.C(id), features[(r * 5) + 3]);
                Assert.Equal(FeedOutputs.Flag(id) ? 1f : 0f, features[(r * 5) + 4]);
                Assert.Equal(FeedOutputs.Label(id) ? 1f : 0f, labels[r]);
            }
        }
    }

    [Fact]
    public void Epoch_SameSeedAndEpoch_SameBitsWhateverTheThreadsAndRing()
    {
        var first = Read(Open().Epoch(3));
        var other = Read(Open(change: o => o with { DecodeThreads = 2, PrefetchBytes = 1 }).Epoch(3));

        Assert.Equal(first.Count, other.Count);
        for (int i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].Features, other[i].Features);
            Assert.Equal(first[i].Labels, other[i].Labels);
        }
    }

    [Fact]
    public void Epoch_OtherEpochOrSeed_OtherOrder_AndWithoutShuffleTheManifestsOrder()
    {
        List<long> epoch0 = Ids(Read(Open().Epoch(0)));

        Assert.NotEqual(epoch0, Ids(Read(Open().Epoch(1))));
        Assert.NotEqual(epoch0, Ids(Read(Open(seed: 8).Epoch(0))));
        Assert.Equal(
            Enumerable.Range(0, 3000).Select(i => (long)i),
            Ids(Read(Open(change: o => o with { Shuffle = false, Remainder = FeedRemainder.Partial }).Epoch(5))));
    }

    [Fact]
    public void Epoch_MatchesTheDocumentedAlgorithmComputedIndependentlyInPython()
    {
        var cases = new[]
        {
            (World: 1, Window: 500, Batch: 64, Remainder: FeedRemainder.Partial, Epoch: 0, Shuffle: true),
            (World: 3, Window: 300, Batch: 50, Remainder: FeedRemainder.Pad, Epoch: 2, Shuffle: true),
            (World: 4, Window: 1, Batch: 100, Remainder: FeedRemainder.Drop, Epoch: 1, Shuffle: true),
            (World: 2, Window: 300, Batch: 64, Remainder: FeedRemainder.Pad, Epoch: 3, Shuffle: false),
        };
        List<long[]> units = UnitIds();
        foreach (var c in cases)
        {
            var request = new JsonObject
            {
                ["units"] = new JsonArray([.. units.Select(u => (JsonNode)new JsonArray([.. u.Select(id => (JsonNode)id)]))]),
                ["seed"] = 12345678901234567890UL,
                ["epoch"] = c.Epoch,
                ["worldSize"] = c.World,
                ["window"] = c.Window,
                ["batch"] = c.Batch,
                ["remainder"] = c.Remainder.ToString().ToLowerInvariant(),
                ["shuffle"] = c.Shuffle,
            };
            JsonElement expected = JsonDocument.Parse(Programs.Run("/bin/sh", ["-c", $"/usr/bin/python3 '{Path.Combine(RepoPaths.RepoRoot, "tests", "tools", "training", "feed-order.py")}' < '{WriteRequest(request)}'"])).RootElement;

            for (int rank = 0; rank < c.World; rank++)
            {
                TrainingFeed feed = Open(c.Batch, 12345678901234567890UL, o => o with { WorldSize = c.World, Rank = rank, ShuffleWindowRows = c.Window, Remainder = c.Remainder, Shuffle = c.Shuffle });
                Assert.Equal(expected.GetProperty("ranks")[rank].EnumerateArray().Select(e => e.GetInt64()), Ids(Read(feed.Epoch(c.Epoch))));
            }
        }
    }

    [Fact]
    public void Epoch_WindowOfOneRowGroup_KeepsEachRowGroupsRowsTogether()
    {
        // A window holds whole row groups: with the smallest window each row group's rows come out as one run.
        List<long> ids = Ids(Read(Open(change: o => o with { ShuffleWindowRows = 1, Remainder = FeedRemainder.Partial }).Epoch(0)));
        foreach (long[] unit in UnitIds())
        {
            int[] positions = [.. unit.Select(id => ids.IndexOf(id)).Order()];
            Assert.Equal(positions[0] + unit.Length - 1, positions[^1]);
        }
        // And inside a row group the rows are shuffled too.
        Assert.False(ids.SequenceEqual(UnitsInDeliveredOrder(ids)));
    }

    [Fact]
    public void Epoch_ThreeRanksPadded_DisjointRowGroupsEqualStepsEveryRowDelivered()
    {
        var ranks = Enumerable.Range(0, 3).Select(r => Read(Open(batch: 50, change: o => o with { WorldSize = 3, Rank = r }).Epoch(4))).ToList();

        Assert.Single(ranks.Select(r => r.Count).Distinct());
        var own = ranks.Select(r => Ids(r).Take(Ids(r).Count - r.Sum(b => b.Padded)).ToList()).ToList();
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => (long)i), own.SelectMany(ids => ids).Order());
        for (int r = 0; r < 3; r++)
        {
            List<long> all = Ids(ranks[r]);
            int padded = ranks[r].Sum(b => b.Padded);
            // Padding repeats the rank's own first rows, never another rank's.
            Assert.Equal(all.Take(padded), all.Skip(all.Count - padded));
        }
        Assert.Contains(ranks, r => r.Sum(b => b.Padded) > 0);
        // The ranks' rows differ by at most one row group (256 rows here).
        long[] rankRows = [.. Enumerable.Range(0, 3).Select(r => Open(batch: 50, change: o => o with { WorldSize = 3, Rank = r }).Epoch(4).RankRows)];
        Assert.InRange(rankRows.Max() - rankRows.Min(), 0, 256);
        Assert.Equal(3000, rankRows.Sum());
    }

    [Fact]
    public void Epoch_ThreeRanksDropped_EqualFullBatchesNoRowTwice()
    {
        var ranks = Enumerable.Range(0, 3).Select(r => Read(Open(batch: 128, change: o => o with { WorldSize = 3, Rank = r, Remainder = FeedRemainder.Drop }).Epoch(0))).ToList();

        Assert.Single(ranks.Select(r => r.Count).Distinct());
        Assert.All(ranks.SelectMany(r => r), b => Assert.Equal(128, b.Labels.Length));
        List<long> ids = [.. ranks.SelectMany(r => Ids(r))];
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(ids.Count > 3000 - (3 * 128) - (3 * 256)); // at most a row group and a batch per rank left out
    }

    [Theory]
    [InlineData(FeedRemainder.Pad)]
    [InlineData(FeedRemainder.Drop)]
    public void Open_MoreRanksThanRowGroups_Refused(FeedRemainder remainder)
    {
        var error = Assert.Throws<InvalidDataException>(() => Open(change: o => o with { WorldSize = 14, Remainder = remainder }));

        Assert.Contains("13 row groups cannot be shared by 14 ranks", error.Message);
        Assert.Contains("Write smaller row groups", error.Message);
    }

    [Fact]
    public void Open_PartialWithSeveralRanks_Refused()
    {
        var partial = Assert.Throws<ArgumentException>(() => Open(change: o => o with { WorldSize = 2, Remainder = FeedRemainder.Partial }));

        Assert.Contains("use Pad or Drop", partial.Message);
    }

    [Theory]
    [InlineData(3, 300, 50, FeedRemainder.Pad)]
    [InlineData(4, 1, 100, FeedRemainder.Drop)]
    [InlineData(1, 500, 64, FeedRemainder.Partial)]
    [InlineData(1, 500, 64, FeedRemainder.Pad)]
    [InlineData(13, 1, 7, FeedRemainder.Pad)] // a rank of about 230 rows: its padding wraps many times
    [InlineData(6, 1, 33, FeedRemainder.Pad)]
    public void Epoch_FromEveryKindOfStartStep_IsTheTailOfTheWholeEpoch(int world, int window, int batch, FeedRemainder remainder)
    {
        for (int rank = 0; rank < world; rank++)
        {
            TrainingFeed feed = Open(batch, change: o => o with { WorldSize = world, Rank = rank, ShuffleWindowRows = window, Remainder = remainder });
            var whole = Read(feed.Epoch(1));
            Assert.Equal(feed.StepsIn(1), whole.Count);
            foreach (int start in new[] { 0, 1, whole.Count / 2, whole.Count - 2, whole.Count - 1, whole.Count }.Where(s => s >= 0).Distinct())
            {
                var tail = Read(feed.Epoch(1, start));
                Assert.Equal(whole.Count - start, tail.Count);
                for (int i = 0; i < tail.Count; i++)
                {
                    Assert.Equal(whole[start + i].Features, tail[i].Features);
                    Assert.Equal(whole[start + i].Padded, tail[i].Padded);
                }
            }
        }
    }

    [Fact]
    public void Epoch_RingRunsAheadOfASlowTrainerButNoFurtherThanItsBound()
    {
        TrainingFeed feed = Open(batch: 16, change: o => o with { PrefetchBytes = 16 * 6 * 4 * 5 }); // five batches

        using FeedEpoch epoch = feed.Epoch(0);
        using IEnumerator<FeedBatch> batches = epoch.GetEnumerator();
        Assert.True(batches.MoveNext());
        SpinWait.SpinUntil(() => epoch.BatchesReady == feed.RingBatches, TimeSpan.FromSeconds(30));
        Thread.Sleep(200); // had it no bound, it would keep assembling meanwhile

        Assert.Equal(5, feed.RingBatches);
        Assert.Equal(5, epoch.BatchesReady);
        Assert.Equal(feed.RingBatches + 1, epoch.BatchesAssembled); // the one held and the ring
    }

    [Fact]
    public void Resume_FromABatchsToken_GivesTheRestOfTheEpochWithoutDecodingWhatWasConsumed()
    {
        TrainingFeed feed = Open(batch: 32, change: o => o with { ShuffleWindowRows = 256, Remainder = FeedRemainder.Partial });
        var whole = new List<(float[] Features, float[] Labels, int Padded)>();
        string? token = null;
        long decodedWhole;
        using (FeedEpoch epoch = feed.Epoch(2))
        {
            foreach (FeedBatch batch in epoch)
            {
                whole.Add((batch.Features.ToArray(), batch.Labels.ToArray(), batch.PaddedRows));
                if (batch.Step == 70)
                {
                    token = batch.ResumeToken.ToString();
                }
            }
            decodedWhole = epoch.Statistics.RowGroupsDecoded;
        }

        FeedEpoch resumed = Open(batch: 32, change: o => o with { ShuffleWindowRows = 256, Remainder = FeedRemainder.Partial, DecodeThreads = 2 }).Resume(token!);
        var rest = Read(resumed);

        Assert.StartsWith("dsl-feed/1;seed=7;epoch=2;step=71;manifest=", token);
        Assert.Equal(whole.Count - 71, rest.Count);
        for (int i = 0; i < rest.Count; i++)
        {
            Assert.Equal(whole[71 + i].Features, rest[i].Features);
            Assert.Equal(whole[71 + i].Labels, rest[i].Labels);
        }
        // Step 71 starts at row 2,272 of 3,000: the row groups before its window were not read again.
        Assert.Equal(13, decodedWhole);
        Assert.InRange(resumed.Statistics.RowGroupsDecoded, 1, 4);
    }

    [Fact]
    public void Resume_OverChangedDataOrOtherOptions_IsRefusedWithWhy()
    {
        TrainingFeed feed = Open();
        FeedResumeToken token = feed.TokenAt(1, 10);

        FeedOutputs.Write(_root.Path, _output, [1000, 700, 1301], rowGroupRows: 256); // a rerun over changed input
        var changed = Assert.Throws<InvalidOperationException>(() => Open().Resume(token));
        Assert.Contains("made over other data", changed.Message);
        Assert.Contains(token.ManifestSha256, changed.Message);

        FeedResumeToken fresh = Open().TokenAt(1, 10);
        var options = Assert.Throws<InvalidOperationException>(() => Open(batch: 65).Resume(fresh));
        Assert.Contains("other feed options", options.Message);
        var seed = Assert.Throws<InvalidOperationException>(() => Open(seed: 9).Resume(fresh));
        Assert.Contains("seed 7", seed.Message);
        Assert.Equal(fresh, FeedResumeToken.Parse(fresh.ToString()));
        Assert.Throws<FormatException>(() => FeedResumeToken.Parse("dsl-feed/1;seed=7;epoch=1"));
    }

    [Fact]
    public void Open_BadColumnsOrNotAnOutput_NameTheFileAndColumn()
    {
        var missing = Assert.Throws<InvalidDataException>(() => TrainingFeed.Open(_output, ["id", "nope"], "label", 8, 1));
        Assert.Contains("no column 'nope'", missing.Message);
        Assert.Contains("part-00000.parquet", missing.Message);

        var text = Assert.Throws<InvalidDataException>(() => TrainingFeed.Open(_output, ["name"], "label", 8, 1));
        Assert.Contains("column 'name' is String", text.Message);
        Assert.Contains("Hashing.Bucket", text.Message);

        var none = Assert.Throws<InvalidDataException>(() => TrainingFeed.Open(_root.Path, ["id"], "label", 8, 1));
        Assert.Contains("no committed Dsl output", none.Message);

        Assert.Throws<ArgumentException>(() => TrainingFeed.Open(_output, ["id", "label"], "label", 8, 1));
    }

    [Fact]
    public void Epoch_NullLabel_FailsNamingFileRowGroupAndRow()
    {
        // Column a is null on every row whose id is 3 mod 7: the first such row of the first row group is row 3.
        TrainingFeed feed = TrainingFeed.Open(_output, new TrainingFeedOptions { Features = ["id"], Label = "a", BatchSize = 10, Shuffle = false });

        using FeedEpoch epoch = feed.Epoch(0);
        var error = Assert.Throws<InvalidDataException>(() => epoch.ToList());

        Assert.Contains("part-00000.parquet, row group 0, row 3: label 'a' is null", error.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Epoch_DamagedPart_FailsTheTrainersNextBatchNamingTheFile(int decodeThreads)
    {
        // One byte of the second part's first page flipped: the page checksum no longer matches.
        string part = Path.Combine(_output, "part-00001.parquet");
        byte[] bytes = File.ReadAllBytes(part);
        bytes[200] ^= 0x5A;
        File.WriteAllBytes(part, bytes);
        TrainingFeed feed = Open(change: o => o with { DecodeThreads = decodeThreads });

        using FeedEpoch epoch = feed.Epoch(0);
        var error = Assert.Throws<InvalidDataException>(() => epoch.ToList());

        Assert.Contains(part, error.Message);
        Assert.Contains("row group 0", error.Message);
        Assert.Contains("column '", error.Message);
    }

    [Fact]
    public void Epoch_TheNextEpochReusesTheRingsBatchesInsteadOfAllocatingThem()
    {
        TrainingFeed feed = Open(batch: 16, change: o => o with { PrefetchBytes = 16 * 6 * 4 * 4 });
        var first = new HashSet<FeedBatch>(ReferenceEqualityComparer.Instance);
        using (FeedEpoch epoch = feed.Epoch(0))
        {
            foreach (FeedBatch batch in epoch)
            {
                first.Add(batch);
            }
        }
        var second = new HashSet<FeedBatch>(ReferenceEqualityComparer.Instance);
        using (FeedEpoch epoch = feed.Epoch(1))
        {
            foreach (FeedBatch batch in epoch)
            {
                second.Add(batch);
            }
        }

        Assert.InRange(first.Count, 2, feed.RingBatches + 1);
        Assert.Subset(first, second);
    }

    [Fact]
    public void Epoch_DisposedWhileTheTrainerHoldsABatch_StopsTheBackgroundWorkAndEndsTheEpoch()
    {
        TrainingFeed feed = Open(batch: 8, change: o => o with { PrefetchBytes = 8 * 6 * 4 * 3 });
        FeedEpoch epoch = feed.Epoch(0);
        IEnumerator<FeedBatch> batches = epoch.GetEnumerator();
        Assert.True(batches.MoveNext());
        SpinWait.SpinUntil(() => epoch.BatchesReady == feed.RingBatches, TimeSpan.FromSeconds(30));

        epoch.Dispose();
        int assembled = epoch.BatchesAssembled;
        long decoded = epoch.Statistics.RowGroupsDecoded;
        Thread.Sleep(100);

        Assert.False(batches.MoveNext());
        Assert.Equal(assembled, epoch.BatchesAssembled);
        Assert.Equal(decoded, epoch.Statistics.RowGroupsDecoded);
        Assert.True(assembled < feed.StepsIn(0));
        Assert.Throws<InvalidOperationException>(() => epoch.GetEnumerator());
    }

    [Fact]
    public async Task Epoch_DisposedFromAnotherThreadWhileTheTrainerLoops_EndsTheTrainersLoop()
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            FeedEpoch epoch = Open(batch: 8).Epoch(attempt);
            using var started = new ManualResetEventSlim();
            Task<int> trainer = Task.Run(() =>
            {
                int seen = 0;
                foreach (FeedBatch batch in epoch)
                {
                    started.Set();
                    seen++;
                }
                return seen;
            });
            started.Wait(TimeSpan.FromSeconds(30));

            epoch.Dispose();

            int seen = await trainer.WaitAsync(TimeSpan.FromSeconds(30)); // a TimeoutException if the loop never ends
            Assert.InRange(seen, 1, Open(batch: 8).StepsIn(attempt));
        }
    }

    [Fact]
    public void Epoch_EveryAcceptedColumnType_BecomesFloat32AsTheCastDoes()
    {
        var types = FeedColumn.Accepted.Order().ToArray();
        var schema = new BatchSchema([.. types.Select(t => new ColumnField(t.ToString(), t, true))]);
        string input = _root.CreateSubdirectory("typed-in");
        using (var writer = new ParquetFileWriter(Path.Combine(input, "t.parquet"), schema))
        {
            writer.WriteBatch(FeedOutputs.Typed(schema, rows: 300));
        }
        string output = FeedOutputs.Copy(schema, input, _root.Combine("typed"));

        TrainingFeed feed = TrainingFeed.Open(output, new TrainingFeedOptions { Features = [.. types.Select(t => t.ToString())], BatchSize = 300, Shuffle = false, Remainder = FeedRemainder.Partial });
        using FeedEpoch epoch = feed.Epoch(0);
        FeedBatch batch = Assert.Single(epoch);

        for (int r = 0; r < 300; r++)
        {
            for (int c = 0; c < types.Length; c++)
            {
                Assert.Equal(FeedOutputs.TypedValue(types[c], r) is { } v ? v : float.NaN, batch.Features[(r * types.Length) + c]);
            }
        }
    }

    /// <summary>Each row group's ids, in manifest order.</summary>
    private List<long[]> UnitIds()
    {
        var units = new List<long[]>();
        foreach (OutputPart part in CommittedOutput.Open(_output).Parts)
        {
            using var reader = new ParquetFileReader(part.Path);
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using RecordBatch batch = reader.ReadRowGroup(g, ["id"]);
                units.Add(batch.GetPrimitive<long>("id", ColumnType.Int64).Values.ToArray());
            }
        }
        return units;
    }

    private List<long> UnitsInDeliveredOrder(List<long> ids)
    {
        // The same row groups in the same order, each row group's ids ascending: what no shuffle within a window gives.
        var unitOf = UnitIds().SelectMany((u, i) => u.Select(id => (id, i))).ToDictionary(p => p.id, p => p.i);
        return [.. ids.GroupBy(id => unitOf[id]).SelectMany(g => g.Order())];
    }

    private string WriteRequest(JsonObject request)
    {
        string path = _root.Combine($"request-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, request.ToJsonString());
        return path;
    }
}
