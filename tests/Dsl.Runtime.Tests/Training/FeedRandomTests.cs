using Dsl.Training;

namespace Dsl.Runtime.Tests.Training;

/// <summary>The feed's generator is SplitMix64 as published, so the order it gives is ours to promise.</summary>
public sealed class FeedRandomTests
{
    [Fact]
    public void Next_Seed1234567_GivesSplitMix64sPublishedFirstOutputs()
    {
        // The first outputs of the reference splitmix64.c seeded with 1234567.
        var random = new FeedRandom(1234567);

        Assert.Equal([6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL], new[] { random.Next(), random.Next(), random.Next() });
    }

    [Fact]
    public void NextBelow_IsUniformAndInRange()
    {
        var random = FeedRandom.For(seed: 9, epoch: 0, stream: 0);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            counts[random.NextBelow(7)]++;
        }

        // 10,000 expected each; 5 standard deviations is about 470.
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void NextBelow_ABoundJustOver2To63_RejectsHalfTheDrawsAsPythonsReferenceDoes()
    {
        // 2^64 mod (2^63 + 1) = 2^63 - 1: about half of all draws fall below it and are drawn again. The values are
        // SplitMix64.below of tests/tools/training/feed-order.py from the generator of seed 5, epoch 0, stream 0.
        var random = FeedRandom.For(seed: 5, epoch: 0, stream: 0);
        ulong bound = (1UL << 63) + 1;

        Assert.Equal(
            [7839686169698900022UL, 4342191710178080174UL, 1550054024367591693UL, 7557928507962851218UL, 3956570681453406054UL, 7480443073382261905UL],
            Enumerable.Range(0, 6).Select(_ => random.NextBelow(bound)));
    }

    [Fact]
    public void For_DifferentEpochsAndStreams_DrawDifferentSequences()
    {
        ulong[] First(ulong epoch, ulong stream)
        {
            var random = FeedRandom.For(42, epoch, stream);
            return [random.Next(), random.Next()];
        }

        Assert.Equal(First(1, 0), First(1, 0));
        Assert.NotEqual(First(0, 0), First(1, 0));
        Assert.NotEqual(First(0, 0), First(0, 1));
    }
}
