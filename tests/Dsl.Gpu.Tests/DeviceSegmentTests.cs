using ILGPU;
using ILGPU.Runtime;
using Dsl.Execution;

namespace Dsl.Gpu.Tests;

/// <summary>
/// <see cref="DeviceSegment"/>, the host side of a generated GPU kernel: a batch that runs on the device returns its
/// result; a kernel ILGPU cannot compile sends this batch and every later one to the CPU kernel after one warning.
/// </summary>
public sealed class DeviceSegmentTests
{
    private static RecordBatch Batch(int rows) =>
        new(new BatchSchema(new ColumnField("V", ColumnType.Int32, false)), [PrimitiveColumn<int>.FromArray(ColumnType.Int32, Enumerable.Range(0, rows).ToArray())], rows);

    [Fact]
    public void A_kernel_that_cannot_compile_warns_once_and_every_batch_runs_on_the_CPU_kernel()
    {
        var warnings = new List<string>();
        int cpuRuns = 0;
        SegmentKernel cpu = (input, _) =>
        {
            cpuRuns++;
            return Batch(input.RowCount);
        };
        var segment = new DeviceSegment(GpuDevice.CpuEmulator, "Bad", cpu, warnings.Add);
        RecordBatch? OnDevice(DeviceBatch batch) =>
            batch.Launch<Doubling, Factor>(Kernels.FailsAlone, new Doubling { Output = batch.Output<int>() }, new Factor { Value = 2 }) ? Batch(batch.Rows) : null;

        using RecordBatch input = Batch(10);
        using RecordBatch first = segment.Run(input, null, OnDevice);
        using RecordBatch second = segment.Run(input, null, OnDevice);

        Assert.Equal(2, cpuRuns);
        Assert.True(segment.OnCpu);
        string warning = Assert.Single(warnings);
        Assert.Contains("failed to compile", warning);
        Assert.EndsWith("segment Bad runs on the CPU kernel", warning);
        Assert.Equal(0, segment.DeviceBatches);
    }

    [Fact]
    public void A_batch_that_runs_on_the_device_is_the_result_and_is_counted()
    {
        SegmentKernel cpu = (_, _) => throw new InvalidOperationException("the CPU kernel should not run");
        var segment = new DeviceSegment(GpuDevice.CpuEmulator, "Good", cpu, _ => Assert.Fail("no warning expected"));
        using RecordBatch input = Batch(100);
        using RecordBatch output = segment.Run(input, null, batch =>
        {
            var columns = new Doubling { Output = batch.Upload<int>(input.GetPrimitive<int>("V", ColumnType.Int32).Values) };
            Assert.True(batch.Launch<Doubling, Factor>(Kernels.Double, columns, new Factor { Value = 3 }));
            int[] host = new int[batch.Rows];
            columns.Output.CopyToCPU(host);
            return new RecordBatch(input.Schema, [PrimitiveColumn<int>.FromArray(ColumnType.Int32, host)], host.Length);
        });
        Assert.Equal(99 * 3, output.GetPrimitive<int>("V", ColumnType.Int32)[99]);
        Assert.Equal(1, segment.DeviceBatches);
        Assert.False(segment.OnCpu);
    }
}
