using Dsl.Runtime.Tests.Training;
using Dsl.Testing;
using Dsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Torch.Tests;

/// <summary><c>feed.AsTensors(device)</c>: the feed's batches as TorchSharp tensors, on the CPU without a copy.</summary>
public sealed class FeedTensorsTests : IDisposable
{
    private readonly TempDirectory _root = TempDirectory.Create("dsl-feed-tensors-");
    private readonly TrainingFeed _feed;

    public FeedTensorsTests()
    {
        string output = FeedOutputs.Write(_root.Path, _root.Combine("out"), [1000, 700], rowGroupRows: 300);
        _feed = TrainingFeed.Open(output, new TrainingFeedOptions { Features = FeedOutputs.Features, Label = "label", BatchSize = 64, Seed = 3, Remainder = FeedRemainder.Partial });
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public void AsTensors_Cpu_ViewsOfTheBatchesBuffersWithTheirShapesAndValues()
    {
        var seen = new List<long>();
        using TensorEpoch epoch = _feed.AsTensors().Epoch(0);
        foreach (TensorBatch batch in epoch)
        {
            FeedBatch rows = batch.Batch;
            Assert.Equal(new long[] { rows.Rows, 5 }, batch.Features.shape);
            Assert.Equal(new long[] { rows.Rows }, batch.Labels!.shape);
            Assert.Equal(ScalarType.Float32, batch.Features.dtype);
            Assert.Equal(rows.Features.ToArray(), batch.Features.data<float>().ToArray());
            Assert.Equal(rows.Labels.ToArray(), batch.Labels.data<float>().ToArray());
            // No copy: the tensor is the feed's array.
            rows.FeatureArray[1] = 12345f;
            Assert.Equal(12345f, batch.Features[0, 1].item<float>());
            seen.AddRange(rows.Features.ToArray().Where((_, i) => i % 5 == 0).Select(v => (long)v));
        }

        Assert.Equal(27, epoch.Epoch.Statistics.Batches); // 1,700 rows: 26 batches of 64 and one of 36
        Assert.Equal(Enumerable.Range(0, 1700).Select(i => (long)i), seen.Order());
    }

    [Fact]
    public void AsTensors_TensorsOfABatchAreFreedWhenTheNextIsAskedFor()
    {
        using TensorEpoch epoch = _feed.AsTensors(CPU).Epoch(1);
        using IEnumerator<TensorBatch> batches = epoch.GetEnumerator();
        Assert.True(batches.MoveNext());
        Tensor first = batches.Current.Features;

        Assert.True(batches.MoveNext());

        Assert.True(first.IsInvalid);
        Assert.False(batches.Current.Features.IsInvalid);
    }

    [CudaFact]
    public void AsTensors_Cuda_CopiesThroughPinnedMemoryToTheDevice()
    {
        using TensorEpoch epoch = _feed.AsTensors(CUDA).Epoch(0);
        foreach (TensorBatch batch in epoch)
        {
            Assert.Equal(DeviceType.CUDA, batch.Features.device_type);
            Assert.Equal(batch.Batch.Features.ToArray(), batch.Features.cpu().data<float>().ToArray());
        }
    }
}
