using System.Collections;
using Dsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Torch;

/// <summary>A training feed's batches as TorchSharp tensors: <c>feed.AsTensors(device)</c>.</summary>
public static class FeedTensors
{
    /// <summary>The feed's batches as tensors on <paramref name="device"/> (the CPU when null); see <see cref="TensorFeed"/>.</summary>
    public static TensorFeed AsTensors(this TrainingFeed feed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        TorchRuntime.Initialize();
        return new TensorFeed(feed, device ?? CPU);
    }

    /// <summary>One epoch's batches as tensors on <paramref name="device"/> (the CPU when null); see <see cref="TensorFeed"/>.</summary>
    public static TensorEpoch AsTensors(this FeedEpoch epoch, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        TorchRuntime.Initialize();
        return new TensorEpoch(epoch, device ?? CPU);
    }

}

/// <summary>
/// A <see cref="TrainingFeed"/> whose batches are tensors: features float32 [rows, features], labels float32 [rows].
/// On the CPU they are views of the feed's own buffers (<c>torch.from_array</c>: no copy). On CUDA each batch is copied
/// into one of two page-locked host buffers and from there to the device with a non-blocking copy; before a host
/// buffer is refilled the device is synchronized. Either way a batch's tensors are valid until the next batch is asked
/// for: <c>clone()</c> what must live longer.
/// </summary>
public sealed class TensorFeed
{
    internal TensorFeed(TrainingFeed feed, Device device)
    {
        Feed = feed;
        Device = device;
    }

    /// <summary>The feed.</summary>
    public TrainingFeed Feed { get; }

    /// <summary>Where the tensors are.</summary>
    public Device Device { get; }

    /// <summary>The batches of <paramref name="epoch"/> from <paramref name="startStep"/>; see <see cref="TrainingFeed.Epoch"/>.</summary>
    public TensorEpoch Epoch(int epoch, int startStep = 0) => new(Feed.Epoch(epoch, startStep), Device);

    /// <summary>Continues where <paramref name="token"/> says; see <see cref="TrainingFeed.Resume(FeedResumeToken)"/>.</summary>
    public TensorEpoch Resume(FeedResumeToken token) => new(Feed.Resume(token), Device);

    /// <summary>Continues where a token's text says; see <see cref="TrainingFeed.Resume(string)"/>.</summary>
    public TensorEpoch Resume(string token) => new(Feed.Resume(token), Device);
}

/// <summary>One step's tensors and the feed's batch they were made from.</summary>
/// <param name="Features">float32 [rows, features] on the feed's device.</param>
/// <param name="Labels">float32 [rows] on the feed's device; null for a feed without a label.</param>
/// <param name="Batch">The feed's batch: step, padded rows, resume token.</param>
public sealed record TensorBatch(Tensor Features, Tensor? Labels, FeedBatch Batch);

/// <summary>One epoch's batches as tensors; dispose it to stop the feed's threads and free the tensors.</summary>
public sealed class TensorEpoch : IEnumerable<TensorBatch>, IDisposable
{
    private readonly Device _device;

    internal TensorEpoch(FeedEpoch epoch, Device device)
    {
        Epoch = epoch;
        _device = device;
    }

    /// <summary>The feed's epoch: steps, statistics (how long the trainer waited).</summary>
    public FeedEpoch Epoch { get; }

    /// <inheritdoc/>
    public IEnumerator<TensorBatch> GetEnumerator() => _device.type == DeviceType.CPU ? OnCpu() : OnDevice();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public void Dispose() => Epoch.Dispose();

    private IEnumerator<TensorBatch> OnCpu()
    {
        foreach (FeedBatch batch in Epoch)
        {
            // Views of the batch's arrays: from_array pins the array for the tensor's life; narrow drops the rows a
            // last partial batch does not fill.
            using Tensor flat = torch.from_array(batch.FeatureArray);
            using Tensor whole = flat.view(-1, batch.FeatureCount);
            using Tensor features = whole.narrow(0, 0, batch.Rows);
            using Tensor? labelArray = batch.LabelArray.Length == 0 ? null : torch.from_array(batch.LabelArray);
            using Tensor? labels = labelArray?.narrow(0, 0, batch.Rows);
            yield return new TensorBatch(features, labels, batch);
        }
    }

    // A page-locked copy of a new host tensor (pin_memory copies), the unpinned one freed at once.
    private static Tensor Pinned(long[] shape)
    {
        using Tensor plain = torch.empty(shape, ScalarType.Float32);
        return plain.pin_memory();
    }

    private IEnumerator<TensorBatch> OnDevice()
    {
        var pinned = new (Tensor Features, Tensor? Labels)[2];
        var onDevice = new (Tensor Features, Tensor? Labels)[2];
        try
        {
            int k = 0;
            foreach (FeedBatch batch in Epoch)
            {
                int slot = k++ % 2;
                if (pinned[slot].Features is null)
                {
                    long rows = batch.FeatureArray.Length / batch.FeatureCount;
                    pinned[slot] = (Pinned([rows, batch.FeatureCount]), batch.LabelArray.Length == 0 ? null : Pinned([rows]));
                    onDevice[slot] = (torch.empty([rows, batch.FeatureCount], ScalarType.Float32, _device), batch.LabelArray.Length == 0 ? null : torch.empty([rows], ScalarType.Float32, _device));
                }
                else
                {
                    // This host buffer fed the copy of two batches ago: wait until the device has read it. (TorchSharp has
                    // no CUDA events to wait on that copy alone, so this waits for all queued work, the last step too.)
                    torch.cuda.synchronize(_device);
                }
                using (Tensor flat = torch.from_array(batch.FeatureArray))
                using (Tensor source = flat.view(-1, batch.FeatureCount))
                {
                    pinned[slot].Features.copy_(source);
                }
                if (pinned[slot].Labels is { } pinnedLabels)
                {
                    using Tensor source = torch.from_array(batch.LabelArray);
                    pinnedLabels.copy_(source);
                }
                onDevice[slot].Features.copy_(pinned[slot].Features, nonBlocking: true);
                onDevice[slot].Labels?.copy_(pinned[slot].Labels!, nonBlocking: true);
                using Tensor features = onDevice[slot].Features.narrow(0, 0, batch.Rows);
                using Tensor? labels = onDevice[slot].Labels?.narrow(0, 0, batch.Rows);
                yield return new TensorBatch(features, labels, batch);
            }
        }
        finally
        {
            foreach (var (features, labels) in pinned.Concat(onDevice))
            {
                features?.Dispose();
                labels?.Dispose();
            }
        }
    }
}
