using ILGPU;
using ILGPU.Runtime;

namespace Dsl.Gpu.Tests;

public sealed class BufferTests
{
    [Theory]
    [InlineData(0, 4096)]
    [InlineData(1, 4096)]
    [InlineData(4096, 4096)]
    [InlineData(4097, 8192)]
    [InlineData(1_000_000, 1_048_576)]
    public void Size_classes_are_powers_of_two_from_4096(long length, long expected)
    {
        Assert.Equal(expected, DeviceBufferPool.ClassLength(length));
    }

    [Fact]
    public void An_accelerators_pool_keeps_at_most_four_per_class_and_256_MiB()
    {
        using var runtime = new GpuRuntime();
        var pool = runtime.GetAccelerator(GpuDevice.CpuEmulator).Buffers;
        Assert.Equal(4, pool.MaxPerClass);
        Assert.Equal(256L << 20, pool.MaxRetainedBytes);
    }

    [Fact]
    public void The_grid_stride_shape_is_warp_multiple_groups_of_at_most_256_and_no_more_groups_than_rows_need()
    {
        using var runtime = new GpuRuntime();
        var accelerator = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        var large = accelerator.GridStrideConfig(1_000_000);
        Assert.InRange(large.GroupDim.X, 1, 256);
        Assert.Equal(0, large.GroupDim.X % accelerator.Accelerator.WarpSize);
        Assert.Equal(1, accelerator.GridStrideConfig(10).GridDim.X);
        Assert.Equal(1, accelerator.GridStrideConfig(0).GridDim.X);
    }

    [Fact]
    public void A_returned_buffer_is_rented_again_by_its_type_and_class()
    {
        using var runtime = new GpuRuntime();
        var pool = runtime.GetAccelerator(GpuDevice.CpuEmulator).Buffers;
        using (var first = pool.Rent<double>(5000))
        {
            Assert.Equal(5000, first.View.Length);
            Assert.Equal(8192, first.Capacity);
        }

        Assert.Equal(8192 * sizeof(double), pool.RetainedBytes);
        using (var second = pool.Rent<double>(6000))
        {
            Assert.Equal(6000, second.View.Length);
            Assert.Equal(1, pool.Reuses);
            Assert.Equal(0, pool.RetainedBytes);
        }

        // Another element type or size class allocates.
        using var other = pool.Rent<float>(5000);
        using var larger = pool.Rent<double>(9000);
        Assert.Equal(1, pool.Reuses);
        Assert.Equal(3, pool.Allocations);
    }

    [Fact]
    public void The_pool_keeps_at_most_its_bounds_and_frees_the_rest()
    {
        using var runtime = new GpuRuntime();
        var accelerator = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        using var pool = new DeviceBufferPool(accelerator.Accelerator, maxRetainedBytes: 3 * 4096 * sizeof(int), maxPerClass: 2);
        var rented = Enumerable.Range(0, 5).Select(_ => pool.Rent<int>(100)).ToList();
        rented.ForEach(b => b.Dispose());

        // Two per class, though the bytes would allow three.
        Assert.Equal(2 * 4096 * sizeof(int), pool.RetainedBytes);
        using var a = pool.Rent<long>(100);
        a.Dispose();
        Assert.Equal(2 * 4096 * sizeof(int), pool.RetainedBytes);
        using var b = pool.Rent<byte>(100);
        b.Dispose();
        Assert.Equal((2 * 4096 * sizeof(int)) + 4096, pool.RetainedBytes);
    }

