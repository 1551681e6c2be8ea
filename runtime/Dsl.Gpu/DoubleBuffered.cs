using ILGPU.Runtime;

namespace Dsl.Gpu;

/// <summary>
/// Batches through two slots on two streams, so the host fills and uploads batch N+1 while the device computes batch
/// N. On ILGPU's CPU accelerator the streams run each operation as it is enqueued: the order of the calls is the same,
/// only nothing overlaps.
/// </summary>
public static class DoubleBuffered
{
    /// <summary>
    /// Runs <paramref name="batches"/> batches; batch <c>b</c> uses slot <c>b % 2</c> and its stream. For each:
    /// <paramref name="fill"/> writes the slot's host buffers (after the slot's previous batch completed),
    /// <paramref name="enqueue"/> enqueues its upload, kernel and download on the stream without waiting, and once the
    /// stream has finished, <paramref name="complete"/> reads the results. Batches complete in order, and batch
    /// <c>b + 1</c> is filled and enqueued before batch <c>b</c> completes.
    /// </summary>
    public static void Run<TSlot>(
        GpuAccelerator accelerator,
        TSlot first,
        TSlot second,
        int batches,
        Action<TSlot, int> fill,
        Action<TSlot, AcceleratorStream, int> enqueue,
        Action<TSlot, int> complete)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentNullException.ThrowIfNull(enqueue);
        ArgumentNullException.ThrowIfNull(complete);
        ArgumentOutOfRangeException.ThrowIfNegative(batches);

        TSlot[] slots = [first, second];
        int[] pending = [-1, -1];
        using var stream0 = accelerator.Accelerator.CreateStream();
        using var stream1 = accelerator.Accelerator.CreateStream();
        AcceleratorStream[] streams = [stream0, stream1];
        try
        {
            for (var batch = 0; batch < batches; batch++)
            {
                var slot = batch & 1;
                if (pending[slot] >= 0)
                {
                    streams[slot].Synchronize();
                    complete(slots[slot], pending[slot]);
                    pending[slot] = -1;
                }

                fill(slots[slot], batch);
                enqueue(slots[slot], streams[slot], batch);
                pending[slot] = batch;
            }

            var last = batches & 1;
            foreach (var slot in new[] { last, 1 - last })
            {
                if (pending[slot] >= 0)
                {
                    streams[slot].Synchronize();
                    complete(slots[slot], pending[slot]);
                    pending[slot] = -1;
                }
            }
        }
        finally
        {
            // The device may still read the host buffers the caller frees next.
            stream0.Synchronize();
            stream1.Synchronize();
        }
    }
}