    [Fact]
    public void A_returned_buffer_view_cannot_be_used_and_returning_twice_is_harmless()
    {
        using var runtime = new GpuRuntime();
        var pool = runtime.GetAccelerator(GpuDevice.CpuEmulator).Buffers;
        var buffer = pool.Rent<int>(10);
        buffer.Dispose();
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.View);
        Assert.Equal(4096 * sizeof(int), pool.RetainedBytes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Host_buffers_round_trip_through_the_device(bool pageLocked)
    {
        using var runtime = new GpuRuntime();
        var accelerator = runtime.GetAccelerator(GpuDevice.CpuEmulator);
        using var upload = accelerator.AllocateHost<long>(1000, pageLocked);
        using var download = accelerator.AllocateHost<long>(1000, pageLocked);
        Assert.Equal(pageLocked, upload.IsPageLocked);
        for (var i = 0; i < 1000; i++)
        {
            upload.Span[i] = (i * 7919L) - 3;
        }

        using var device = accelerator.Buffers.Rent<long>(1000);
        var stream = accelerator.Accelerator.DefaultStream;
        device.View.MemSetToZero(stream);
        upload.CopyTo(stream, device.View, 999);
        download.Span.Fill(-1);
        download.CopyFrom(stream, device.View, 1000);
        stream.Synchronize();

        Assert.True(upload.Span[..999].SequenceEqual(download.Span[..999]));
        Assert.Equal(0, download.Span[999]);
        Assert.Throws<ArgumentOutOfRangeException>(() => upload.CopyTo(stream, device.View, 1001));
    }

    [Fact]
    public void The_cpu_accelerator_page_locks_host_memory()
    {
        using var runtime = new GpuRuntime();
        using var host = runtime.GetAccelerator(GpuDevice.CpuEmulator).AllocateHost<double>(10);
        Assert.True(host.IsPageLocked);
    }
}

public sealed class ViewLengthTests
{
    private struct Rows
    {
        public ArrayView<double> Values;

        [ValidityWords]
        public ArrayView<ulong> Valid;

        [Lookup]
        public ArrayView<int> Table;

        public int NotAView;
    }

    private struct BadValidity
    {
        [ValidityWords]
        public ArrayView<int> Valid;
    }

    [Fact]
    public void Views_long_enough_for_the_rows_pass()
    {
        using var runtime = new GpuRuntime();
        var pool = runtime.GetAccelerator(GpuDevice.CpuEmulator).Buffers;
        using var values = pool.Rent<double>(129);
        using var valid = pool.Rent<ulong>(3);
        using var table = pool.Rent<int>(1);
        ViewLengths.Check(new Rows { Values = values.View, Valid = valid.View, Table = table.View, NotAView = 1 }, 129);
        ViewLengths.Check(new Rows { Values = values.View, Valid = valid.View, Table = table.View }, 0);
    }

    [Fact]
    public void A_short_value_view_is_refused_by_name()
    {
        using var runtime = new GpuRuntime();
        var pool = runtime.GetAccelerator(GpuDevice.CpuEmulator).Buffers;
        using var values = pool.Rent<double>(128);
        using var valid = pool.Rent<ulong>(3);
        var error = Assert.Throws<ArgumentException>(() => ViewLengths.Check(new Rows { Values = values.View, Valid = valid.View }, 129));
        Assert.StartsWith("kernel launch refused: Rows.Values has 128 elements; 129 rows need 129", error.Message);
    }

    [Fact]
    public void Short_validity_words_are_refused_by_name()
    {
        using var runtime = new GpuRuntime();
        var pool = runtime.GetAccelerator(GpuDevice.CpuEmulator).Buffers;
        using var values = pool.Rent<double>(129);
        using var valid = pool.Rent<ulong>(2);
        var error = Assert.Throws<ArgumentException>(() => ViewLengths.Check(new Rows { Values = values.View, Valid = valid.View }, 129));
        Assert.StartsWith("kernel launch refused: Rows.Valid has 2 validity words; 129 rows need 3", error.Message);
    }

    [Fact]
    public void Validity_words_must_be_ulong()
    {
        var error = Assert.Throws<ArgumentException>(() => ViewLengths.Check(new BadValidity { Valid = default }, 1));
        Assert.Contains("[ValidityWords] needs an ArrayView<ulong>", error.Message);
    }
}
